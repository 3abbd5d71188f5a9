"""What the records say for one report, gathered once and kept as plain data (JSON): the figures with their
records, last year's problems with their status, the year's open problems with their causes and measures, and
the themes the year's findings show. The draft is built from these facts and the user's text
(document.py); regenerating a draft gathers them again, and a submitted version keeps the ones it was built on."""
import datetime

from django.utils import timezone

from dangjian.organizations.models import Organization
from dangjian.organizations.queries import secretary_on

from .figures import (FIGURES, PATTERNS, THEMES, FigureContext, Value, compute_figures, open_problem_list,
                      pattern_findings)


def chinese_date(day):
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


def status_text(problem, day):
    """The rectification status of a problem on `day`, as the report says it."""
    from dangjian.rectification.models import OVERDUE, ProblemState

    status = problem.status_on(day)
    late = "（逾期完成）" if problem.completed_late else ""
    if status == ProblemState.CLOSED:
        return f"已于{chinese_date(problem.completed_on)}完成整改{late}，{chinese_date(problem.closed_on)}经上级验收销号"
    if status == ProblemState.COMPLETED:
        return f"已于{chinese_date(problem.completed_on)}完成整改{late}，待上级验收销号"
    if status == OVERDUE:
        return f"尚未完成整改，已超过整改时限（{chinese_date(problem.deadline)}）"
    return f"正在整改，整改时限为{chinese_date(problem.deadline)}"


def _secretary(org, ctx):
    """The 书记 whose report it is: the one in post on the as-of date, else the last one in the year."""
    post = secretary_on(org, ctx.last)
    if post is None:
        from dangjian.organizations.models import CommitteePost, Post

        post = (CommitteePost.objects.filter(org=org, post=Post.SECRETARY, started_on__lte=ctx.last,
                                             ended_on__gte=ctx.first).select_related("member")
                .order_by("-ended_on").first())
    return post.member.name if post else ""


def gather(org: Organization, year: int, *, as_of=None):
    """The facts of `org`'s report for `year` (as of 31 December, or today for the running year)."""
    from dangjian.rectification.models import Problem

    ctx = FigureContext(org, year, as_of)
    codes = [code for code, f in FIGURES.items() if not f.org_types or org.org_type in f.org_types]
    figures = compute_figures(ctx, codes)
    last_year = [
        {"pk": p.pk, "number": p.number, "description": p.description, "status": p.status_on(ctx.last),
         "status_label": p.status_label_on(ctx.last), "status_text": status_text(p, ctx.last)}
        for p in Problem.objects.filter(org=org, year=year - 1).order_by("number")
    ]
    open_items = [
        {"pk": p.pk, "number": p.number, "year": p.year, "description": p.description, "cause": p.cause,
         "measures": p.measures, "deadline": p.deadline.isoformat(), "owner": p.owner.name if p.owner_id else "",
         "source": p.get_source_display(), "status_label": p.status_label_on(ctx.last)}
        for p in open_problem_list(ctx)
    ]
    # A pattern the secretary listed as a rectification item (reports.services.list_issue) is one of the open
    # problems above: written once.
    listed = set(Problem.objects.filter(org=org, year=year).exclude(report_issue="")
                 .values_list("report_issue", flat=True))
    themes = []
    for theme, headline in THEMES.items():
        if f"t:{theme}" in listed:
            continue
        shown = [p.code for p in PATTERNS if p.theme == theme and pattern_findings(ctx, p)]
        if shown:
            themes.append({"code": theme, "headline": headline, "patterns": shown})
    return {
        "org": {"pk": org.pk, "code": org.code, "name": org.name, "org_type": org.org_type},
        "year": year, "as_of": ctx.last.isoformat(), "secretary": _secretary(org, ctx),
        "figures": {code: value.as_dict() for code, value in figures.items()},
        "last_year": last_year, "open": open_items, "themes": themes,
        "generated_at": timezone.now().isoformat(timespec="seconds"),
    }


def figure_values(facts):
    """{code: Value} of a facts dict."""
    return {code: Value.from_dict(d) for code, d in facts["figures"].items()}


def as_of_of(facts):
    return datetime.date.fromisoformat(facts["as_of"])
