"""/api/recruitment: 发展党员 cases through recruitment.services, scoped like the pages (a case is visible when
its organisation is; out of sight is 404). IDs are masked in every answer. A step refused by a rule is a
400 whose code names the rule (DEV-06 …); a soft rule's refusal is code SOFT_RULE, and the same request
sent again with a `reason` records the step with it."""
import datetime

from django.db.models import Prefetch
from ninja import Field, Query, Router, Schema, Status

from dangjian.accounts.access import visible_orgs
from dangjian.core.dates import reference_day
from dangjian.core.errors import DomainError, PermissionDenied
from dangjian.core.masking import mask_birth_date, mask_id_number
from dangjian.meetings.models import Meeting
from dangjian.organizations.models import under
from dangjian.recruitment import services
from dangjian.recruitment.ledger_doc import step_details
from dangjian.recruitment.models import Case, CaseStep
from dangjian.recruitment.process import STAGES
from dangjian.recruitment.queries import STATUS_LABELS, case_state, timeline_key

from .errors import NotFound
from .meetings import referenced_member
from .schemas import MAX_INT, Error, In, a_date
from .scope import actor, date_in, filter_org_or_404, referenced_org

router = Router(tags=["发展党员"])

ERRORS = {400: Error, 401: Error, 403: Error, 404: Error}
STATUS_DOC = "、".join(f"{k} {v}" for k, v in STATUS_LABELS.items())


# ---- schemas ----

class NextStepOut(Schema):
    no: int
    code: str
    title: str
    actor: str


class StateOut(Schema):
    on: datetime.date = Field(description="状态所依据的日期（默认为参考日，不早于最近一个步骤的日期）")
    stage: int = Field(description="阶段 1–5")
    stage_label: str
    status: str = Field(description=STATUS_DOC)
    status_label: str
    next_step: NextStepOut | None
    due_on: datetime.date | None = Field(description="下一步的期限（due_kind=deadline）或最早可办日期（earliest）")
    due_kind: str | None
    overdue: bool
    admitted_on: datetime.date | None = Field(description="入党日期（支部大会通过接收之日）")
    probation_ends: datetime.date | None
    confirmed_on: datetime.date | None


class CaseOut(Schema):
    id: int
    name: str
    sex: str
    id_number_masked: str
    birth_date_masked: str
    org: str
    org_name: str
    rule_version: str
    member_id: int | None = Field(description="接收为预备党员后的党员ID")
    discontinued_on: datetime.date | None
    discontinued_reason: str
    state: StateOut


class PersonOut(Schema):
    id: int
    name: str


class StepOut(Schema):
    id: int
    step: int
    code: str
    title: str
    stage: int
    actor: str
    date: datetime.date
    people: list[PersonOut]
    conclusion: str
    ended_on: datetime.date | None
    hours: float | None
    expected: int | None
    present: int | None
    yes: int | None
    months: int | None
    meeting_id: int | None
    note: str
    reason: str = Field(description="软性规则未满足时登记的理由")
    summary: list[str] = Field(description="登记内容（中文，如“表决：应到10人，实到8人，赞成8票，通过”）")


class CaseDetailOut(CaseOut):
    steps: list[StepOut] = Field(description="已办步骤，按发生顺序")


class CasePage(Schema):
    count: int
    limit: int
    offset: int
    items: list[CaseOut]


class CaseIn(In):
    id_number: str = Field(description="申请人的18位公民身份号码")
    name: str = Field(max_length=40)
    org: str = Field(description="接收申请的党支部或党总支编码")
    applied_on: str = a_date("申请日期（递交入党申请书）")


class StepIn(In):
    step: int = Field(ge=1, le=25, description="步骤序号 1–25（发展党员工作流程的二十五个步骤）")
    date: str = a_date("日期")
    people: list[int] = Field([], description="培养联系人（步骤5）、入党介绍人（步骤9）：党员ID")
    conclusion: str = Field("", description="政审结论（步骤10）：合格、不合格；转正结果（步骤23）：按期转正、延长预备期、取消预备党员资格")
    ended_on: str | None = a_date("集中培训结束日期（步骤11）", None)
    hours: float | str | None = Field(None, description="集中培训学时（步骤11），数字或文本，最多一位小数")
    expected: int | None = Field(None, ge=0, le=MAX_INT, description="表决：应到有表决权人数（步骤15、23）")
    present: int | None = Field(None, ge=0, le=MAX_INT, description="表决：实到有表决权人数")
    yes: int | None = Field(None, ge=0, le=MAX_INT, description="表决：赞成票")
    months: int | None = Field(None, ge=0, le=MAX_INT, description="延长预备期的月数（步骤23，结论为延长预备期）")
    meeting: int | None = Field(None, description="关联的会议记录ID（支部委员会、支部大会的步骤）")
    note: str = Field("", max_length=200)
    reason: str = Field("", max_length=200, description="理由：软性规则未满足（SOFT_RULE）时填写后再次提交")


# ---- lookups ----

def _steps(full=False):
    qs = CaseStep.objects.order_by("date", "step", "id")
    if full:
        qs = qs.select_related("meeting").prefetch_related("people")
    return Prefetch("steps", queryset=qs)


def visible_cases(user):
    return Case.objects.filter(org__in=visible_orgs(user)).select_related("org")


def case_or_404(user, case_id):
    case = visible_cases(user).prefetch_related(_steps(full=True)).filter(pk=case_id).first()
    if case is None:
        raise NotFound("发展党员记录不存在或不在您的查看范围内")
    return case


def referenced_meeting(user, meeting_id):
    meeting = Meeting.objects.filter(org__in=visible_orgs(user), pk=meeting_id).select_related("org").first()
    if meeting is None:
        raise PermissionDenied(f"无权操作：会议记录（ID {meeting_id}）不存在或不在您的查看范围内", field="meeting")
    return meeting


# ---- output ----

def state_out(case):
    records = list(case.steps.all())
    state = case_state(case, max([reference_day()] + [r.date for r in records]))
    step = state.next_step
    return {
        "on": state.on, "stage": state.stage, "stage_label": STAGES[state.stage], "status": state.status,
        "status_label": state.status_label,
        "next_step": {"no": step.no, "code": step.code, "title": step.title, "actor": step.actor} if step else None,
        "due_on": state.due_on, "due_kind": state.due_kind, "overdue": state.overdue,
        "admitted_on": state.admitted_on, "probation_ends": state.probation_ends if state.admitted_on else None,
        "confirmed_on": state.roster.confirmed_on,
    }


def case_out(case):
    return {
        "id": case.pk, "name": case.name, "sex": case.sex, "id_number_masked": mask_id_number(case.id_number),
        "birth_date_masked": mask_birth_date(case.birth_date), "org": case.org.code, "org_name": case.org.name,
        "rule_version": case.rule_version, "member_id": case.member_id, "discontinued_on": case.discontinued_on,
        "discontinued_reason": case.discontinued_reason, "state": state_out(case),
    }


def step_out(r):
    d = r.definition
    return {
        "id": r.pk, "step": d.no, "code": d.code, "title": d.title, "stage": d.stage, "actor": d.actor,
        "date": r.date, "people": [{"id": p.pk, "name": p.name} for p in r.people.all()],
        "conclusion": r.conclusion, "ended_on": r.ended_on, "hours": float(r.hours) if r.hours is not None else None,
        "expected": r.expected, "present": r.present, "yes": r.yes, "months": r.months, "meeting_id": r.meeting_id,
        "note": r.note, "reason": r.reason, "summary": [f"{label}：{text}" for label, text in step_details(r)],
    }


def case_detail(case):
    return case_out(case) | {"steps": [step_out(r) for r in sorted(case.steps.all(), key=timeline_key)]}


# ---- endpoints ----

@router.get("", response={200: CasePage, 400: Error, 401: Error, 404: Error}, summary="发展党员列表")
def list_cases(
    request,
    org: str = Query(None, description="组织编码：该组织及其下级的发展党员"),
    status: str = Query(None, description=f"状态：{STATUS_DOC}"),
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0, le=MAX_INT),
):
    user = actor(request)
    qs = visible_cases(user)
    if org:
        at = filter_org_or_404(user, org, field="org")
        qs = qs.filter(under(at.path, "org__path"))
    if status and status not in STATUS_LABELS:
        raise DomainError(f"状态“{status}”不是可选值（{STATUS_DOC}）", field="status", code="CHOICE")
    qs = qs.order_by("org__path", "id").prefetch_related(_steps())
    if status:  # the status is computed from the steps, not stored: filtered here
        items = [c for c in qs if state_out(c)["status"] == status]
        return {"count": len(items), "limit": limit, "offset": offset,
                "items": [case_out(c) for c in items[offset:offset + limit]]}
    return {"count": qs.count(), "limit": limit, "offset": offset,
            "items": [case_out(c) for c in qs[offset:offset + limit]]}


@router.get("/{int:case_id}", response={200: CaseDetailOut, 401: Error, 404: Error},
            summary="发展党员详情（已办步骤、阶段、下一步及期限）")
def get_case(request, case_id: int):
    return case_detail(case_or_404(actor(request), case_id))


@router.post("", response={201: CaseDetailOut, **ERRORS}, summary="登记入党申请（新建发展党员记录）")
def create_case(request, data: CaseIn):
    user = actor(request)
    org = referenced_org(user, data.org, field="org")
    case = services.open_case(actor=user, id_number=data.id_number, name=data.name, org=org,
                              applied_on=date_in(data.applied_on, field="applied_on", required=True, label="申请日期"))
    return Status(201, case_detail(case_or_404(user, case.pk)))


@router.post("/{int:case_id}/steps", response={201: CaseDetailOut, **ERRORS},
             summary="登记发展党员步骤（软性规则未满足时返回 SOFT_RULE，填写 reason 后再次提交）")
def record_step(request, case_id: int, data: StepIn):
    user = actor(request)
    case = case_or_404(user, case_id)
    services.record_step(
        case, actor=user, step=data.step, date=date_in(data.date, field="date", required=True),
        people=[referenced_member(user, pk, field="people") for pk in data.people], conclusion=data.conclusion,
        ended_on=date_in(data.ended_on, field="ended_on"), hours=data.hours if data.hours not in ("", None) else None,
        expected=data.expected, present=data.present, yes=data.yes, months=data.months,
        meeting=referenced_meeting(user, data.meeting) if data.meeting else None, note=data.note, reason=data.reason)
    return Status(201, case_detail(case_or_404(user, case.pk)))
