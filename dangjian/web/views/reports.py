"""述职报告 pages: the draft of an organisation's report for a year (figures linked to their records, a form under
each part the secretary writes, regenerate, submit, downloads), the records behind one figure, and the submitted
versions, each kept as it was submitted.

Reads go through accounts.access (a branch secretary reaches only their branch's report); writes through
reports.services."""
import datetime

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_POST

from dangjian.accounts.access import can_manage_org, visible_members, visible_orgs
from dangjian.core.dates import reference_day, today
from dangjian.core.errors import DomainError
from dangjian.members.models import Member
from dangjian.organizations.models import LEADERSHIP_TYPES, CommitteePost, under
from dangjian.reports import services
from dangjian.reports.services import figure_link
from dangjian.reports.document import AREAS, applies, build_document, listable_issues, place
from dangjian.reports.figures import FIGURES, Value, check_year
from dangjian.reports.models import Report, ReportStatus
from dangjian.reports.render import FORMATS, PdfUnavailable, block_html
from dangjian.reports.render import render as render_report

from ..forms import ChineseDateField, ChineseForm, MemberChoice, form_errors
from .base import staff_required

CONTENT_TYPES = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".pdf": "application/pdf", ".html": "text/html; charset=utf-8", ".md": "text/markdown; charset=utf-8",
}


def _org(request, code):
    org = get_object_or_404(visible_orgs(request.user), code=code)
    if org.org_type not in LEADERSHIP_TYPES:
        raise Http404("党小组不单独述职")
    return org


def _year(year):
    try:
        return check_year(year)
    except DomainError as exc:
        raise Http404(exc.message) from None


def _here(org, year, anchor=""):
    return reverse("report_page", args=[org.code, year]) + anchor


def _require_manage(request, org):
    if not can_manage_org(request.user, org):
        raise PermissionDenied(f"无权操作：{org.name}的述职报告不在您的管理范围内")


class IssueForm(ChineseForm):
    """列入整改台账: what a rectification item needs beyond the report's words."""

    deadline = ChineseDateField(label="整改时限")
    owner = MemberChoice(label="责任人", queryset=None, required=False, empty_label="（未指定）")
    measures = forms.CharField(label="整改措施", max_length=2000, required=False,
                               widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = people


def issue_owners(user, org, as_of):
    """Whom a listed problem may be given to: the organisation's committee on the report's day (书记 first),
    among the members the user may see."""
    held = CommitteePost.objects.held_on(as_of).filter(org=org).by_rank().values_list("member_id", flat=True)
    ids = list(dict.fromkeys(held))
    people = visible_members(user).filter(pk__in=ids).select_related("org")
    by_pk = {m.pk: m for m in people}
    return people, next((by_pk[pk] for pk in ids if pk in by_pk), None)


def record_url(record, as_of):
    """The page of one record behind a figure."""
    kind, key = record.kind, record.key
    try:
        if kind == "meeting":
            return reverse("meeting_detail", args=[key])
        if kind == "letter":
            return reverse("letter_detail", args=[key])
        if kind == "case":
            return reverse("recruitment_detail", args=[key])
        if kind == "problem":
            return reverse("rectification_detail", args=[key])
        if kind == "org":
            return reverse("org_detail", args=[key])
        if kind == "election":
            return reverse("org_detail", args=[key]) + "#elections"
        if kind == "party_home":
            return reverse("org_detail", args=[key]) + "#party-homes"
        if kind == "project":
            return reverse("org_assistance", args=[key])
        if kind == "matter":  # the register of the year it was decided, at its row
            code, year, pk = key
            return reverse("governance_org", args=[code]) + f"?year={year}#matter-{pk}"
        if kind == "finding":
            code, rule = key
            return reverse("compliance") + f"?q={code}&rule={rule}&as_of={as_of}"
    except NoReverseMatch:  # a page another part of the system has not got yet
        return ""
    return ""


def _entries(document, editable):
    """The blocks as the page shows them: the HTML, and the slot whose form goes under it."""
    link = figure_link(document.org_code, document.year)
    return [{"block": b, "html": block_html(b, link), "slot": document.slots.get(b.slot) if b.edit else None,
             "editable": editable and b.edit and b.slot in document.slots}
            for b in document.blocks]


@staff_required
def report_current(request, code):
    """The report of the year the pages look at (the demo's 2018, else this year)."""
    org = _org(request, code)
    return redirect(reverse("report_page", args=[org.code, reference_day().year]))


@staff_required
def report_page(request, code, year):
    org = _org(request, code)
    year = _year(year)
    report, facts = services.report_and_facts(org, year)
    document = build_document(facts, report.narrative if report else {}, report.placement if report else {})
    manage = can_manage_org(request.user, org)
    editable = manage and (report is None or report.status == ReportStatus.DRAFT)
    areas = [a for a in AREAS if applies(a.org_types, org.org_type)]
    placements = [(p, place(p["description"], report.placement if report else {}, p["number"]))
                  for p in facts.get("last_year", ())]
    missing = [(code, FIGURES[code].label, d["missing"]) for code, d in facts["figures"].items()
               if d["value"] is None]
    people, secretary = issue_owners(request.user, org, datetime.date.fromisoformat(facts["as_of"]))
    issue_form = IssueForm(people=people, initial={"owner": secretary}, auto_id=False)  # one form per issue
    context = {
        "org": org, "year": year, "report": report, "document": document, "entries": _entries(document, editable),
        "can_manage": manage, "editable": editable, "as_of": facts["as_of"], "areas": areas,
        "placements": placements, "missing": missing, "formats": FORMATS,
        "versions": report.versions.all() if report else [],
        "issues": listable_issues(document) if editable else [], "issue_form": issue_form,
        "prev_year": year - 1, "next_year": year + 1 if year < today().year else None,
    }
    return render(request, "web/report_page.html", context)


def _report_for_change(request, org, year):
    """The report to change: the one kept, or drafted now (the first change saves the draft)."""
    _require_manage(request, org)
    return services.draft_report(actor=request.user, org=org, year=year)


@require_POST
@staff_required
def report_slot(request, code, year):
    """Save (or reset to its default) the text of one slot."""
    org = _org(request, code)
    year = _year(year)
    key = request.POST.get("key", "")
    try:
        report = _report_for_change(request, org, year)
        if "reset" in request.POST:
            changed = services.reset_narrative(report, actor=request.user, key=key)
        else:
            changed = services.save_narrative(report, actor=request.user, key=key, text=request.POST.get("text", ""))
    except DomainError as exc:
        messages.error(request, f"未保存：{exc.message}")
    else:
        messages.success(request, "已保存" if changed else "内容未变")
    return redirect(_here(org, year, "#slot-" + key.replace(":", "")))


@require_POST
@staff_required
def report_place(request, code, year):
    org = _org(request, code)
    year = _year(year)
    try:
        report = _report_for_change(request, org, year)
        services.place_problem(report, actor=request.user, number=request.POST.get("number", ""),
                               area=request.POST.get("area", ""))
    except DomainError as exc:
        messages.error(request, f"未调整：{exc.message}")
    else:
        messages.success(request, "已调整上年问题所在的部分")
    return redirect(_here(org, year))


@require_POST
@staff_required
def report_list_issue(request, code, year):
    """列入整改台账: one problem of 二、存在问题 becomes a rectification item."""
    org = _org(request, code)
    year = _year(year)
    try:
        report = _report_for_change(request, org, year)
        people, _ = issue_owners(request.user, org, datetime.date.fromisoformat(report.facts["as_of"]))
        form = IssueForm(request.POST, people=people)
        if not form.is_valid():
            raise DomainError(form_errors(form))
        problem = services.list_issue(report, actor=request.user, key=request.POST.get("key", ""),
                                      **form.cleaned_data)
    except DomainError as exc:
        messages.error(request, f"未列入整改台账：{exc.message}")
        return redirect(_here(org, year, "#issues"))
    messages.success(request, f"已列入整改台账：问题{problem.number}，整改时限{problem.deadline}")
    return redirect(_here(org, year, "#issues"))


@require_POST
@staff_required
def report_regenerate(request, code, year):
    org = _org(request, code)
    year = _year(year)
    try:
        report = _report_for_change(request, org, year)
        changed = services.regenerate_report(report, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        names = "、".join(FIGURES[c].label for c in changed if c in FIGURES)
        messages.success(request, f"已按最新记录重新生成，{len(changed)}个数字有变化：{names}" if changed
                         else "已按最新记录重新生成，数字均无变化")
    return redirect(_here(org, year))


@require_POST
@staff_required
def report_submit(request, code, year):
    org = _org(request, code)
    year = _year(year)
    try:
        report = _report_for_change(request, org, year)
        version = services.submit_report(report, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(_here(org, year))
    messages.success(request, f"已提交第{version.number}版，提交的内容已保存，不再随记录变化")
    return redirect(reverse("report_version", args=[org.code, year, version.number]))


@require_POST
@staff_required
def report_reopen(request, code, year):
    org = _org(request, code)
    year = _year(year)
    _require_manage(request, org)
    report = get_object_or_404(Report, org=org, year=year)
    try:
        services.reopen_report(report, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已撤回为草稿，已提交的版本仍然保留")
    return redirect(_here(org, year))


def _download(document, suffix, link=None):
    try:
        data = render_report(document, suffix, link)
    except PdfUnavailable as exc:
        return HttpResponse(str(exc), status=503, content_type="text/plain; charset=utf-8")
    response = HttpResponse(data, content_type=CONTENT_TYPES[suffix])
    name = f"{document.org_name}{document.year}年述职报告{suffix}"
    from urllib.parse import quote

    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


def _suffix(fmt):
    suffix = "." + fmt
    if suffix not in FORMATS:
        raise Http404("不支持的格式")
    return suffix


@staff_required
def report_download(request, code, year, fmt):
    """The draft as last generated (read now when none is kept) in .docx, .pdf, .html or .md."""
    org = _org(request, code)
    year = _year(year)
    suffix = _suffix(fmt)
    report, facts = services.report_and_facts(org, year)
    document = build_document(facts, report.narrative if report else {}, report.placement if report else {})
    return _download(document, suffix, figure_link(org.code, year))


def _figure_page(request, org, year, figure, value, as_of, version=None):
    if figure not in FIGURES:
        raise Http404("没有这个数字")
    rows = [(r, record_url(r, as_of)) for r in value.records]
    return render(request, "web/report_figure.html", {
        "org": org, "year": year, "figure": FIGURES[figure], "value": value, "rows": rows, "as_of": as_of,
        "version": version})


@staff_required
def report_figure(request, code, year, figure):
    """The records one figure of the draft counts (those listed but not counted say why)."""
    org = _org(request, code)
    year = _year(year)
    _, facts = services.report_and_facts(org, year)
    if figure not in facts["figures"]:
        raise Http404("本报告没有这个数字")
    return _figure_page(request, org, year, figure, Value.from_dict(facts["figures"][figure]), facts["as_of"])


def _version(org, year, number):
    report = get_object_or_404(Report, org=org, year=year)
    return get_object_or_404(report.versions, number=number)


@staff_required
def report_versions(request, code, year):
    org = _org(request, code)
    year = _year(year)
    report = get_object_or_404(Report, org=org, year=year)
    return render(request, "web/report_versions.html", {"org": org, "year": year, "report": report,
                                                        "versions": report.versions.all()})


@staff_required
def report_version(request, code, year, number):
    """A submitted version as it was submitted (its stored HTML)."""
    org = _org(request, code)
    year = _year(year)
    version = _version(org, year, number)
    document = services.version_document(version)
    link = figure_link(org.code, year, number)
    return render(request, "web/report_version.html", {
        "org": org, "year": year, "version": version, "report": version.report, "formats": FORMATS,
        "entries": [{"html": block_html(b, link)} for b in document.blocks if b.runs]})


@staff_required
def report_version_download(request, code, year, number, fmt):
    org = _org(request, code)
    year = _year(year)
    suffix = _suffix(fmt)
    version = _version(org, year, number)
    if suffix == ".html":
        return _download_text(version.html, suffix, version)
    if suffix == ".md":
        return _download_text(version.markdown, suffix, version)
    return _download(services.version_document(version), suffix)


def _download_text(text, suffix, version):
    from urllib.parse import quote

    response = HttpResponse(text.encode("utf-8"), content_type=CONTENT_TYPES[suffix])
    name = f"{version.report.org.name}{version.report.year}年述职报告（第{version.number}版）{suffix}"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


@staff_required
def report_version_figure(request, code, year, number, figure):
    """The records a figure of a submitted version counted when it was submitted."""
    org = _org(request, code)
    year = _year(year)
    version = _version(org, year, number)
    if figure not in version.figures:
        raise Http404("该版本没有这个数字")
    as_of = version.document.get("as_of", "")
    return _figure_page(request, org, year, figure, Value.from_dict(version.figures[figure]), as_of, version)


__all__ = ["report_current", "report_page", "report_slot", "report_place", "report_list_issue", "report_regenerate", "report_submit",
           "report_reopen", "report_download", "report_figure", "report_versions", "report_version", "report_version_download",
           "report_version_figure"]
