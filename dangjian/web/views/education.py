"""党员教育: a member's study hours of a year (the card on the member's page, a member role seeing their own),
an organisation's members with their hours, the requirement and who is short (its whole subtree, exportable),
the 轮训 of the year, and the forms of one training row.

Reads go through accounts.access (visible_orgs, visible_members, can_manage_org, can_reveal); every write goes
through education.services. The hours are computed by education.queries, the same the EDU rules read."""
import datetime
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_POST

from dangjian.accounts.access import can_manage_org, can_reveal, visible_members, visible_orgs
from dangjian.accounts.models import RoleKind
from dangjian.audit.services import log_action
from dangjian.core.dates import reference_day, today
from dangjian.education import services
from dangjian.education.models import Training, TrainingKind
from dangjian.education.queries import LECTURE, TRAINING, member_standing, standings, study_hours
from dangjian.members.models import Member, MemberEvent
from dangjian.organizations.models import Organization, under

from ..education_forms import TrainingForm
from ..exports import tables_workbook
from ..scope import STAFF_KINDS
from .base import ServiceFormView, role_required, staff_required
from .dues import _next_url, _xlsx, year_from

PAGE_SIZE = 100
EXPORT_HEADERS = ("姓名", "身份证号", "所属组织", "组织编码", "支部职务", "要求学时", "培训学时", "党课次数", "党课学时",
                  "合计学时", "尚差学时", "情况")
EXPORT_WIDTHS = (10, 22, 24, 12, 14, 9, 9, 9, 9, 9, 9, 22)


def year_state(year):
    """(until, ended): the day a year is looked at (its last day, or today while it runs) and whether it has
    ended — only an ended year is judged (RULES.md)."""
    last, now = datetime.date(year, 12, 31), today()
    return min(last, now), last <= now


def status_of(standing, ended):
    """(label, css class) of a member's year."""
    if standing is None:
        return "不是党员", "muted"
    if not standing.judged:
        return "不考核（本年度非全年在党）", "muted"
    if standing.total >= standing.required:
        return "已达标", "state-current"
    if not ended:
        return f"年度未结束，尚差{standing.missing}学时", "state-ending"
    return f"未达标（{standing.rule}）", "state-overdue"


# ---- a member's year ----

@role_required(*STAFF_KINDS, RoleKind.MEMBER)
def member_education(request, pk):
    """The member's hours of a year (?year=): the total, the requirement, and the rows behind the total (培训
    rows, 党课 attended). The card of the member's page (htmx) or a page of its own; a member role reaches only
    their own record (visible_members): anyone else is 404."""
    user = request.user
    member = get_object_or_404(visible_members(user), pk=pk)
    year, year_error = year_from(request.GET)
    until, ended = year_state(year)
    standing = member_standing(member, year, until=until)
    # Not a member on the year's last day (gone, suspended): what was recorded that year is still shown.
    hours = standing.hours if standing else study_hours(year, [member.pk], until=until).get(member.pk)
    lines = hours.lines if hours else []
    manage = can_manage_org(user, member.org)
    label, css = status_of(standing, ended)
    here = reverse("member_detail", args=[member.pk]) + "#education"
    meetings = set(visible_meetings(user, [line.pk for line in lines if line.source == LECTURE]))
    context = {
        "member": member, "year": year, "year_error": year_error, "standing": standing, "ended": ended,
        "status": label, "status_css": css, "can_manage": manage, "here": here,
        "lines": [(line, line.source == TRAINING, line.pk in meetings) for line in lines],
        "total": hours.total if hours else 0,
        "prev_year": year - 1, "next_year": year + 1,
    }
    partial = request.htmx and not request.htmx.history_restore_request
    response = render(request, "web/_education_member.html" if partial else "web/education_member.html", context)
    patch_vary_headers(response, ("HX-Request",))
    return response


def visible_meetings(user, pks):
    """The pks among `pks` of meetings whose page the user may open (held by an organisation they see)."""
    from dangjian.meetings.models import Meeting

    if not pks:
        return []
    return Meeting.objects.filter(pk__in=pks, org__in=visible_orgs(user)).values_list("pk", flat=True)


# ---- an organisation's members ----

@dataclass
class Row:
    member: Member
    org: Organization
    standing: object
    status: str
    css: str
    linkable: bool


def _education_org(request, code):
    return get_object_or_404(visible_orgs(request.user).select_related("parent"), code=code)


def org_rows(user, org, year):
    """(rows, ended) for the members `org`'s subtree held on the year's last day (today while it runs), the
    organisations limited to those the user may see: each with their standing (seven queries)."""
    until, ended = year_state(year)
    subtree = visible_orgs(user).filter(under(org.path))
    orgs = {o.pk: o for o in subtree}
    ever = MemberEvent.objects.filter(org__in=subtree).values("member_id")  # a subquery: no list of pks
    found = standings(year, org_ids=set(orgs), member_ids=ever, until=until)
    people = Member.objects.select_related("org").in_bulk([s.member_id for s in found])
    linkable = set(visible_members(user).filter(pk__in=list(people)).values_list("pk", flat=True))
    rows = []
    for s in found:
        label, css = status_of(s, ended)
        rows.append(Row(people[s.member_id], orgs[s.org_id], s, label, css, s.member_id in linkable))
    rows.sort(key=lambda r: (r.org.path, not r.standing.committee, r.member.name, r.member.pk))
    return rows, ended


def rotation_rows(user, org, year):
    """The 轮训 rows of `year` of the members `org`'s subtree holds now (visible to the user), with the posts
    each holds: the rotation training of new committee members the 述职报告 promised."""
    members = visible_members(user).filter(under(org.path, "org__path"))
    rows = (Training.objects.filter(member__in=members, kind=TrainingKind.ROTATION, held_on__year=year)
            .select_related("member", "member__org").order_by("held_on", "member__org__path", "member__name"))
    return list(rows)


@staff_required
def org_education(request, code):
    """党员教育 of an organisation's subtree for a year (?year=): each member's hours against the requirement
    (?show=short: only those short), or the year's 轮训 (?kind=rotation)."""
    org = _education_org(request, code)
    year, year_error = year_from(request.GET)
    kind = request.GET.get("kind", "")
    context = {"org": org, "year": year, "year_error": year_error, "kind": kind,
               "prev_year": year - 1, "next_year": year + 1, "can_manage": can_manage_org(request.user, org)}
    if kind == "rotation":
        context["rotations"] = rotation_rows(request.user, org, year)
        return render(request, "web/education_org.html", context)
    rows, ended = org_rows(request.user, org, year)
    short = [r for r in rows if r.standing.judged and r.standing.total < r.standing.required]
    show = request.GET.get("show", "")
    page = Paginator(short if show == "short" else rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context |= {"page": page, "show": show, "ended": ended, "count": len(rows), "short_count": len(short),
                "judged_count": sum(1 for r in rows if r.standing.judged),
                "committee_short": sum(1 for r in short if r.standing.committee)}
    return render(request, "web/education_org.html", context)


@staff_required
def org_education_export(request, code):
    """The organisation's list of the year as xlsx (IDs masked unless the role may reveal them); audited."""
    org = _education_org(request, code)
    year, _ = year_from(request.GET)
    rows, ended = org_rows(request.user, org, year)
    user = request.user
    out = []
    for r in rows:
        s = r.standing
        id_number = r.member.id_number if can_reveal(user, r.member) else r.member.masked_id_number
        out.append((r.member.name, id_number, r.org.name, r.org.code, s.post_labels or "—", s.required,
                    s.hours.training_hours, s.hours.lectures, s.hours.lecture_hours, s.total, s.missing, r.status))
    log_action(actor=user, action="education.export", obj=org, org=org,
               label=f"{org.name}{year}年度党员学习培训学时（{len(rows)}人）",
               after={"year": year, "count": len(rows), "ended": ended})
    sheet = (f"{year}年度学时", EXPORT_HEADERS, out, EXPORT_WIDTHS)
    return _xlsx(tables_workbook([sheet]), f"学习培训学时-{org.code}-{year}.xlsx")


# ---- one training row ----

class TrainingFormView(ServiceFormView):
    form_class = TrainingForm

    def cancel_url(self):
        return _next_url(self.request, reverse("member_detail", args=[self.member.pk]) + "#education")


class TrainingCreate(TrainingFormView):
    """登记学习培训 for one member."""

    submit_label = "登记"

    def load(self):
        self.member = get_object_or_404(visible_members(self.request.user), pk=self.kwargs["pk"])

    def allowed(self):
        return can_manage_org(self.request.user, self.member.org)

    def get_title(self):
        return f"登记学习培训：{self.member.name}"

    def get_initial(self):
        return {"held_on": min(today(), reference_day())}

    def perform(self, form):
        data = form.cleaned_data
        row = services.record_training(self.member, actor=self.request.user, held_on=data["held_on"],
                                       subject=data["subject"], hours=data["hours"], kind=data["kind"])
        self.success_message = f"已登记{self.member.name}{row.held_on}“{row.subject}”{row.hours}学时"
        return self.cancel_url()


def visible_trainings(user):
    return Training.objects.select_related("member", "member__org").filter(member__in=visible_members(user))


class TrainingEdit(TrainingFormView):
    """修改 a row (or delete it: the page's second button)."""

    def load(self):
        self.training = get_object_or_404(visible_trainings(self.request.user), pk=self.kwargs["pk"])
        self.member = self.training.member

    def allowed(self):
        return can_manage_org(self.request.user, self.member.org)

    def get_title(self):
        return f"修改学习培训：{self.member.name}"

    def get_initial(self):
        t = self.training
        return {"held_on": t.held_on, "subject": t.subject, "hours": str(t.hours), "kind": t.kind}

    def get_context_data(self, **kwargs):
        return super().get_context_data(training=self.training, next=self.request.GET.get("next", ""),
                                        delete_url=reverse("member_training_delete", args=[self.training.pk]),
                                        **kwargs)

    def perform(self, form):
        data = form.cleaned_data
        changed = services.update_training(self.training, actor=self.request.user, held_on=data["held_on"],
                                           subject=data["subject"], hours=data["hours"], kind=data["kind"])
        self.success_message = "已保存" if changed else "没有需要保存的修改"
        return self.cancel_url()


@require_POST
@staff_required
def training_delete(request, pk):
    training = get_object_or_404(visible_trainings(request.user), pk=pk)
    if not can_manage_org(request.user, training.member.org):
        raise PermissionDenied("无权操作：该党员不在您的管理范围内")
    label = f"{training.member.name}{training.held_on}“{training.subject}”"
    default = reverse("member_detail", args=[training.member_id]) + "#education"
    services.delete_training(training, actor=request.user)
    messages.success(request, f"已删除学习培训记录：{label}")
    return redirect(_next_url(request, default))


__all__ = ["member_education", "org_education", "org_education_export", "TrainingCreate", "TrainingEdit",
           "training_delete"]
