"""发展党员: the board of cases by stage for the chosen subtree, what falls due in the next 30 days, opening
a case, the case page (the person, the timeline of the steps done, the 25 steps with their marks, the
form for the next step or for another step that may be taken now, 终止培养), and the printable
发展党员工作纪实 (docx).

Reads go through accounts.access (a case is visible when its organisation is) intersected with the chosen
scope; every write goes through recruitment.services, whose DomainError lands on the field it names. A
refusal by a soft rule (RuleRefusal.overridable) shows the 理由 field: submitted again with a reason, the
step is recorded with it."""
from collections import defaultdict

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from dangjian.accounts.access import can_manage_org, can_reveal, visible_members, visible_orgs
from dangjian.core.dates import age_on, reference_day, today
from dangjian.core.errors import DomainError
from dangjian.core.masking import mask_birth_date, mask_id_number
from dangjian.meetings.models import Meeting
from dangjian.members.models import Sex, Stage
from dangjian.organizations.models import under
from dangjian.recruitment import services
from dangjian.recruitment.ledger_doc import case_ledger, step_details
from dangjian.recruitment.models import Case, CaseStep
from dangjian.recruitment.process import BY_NO, PEOPLE, STAGES, STEPS
from dangjian.recruitment.queries import (
    CANCELLED,
    CONFIRMATION_APPROVAL,
    CONFIRMATION_MEETING,
    CONFIRMED,
    DEADLINE,
    DISCONTINUED,
    OPEN,
    PROBATIONARY,
    case_state,
    decisions,
    due_cases,
    timeline_key,
    timing_text,
)

from ..forms import CaseFilter, CaseOpenForm, CaseStepForm, DiscontinueForm, add_domain_error
from ..scope import TREE_KINDS, current_scope, kind_of
from .base import ServiceFormView, staff_required

DUE_DAYS = 30
CARDS_SHOWN = 60  # per column: a 党委 of thousands has hundreds of applicants; the counts say how many
# The board's columns: an open case by the stage it reached (stage 4, the admission under way, is still a
# 发展对象), then the outcomes.
COLUMNS = (("applicant", "申请入党"), ("activist", "入党积极分子"), ("candidate", "发展对象"),
           ("probationary", "预备党员"), ("confirmed", "已转正"), ("discontinued", "终止培养"),
           ("cancelled", "取消预备党员资格"))
SHOWN_COLUMNS = {
    "": ("applicant", "activist", "candidate", "probationary", "confirmed"),
    "open": ("applicant", "activist", "candidate"),
    "applicant": ("applicant",), "activist": ("activist",), "candidate": ("candidate",),
    "probationary": ("probationary",), "confirmed": ("confirmed",), "discontinued": ("discontinued",),
    "cancelled": ("cancelled",), "all": tuple(key for key, _ in COLUMNS),
}
MARKS = {"done": "已办", "next": "下一步", "pending": "未办"}


# ---- reading ----

def visible_cases(user):
    """The cases the user may see: those of the organisations the user may see."""
    return Case.objects.filter(org__in=visible_orgs(user)).select_related("org", "member")


def scoped_cases(request):
    """The visible cases within the chosen subtree (当前范围)."""
    qs = visible_cases(request.user)
    scope = current_scope(request)
    return qs.filter(under(scope.path, "org__path")) if scope else qs


def _steps_prefetch(full=False):
    qs = CaseStep.objects.order_by("date", "step", "id")
    if full:
        qs = qs.select_related("meeting").prefetch_related("people")
    return Prefetch("steps", queryset=qs)


def column_of(state):
    if state.status == OPEN:
        return {1: "applicant", 2: "activist"}.get(state.stage, "candidate")
    return state.status  # probationary, confirmed, discontinued, cancelled: the column keys


def may_reveal(user, case):
    """The full 身份证号 in the ledger: the roles that may reveal a member's (the system administrators, a
    党务管理员 within the subtree), never a branch officer."""
    return kind_of(user) in TREE_KINDS and can_reveal(user, case)


def cards_by_column(cases, on, shown, *, this_year_only):
    """{column key: [card]} for the `cases` in the columns `shown`, each case in the column of its state on
    `on`; with `this_year_only`, the 已转正 column keeps the confirmations of `on`'s year."""
    cards = defaultdict(list)
    for case in cases.prefetch_related(_steps_prefetch()):
        state = case_state(case, on)
        key = column_of(state)
        if key not in shown:
            continue
        if key == "confirmed" and this_year_only and state.roster.confirmed_on.year != on.year:
            continue
        cards[key].append({"case": case, "state": state, "masked_id": mask_id_number(case.id_number)})
    return cards


@staff_required
def recruitment_board(request):
    """The board: the cases of the chosen subtree by stage, with counts, next steps and overdue marks."""
    on = reference_day()
    form = CaseFilter(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    status = data.get("status") or ""
    qs = scoped_cases(request)
    q = (data.get("q") or "").strip()
    if q:
        qs = qs.filter(Q(org__name__icontains=q) | Q(org__code__iexact=q) | Q(name__icontains=q))
    if status in ("discontinued",):
        qs = qs.filter(discontinued_on__lte=on)
    elif status != "all":
        qs = qs.filter(Q(discontinued_on__isnull=True) | Q(discontinued_on__gt=on))
    shown = SHOWN_COLUMNS.get(status, SHOWN_COLUMNS[""])
    cards = cards_by_column(qs, on, shown, this_year_only=not status)
    columns = []
    for key, label in COLUMNS:
        if key not in shown:
            continue
        found = sorted(cards[key], key=lambda c: (not c["state"].overdue, c["state"].due_on or on.max,
                                                  c["case"].name, c["case"].pk))
        if key == "confirmed" and not status:
            label = f"已转正（{on.year}年）"
        columns.append({"key": key, "label": label, "count": len(found), "cards": found[:CARDS_SHOWN]})
    context = {"form": form, "columns": columns, "on": on, "total": sum(c["count"] for c in columns),
               "overdue": sum(1 for key in cards for c in cards[key] if c["state"].overdue),
               "shown_max": CARDS_SHOWN, "due_days": DUE_DAYS}
    return render(request, "web/recruitment_board.html", context)


@staff_required
def recruitment_due(request):
    """Everything due or overdue in the next 30 days in the chosen subtree (queries.due_cases); with
    ?overdue=1 the overdue ones alone (the workbench's 发展党员逾期事项)."""
    on = reference_day()
    only_overdue = request.GET.get("overdue") == "1"
    cases = [c for c in due_cases(scoped_cases(request), on, DUE_DAYS) if c.state.overdue or not only_overdue]
    rows = [{"case": c, "state": c.state, "masked_id": mask_id_number(c.id_number),
             "kind": "截止" if c.state.due_kind == DEADLINE else "最早可办"} for c in cases]
    return render(request, "web/recruitment_due.html", {
        "rows": rows, "on": on, "days": DUE_DAYS, "overdue": sum(1 for r in rows if r["state"].overdue),
        "only_overdue": only_overdue})


def recruitment_summary(request):
    """The workbench's figures: the cases of the chosen subtree by stage on the board's day (the reference
    day, so each count is the column its link opens; the year's confirmations), and those whose next step
    falls due within 30 days of it, overdue included (the due list reads the same day)."""
    day = reference_day()
    cases = scoped_cases(request).filter(Q(discontinued_on__isnull=True) | Q(discontinued_on__gt=day))
    shown = SHOWN_COLUMNS[""]
    cards = cards_by_column(cases, day, shown, this_year_only=True)
    board = reverse("recruitment_board")
    stages = []
    for key, label in COLUMNS:
        if key in shown:
            url = f"{board}#col-confirmed" if key == "confirmed" else f"{board}?status={key}"
            stages.append((f"已转正（{day.year}年）" if key == "confirmed" else label, len(cards[key]), url))
    due = due_cases(scoped_cases(request), day, DUE_DAYS)
    return {"recruitment": {"due": len(due), "overdue": sum(1 for c in due if c.state.overdue),
                            "days": DUE_DAYS, "url": reverse("recruitment_due"), "stages": stages, "as_of": day}}


# ---- the case page ----

def _case_or_404(request, pk):
    return get_object_or_404(visible_cases(request.user).prefetch_related(_steps_prefetch(full=True)), pk=pk)


def _managed_case(request, pk):
    """The case through the visible queryset (404 outside), and 403 when the user may not change it."""
    case = _case_or_404(request, pk)
    if not can_manage_org(request.user, case.org):
        raise PermissionDenied("无权操作：该组织不在您的管理范围内")
    return case


def _records(case):
    return sorted(case.steps.all(), key=timeline_key)


def _state(case, records):
    """The case as the page shows it: on the reference day, or on its latest step when that is later (a
    step just recorded in the demo, whose reference day is in 2018)."""
    return case_state(case, max([reference_day()] + [r.date for r in records]))


def available_steps(case, records, state):
    """The steps that may be recorded now: not yet recorded (or repeatable), with the steps they follow
    recorded; an activist's assessment until the candidate is named, a probationary member's while on
    probation, a 转正 meeting while no decision waits, its approval when one does."""
    if case.discontinued_on or state.status == DISCONTINUED:
        return []
    recorded = {r.step for r in records}
    pairs = decisions(records)
    pending = bool(pairs) and pairs[-1][1] is None
    final = state.status in (CONFIRMED, CANCELLED)
    out = []
    for s in STEPS:
        if s.no == 1 or (s.no in recorded and not s.repeatable):
            continue
        if not all(a in recorded for a in s.after):
            continue
        if (s.no == 6 and 7 in recorded) or (s.no == 21 and state.status != PROBATIONARY):
            continue
        if s.no == CONFIRMATION_MEETING and (final or pending):
            continue
        if s.no == CONFIRMATION_APPROVAL and (final or not pending):
            continue
        out.append(s)
    return out


def _chosen_step(request, available, state):
    """The step whose form the page shows: ?step=N when it may be taken now, else the next step."""
    try:
        asked = BY_NO.get(int(request.GET.get("step", "")))
    except ValueError:
        asked = None
    if asked in available:
        return asked
    if state.next_step in available:
        return state.next_step
    return None


def step_form(request, case, definition, data=None):
    user = request.user
    people = None
    if PEOPLE in definition.records:  # 培养联系人, 入党介绍人: the full members of the case's organisation
        people = (visible_members(user).filter(under(case.org.path, "org__path"), stage=Stage.FULL)
                  .order_by("name", "pk"))
    meetings = None
    if definition.actor in services.MEETING_ACTORS:
        applied = min((r.date for r in case.steps.all() if r.step == 1), default=None)
        meetings = (Meeting.objects.filter(org=case.org, kinds__kind__in=services.MEETING_TYPES[definition.actor])
                    .distinct().order_by("-held_on", "-id"))
        if applied:
            meetings = meetings.filter(held_on__gte=applied)
    show_reason = bool(data is not None and (data.get("reason") or "").strip())
    form = CaseStepForm(data, initial={"step": definition.no}, definition=definition, people=people,
                        conclusions=services.CONCLUSIONS.get(definition.no, ()), meetings=meetings,
                        show_reason=show_reason)
    for name in ("people", "meeting"):
        if name in form.fields:
            form.fields[name].error_messages["invalid_choice"] = f"所选{form.fields[name].label}不存在或不在您的管理范围内"
    return form


def timeline(records, user):
    """The steps done, in the order they happened, with what each recorded. People the user may open
    link to their page."""
    named = {p.pk for r in records for p in r.people.all()}
    linkable = set(visible_members(user).filter(pk__in=named).values_list("pk", flat=True))
    latest = records[-1] if records else None
    rows = []
    for r in records:
        details = step_details(r)
        people_label = details[0][0] if PEOPLE in r.definition.records else None
        rows.append({
            "record": r, "step": r.definition, "stage": STAGES[r.definition.stage],
            "people_label": people_label, "people": [(p, p.pk in linkable) for p in r.people.all()],
            "details": [d for d in details if d[0] not in (people_label, "会议记录", "理由")],
            "latest": r is latest,
        })
    return rows


def step_overview(records, state, available):
    """The 25 steps by stage, each marked done (with its dates), next, or pending, with who acts, its
    timing rule and the papers it produces (process.STEPS)."""
    dates = defaultdict(list)
    for r in records:
        dates[r.step].append(r.date)
    next_no = state.next_step.no if state.next_step else None
    stages = []
    for no, label in STAGES.items():
        rows = []
        for s in (s for s in STEPS if s.stage == no):
            mark = "done" if dates[s.no] else "next" if s.no == next_no else "pending"
            rows.append({"step": s, "mark": mark, "mark_label": MARKS[mark], "dates": dates[s.no],
                         "available": s in available, "timing": timing_text(s, state.on),
                         "documents": "、".join(s.documents)})
        stages.append({"no": no, "label": label, "steps": rows,
                       "current": no == state.stage and state.status in (OPEN, PROBATIONARY)})
    return stages


def _person(case, records):
    applied = min((r.date for r in records if r.step == 1), default=None)
    return {"masked_id": mask_id_number(case.id_number), "birth": mask_birth_date(case.birth_date),
            "sex": dict(Sex.choices).get(case.sex, case.sex or "—"), "applied_on": applied,
            "age": age_on(case.birth_date, applied) if applied else None}


def _case_context(request, case, *, form=None, stop_form=None):
    user = request.user
    records = _records(case)
    state = _state(case, records)
    manage = can_manage_org(user, case.org)
    available = available_steps(case, records, state) if manage else []
    if manage and form is None:
        chosen = _chosen_step(request, available, state)
        form = step_form(request, case, chosen) if chosen else None
    chosen = form.definition if form is not None else None
    member_link = case.member_id and visible_members(user).filter(pk=case.member_id).exists()
    open_case = state.status == OPEN and not case.discontinued_on and not case.member_id
    return {
        "case": case, "org": case.org, "state": state, "person": _person(case, records), "can_manage": manage,
        "timeline": timeline(records, user), "stages": step_overview(records, state, available),
        "form": form, "chosen": chosen, "others": [s for s in available if s is not chosen],
        "stop_form": stop_form or (DiscontinueForm(prefix="stop") if manage and open_case else None),
        "member_link": member_link, "today": today(),
    }


def _render_case(request, case, *, form=None, stop_form=None, status=200):
    return render(request, "web/recruitment_detail.html",
                  _case_context(request, case, form=form, stop_form=stop_form), status=status)


@staff_required
def recruitment_detail(request, pk):
    case = _case_or_404(request, pk)
    if request.htmx and request.GET.get("partial") == "step":  # another step's form, in place
        context = _case_context(request, case)
        return render(request, "web/_recruitment_step_form.html", context)
    return _render_case(request, case)


def _step_of(value):
    try:
        return BY_NO.get(int(value))
    except (TypeError, ValueError):
        return None


def _refused(form, exc):
    """The refusal on the field it names, or above the form when that field is not shown (the step)."""
    field = exc.field if exc.field in form.fields and not form.fields[exc.field].widget.is_hidden else None
    form.add_error(field, exc.message)


@require_POST
@staff_required
def recruitment_step(request, pk):
    """Record a step through the service. A refusal re-shows the page with the message on its field; a
    soft rule's refusal also shows the 理由 field."""
    case = _managed_case(request, pk)
    definition = _step_of(request.POST.get("step"))
    if definition is None:
        messages.error(request, "请选择要登记的步骤")
        return redirect("recruitment_detail", case.pk)
    form = step_form(request, case, definition, data=request.POST)
    if form.is_valid():
        had_member = case.member_id
        try:
            record = services.record_step(case, actor=request.user, step=definition.no, **form.service_data())
        except services.RuleRefusal as exc:
            if exc.overridable:
                form.ask_reason()
            _refused(form, exc)
        except DomainError as exc:
            _refused(form, exc)
        else:
            text = f"已登记：{definition.title}（{record.date:%Y-%m-%d}）"
            if record.reason:
                text += "，已记录理由"
            if case.member_id and not had_member:
                text += f"。{case.name}已接收为预备党员，已记入党员名册"
            messages.success(request, text)
            return redirect(reverse("recruitment_detail", args=[case.pk]) + "#timeline")
    return _render_case(request, case, form=form)


@require_POST
@staff_required
def recruitment_step_delete(request, pk, step_pk):
    """Delete the latest step, entered by mistake (the service refuses any other)."""
    case = _managed_case(request, pk)
    record = get_object_or_404(CaseStep.objects.filter(case=case), pk=step_pk)
    try:
        services.delete_step(record, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已删除：{record.definition.title}（{record.date:%Y-%m-%d}）")
    return redirect(reverse("recruitment_detail", args=[case.pk]) + "#timeline")


@require_POST
@staff_required
def recruitment_discontinue(request, pk):
    """终止培养 with its date and reason."""
    case = _managed_case(request, pk)
    form = DiscontinueForm(request.POST, prefix="stop")
    if form.is_valid():
        try:
            services.discontinue_case(case, actor=request.user, on=form.cleaned_data["on"],
                                      reason=form.cleaned_data["reason"])
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"已终止培养：{case.name}")
            return redirect("recruitment_detail", case.pk)
    return _render_case(request, case, stop_form=form)


@staff_required
def recruitment_ledger(request, pk):
    """The printable 发展党员工作纪实 of one case (docx); the ID in full only for a role that may reveal it."""
    case = _case_or_404(request, pk)
    records = _records(case)
    content = case_ledger(case, records, _state(case, records), reveal=may_reveal(request.user, case))
    response = HttpResponse(content,
                            content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    response["Content-Disposition"] = content_disposition_header(True, f"发展党员工作纪实-{case.name}.docx")
    response["Cache-Control"] = "no-store"
    return response


# ---- opening a case ----

def case_orgs(user):
    """The organisations that may receive an application: branches and 党总支 the user manages."""
    return (visible_orgs(user).filter(org_type__in=services.CASE_ORG_TYPES, dissolved_on__isnull=True)
            .order_by("path"))


class RecruitmentCreate(ServiceFormView):
    form_class = CaseOpenForm
    title = "登记入党申请"
    submit_label = "登记"
    success_message = "入党申请已登记"

    def form_extras(self):
        return {"orgs": case_orgs(self.request.user)}

    def get_initial(self):
        orgs = case_orgs(self.request.user)
        code = self.request.GET.get("org", "")
        scope = current_scope(self.request)
        org = (orgs.filter(code=code).first() if code else None) or (
            orgs.filter(pk=scope.pk).first() if scope else None)
        if org is None and orgs.count() == 1:
            org = orgs.first()
        return {"org": org}

    def cancel_url(self):
        return reverse("recruitment_board")

    def perform(self, form):
        case = services.open_case(actor=self.request.user, **form.cleaned_data)
        return reverse("recruitment_detail", args=[case.pk])


__all__ = ["recruitment_board", "recruitment_due", "recruitment_detail", "recruitment_step",
           "recruitment_step_delete", "recruitment_discontinue", "recruitment_ledger", "RecruitmentCreate",
           "recruitment_summary"]
