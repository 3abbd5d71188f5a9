"""组织生活: an organisation's meetings as a month calendar and a year list, one meeting's page (attendance,
votes with their computed result, minutes, attachments), the forms that record them, and 党员之家.

Reads go through accounts.access (a meeting is visible when its organisation is); every write goes
through meetings.services, whose DomainError lands on the form field it names."""
import calendar
import datetime
import re
from collections import defaultdict

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from dangjian.accounts.access import can_manage_org, visible_members, visible_orgs
from dangjian.core.dates import add_months, parse_date, parse_month, reference_day, today
from dangjian.core.errors import DomainError
from dangjian.meetings import services
from dangjian.meetings.models import (
    MEETING_ORG_TYPES,
    Attachment,
    Meeting,
    MeetingType,
    PartyHome,
    Topic,
    Vote,
    VoteResult,
)
from dangjian.members.models import Member, MemberEvent, Stage, compute_state
from dangjian.organizations.models import BRANCH_TYPES, CommitteePost, OrgType, under

from ..forms import AttachmentForm, MeetingForm, PartyHomeForm, VoteForm, add_domain_error
from .base import ServiceFormView, staff_required

WEEKDAYS = ("一", "二", "三", "四", "五", "六", "日")
# Above this many people in the organisation's subtree, the 主持人/讲课人 lists offer only the people held
# directly and the organisation's 班子 (a 党委 of thousands would not fit a select).
PEOPLE_LIMIT = 300
# 双重组织生活: a leading cadre attending the meeting of their branch (or its 党小组) as an ordinary member.
DUAL_LIFE_TYPES = BRANCH_TYPES + (OrgType.PARTY_GROUP,)
RESULT_CLASS = {VoteResult.PASSED: "vote-passed", VoteResult.REJECTED: "vote-rejected",
                VoteResult.NO_QUORUM: "vote-void"}


# ---- reading ----

def visible_meetings(user):
    """The meetings the user may see: those of the organisations the user may see."""
    return Meeting.objects.filter(org__in=visible_orgs(user)).select_related("org", "chair", "lecturer")


def _org(request, code):
    return get_object_or_404(visible_orgs(request.user).select_related("parent"), code=code)


def types_for(org, keep=()):
    """The meeting types `org` may hold (MEETING_ORG_TYPES), plus any in `keep` (a meeting's own)."""
    return [(value, label) for value, label in MeetingType.choices
            if value in keep or org.org_type in MEETING_ORG_TYPES.get(MeetingType(value), (org.org_type,))]


def _labelled(meetings):
    """The meetings with `labels`, their types' names (for the tags of the calendar and the list)."""
    meetings = list(meetings)
    for m in meetings:
        m.labels = [MeetingType(t).label for t in m.types]
    return meetings


def _month_summary(meetings):
    """'主题党日、支部委员会' — the types held among `meetings`, in the order of MeetingType."""
    held = {t for m in meetings for t in m.types}
    return [MeetingType(t).label for t in MeetingType.values if t in held]


@staff_required
def org_meetings(request, code):
    """One organisation's meetings: the month calendar (?month=YYYY-MM), or with ?year=YYYY the year's
    list month by month (?type= one type)."""
    org = _org(request, code)
    day = reference_day()
    context = {"org": org, "can_manage": can_manage_org(request.user, org), "day": day,
               "type_choices": types_for(org)}
    meetings = Meeting.objects.filter(org=org).prefetch_related("kinds").select_related("chair")
    if "year" in request.GET:
        _year_list(request, org, meetings, day, context)
        return render(request, "web/meeting_list.html", context)
    _calendar(request, meetings, day, context)
    return render(request, "web/meeting_calendar.html", context)


def _calendar(request, meetings, day, context):
    month = day.replace(day=1)
    if request.GET.get("month"):
        try:
            month = parse_month(request.GET["month"], field="month")
        except DomainError as exc:
            context["month_error"] = exc.message
    if not 1900 <= month.year <= 2999:
        context["month_error"], month = "月份超出范围", day.replace(day=1)
    end = add_months(month, 1) - datetime.timedelta(days=1)
    in_month = _labelled(meetings.filter(held_on__gte=month, held_on__lte=end).order_by("held_on", "id"))
    by_day = defaultdict(list)
    for m in in_month:
        by_day[m.held_on].append(m)
    weeks = [[{"date": d, "in_month": d.month == month.month, "today": d == day, "meetings": by_day.get(d, [])}
              for d in week] for week in calendar.Calendar(firstweekday=0).monthdatescalendar(month.year, month.month)]
    context.update({
        "month": month, "weeks": weeks, "weekdays": WEEKDAYS, "count": len(in_month),
        "summary": _month_summary(in_month),
        "prev_month": add_months(month, -1), "next_month": add_months(month, 1),
        "this_month": day.replace(day=1),
    })


def _year_list(request, org, meetings, day, context):
    year = day.year
    text = request.GET.get("year", "").strip()
    if text:
        if re.fullmatch(r"[0-9]{4}", text) and 1900 <= int(text) <= 2999:
            year = int(text)
        else:
            context["year_error"] = f"年份“{text}”不正确，应为四位数字，如{day.year}"
    kind = request.GET.get("type", "")
    if kind and kind not in MeetingType.values:
        context["type_error"], kind = f"会议类型“{kind}”不是可选值", ""
    of_year = _labelled(meetings.filter(held_on__year=year).order_by("held_on", "id"))
    last_month = 12 if year < day.year else (day.month if year == day.year else 0)
    months = []
    for n in range(1, 13):
        held = [m for m in of_year if m.held_on.month == n]
        shown = [m for m in held if not kind or kind in m.types]
        if held or n <= last_month:
            months.append({"month": datetime.date(year, n, 1), "summary": _month_summary(held), "meetings": shown})
    totals = defaultdict(int)
    for m in of_year:
        for t in m.types:
            totals[t] += 1
    context.update({
        "year": year, "kind": kind, "months": months, "count": sum(len(m["meetings"]) for m in months),
        "totals": [(MeetingType(t).label, totals[t]) for t in MeetingType.values if totals[t]],
        "prev_year": year - 1, "next_year": year + 1,
    })


def _attendance_rows(meeting, user):
    """(attendance, linkable, dual life) for the meeting's page."""
    linkable = set(visible_members(user).filter(attendance__meeting=meeting).values_list("pk", flat=True))
    dual_org = meeting.org.org_type in DUAL_LIFE_TYPES
    return [(a, a.member_id in linkable, dual_org and a.attended and a.member.is_leading_cadre)
            for a in meeting.attendance.select_related("member", "member__party_group")]


def voters_counted(meeting):
    """(expected, present) voters counted from the attendance list, or None: the service's own count, so
    the page explains exactly what the service will use."""
    return services._voters_from_attendance(meeting)


def _render_meeting(request, meeting, *, vote_form=None, upload_form=None, status=200):
    user = request.user
    manage = can_manage_org(user, meeting.org)
    counted = voters_counted(meeting) if manage else None
    attendance = _attendance_rows(meeting, user)
    votes = [(v, RESULT_CLASS.get(v.result, "")) for v in meeting.votes.all()]
    context = {
        "meeting": meeting, "org": meeting.org, "can_manage": manage,
        "attendance": attendance,
        "came": [row for row in attendance if row[0].attended],
        "absent": [row for row in attendance if not row[0].attended],
        "dual_count": sum(1 for row in attendance if row[2]),
        "votes": votes, "attachments": meeting.attachments.all(), "counted": counted,
        "vote_form": vote_form or (VoteForm(counted=counted) if manage else None),
        "upload_form": upload_form or (AttachmentForm() if manage else None),
        "max_attachment_mb": services.MAX_ATTACHMENT_BYTES // 1024 // 1024,
    }
    return render(request, "web/meeting_detail.html", context, status=status)


@staff_required
def meeting_detail(request, pk):
    meeting = get_object_or_404(visible_meetings(request.user).prefetch_related("kinds"), pk=pk)
    return _render_meeting(request, meeting)


def _managed_meeting(request, pk):
    """The meeting through the visible queryset (404 outside), and 403 when the user may not change it."""
    meeting = get_object_or_404(visible_meetings(request.user).prefetch_related("kinds"), pk=pk)
    if not can_manage_org(request.user, meeting.org):
        raise PermissionDenied("无权操作：该组织不在您的管理范围内")
    return meeting


@require_POST
@staff_required
def vote_create(request, pk):
    """登记表决 from the meeting page: the result is computed by the service; a refusal re-shows the page
    with the message on the field."""
    meeting = _managed_meeting(request, pk)
    counted = voters_counted(meeting)
    form = VoteForm(request.POST, counted=counted)
    if form.is_valid():
        try:
            vote = services.record_vote(meeting, actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            show = messages.success if vote.result == VoteResult.PASSED else messages.error
            show(request, f"表决已登记：{vote.matter}，{vote.get_result_display()}")
            return redirect(reverse("meeting_detail", args=[meeting.pk]) + "#votes")
    return _render_meeting(request, meeting, vote_form=form)


@require_POST
@staff_required
def vote_delete(request, pk):
    vote = get_object_or_404(Vote.objects.select_related("meeting__org").filter(
        meeting__org__in=visible_orgs(request.user)), pk=pk)
    if not can_manage_org(request.user, vote.meeting.org):
        raise PermissionDenied("无权操作：该组织不在您的管理范围内")
    services.delete_vote(vote, actor=request.user)
    messages.success(request, f"已删除表决：{vote.matter}")
    return redirect(reverse("meeting_detail", args=[vote.meeting_id]) + "#votes")


@require_POST
@staff_required
def attachment_upload(request, pk):
    meeting = _managed_meeting(request, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            attachment = services.add_attachment(meeting, actor=request.user, upload=form.cleaned_data["file"])
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"已上传：{attachment.name}")
            return redirect(reverse("meeting_detail", args=[meeting.pk]) + "#attachments")
    return _render_meeting(request, meeting, upload_form=form)


def _attachment(request, pk):
    attachments = Attachment.objects.select_related("meeting__org").filter(meeting__org__in=visible_orgs(request.user))
    return get_object_or_404(attachments, pk=pk)


@staff_required
def attachment_download(request, pk):
    """A file is served only to a user who may see the meeting's organisation (never from /media/)."""
    attachment = _attachment(request, pk)
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, OSError, ValueError):
        raise Http404("附件文件已不存在，请联系系统管理员") from None
    return FileResponse(handle, as_attachment=True, filename=attachment.name)


@require_POST
@staff_required
def attachment_delete(request, pk):
    attachment = _attachment(request, pk)
    if not can_manage_org(request.user, attachment.meeting.org):
        raise PermissionDenied("无权操作：该组织不在您的管理范围内")
    services.remove_attachment(attachment, actor=request.user)
    messages.success(request, f"已删除附件：{attachment.name}")
    return redirect(reverse("meeting_detail", args=[attachment.meeting_id]) + "#attachments")


@staff_required
def meeting_delete(request, pk):
    """GET asks for confirmation; POST deletes (with votes, attendance and files) through the service."""
    meeting = _managed_meeting(request, pk)
    if request.method == "POST":
        org, month = meeting.org, meeting.held_on
        services.delete_meeting(meeting, actor=request.user)
        messages.success(request, f"已删除组织生活记录：{month:%Y-%m-%d} {meeting.subject}")
        return redirect(reverse("org_meetings", args=[org.code]) + f"?month={month:%Y-%m}")
    return render(request, "web/meeting_confirm_delete.html", {
        "meeting": meeting, "votes": meeting.votes.count(), "attachments": meeting.attachments.count(),
        "attendance": meeting.attendance.count()})


# ---- the meeting form ----

def _member_on(stage):
    return stage in (Stage.PROBATIONARY, Stage.FULL)


def roster_on(user, org, day, meeting=None):
    """Who should attend a meeting of `org` on `day`, as far as the user may see: for a 党小组 the members
    of its branch that day whose 党小组 it is; for another organisation the members holding their
    membership in it that day, and for a 党委/党总支 also its 班子 that day. A meeting being edited keeps
    the people already on its list. Each person carries `stage_that_day`."""
    events = Prefetch("events", queryset=MemberEvent.objects.select_related("org"))
    people = visible_members(user).prefetch_related(events)
    if org.org_type == OrgType.PARTY_GROUP:
        holder, candidates = org.parent, people.filter(party_group=org)
    else:
        held_there = MemberEvent.objects.filter(org=org).values("member_id")  # 接收 or 转接 into it
        holder, candidates = org, people.filter(Q(org=org) | Q(pk__in=held_there))
    found = {}
    for m in candidates:
        stage, at = compute_state(list(m.events.all()), day)
        if _member_on(stage) and at is not None and holder is not None and at.pk == holder.pk:
            m.stage_that_day = stage
            found[m.pk] = m
    if org.org_type in (OrgType.COMMITTEE, OrgType.GENERAL_BRANCH):
        posts = CommitteePost.objects.filter(org=org).held_on(day).values("member_id")
        for m in people.filter(pk__in=posts).exclude(pk__in=list(found)):
            stage, _ = compute_state(list(m.events.all()), day)
            if _member_on(stage):
                m.stage_that_day = stage
                found[m.pk] = m
    if meeting is not None:
        kept = Member.objects.filter(attendance__meeting=meeting).exclude(pk__in=list(found)).prefetch_related(events)
        for m in kept.select_related("org", "party_group"):
            m.stage_that_day = compute_state(list(m.events.all()), day)[0]
            found[m.pk] = m
    return sorted(found.values(), key=lambda m: (m.name, m.pk))


def people_for(user, org, meeting=None):
    """(queryset, named pks) for 主持人/讲课人: the people of the organisation's subtree the user may see
    (for a 党小组, of its branch); in a large subtree only those held directly and the 班子. A meeting
    being edited keeps its chair and lecturer."""
    base = org.parent if org.org_type == OrgType.PARTY_GROUP and org.parent_id else org
    visible = visible_members(user).current()
    offered = visible.filter(under(base.path, "org__path"))
    if offered.count() > PEOPLE_LIMIT:
        posts = CommitteePost.objects.filter(org=base).values("member_id")
        offered = visible.filter(Q(org=base) | Q(pk__in=posts))
    named = set(offered.values_list("pk", flat=True))
    keep = {pk for pk in (meeting.chair_id, meeting.lecturer_id) if pk} if meeting else set()
    named |= set(visible_members(user).filter(pk__in=keep).values_list("pk", flat=True))
    queryset = Member.objects.select_related("org").filter(Q(pk__in=named) | Q(pk__in=keep)).order_by("name", "pk")
    return queryset, named


def _roster_ids(roster):
    return ",".join(str(m.pk) for m in roster)


class MeetingFormView(ServiceFormView):
    """登记/修改组织生活. The attendance list is the organisation's members on the meeting date: a changed
    date brings the new list (htmx on the date field; without script, the POST notices the change and
    shows the new list to check)."""

    template_name = "web/meeting_form.html"
    meeting = None

    def allowed(self):
        return can_manage_org(self.request.user, self.org)

    def default_mark(self):
        """出席 for everyone on a new meeting (mark the absent); on an edit, people not on the list stay off
        it unless the meeting had no list at all."""
        if self.meeting is None or not self.meeting.attendance.exists():
            return "1"
        return ""

    def meeting_day(self, data):
        """The date the list is for: the one typed (when it parses), else the meeting's, else today."""
        try:
            day = parse_date(data.get("held_on", ""), field="held_on") if data else None
        except DomainError:
            day = None
        return day or self.initial_day()

    def initial_day(self):
        return self.meeting.held_on if self.meeting else today()

    def get(self, request, *args, **kwargs):
        if request.htmx and request.GET.get("partial") == "attendance":
            return self.attendance_partial()
        return super().get(request, *args, **kwargs)

    def attendance_partial(self):
        """The list for the date now in the form, keeping what was already marked for the same people."""
        data = self.request.GET
        roster = roster_on(self.request.user, self.org, self.meeting_day(data), self.meeting)
        initial = {"roster": _roster_ids(roster)}
        for m in roster:
            initial[f"att_{m.pk}"] = data.get(f"att_{m.pk}", self.default_mark())
            initial[f"reason_{m.pk}"] = data.get(f"reason_{m.pk}", "")
        form = self.get_form_class()(initial=initial, **self.form_extras(roster))
        return render(self.request, "web/_meeting_attendance.html", {"form": form, "org": self.org})

    def form_extras(self, roster=None):
        user = self.request.user
        people, named = people_for(user, self.org, self.meeting)
        keep = self.meeting.types if self.meeting else ()
        return {"types": types_for(self.org, keep), "topics": Topic.choices, "people": people, "named": named,
                "roster": roster if roster is not None else self.roster,
                "roster_changed": getattr(self, "roster_changed", False), "attendance_url": self.attendance_url()}

    def get_form_kwargs(self):
        self.roster_changed = False
        if self.request.method in ("POST", "PUT"):
            data = self.request.POST.copy()
            self.roster = roster_on(self.request.user, self.org, self.meeting_day(data), self.meeting)
            ids = _roster_ids(self.roster)
            if data.get("roster", "") != ids:
                # The date changed and with it the members: show the new list, marked by default.
                self.roster_changed = True
                data["roster"] = ids
                for m in self.roster:
                    if f"att_{m.pk}" not in data:
                        data[f"att_{m.pk}"] = self.default_mark()
            kwargs = super().get_form_kwargs()
            kwargs["data"] = data
            return kwargs
        self.roster = roster_on(self.request.user, self.org, self.meeting_day(None), self.meeting)
        return super().get_form_kwargs()

    def get_initial(self):
        initial = {"roster": _roster_ids(self.roster)}
        for m in self.roster:
            initial[f"att_{m.pk}"] = self.default_mark()
        return initial

    def get_context_data(self, **kwargs):
        return super().get_context_data(org=self.org, meeting=self.meeting, **kwargs)

    def meeting_data(self, form):
        """The service's arguments from the form: with a list, 实到 is counted from it and 应到 defaults to
        the people on it."""
        data = {f: form.cleaned_data[f] for f in self.form_class.MAIN}
        rows = form.attendance()
        if rows:
            data["present"] = sum(1 for _, attended, _ in rows if attended)
            if data["expected"] is None:
                data["expected"] = len(rows)
            elif data["expected"] < len(rows):  # said on 应到 (the user did not type the counted 实到)
                raise DomainError(f"名单上有{len(rows)}人，多于应到人数{data['expected']}", field="expected",
                                  code="ATTENDANCE_COUNT")
        for name, label in (("expected", "应到人数"), ("present", "实到人数")):
            if data[name] is None:
                raise DomainError(f"请填写{label}，或按人员登记出席情况", field=name, code="REQUIRED")
        return data, rows

    def cancel_url(self):
        if self.meeting is not None:
            return reverse("meeting_detail", args=[self.meeting.pk])
        return reverse("org_meetings", args=[self.org.code])


class MeetingCreate(MeetingFormView):
    form_class = MeetingForm
    title = "登记组织生活"
    submit_label = "登记"
    success_message = "组织生活已登记"

    def load(self):
        self.org = get_object_or_404(visible_orgs(self.request.user), code=self.kwargs["code"])

    def get_title(self):
        return f"登记组织生活：{self.org.name}"

    def attendance_url(self):
        return reverse("meeting_create", args=[self.org.code]) + "?partial=attendance"

    def initial_day(self):
        """Today, or the day picked on the calendar (?date=)."""
        try:
            return parse_date(self.request.GET.get("date", "")) or today()
        except DomainError:
            return today()

    def get_initial(self):
        initial = super().get_initial() | {"by_person": bool(self.roster), "held_on": self.initial_day()}
        kinds = [t for t in self.request.GET.getlist("type") if t in dict(types_for(self.org))]
        if kinds:
            initial["types"] = kinds
        return initial

    def perform(self, form):
        data, rows = self.meeting_data(form)
        meeting = services.record_meeting(actor=self.request.user, org=self.org, attendance=rows or None, **data)
        return reverse("meeting_detail", args=[meeting.pk])


class MeetingEdit(MeetingFormView):
    form_class = MeetingForm
    success_message = "已保存"

    def load(self):
        self.meeting = get_object_or_404(visible_meetings(self.request.user).prefetch_related("kinds"),
                                         pk=self.kwargs["pk"])
        self.org = self.meeting.org

    def get_title(self):
        return f"修改组织生活：{self.meeting.held_on:%Y-%m-%d} {self.meeting.subject}"

    def attendance_url(self):
        return reverse("meeting_edit", args=[self.meeting.pk]) + "?partial=attendance"

    def get_initial(self):
        m = self.meeting
        initial = super().get_initial() | {f: getattr(m, f) for f in self.form_class.MAIN if f != "types"}
        initial |= {"types": m.types, "chair": m.chair_id, "lecturer": m.lecturer_id}
        rows = {a.member_id: a for a in m.attendance.all()}
        initial["by_person"] = bool(rows)
        for pk, a in rows.items():
            initial[f"att_{pk}"] = "1" if a.attended else "0"
            initial[f"reason_{pk}"] = a.absence_reason
        return initial

    def perform(self, form):
        data, rows = self.meeting_data(form)
        changed = services.update_meeting(self.meeting, actor=self.request.user, attendance=rows, **data)
        self.success_message = "已保存" if changed else "没有需要保存的修改"
        return reverse("meeting_detail", args=[self.meeting.pk])


class VoteEdit(ServiceFormView):
    form_class = VoteForm
    success_message = "表决已修改，结果已重新计算"

    def load(self):
        votes = Vote.objects.select_related("meeting__org").filter(meeting__org__in=visible_orgs(self.request.user))
        self.vote = get_object_or_404(votes, pk=self.kwargs["pk"])

    def allowed(self):
        return can_manage_org(self.request.user, self.vote.meeting.org)

    def get_title(self):
        return f"修改表决：{self.vote.matter}"

    def form_extras(self):
        return {"counted": voters_counted(self.vote.meeting)}

    def get_initial(self):
        return {f: getattr(self.vote, f) for f in ("matter", "yes", "no", "abstain", "expected_voters",
                                                   "present_voters", "resolution")}

    def cancel_url(self):
        return reverse("meeting_detail", args=[self.vote.meeting_id]) + "#votes"

    def perform(self, form):
        changed = services.update_vote(self.vote, actor=self.request.user, **form.cleaned_data)
        self.success_message = (f"表决已修改：{self.vote.get_result_display()}" if changed
                                else "没有需要保存的修改")
        return self.cancel_url()


# ---- 党员之家 ----

class PartyHomeCreate(ServiceFormView):
    form_class = PartyHomeForm
    success_message = "党员之家已登记"

    def load(self):
        self.org = get_object_or_404(visible_orgs(self.request.user), code=self.kwargs["code"])

    def allowed(self):
        return can_manage_org(self.request.user, self.org)

    def get_title(self):
        return f"登记党员之家：{self.org.name}"

    def cancel_url(self):
        return reverse("org_detail", args=[self.org.code]) + "#party-homes"

    def perform(self, form):
        services.create_party_home(actor=self.request.user, org=self.org, **form.cleaned_data)
        return self.cancel_url()


class PartyHomeEdit(ServiceFormView):
    form_class = PartyHomeForm

    def load(self):
        homes = PartyHome.objects.select_related("org").filter(org__in=visible_orgs(self.request.user))
        self.home = get_object_or_404(homes, pk=self.kwargs["pk"])

    def allowed(self):
        return can_manage_org(self.request.user, self.home.org)

    def get_title(self):
        return f"修改党员之家：{self.home.name}"

    def get_initial(self):
        return {"name": self.home.name, "opened_on": self.home.opened_on, "facilities": self.home.facilities}

    def cancel_url(self):
        return reverse("org_detail", args=[self.home.org.code]) + "#party-homes"

    def perform(self, form):
        changed = services.update_party_home(self.home, actor=self.request.user, **form.cleaned_data)
        self.success_message = "已保存" if changed else "没有需要保存的修改"
        return self.cancel_url()


__all__ = ["org_meetings", "meeting_detail", "meeting_delete", "vote_create", "vote_delete", "attachment_upload",
           "attachment_download", "attachment_delete", "MeetingCreate", "MeetingEdit", "VoteEdit",
           "PartyHomeCreate", "PartyHomeEdit"]
