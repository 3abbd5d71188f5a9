"""发展党员: every change to a recruitment case goes through these functions: check, save in a transaction,
audit. The pages, the API, the ledger importer and the demo all call them.

Two ways in. The pages and the API (`history=False`) enforce the DEV-* rules of RULES.md as the step is
entered, refusing with a message that names the rule and the regulation (code = the rule id; `SOFT_RULE`
for a rule that a recorded reason may set aside). The ledger importer (`history=True`) records history as
it happened: a step out of order or breaking a rule is kept and `dangjian check` reports it; only what
cannot be read or makes no sense is refused, in both ways.

The member side goes through the member services: the branch meeting whose vote admits the applicant
(step 15) creates the probationary Member, 入党日期 = that meeting (党章 第七条; a failing vote never
admits); the 党委's approval (step 24) of a 转正 decision adds the 转正 event dated at the end of probation
(DEV-19), or cancels the probation on the approval's date; an approved extension moves the end of
probation and a later meeting decides again.
"""
import re
from decimal import Decimal, InvalidOperation

from django.db import transaction

from dangjian.accounts.access import require_manage_org
from dangjian.audit.services import changed_fields, log_action
from dangjian.core import idcard
from dangjian.core.dates import add_months, age_on, parse_date, today
from dangjian.core.errors import DomainError
from dangjian.core.text import check_lengths
from dangjian.meetings.models import MeetingType
from dangjian.members.models import EventKind, Member, Stage
from dangjian.members.services import (
    cancel_probation,
    check_identity,
    confirm_member,
    correct_membership_dates,
    create_member,
)
from dangjian.organizations.models import BRANCH_TYPES, OrgType
from dangjian.organizations.services import MAX_HEADCOUNT
from dangjian.rules import parameters

from .models import Case, CaseStep
from .process import (
    BY_CODE,
    BY_NO,
    CONCLUSION,
    MONTHS,
    PEOPLE,
    PROBATION,
    RULE_VERSION,
    TRAINING,
    VOTE,
    Conclusion,
    Step,
)
from .queries import (
    ADMISSION,
    CONFIRMATION_APPROVAL,
    CONFIRMATION_MEETING,
    decisions,
    months_text,
    roster_effects,
    timeline_key,
    vote_passes,
)

# A case is held by the branch that trains the applicant: a branch-level organisation or a 党总支.
CASE_ORG_TYPES = BRANCH_TYPES + (OrgType.GENERAL_BRANCH,)
# Steps decided at a meeting of the case's own organisation, which may be linked to its meeting record of
# that type: the 支部党员大会 for the branch meeting's decisions; the 支部委员会 for the committee's, or the
# 支部党员大会 of a branch without a committee (细则 第八条).
MEETING_TYPES = {"支部委员会": (MeetingType.BRANCH_COMMITTEE, MeetingType.BRANCH_GENERAL),
                 "支部大会": (MeetingType.BRANCH_GENERAL,)}
MEETING_ACTORS = tuple(MEETING_TYPES)
CONCLUSIONS = {10: Conclusion.REVIEW, CONFIRMATION_MEETING: Conclusion.CONFIRMATION}
STEP_FIELDS = ("date", "people", "conclusion", "ended_on", "hours", "expected", "present", "yes", "months",
               "meeting", "note", "reason")
MAX_EXTENSION_MONTHS = 120  # a number of months beyond this is a typing error, whatever the rule says

# Regulations named by the rules that have no parameter (the others cite their parameter's source).
class RuleRefusal(DomainError):
    """A DEV-* rule refused the step. `rule` is its id; `overridable` when a recorded reason lets the step
    through (the soft rules, code SOFT_RULE; DEV-09's "individual special cases", code DEV-09)."""

    def __init__(self, message, *, rule, field=None, soft=False, overridable=False):
        super().__init__(message, field=field, code="SOFT_RULE" if soft else rule)
        self.rule = rule
        self.overridable = soft or overridable


def cite(rule, param=None, on=None):
    """The regulation and article behind a rule, as the messages open ("按《发展党员工作细则》第十三条
    （DEV-06）"): from the parameter's recorded source when the rule has one."""
    source = parameters.parameter(param, on).source if param else _rule_source(rule)
    text = re.split("[（；]", source)[0].strip()
    title, _, article = text.partition(" ")
    return f"按《{title}》{article}（{rule}）"


def _rule_source(rule_id):
    """The source the check prints for the rule (one place: the rule object)."""
    from dangjian.rules.engine import all_rules

    return next(r.source for r in all_rules() if r.id == rule_id)


# ---- the case ----

@transaction.atomic
def open_case(*, actor, id_number, name, org, applied_on, sex=None, birth_date=None, history=False):
    """递交入党申请书: open the case of an applicant to `org` and record step 1 on `applied_on`."""
    if org is None:
        raise DomainError("请选择接收申请的党组织", field="org", code="REQUIRED")
    if org.org_type not in CASE_ORG_TYPES:
        raise DomainError(f"“{org.name}”是{org.get_org_type_display()}，入党申请应由党支部或党总支接收",
                          field="org", code="CASE_ORG_TYPE")
    require_manage_org(actor, org)
    id_number, birth_date, sex = check_identity(id_number, birth_date=birth_date, sex=sex)
    name = (name or "").strip()
    if not name:
        raise DomainError("姓名不能为空", field="name", code="REQUIRED")
    check_lengths(Case, {"name": name})
    applied_on = _date(applied_on, "applied_on", "申请日期")
    masked = idcard.normalize(id_number)[:6]
    existing = Case.objects.filter(id_number=id_number).select_related("org").first()
    if existing is not None:
        what = f"{existing.discontinued_on}已终止培养" if existing.discontinued_on else "正在培养考察"
        raise DomainError(f"身份证号{masked}…已有发展党员记录（{existing.org.name}，{what}），不能重复登记",
                          field="id_number", code="DUPLICATE")
    # The ledger importer may meet a person whose 党员 row came first: the admitting step links that member.
    if not history and Member.objects.filter(id_number=id_number).exists():
        raise DomainError(f"身份证号{masked}…已在党员名册中", field="id_number", code="DUPLICATE")
    if not history:
        if not org.exists_on(applied_on) or org.dissolved_on:
            raise DomainError(f"“{org.name}”在{applied_on}尚未成立或已撤销", field="org", code="CASE_ORG_DATE")
        min_age = parameters.value("min_admission_age", applied_on)
        if age_on(birth_date, applied_on) < min_age:
            raise RuleRefusal(f"{cite('DEV-01', 'min_admission_age', applied_on)}，年满{min_age}周岁才能申请入党："
                              f"申请日期{applied_on}时未满{min_age}周岁（{add_months(birth_date, 12 * min_age)}年满）",
                              rule="DEV-01", field="applied_on")
    case = Case.objects.create(id_number=id_number, name=name, sex=sex, birth_date=birth_date, org=org,
                               rule_version=RULE_VERSION)
    CaseStep.objects.create(case=case, step=1, date=applied_on)
    log_action(actor=actor, action="case.create", obj=case, org=org,
               after=case.snapshot() | {"applied_on": applied_on.isoformat()})
    return case


@transaction.atomic
def discontinue_case(case, *, actor, on, reason):
    """终止培养: the applicant, activist or candidate is no longer trained. An admitted member leaves
    through the 转正 decision instead (取消预备党员资格)."""
    require_manage_org(actor, case.org)
    given, case = case, _locked(case)
    if case.discontinued_on:
        raise DomainError(f"已于{case.discontinued_on}终止培养", field="on", code="CASE_CLOSED")
    if case.member_id or roster_effects(case.steps.all()).admitted_on:
        raise DomainError("已接收为预备党员，不能终止培养；如不能转正，应由支部大会讨论取消预备党员资格",
                          field="on", code="CASE_ADMITTED")
    on = _date(on, "on", "终止培养日期")
    last = max(case.steps.all(), key=timeline_key)
    if on < last.date:
        raise DomainError(f"终止培养日期不能早于已登记的{last.definition.title}（{last.date}）", field="on",
                          code="DATE_ORDER")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("请填写终止培养的原因", field="reason", code="REQUIRED")
    check_lengths(Case, {"discontinued_reason": reason})
    before = case.snapshot()
    case.discontinued_on, case.discontinued_reason = on, reason
    case.save(update_fields=["discontinued_on", "discontinued_reason"])
    old, new = changed_fields(before, case.snapshot())
    log_action(actor=actor, action="case.discontinue", obj=case, org=case.org, before=old, after=new)
    _copy_back(case, given)
    return case


# ---- steps ----

@transaction.atomic
def record_step(case, *, actor, step, date, people=(), conclusion="", ended_on=None, hours=None, expected=None,
                present=None, yes=None, months=None, meeting=None, note="", reason="", history=False):
    """Record one step of the case (process.STEPS). Refused always when it cannot be read or makes no
    sense; with `history=False` also when a DEV-* rule or the order of the steps forbids it."""
    require_manage_org(actor, case.org)
    definition = _definition(step)
    given, case = case, _locked(case)
    others = list(case.steps.prefetch_related("people"))
    if case.discontinued_on:
        raise DomainError(f"已于{case.discontinued_on}终止培养，不能再登记步骤", field="step", code="CASE_CLOSED")
    if not definition.repeatable and any(r.step == definition.no for r in others):
        raise DomainError(f"“{definition.title}”已经登记，不能重复登记（如有错误请修改原记录）", field="step",
                          code="STEP_REPEATED")
    record, people = _build(case, definition, dict(date=date, people=people, conclusion=conclusion,
                                                   ended_on=ended_on, hours=hours, expected=expected,
                                                   present=present, yes=yes, months=months, meeting=meeting,
                                                   note=note, reason=reason), history)
    _check_decision_order(definition, record, others, history)
    if not history:
        _check_rules(case, definition, record, people, others)
    before, after = roster_effects(others), roster_effects(others + [record])
    record.save()
    record.people.set(people)
    _sync_member(case, actor, before, after)
    log_action(actor=actor, action="case.step", obj=record, org=case.org, after=_snapshot(record, people),
               label=_label(case, definition))
    _copy_back(case, given)
    return record


@transaction.atomic
def update_step(step_record, *, actor, history=False, **changes):
    """Correct a recorded step (any of STEP_FIELDS), checked as when it was recorded and against the steps
    that depend on it. A change that would rewrite the roster's 转正 or cancellation is refused. Returns
    True when something changed."""
    unknown = set(changes) - set(STEP_FIELDS)
    if unknown:
        raise ValueError(f"not step fields: {unknown}")
    require_manage_org(actor, step_record.case.org)
    given, case = step_record.case, _locked(step_record.case)
    current = CaseStep.objects.get(pk=step_record.pk, case=case)
    definition = current.definition
    steps = list(case.steps.prefetch_related("people"))
    others = [r for r in steps if r.pk != current.pk]
    old_people = list(current.people.all())
    data = {f: getattr(current, f) for f in STEP_FIELDS if f != "people"} | {"people": old_people} | changes
    record, people = _build(case, definition, data, history)
    record.pk = record.id = current.pk
    if case.discontinued_on and record.date > case.discontinued_on:
        raise DomainError(f"日期不能晚于终止培养日期（{case.discontinued_on}）", field="date", code="DATE_ORDER")
    if definition.no == 1 and record.date != current.date and not history:
        _check_age(case, record.date)
    if not history:
        _check_rules(case, definition, record, people, others, current)
        _check_dependents(definition, current, record, others)
    old, new = changed_fields(_snapshot(current, old_people), _snapshot(record, people))
    if not new:
        return False
    before, after = roster_effects(steps), roster_effects(others + [record])
    record.save(force_update=True)
    record.people.set(people)
    _sync_member(case, actor, before, after)
    log_action(actor=actor, action="case.step_update", obj=record, org=case.org, before=old, after=new,
               label=_label(case, definition))
    _copy_back(case, given)
    for f in STEP_FIELDS:
        if f not in ("people", "meeting"):
            setattr(step_record, f, getattr(record, f))
    step_record.meeting = record.meeting
    return True


@transaction.atomic
def delete_step(step_record, *, actor):
    """Delete the latest step of a case, entered by mistake. The application (the case itself) and a step
    the roster already follows (an admission, a 转正 or a cancellation) stay."""
    require_manage_org(actor, step_record.case.org)
    case = _locked(step_record.case)
    steps = list(case.steps.prefetch_related("people"))
    record = next((r for r in steps if r.pk == step_record.pk), None)
    if record is None:
        raise DomainError("该步骤不存在或已删除", field="step", code="NOT_FOUND")
    latest = max(steps, key=timeline_key)
    if record.pk != latest.pk:
        raise DomainError(f"只能删除最近一个步骤（{latest.date} {latest.definition.title}）", field="step",
                          code="STEP_NOT_LATEST")
    if record.step == 1:
        raise DomainError("入党申请是发展党员记录的起点，不能删除", field="step", code="STEP_LOCKED")
    others = [r for r in steps if r.pk != record.pk]
    if roster_effects(steps).events != roster_effects(others).events:
        raise DomainError(f"“{record.definition.title}”已记入党员名册（{case.name}），不能删除；如有错误请修改党员信息",
                          field="step", code="STEP_LOCKED")
    log_action(actor=actor, action="case.step_delete", obj=record, org=case.org,
               before=_snapshot(record, list(record.people.all())), label=_label(case, record.definition))
    record.delete()


# ---- reading and checking what a step records (refused in both ways) ----

def _definition(step):
    if isinstance(step, Step):
        step = step.no
    if isinstance(step, str) and step in BY_CODE:
        return BY_CODE[step]
    try:
        number = int(step)
    except (TypeError, ValueError):
        number = None
    if isinstance(step, bool) or number not in BY_NO:
        raise DomainError(f"步骤“{step}”不存在（应为1至{len(BY_NO)}）", field="step", code="STEP_UNKNOWN")
    return BY_NO[number]


def _locked(case):
    """The case row locked for this transaction: two steps of one case are never checked side by side."""
    return Case.objects.select_for_update(of=("self",)).select_related("org", "member").get(pk=case.pk)


def _copy_back(case, given):
    """The caller's Case object shows what the locked copy now holds (the member an admission created)."""
    if given is not case:
        given.member, given.discontinued_on, given.discontinued_reason = (
            case.member, case.discontinued_on, case.discontinued_reason)


def _date(value, field, label):
    value = parse_date(value, field=field)
    if value is None:
        raise DomainError(f"{label}不能为空", field=field, code="REQUIRED")
    if value > today():
        raise DomainError(f"{label}不能晚于今天", field=field, code="DATE_FUTURE")
    return value


def _count(value, field, label):
    if value is None or isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_HEADCOUNT:
        raise DomainError(f"{label}应为0至{MAX_HEADCOUNT}之间的整数", field=field, code="NUMBER")
    return value


def _hours(value):
    try:
        hours = Decimal(str(value).strip())
    except InvalidOperation:
        hours = None
    if hours is None or not hours.is_finite() or hours < 0 or hours >= 100000:
        raise DomainError(f"培训学时“{value}”应为0至99999之间的数", field="hours", code="NUMBER")
    if hours != hours.quantize(Decimal("0.1")):
        raise DomainError(f"培训学时“{value}”最多保留一位小数", field="hours", code="NUMBER")
    return hours.quantize(Decimal("0.1"))


def _people(values):
    out, seen = [], set()
    for value in values or ():
        if isinstance(value, Member):
            member = value
        else:
            member = Member.objects.filter(id_number=idcard.normalize(value)).first()
            if member is None:
                raise DomainError(f"“{idcard.normalize(value)[:6]}…”不在党员名册中", field="people", code="NOT_MEMBER")
        if member.pk in seen:
            raise DomainError(f"{member.name}重复填写", field="people", code="PEOPLE_DUPLICATE")
        seen.add(member.pk)
        out.append(member)
    return out


def _build(case, definition, data, history):
    """An unsaved CaseStep from `data`, refused when it cannot be read or makes no sense: a date in the
    future, a field the step does not record, a vote counting more than were there, a conclusion that is
    not one of the step's, a person who is not in the roster."""
    records, no, title = definition.records, definition.no, definition.title
    date = _date(data["date"], "date", "日期")

    def not_recorded(field, label):
        raise DomainError(f"“{title}”不登记{label}", field=field, code="STEP_FIELD")

    people = _people(data["people"])
    if people and PEOPLE not in records:
        not_recorded("people", "人员")
    conclusion = (data["conclusion"] or "").strip()
    if conclusion and CONCLUSION not in records:
        not_recorded("conclusion", "结论")
    if conclusion and conclusion not in CONCLUSIONS[no]:
        raise DomainError(f"{title}的结论应为{'、'.join(CONCLUSIONS[no])}之一", field="conclusion", code="CHOICE")
    ended_on, hours = data["ended_on"], data["hours"]
    if (ended_on or hours is not None) and TRAINING not in records:
        not_recorded("ended_on" if ended_on else "hours", "培训结束日期和学时")
    if ended_on:
        ended_on = _date(ended_on, "ended_on", "培训结束日期")
        if ended_on < date:
            raise DomainError(f"培训结束日期不能早于开始日期（{date}）", field="ended_on", code="DATE_ORDER")
    if hours is not None and hours != "":
        hours = _hours(hours)
    else:
        hours = None
    vote = {f: data[f] for f in ("expected", "present", "yes")}
    given = [f for f, v in vote.items() if v is not None]
    if given and VOTE not in records:
        not_recorded(given[0], "表决结果")
    labels = {"expected": "应到人数", "present": "实到人数", "yes": "赞成票"}
    if given and len(given) < 3:
        missing = next(f for f in vote if vote[f] is None)
        raise DomainError(f"请填写{labels[missing]}（应到、实到、赞成票须一并填写）", field=missing, code="REQUIRED")
    if given:
        for f in vote:
            _count(vote[f], f, labels[f])
        if vote["present"] > vote["expected"]:
            raise DomainError("实到人数不能多于应到人数", field="present", code="VOTE_COUNT")
        if vote["yes"] > vote["present"]:
            raise DomainError("赞成票不能多于实到人数", field="yes", code="VOTE_COUNT")
    months = data["months"]
    if months is not None and MONTHS not in records:
        not_recorded("months", "延长月数")
    if months is not None and conclusion != Conclusion.EXTENDED:
        raise DomainError(f"延长月数只在结论为“{Conclusion.EXTENDED}”时填写", field="months", code="STEP_FIELD")
    if months is None and conclusion == Conclusion.EXTENDED:
        raise DomainError("请填写延长月数", field="months", code="REQUIRED")
    if months is not None and (isinstance(months, bool) or not isinstance(months, int)
                               or not 1 <= months <= MAX_EXTENSION_MONTHS):
        raise DomainError(f"延长月数应为1至{MAX_EXTENSION_MONTHS}之间的整数", field="months", code="NUMBER")
    meeting = data["meeting"]
    if meeting is not None:
        if definition.actor not in MEETING_ACTORS:
            not_recorded("meeting", "会议记录")
        if meeting.org_id != case.org_id:
            raise DomainError(f"所选会议是“{meeting.org.name}”的会议，不是“{case.org.name}”的", field="meeting",
                              code="MEETING_ORG")
        if meeting.held_on != date:
            raise DomainError(f"所选会议召开于{meeting.held_on}，与本步骤日期{date}不一致", field="meeting",
                              code="MEETING_DATE")
        allowed = MEETING_TYPES[definition.actor]
        if not set(meeting.types) & set(allowed):
            raise DomainError(f"所选会议是{meeting.type_labels or '未标明类型的会议'}，“{title}”应关联"
                              f"{'或'.join(MeetingType(t).label for t in allowed)}的会议记录", field="meeting",
                              code="MEETING_TYPE")
    note, reason = (data["note"] or "").strip(), (data["reason"] or "").strip()
    check_lengths(CaseStep, {"note": note, "reason": reason})
    record = CaseStep(case=case, step=no, date=date, conclusion=conclusion, ended_on=ended_on or None,
                      hours=hours, months=months, meeting=meeting, note=note, reason=reason, **vote)
    return record, people


def _check_decision_order(definition, record, others, history):
    """Nothing is decided after the final 转正 decision was approved; an approval needs a decision to
    approve (history: an approval with no meeting is kept for DEV-ORDER to report)."""
    if definition.no not in (CONFIRMATION_MEETING, CONFIRMATION_APPROVAL):
        return
    final = roster_effects(others)
    if final.confirmed_on or final.cancelled_on:
        done = f"已于{final.confirmed_on}转正" if final.confirmed_on else f"已于{final.cancelled_on}取消预备党员资格"
        raise DomainError(f"该预备党员{done}，不能再登记“{definition.title}”", field="step", code="CASE_CLOSED")
    pairs = decisions(sorted(others, key=timeline_key))
    if history:
        return
    pending = pairs[-1][0] if pairs and pairs[-1][1] is None else None
    order = cite("DEV-ORDER")
    if definition.no == CONFIRMATION_MEETING and pending is not None:
        raise RuleRefusal(f"{order}，上一次转正支部大会讨论（{pending.date}）尚未经上级党委审批，不能再次讨论",
                          rule="DEV-ORDER", field="step")
    if definition.no == CONFIRMATION_MEETING and pairs and record.date < pairs[-1][1].date:
        raise RuleRefusal(f"{order}，再次讨论转正的支部大会不能早于上一次的审批（{pairs[-1][1].date}）",
                          rule="DEV-ORDER", field="date")
    if definition.no == CONFIRMATION_APPROVAL and pending is None:
        raise RuleRefusal(f"{order}，没有待审批的转正支部大会决议", rule="DEV-ORDER", field="step")


# ---- the rules (history=False) ----

def _latest(records, no, on=None):
    dated = [r for r in records if r.step == no and (on is None or r.date <= on)]
    return max(dated, key=timeline_key) if dated else None


def _check_age(case, applied_on):
    min_age = parameters.value("min_admission_age", applied_on)
    if age_on(case.birth_date, applied_on) < min_age:
        raise RuleRefusal(f"{cite('DEV-01', 'min_admission_age', applied_on)}，年满{min_age}周岁才能申请入党："
                          f"申请日期{applied_on}时未满{min_age}周岁", rule="DEV-01", field="date")


def _check_rules(case, definition, record, people, others, current=None):
    """The DEV-* rules of RULES.md, applied when the step is entered (or corrected: `current` is the step
    as it was, and a repeated prerequisite counts only where it came before it)."""
    no, date = definition.no, record.date
    for before_no in definition.after:
        prior = [r for r in others if r.step == before_no and (
            current is None or not BY_NO[before_no].repeatable or timeline_key(r) < timeline_key(current))]
        title = BY_NO[before_no].title
        if not prior:
            raise RuleRefusal(f"{cite('DEV-ORDER')}，“{definition.title}”须在“{title}”之后，尚未登记“{title}”",
                              rule="DEV-ORDER", field="step")
        last = max(r.date for r in prior)
        if date < last:
            raise RuleRefusal(f"{cite('DEV-ORDER')}，“{definition.title}”的日期不能早于“{title}”（{last}）",
                              rule="DEV-ORDER", field="date")
    check = _RULES.get(no)
    if check:
        check(case, record, people, others)


def _soft(record, rule, param, deadline, what):
    """A soft rule (一般/原则上): refused unless a reason is recorded, then kept with the reason."""
    if record.date > deadline and not record.reason:
        raise RuleRefusal(f"{cite(rule, param, record.date)}，{what}（最迟{deadline}），本次为{record.date}；"
                          f"如有特殊情况，请填写理由后再登记", rule=rule, field="reason", soft=True)


def _talk(case, record, people, others):
    applied = _latest(others, 1).date
    months = parameters.value("talk_within_months", record.date)
    _soft(record, "DEV-02", "talk_within_months", add_months(applied, months),
          f"应在收到入党申请书后{months_text(months)}内派人谈话")


def _full_members(people, days, rule, param, role):
    for member in people:
        for day in days:
            stage, _ = member.state_on(day)
            if stage != Stage.FULL:
                now = ("还不是党员" if stage is None else "已出党" if stage == Stage.LEFT
                       else f"是{Stage(stage).label}")
                raise RuleRefusal(f"{cite(rule, param, day)}，{role}应为正式党员：{member.name}在{day}{now}",
                                  rule=rule, field="people")


def _contacts(case, record, people, others):
    low = parameters.value("training_contacts_min", record.date)
    high = parameters.value("training_contacts_max", record.date)
    if not low <= len(people) <= high:
        raise RuleRefusal(f"{cite('DEV-04', 'training_contacts_min', record.date)}，应指定{low}至{high}名正式党员作为"
                          f"培养联系人，本次为{len(people)}名", rule="DEV-04", field="people")
    activist = _latest(others, 3).date
    _full_members(people, sorted({activist, record.date}), "DEV-04", "training_contacts_min", "培养联系人")


def _candidate(case, record, people, others):
    activist = _latest(others, 3).date
    months = parameters.value("activist_training_months", record.date)
    earliest = add_months(activist, months)
    if record.date < earliest:
        raise RuleRefusal(f"{cite('DEV-06', 'activist_training_months', record.date)}，确定发展对象须在确定为入党积极分子"
                          f"{months_text(months)}以上，最早{earliest}", rule="DEV-06", field="date")


def _sponsors(case, record, people, others):
    required = parameters.value("sponsors_required", record.date)
    if len(people) != required:
        raise RuleRefusal(f"{cite('DEV-07', 'sponsors_required', record.date)}，发展对象应有{required}名正式党员作入党介绍人，"
                          f"本次为{len(people)}名", rule="DEV-07", field="people")
    candidate = _latest(others, 7).date
    _full_members(people, sorted({candidate, record.date}), "DEV-07", "sponsors_required", "入党介绍人")


def _review(case, record, people, others):
    if not record.conclusion:
        raise DomainError("请填写政审结论", field="conclusion", code="REQUIRED")


def _training(case, record, people, others):
    days_min = parameters.value("intensive_training_days", record.date)
    hours_min = parameters.value("intensive_training_hours", record.date)
    days = ((record.ended_on or record.date) - record.date).days + 1
    if days >= days_min or (record.hours is not None and record.hours >= hours_min) or record.reason:
        return
    hours = f"、{record.hours.normalize():f}学时" if record.hours is not None else "，未填学时"
    raise RuleRefusal(f"{cite('DEV-09', 'intensive_training_days', record.date)}，集中培训一般不少于{days_min}天或"
                      f"{hours_min}学时，本次为{days}天{hours}；未经培训的，除个别特殊情况外不能发展入党，"
                      f"如属特殊情况，请填写理由后再登记", rule="DEV-09", field="ended_on", overridable=True)


def _review_passed(others, record, what):
    review = _latest(others, 10)
    if review is None or review.conclusion != Conclusion.REVIEW_PASSED or review.date > record.date:
        found = "尚未登记政治审查" if review is None else (
            f"政审结论为“{review.conclusion or '未填写'}”" if review.conclusion != Conclusion.REVIEW_PASSED
            else f"政审日期{review.date}晚于本次")
        raise RuleRefusal(f"{cite('DEV-08')}，{what}前须经政治审查且结论为合格：{found}；"
                          f"未经政治审查或政治审查不合格的，不能发展入党", rule="DEV-08", field="step")


def _committee_review(case, record, people, others):
    _review_passed(others, record, "支部委员会审查")
    training = _latest(others, 11)
    finished = training.ended_on or training.date
    if finished > record.date and not record.reason:
        raise RuleRefusal(f"{cite('DEV-09', 'intensive_training_days', record.date)}，集中培训须在支部委员会审查前完成："
                          f"培训至{finished}结束；如属特殊情况，请填写理由后再登记", rule="DEV-09", field="date",
                          overridable=True)


def _require_vote(record):
    if record.expected is None:
        raise DomainError("请填写表决结果（应到、实到、赞成票）", field="expected", code="REQUIRED")


def _vote(record, rule, what):
    _require_vote(record)
    if vote_passes(record):
        return
    quorum = record.present * 2 > record.expected  # the message only; the outcome is vote_outcome's
    failed = (f"有表决权的实到{record.present}人，未超过应到{record.expected}人的半数" if not quorum
              else f"赞成{record.yes}票，未超过应到会有表决权的{record.expected}人的半数")
    raise RuleRefusal(f"{cite(rule)}，{what}须有超过半数的有表决权党员到会，赞成票须超过应到会有表决权正式党员的半数："
                      f"{failed}，不能通过", rule=rule, field="present" if not quorum else "yes")


def _admission(case, record, people, others):
    _review_passed(others, record, "支部大会讨论接收预备党员")
    _vote(record, "DEV-12", "讨论接收预备党员的支部大会")


def _approval(case, record, people, others):
    meeting = _latest(others, ADMISSION).date
    months = parameters.value("approval_within_months", record.date)
    _soft(record, "DEV-14", "approval_within_months", add_months(meeting, months),
          f"上级党委应在支部大会通过接收决议后{months_text(months)}内审批")


def _confirmation_meeting(case, record, people, others):
    if not record.conclusion:
        raise DomainError("请填写转正结果", field="conclusion", code="REQUIRED")
    _vote(record, "DEV-20", "讨论预备党员转正的支部大会")
    if record.conclusion != Conclusion.EXTENDED:
        return
    low = parameters.value(PROBATION.extension_min, record.date)
    high = parameters.value(PROBATION.extension_max, record.date)
    if not low <= record.months <= high:
        raise RuleRefusal(f"{cite('DEV-17', PROBATION.extension_max, record.date)}，延长预备期应为{low}至{high}个月，"
                          f"本次为{record.months}个月", rule="DEV-17", field="months")
    earlier = [r for r in others if r.step == CONFIRMATION_MEETING and r.conclusion == Conclusion.EXTENDED]
    if len(earlier) >= PROBATION.extensions:
        raise RuleRefusal(f"{cite('DEV-17', 'extension_months_max', record.date)}，预备期只能延长一次，"
                          f"已于{earlier[0].date}延长{earlier[0].months}个月", rule="DEV-17", field="conclusion")


def _confirmation_approval(case, record, people, others):
    meeting = _latest(others, CONFIRMATION_MEETING, on=record.date).date
    months = parameters.value("confirmation_approval_within_months", record.date)
    _soft(record, "DEV-18", "confirmation_approval_within_months", add_months(meeting, months),
          f"上级党委应在支部大会讨论转正后{months_text(months)}内审批")


_RULES = {2: _talk, 5: _contacts, 7: _candidate, 9: _sponsors, 10: _review, 11: _training, 12: _committee_review,
          ADMISSION: _admission, 17: _approval, CONFIRMATION_MEETING: _confirmation_meeting,
          CONFIRMATION_APPROVAL: _confirmation_approval}


def _check_dependents(definition, current, record, others):
    """A corrected date must not pass a later step that needs this one before it (DEV-ORDER)."""
    for other in others:
        if definition.no in other.definition.after and timeline_key(other) > timeline_key(current) \
                and record.date > other.date:
            raise RuleRefusal(f"{cite('DEV-ORDER')}，“{definition.title}”的日期不能晚于已登记的"
                              f"“{other.definition.title}”（{other.date}）", rule="DEV-ORDER", field="date")


# ---- the member side ----

def _sync_member(case, actor, before, after):
    """Bring the roster to what the steps now call for (queries.roster_effects), through the member
    services. What the roster already follows is never undone: such a change is refused."""
    if before.events == after.events:
        return
    locked = "该步骤已记入党员名册，不能改变{}；如有错误请先更正党员信息"
    if after.admitted_on is None:
        if case.member_id:
            raise DomainError(locked.format("接收结果"), field="step", code="STEP_LOCKED")
        return
    for done, now, what in ((before.confirmed_on, after.confirmed_on, "转正结果"),
                            (before.cancelled_on, after.cancelled_on, "取消预备党员资格的结果")):
        if done and done != now:
            raise DomainError(locked.format(what), field="step", code="STEP_LOCKED")
    member = case.member
    if member is None:
        member = _admit(case, actor, after.admitted_on)
    elif member.admitted_on != after.admitted_on:
        if member.stage != Stage.PROBATIONARY or member.confirmed_on:
            raise DomainError(locked.format("入党日期"), field="date", code="STEP_LOCKED")
        correct_membership_dates(member, actor=actor, admitted_on=after.admitted_on)
    if after.confirmed_on and not before.confirmed_on:
        _confirm(member, actor, after.confirmed_on)
    if after.cancelled_on and not before.cancelled_on:
        if not member.events.filter(kind=EventKind.CANCELLED, date=after.cancelled_on).exists():
            cancel_probation(member, actor=actor, cancelled_on=after.cancelled_on,
                             note=f"上级党委{after.cancelled_on}批准取消预备党员资格")


def _admit(case, actor, admitted_on):
    """The admitting branch meeting makes the applicant a probationary member (or, for a ledger whose 党员
    row came first, links that member when its 入党日期 agrees)."""
    member = Member.objects.filter(id_number=case.id_number).first()
    if member is not None and member.admitted_on != admitted_on:
        raise DomainError(f"党员名册中{member.name}的入党日期为{member.admitted_on}，与支部大会日期{admitted_on}不一致",
                          field="date", code="MEMBER_MISMATCH")
    if member is None:
        member = create_member(actor=actor, id_number=case.id_number, name=case.name, org=case.org,
                               admitted_on=admitted_on, sex=case.sex, birth_date=case.birth_date)
    case.member = member
    case.save(update_fields=["member"])
    return member


def _confirm(member, actor, confirmed_on):
    """DEV-19: the 转正 event is dated at the end of probation, not at the approval."""
    if member.stage == Stage.FULL and member.confirmed_on == confirmed_on:
        return  # the 党员 row of the same ledger said so already
    if member.stage != Stage.PROBATIONARY:
        raise DomainError(f"党员名册中{member.name}是{member.get_stage_display()}"
                          f"{'（转正日期' + str(member.confirmed_on) + '）' if member.confirmed_on else ''}，"
                          f"与按期转正（{confirmed_on}）不一致", field="step", code="MEMBER_MISMATCH")
    if confirmed_on > today():
        raise DomainError(f"预备期至{confirmed_on}届满，届满后才能登记转正", field="date", code="PROBATION_NOT_ENDED")
    confirm_member(member, actor=actor, confirmed_on=confirmed_on, note="预备期满，经上级党委批准按期转正")


# ---- audit ----

def _label(case, definition):
    return f"{case.name}：{definition.no} {definition.title}"


def _snapshot(record, people):
    definition = record.definition
    data = {"step": f"{definition.no} {definition.title}", "date": record.date.isoformat()}
    if PEOPLE in definition.records:
        data["people"] = [m.name for m in people]
    if CONCLUSION in definition.records:
        data["conclusion"] = record.conclusion
    if TRAINING in definition.records:
        data["ended_on"] = record.ended_on.isoformat() if record.ended_on else None
        data["hours"] = f"{Decimal(record.hours).normalize():f}" if record.hours is not None else None
    if VOTE in definition.records:
        data |= {"expected": record.expected, "present": record.present, "yes": record.yes}
    if MONTHS in definition.records:
        data["months"] = record.months
    if definition.actor in MEETING_ACTORS:
        data["meeting"] = str(record.meeting) if record.meeting_id else None
    return data | {"note": record.note, "reason": record.reason}

