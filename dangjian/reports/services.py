"""述职报告: every change to a report goes through these functions (check, save in a transaction, audit); the pages
and the command call them.

The life of a report is a transitions map: 草稿 → 已提交 (a version is frozen), 已提交 → 草稿 (撤回修改: the next
submission is a new version; the old one is kept). `set_status` is the one guarded function that moves it. The
user's text and the figures are kept apart: `save_narrative` writes only a slot's text, `regenerate_report`
only the facts."""
import datetime

from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from dangjian.accounts.access import require_manage_org, visible_members
from dangjian.audit.services import log_action
from dangjian.core.dates import reference_day, today
from dangjian.core.errors import DomainError
from dangjian.organizations.models import LEADERSHIP_TYPES

from .document import AREA_BY_CODE, build_document, listable_issues, without_added_line
from .facts import gather
from .figures import check_year
from .models import Report, ReportStatus, ReportVersion
from .render import render_html, render_markdown

MAX_SLOT_CHARS = 5000

TRANSITIONS = {
    ReportStatus.DRAFT: {ReportStatus.SUBMITTED: ("report.submit", "提交")},
    ReportStatus.SUBMITTED: {ReportStatus.DRAFT: ("report.reopen", "撤回修改")},
}


def check_org(org):
    if org.org_type not in LEADERSHIP_TYPES:
        raise DomainError(f"{org.name}是{org.get_org_type_display()}，不单独述职：述职报告由党委、党总支和党支部书记撰写",
                          field="org", code="REPORT_ORG")


def _require_draft(report):
    if report.status != ReportStatus.DRAFT:
        raise DomainError("述职报告已提交，不能再修改；如需修改，请先撤回为草稿（已提交的版本仍会保留）", code="REPORT_SUBMITTED")


def document_of(report):
    """The draft as last generated, with the user's text."""
    return build_document(report.facts, report.narrative, report.placement)


def report_and_facts(org, year):
    """The report kept for the year and its facts; none kept yet: the facts read now (nothing is saved). What
    the report page and /api/reports show."""
    report = Report.objects.filter(org=org, year=year).first()
    return report, (report.facts if report else gather(org, year))


def live_document(org, year, *, as_of=None):
    """The draft from the records as they are now, with the user's text when a report is kept (the command and
    a page opened before any draft was saved)."""
    check_org(org)
    year = check_year(year)
    report = Report.objects.filter(org=org, year=year).first()
    facts = gather(org, year, as_of=as_of)
    return build_document(facts, report.narrative if report else {}, report.placement if report else {})


def figure_values(facts):
    """{code: value as text} of a facts dict, a missing one as its reason (what the audit entry compares)."""
    return {code: d["value"] if d["value"] is not None else f"缺失：{d['missing']}"
            for code, d in facts["figures"].items()}


@transaction.atomic
def draft_report(*, actor, org, year):
    """起草: the organisation's report for `year`, generated from the records; the one kept when there is one."""
    require_manage_org(actor, org)
    check_org(org)
    year = check_year(year)
    report = Report.objects.select_for_update().filter(org=org, year=year).first()
    if report is not None:
        return report
    report = Report.objects.create(org=org, year=year, facts=gather(org, year), generated_at=timezone.now())
    log_action(actor=actor, action="report.create", obj=report, org=org, after=report.snapshot())
    return report


@transaction.atomic
def regenerate_report(report, *, actor):
    """重新生成: every figure, list and problem read again from the records; the user's text untouched.
    Returns the codes of the figures whose value changed."""
    require_manage_org(actor, report.org)
    _require_draft(report)
    before = figure_values(report.facts) if report.facts else {}
    report.facts = gather(report.org, report.year)
    report.generated_at = timezone.now()
    report.save(update_fields=["facts", "generated_at", "updated_at"])
    after = figure_values(report.facts)
    changed = [code for code in after if before.get(code) != after[code]]
    log_action(actor=actor, action="report.regenerate", obj=report, org=report.org,
               before={c: before.get(c) for c in changed}, after={c: after[c] for c in changed})
    return changed


@transaction.atomic
def save_narrative(report, *, actor, key, text):
    """Write the user's text of one slot. Only the slots the draft has; returns whether anything changed."""
    require_manage_org(actor, report.org)
    _require_draft(report)
    document = document_of(report)
    if key not in document.slots:
        raise DomainError("该段落不在本报告中（报告重新生成后可能已不再出现），请刷新页面", field="text", code="REPORT_SLOT")
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if len(text) > MAX_SLOT_CHARS:
        raise DomainError(f"“{document.slots[key].label}”不能超过{MAX_SLOT_CHARS}字（现为{len(text)}字）", field="text",
                          code="TOO_LONG")
    if report.narrative.get(key) == text:
        return False
    before = report.narrative.get(key)
    report.narrative = {**report.narrative, key: text}
    report.save(update_fields=["narrative", "updated_at"])
    log_action(actor=actor, action="report.narrative", obj=report, org=report.org,
               before={key: before[:200] if before is not None else None}, after={key: text[:200]})
    return True


@transaction.atomic
def reset_narrative(report, *, actor, key):
    """恢复默认: the slot shows its default again."""
    require_manage_org(actor, report.org)
    _require_draft(report)
    if key not in report.narrative:
        return False
    before = report.narrative[key]
    report.narrative = {k: v for k, v in report.narrative.items() if k != key}
    report.save(update_fields=["narrative", "updated_at"])
    log_action(actor=actor, action="report.narrative", obj=report, org=report.org, before={key: before[:200]},
               after={key: None})
    return True


@transaction.atomic
def place_problem(report, *, actor, number, area):
    """Open a last year's problem in another area of 一、履职情况和成绩."""
    require_manage_org(actor, report.org)
    _require_draft(report)
    if number not in {p["number"] for p in report.facts.get("last_year", ())}:
        raise DomainError(f"问题“{number}”不是本组织上年度的问题", field="number", code="REPORT_PROBLEM")
    if area not in AREA_BY_CODE:
        raise DomainError("请选择报告的一个部分", field="area", code="CHOICE")
    if report.placement.get(number) == area:
        return False
    before = report.placement.get(number)
    report.placement = {**report.placement, number: area}
    report.save(update_fields=["placement", "updated_at"])
    log_action(actor=actor, action="report.place", obj=report, org=report.org, before={number: before},
               after={number: area})
    return True


@transaction.atomic
def list_issue(report, *, actor, key, deadline, owner=None, measures="", on=None):
    """列入整改台账: a problem the draft admits (a pattern of the findings, a line the user added) becomes a
    rectification item of the organisation (问题来源 自查, the next free 问题编号), with its owner and deadline; the
    cause the user wrote for it goes with it. The draft then shows it among the problems being rectified, with
    its measures in 三、 and next year's report opens with it. Returns the problem."""
    from dangjian.rectification.services import next_number, record_problem

    require_manage_org(actor, report.org)
    Report.objects.select_for_update().filter(pk=report.pk).first()  # one listing at a time: one number each
    report.refresh_from_db()
    _require_draft(report)
    issue = next((i for i in listable_issues(document_of(report)) if i.key == key), None)
    if issue is None:
        raise DomainError("该问题不在本报告的“存在问题”中，或已列入整改台账，请刷新页面", field="key", code="REPORT_ISSUE")
    if owner is not None and actor is not None and not visible_members(actor).filter(pk=owner.pk).exists():
        raise DomainError("所选责任人不存在或不在您的管理范围内", field="owner", code="MEMBER_NOT_FOUND")
    as_of = datetime.date.fromisoformat(report.facts["as_of"])
    problem = record_problem(
        actor=actor, number=next_number(report.org, report.year), org=report.org, year=report.year, source="自查",
        description=issue.description, cause=issue.cause, measures=measures, owner=owner, deadline=deadline,
        # put on the list today; in the demo (records of 2018) on the reference day, within the report's year
        on=on or min(today(), max(reference_day(), as_of)), report_issue=key if key.startswith("t:") else "")
    before, after = {"issue": key}, {"problem": problem.number}
    if key.startswith("x:"):  # the line is the problem now: written once, among the open problems
        lines = report.narrative["issues_more"]
        report.narrative = {**report.narrative, "issues_more": without_added_line(lines, key)}
        before["issues_more"], after["issues_more"] = lines[:200], report.narrative["issues_more"][:200]
    figures = figure_values(report.facts)
    report.facts = gather(report.org, report.year)
    report.generated_at = timezone.now()
    report.save(update_fields=["narrative", "facts", "generated_at", "updated_at"])
    changed = {c: v for c, v in figure_values(report.facts).items() if figures.get(c) != v}
    log_action(actor=actor, action="report.list_issue", obj=report, org=report.org,
               before=before | {c: figures.get(c) for c in changed}, after=after | changed,
               label=f"{report}（列入整改台账：{problem.number}）")
    return problem


def figure_link(code, year, number=None):
    """The URLs a report links to: each figure's records page (the draft's, or version `number`'s) and the
    problems it names. Site paths: the pages serve them; a name the site lacks gives no link."""
    def link(kind, key):
        try:
            if kind == "figure":
                if number:
                    return reverse("report_version_figure", args=[code, year, number, key])
                return reverse("report_figure", args=[code, year, key])
            if kind == "problem":
                return reverse("rectification_detail", args=[key])
        except NoReverseMatch:
            return ""
        return ""
    return link


@transaction.atomic
def set_status(report, target, *, actor):
    """The one guarded move of a report: refused when the map does not allow it, nothing when unchanged.
    Submitting reads the records once more and freezes the version it submits."""
    require_manage_org(actor, report.org)
    Report.objects.select_for_update().filter(pk=report.pk).first()  # one move at a time
    report.refresh_from_db()
    if report.status == target:
        return None
    move = TRANSITIONS[report.status].get(target)
    if move is None:
        raise DomainError(f"述职报告为“{report.get_status_display()}”，不能改为“{ReportStatus(target).label}”",
                          code="REPORT_STATE")
    action, verb = move
    version = None
    before = report.status
    if target == ReportStatus.SUBMITTED:
        report.facts = gather(report.org, report.year)
        report.generated_at = timezone.now()
        number = (report.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
        document = document_of(report)
        version = ReportVersion.objects.create(
            report=report, number=number,
            submitted_by=actor if actor is not None and actor.pk else None,
            submitted_by_name=actor.get_username() if actor is not None else "系统",
            document=document.as_dict(), figures=report.facts["figures"],
            html=render_html(document, figure_link(report.org.code, report.year, number)),
            markdown=render_markdown(document))
    report.status = target
    report.save(update_fields=["status", "facts", "generated_at", "updated_at"])
    log_action(actor=actor, action=action, obj=report, org=report.org, before={"status": before},
               after={"status": target, **({"version": version.number} if version else {})},
               label=f"{report}（{verb}）")
    return version


def submit_report(report, *, actor):
    """提交: freeze this moment's draft as a new version. Returns the version."""
    if report.status == ReportStatus.SUBMITTED:
        raise DomainError("述职报告已提交；如需再次提交，请先撤回修改", code="REPORT_SUBMITTED")
    return set_status(report, ReportStatus.SUBMITTED, actor=actor)


def reopen_report(report, *, actor):
    """撤回修改: back to 草稿; the submitted versions are kept."""
    return set_status(report, ReportStatus.DRAFT, actor=actor)


def version_document(version):
    from .document import Document

    return Document.from_dict(version.document)
