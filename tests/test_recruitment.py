"""发展党员: a case from the application to confirmation through the services, the DEV-* rules refused on entry
with the rule named (and at their boundaries), soft rules that need a reason, the ledger's history mode,
the member events the decisions create, corrections, permissions, and the next step with its due date."""
import datetime

import pytest

from dangjian.audit.models import AuditEntry
from dangjian.core.dates import today
from dangjian.core.errors import DomainError, PermissionDenied
from dangjian.meetings.services import record_meeting
from dangjian.members.models import EventKind, Member, Stage
from dangjian.members.services import create_member
from dangjian.recruitment.models import Case, CaseStep
from dangjian.recruitment.process import BY_NO, PROBATION, PROBATION_END, RULE_VERSION, STAGES, STEPS
from dangjian.recruitment.queries import case_state, due_cases, timing_text
from dangjian.rules import parameters
from dangjian.recruitment.services import (
    delete_step,
    discontinue_case,
    open_case,
    record_step,
    update_step,
)

from .cast import person_id

D = datetime.date
BIRTH = D(1995, 5, 17)
APPLIED = D(2016, 3, 1)
ADMITTED = D(2017, 7, 1)  # the admitting branch meeting: 入党日期, probation to 2018-07-01


def path(c):
    """A clean case, step by step: 12 months of training exactly, 3 days of intensive training."""
    return {
        2: dict(date=D(2016, 3, 15)),
        3: dict(date=D(2016, 4, 1)),
        5: dict(date=D(2016, 4, 5), people=[c.zhang]),
        6: dict(date=D(2016, 10, 1)),
        7: dict(date=D(2017, 4, 1)),
        9: dict(date=D(2017, 4, 10), people=[c.zhang, c.li]),
        10: dict(date=D(2017, 5, 1), conclusion="合格"),
        11: dict(date=D(2017, 5, 10), ended_on=D(2017, 5, 12), hours=24),
        12: dict(date=D(2017, 6, 1)),
        13: dict(date=D(2017, 6, 10)),
        14: dict(date=D(2017, 6, 15)),
        15: dict(date=ADMITTED, expected=10, present=8, yes=8),
        16: dict(date=D(2017, 7, 20)),
        17: dict(date=D(2017, 8, 1)),
        20: dict(date=D(2017, 8, 10)),
        22: dict(date=D(2018, 6, 15)),
        23: dict(date=D(2018, 7, 1), expected=10, present=9, yes=9, conclusion="按期转正"),
        24: dict(date=D(2018, 7, 20)),
    }


def apply(c, n=60, **kw):
    data = dict(actor=None, id_number=person_id(n, birth=BIRTH), name="刘洋", org=c.a0101, applied_on=APPLIED) | kw
    return open_case(**data)


def walk(c, case, until, *, changes=None, skip=(), actor=None, history=False):
    """Record the clean path's steps up to `until` (with `changes[no]` replacing a step's data)."""
    for no, data in path(c).items():
        if no <= until and no not in skip:
            record_step(case, actor=actor, step=no, history=history, **(data | (changes or {}).get(no, {})))
    return case


def step(c, case, no, **kw):
    return record_step(case, actor=kw.pop("actor", None), step=no, **(path(c)[no] | kw))


def refused(call, *args, **kw):
    with pytest.raises(DomainError) as exc:
        call(*args, **kw)
    return exc.value


def steps_of(case, no=None):
    qs = CaseStep.objects.filter(case=case)
    return (qs.filter(step=no) if no else qs).count()


@pytest.fixture
def case(cast):
    return apply(cast)


# ---- the process as data ----

def test_the_process_is_five_stages_and_twenty_five_steps_with_who_acts_and_what_comes_before():
    assert list(STAGES) == [1, 2, 3, 4, 5] and [s.no for s in STEPS] == list(range(1, 26))
    assert [sum(1 for s in STEPS if s.stage == n) for n in STAGES] == [2, 4, 5, 7, 7]  # rulebook §3.1
    assert {s.actor for s in STEPS} == {"申请人", "党支部", "支部委员会", "支部大会", "上级党委", "预备党员"}
    assert (BY_NO[3].actor, BY_NO[15].actor, BY_NO[17].actor) == ("支部委员会", "支部大会", "上级党委")
    for s in STEPS:  # every prerequisite is an earlier step
        assert all(a < s.no for a in s.after), s
    assert BY_NO[12].after == (9, 10, 11) and BY_NO[17].after == (16,) and BY_NO[23].after == (22,)
    assert (BY_NO[15].records, BY_NO[10].records, BY_NO[9].records) == (("vote",), ("conclusion",), ("people",))
    assert "入党申请书" in BY_NO[1].documents and "转正申请书" in BY_NO[22].documents


def test_every_timing_rule_is_a_parameter_of_its_rule_and_reads_as_the_rulebook():
    timed = {s.no: s.timing for s in STEPS if s.timing}
    assert set(timed) == {2, 6, 7, 16, 17, 20, 22, 23, 24}
    for no, timing in timed.items():  # the interval is a dated parameter of the DEV rule named
        assert parameters.parameter(timing.param, APPLIED).rule == timing.rule, no
    on = APPLIED
    assert [timing_text(BY_NO[n], on) for n in (2, 6, 7, 17, 23, 24)] == [
        "递交入党申请书后1个月内", "每6个月一次", "推荐和确定入党积极分子后一年以上", "支部大会讨论后3个月内", "预备期满前",
        "支部大会讨论后3个月内"]
    assert timed[23].start == PROBATION_END and PROBATION.start == 15 and PROBATION.extensions == 1
    assert parameters.value(PROBATION.months, on) == 12
    assert (parameters.value(PROBATION.extension_min, on), parameters.value(PROBATION.extension_max, on)) == (6, 12)


def test_a_case_keeps_the_rule_version_it_was_opened_under(cast, case):
    assert RULE_VERSION == "2014"
    assert Case.objects.get(pk=case.pk).rule_version == "2014"
    assert AuditEntry.objects.get(action="case.create").after["rule_version"] == "2014"


# ---- the whole way ----

def test_it_takes_an_applicant_from_application_to_confirmation(cast, case):
    walk(cast, case, 24)
    case.refresh_from_db()
    member = case.member
    assert member.id_number == case.id_number and member.org == cast.a0101
    assert member.admitted_on == ADMITTED and member.confirmed_on == D(2018, 7, 1) and member.stage == Stage.FULL
    kinds = [(e.kind, e.date) for e in member.events.order_by("date", "id")]
    assert kinds == [(EventKind.ADMITTED, ADMITTED), (EventKind.CONFIRMED, D(2018, 7, 1))]
    state = case_state(case, D(2018, 12, 31))
    assert (state.status, state.stage, state.next_step, state.due_on) == ("confirmed", 5, None, None)
    assert AuditEntry.objects.filter(action="case.create", object_id=str(case.pk)).count() == 1
    assert AuditEntry.objects.filter(action="case.step").count() == len(path(cast))
    assert AuditEntry.objects.filter(action="member.create", object_id=str(member.pk)).count() == 1
    assert AuditEntry.objects.filter(action="member.confirm", object_id=str(member.pk)).count() == 1
    created = AuditEntry.objects.get(action="case.create")
    assert created.after["id_number"].startswith("450103") and "*" in created.after["id_number"]
    assert created.after["applied_on"] == "2016-03-01" and created.org_code == "A0101"


def test_the_branch_meeting_that_admits_creates_the_probationary_member(cast, case):
    walk(cast, case, 14)
    assert not Member.objects.filter(id_number=case.id_number).exists()
    step(cast, case, 15)
    case.refresh_from_db()
    assert case.member.stage == Stage.PROBATIONARY and case.member.admitted_on == ADMITTED
    assert case_state(case, ADMITTED).status == "probationary"
    step(cast, case, 16)
    step(cast, case, 17)  # the approval adds nothing to the roster
    assert case.member.events.count() == 1


def test_the_confirmation_is_dated_at_the_end_of_probation_not_at_the_approval(cast, case):
    walk(cast, case, 23, changes={23: dict(date=D(2018, 6, 25))})
    step(cast, case, 24, date=D(2018, 9, 1))
    case.member.refresh_from_db()
    assert case.member.confirmed_on == D(2018, 7, 1)


def test_an_extension_moves_the_end_of_probation_and_a_later_meeting_confirms(cast, case):
    walk(cast, case, 23, changes={23: dict(conclusion="延长预备期", months=6)})
    step(cast, case, 24)
    case.member.refresh_from_db()
    assert case.member.stage == Stage.PROBATIONARY
    state = case_state(case, D(2018, 8, 1))
    assert state.status == "probationary" and state.next_step.no == 23 and state.due_on == D(2019, 1, 1)
    assert state.probation_ends == D(2019, 1, 1)
    step(cast, case, 23, date=D(2019, 1, 5))
    step(cast, case, 24, date=D(2019, 1, 20))
    case.member.refresh_from_db()
    assert case.member.stage == Stage.FULL and case.member.confirmed_on == D(2019, 1, 1)
    assert case_state(case, D(2019, 2, 1)).status == "confirmed"


def test_a_cancellation_takes_the_member_off_the_roll_on_the_approval_date(cast, case):
    walk(cast, case, 23, changes={23: dict(conclusion="取消预备党员资格")})
    step(cast, case, 24)
    case.member.refresh_from_db()
    assert case.member.stage == Stage.LEFT
    assert case.member.events.get(kind=EventKind.CANCELLED).date == D(2018, 7, 20)
    assert case_state(case, D(2018, 12, 31)).status == "cancelled"
    error = refused(step, cast, case, 23, date=D(2018, 8, 1))
    assert error.code == "CASE_CLOSED"


def test_nothing_is_decided_after_the_confirmation(cast, case):
    walk(cast, case, 24)
    assert refused(step, cast, case, 23, date=D(2018, 8, 1)).code == "CASE_CLOSED"
    assert refused(step, cast, case, 24, date=D(2018, 8, 1)).code == "CASE_CLOSED"
    record_step(case, actor=None, step=25, date=D(2018, 8, 1))  # archiving still follows


def test_a_case_links_the_meeting_that_decided_it(cast, case):
    walk(cast, case, 14)
    meeting = record_meeting(actor=None, org=cast.a0101, held_on=ADMITTED, subject="讨论接收预备党员",
                             types=["branch_general"], expected=10, present=8)
    record = step(cast, case, 15, meeting=meeting)
    assert record.meeting == meeting
    other = record_meeting(actor=None, org=cast.a0102, held_on=D(2017, 7, 20), subject="支部大会",
                           types=["branch_general"], expected=5, present=5)
    assert refused(step, cast, case, 16, meeting=other).code == "STEP_FIELD"  # 上级党委派人谈话 is no meeting


def test_a_decision_links_only_a_meeting_of_the_body_that_decides(cast, case):
    walk(cast, case, 11)
    lecture = record_meeting(actor=None, org=cast.a0101, held_on=D(2017, 6, 1), subject="党课", types=["lecture"],
                             expected=10, present=8)
    error = refused(step, cast, case, 12, meeting=lecture)
    assert error.code == "MEETING_TYPE" and error.field == "meeting"
    assert error.message == "所选会议是党课，“支部委员会审查”应关联支部委员会或支部党员大会的会议记录"
    general = record_meeting(actor=None, org=cast.a0101, held_on=D(2017, 6, 1), subject="支部党员大会",
                             types=["branch_general"], expected=10, present=8)
    assert step(cast, case, 12, meeting=general).meeting == general  # a branch without a committee
    committee = record_meeting(actor=None, org=cast.a0101, held_on=ADMITTED, subject="支委会", types=["branch_committee"],
                               expected=3, present=3)
    walk(cast, case, 14, skip=range(1, 13))
    error = refused(step, cast, case, 15, meeting=committee)
    assert error.code == "MEETING_TYPE" and "应关联支部党员大会的会议记录" in error.message
    assert steps_of(case, 15) == 0 and not Member.objects.filter(id_number=case.id_number).exists()


# ---- the rules, named, at their boundaries ----

def test_it_refuses_a_step_before_its_prerequisites(cast, case):
    walk(cast, case, 3)
    error = refused(step, cast, case, 7)
    assert error.code == "DEV-ORDER" and "DEV-ORDER" in error.message and "指定培养联系人" in error.message
    error = refused(step, cast, case, 5, date=D(2016, 3, 31))
    assert error.code == "DEV-ORDER" and "2016-04-01" in error.message
    assert steps_of(case) == 3


def test_a_candidate_needs_twelve_months_as_an_activist_to_the_day(cast, case):
    walk(cast, case, 6)
    error = refused(step, cast, case, 7, date=D(2017, 3, 31))
    assert error.code == "DEV-06" and error.rule == "DEV-06"
    assert error.message == ("按《发展党员工作细则》第十三条（DEV-06），确定发展对象须在确定为入党积极分子一年以上，"
                             "最早2017-04-01")
    assert steps_of(case, 7) == 0
    step(cast, case, 7, date=D(2017, 4, 1))


@pytest.mark.parametrize("count, ok", [(0, False), (1, True), (2, True), (3, False)])
def test_an_activist_has_one_or_two_training_contacts(cast, case, count, ok):
    walk(cast, case, 3)
    people = [cast.zhang, cast.li, cast.zhao][:count]
    if ok:
        assert list(step(cast, case, 5, people=people).people.all()) == people
    else:
        error = refused(step, cast, case, 5, people=people)
        assert error.code == "DEV-04" and "第九条（DEV-04）" in error.message and f"本次为{count}名" in error.message


def test_a_training_contact_must_be_a_full_member(cast):
    case = apply(cast, applied_on=D(2018, 3, 10))
    record_step(case, actor=None, step=2, date=D(2018, 3, 20))
    record_step(case, actor=None, step=3, date=D(2018, 4, 1))
    error = refused(record_step, case, actor=None, step=5, date=D(2018, 4, 5), people=[cast.wang])
    assert error.code == "DEV-04" and "王志强在2018-04-01是预备党员" in error.message
    record_step(case, actor=None, step=5, date=D(2018, 4, 5), people=[cast.li])


def test_a_candidate_has_two_sponsors_who_are_full_members(cast, case):
    walk(cast, case, 7)
    error = refused(step, cast, case, 9, people=[cast.zhang])
    assert error.code == "DEV-07" and "第十四条（DEV-07）" in error.message
    error = refused(step, cast, case, 9, people=[cast.zhang, cast.wang])  # wang joins only in 2018
    assert error.code == "DEV-07" and "王志强在2017-04-01还不是党员" in error.message
    step(cast, case, 9, people=[cast.zhang, cast.li])


def test_no_admission_without_a_political_review_that_passed(cast, case):
    walk(cast, case, 11, changes={10: dict(conclusion="不合格")})
    error = refused(step, cast, case, 12)
    assert error.code == "DEV-08" and "第十六条（DEV-08）" in error.message and "不合格" in error.message


def test_the_political_review_needs_a_conclusion(cast, case):
    walk(cast, case, 7)
    assert refused(step, cast, case, 10, conclusion="").code == "REQUIRED"


@pytest.mark.parametrize("ended_on, hours, ok", [
    (D(2017, 5, 12), None, True),       # 3 days, both ends counted
    (D(2017, 5, 11), 23, False),        # 2 days and 23 hours
    (D(2017, 5, 11), 24, True),         # 2 days and 24 hours
    (None, None, False),                # one day
])
def test_intensive_training_of_three_days_or_twenty_four_hours(cast, case, ended_on, hours, ok):
    walk(cast, case, 10)
    call = dict(ended_on=ended_on, hours=hours)
    if ok:
        step(cast, case, 11, **call)
    else:
        error = refused(step, cast, case, 11, **call)
        assert error.code == "DEV-09" and "第十七条（DEV-09）" in error.message and error.overridable
        assert steps_of(case, 11) == 0


def test_intensive_training_may_be_set_aside_in_a_special_case_with_a_reason(cast, case):
    walk(cast, case, 10)
    record = step(cast, case, 11, ended_on=None, hours=8, reason="援藏期间参加当地党校两天培训")
    assert record.reason == "援藏期间参加当地党校两天培训"


@pytest.mark.parametrize("expected, present, yes, ok", [
    (10, 6, 6, True), (10, 5, 5, False), (10, 10, 5, False), (10, 6, 5, False),
])
def test_the_admission_vote_needs_a_quorum_and_a_majority_of_those_expected(cast, case, expected, present, yes, ok):
    walk(cast, case, 14)
    vote = dict(expected=expected, present=present, yes=yes)
    if ok:
        step(cast, case, 15, **vote)
        assert Member.objects.filter(id_number=case.id_number).exists()
    else:
        error = refused(step, cast, case, 15, **vote)
        assert error.code == "DEV-12" and "（DEV-12）" in error.message
        assert not Member.objects.filter(id_number=case.id_number).exists() and steps_of(case, 15) == 0


def test_the_confirmation_vote_counts_the_same_way(cast, case):
    walk(cast, case, 22)
    error = refused(step, cast, case, 23, expected=10, present=6, yes=5)
    assert error.code == "DEV-20" and "（DEV-20）" in error.message


@pytest.mark.parametrize("months, ok", [(5, False), (6, True), (12, True), (13, False)])
def test_an_extension_is_six_to_twelve_months(cast, case, months, ok):
    walk(cast, case, 22)
    data = dict(conclusion="延长预备期", months=months)
    if ok:
        assert step(cast, case, 23, **data).months == months
    else:
        error = refused(step, cast, case, 23, **data)
        assert error.code == "DEV-17" and "第七条（DEV-17）" in error.message


def test_probation_is_extended_once(cast, case):
    walk(cast, case, 24, changes={23: dict(conclusion="延长预备期", months=6)})
    error = refused(step, cast, case, 23, date=D(2019, 1, 5), conclusion="延长预备期", months=6)
    assert error.code == "DEV-17" and "只能延长一次" in error.message


def test_a_second_confirmation_meeting_waits_for_the_approval_of_the_first(cast, case):
    walk(cast, case, 23, changes={23: dict(conclusion="延长预备期", months=6)})
    error = refused(step, cast, case, 23, date=D(2019, 1, 5))
    assert error.code == "DEV-ORDER" and "尚未经上级党委审批" in error.message


def test_the_higher_committee_talks_to_the_candidate_before_it_approves(cast, case):
    walk(cast, case, 15)
    error = refused(step, cast, case, 17)
    assert error.code == "DEV-ORDER" and "“上级党委审批”须在“上级党委派人谈话”之后" in error.message
    step(cast, case, 16)
    step(cast, case, 17)


def test_an_approval_needs_a_decision_to_approve(cast, case):
    walk(cast, case, 22)
    assert refused(step, cast, case, 24).code == "DEV-ORDER"


def test_an_applicant_must_be_eighteen_on_the_application_date(cast):
    birth = D(1998, 3, 2)
    error = refused(open_case, actor=None, id_number=person_id(1, birth=birth), name="小周", org=cast.a0101,
                    applied_on=D(2016, 3, 1))
    assert error.code == "DEV-01" and "《党章》第一条（DEV-01）" in error.message and "2016-03-02年满" in error.message
    assert not Case.objects.exists() and not AuditEntry.objects.filter(action="case.create").exists()
    open_case(actor=None, id_number=person_id(1, birth=birth), name="小周", org=cast.a0101, applied_on=D(2016, 3, 2))


# ---- soft rules: a reason lets them through ----

@pytest.mark.parametrize("rule, until, no, late", [
    ("DEV-02", 1, 2, D(2016, 4, 2)),      # the talk: application 2016-03-01 + 1 month
    ("DEV-14", 16, 17, D(2017, 10, 2)),   # the approval: branch meeting 2017-07-01 + 3 months
    ("DEV-18", 23, 24, D(2018, 10, 2)),   # the 转正 approval: meeting 2018-07-01 + 3 months
])
def test_a_soft_rule_needs_a_reason_the_day_after_its_deadline(cast, case, rule, until, no, late):
    walk(cast, case, until)
    error = refused(step, cast, case, no, date=late)
    assert error.code == "SOFT_RULE" and error.rule == rule and f"（{rule}）" in error.message
    assert error.field == "reason" and steps_of(case, no) == 0
    record = step(cast, case, no, date=late, reason="上级党委换届，审批顺延")
    assert record.reason == "上级党委换届，审批顺延"
    assert AuditEntry.objects.filter(action="case.step").latest("id").after["reason"] == "上级党委换届，审批顺延"


def test_a_soft_rule_is_met_on_its_deadline(cast, case):
    step(cast, case, 2, date=D(2016, 4, 1))
    walk(cast, case, 16, skip=(2,))
    step(cast, case, 17, date=D(2017, 10, 1))


# ---- refused always, the ledger's history mode included ----

@pytest.mark.parametrize("history", [False, True])
def test_it_refuses_what_cannot_be_read_or_makes_no_sense(cast, case, history):
    walk(cast, case, 7)

    def code(no, **kw):
        return refused(record_step, case, actor=None, step=no, history=history, **kw).code

    assert code(99, date=D(2017, 7, 1)) == "STEP_UNKNOWN"
    assert code(16, date=D(2017, 7, 1), people=[cast.zhang]) == "STEP_FIELD"
    assert code(16, date=D(2017, 7, 1), expected=10, present=8, yes=8) == "STEP_FIELD"
    assert code(16, date=D(2017, 7, 1), conclusion="合格") == "STEP_FIELD"
    assert code(16, date=None) == "REQUIRED"
    assert code(16, date=today() + datetime.timedelta(days=1)) == "DATE_FUTURE"
    assert code(15, date=ADMITTED, expected=10, present=11, yes=8) == "VOTE_COUNT"
    assert code(15, date=ADMITTED, expected=10, present=8, yes=9) == "VOTE_COUNT"
    assert code(15, date=ADMITTED, expected=10, present=8) == "REQUIRED"
    assert code(10, date=D(2017, 5, 1), conclusion="基本合格") == "CHOICE"
    assert code(9, date=D(2017, 4, 10), people=[person_id(90)]) == "NOT_MEMBER"
    assert code(9, date=D(2017, 4, 10), people=[cast.zhang, cast.zhang]) == "PEOPLE_DUPLICATE"
    assert code(3, date=D(2016, 4, 1)) == "STEP_REPEATED"
    assert code(11, date=D(2017, 5, 10), ended_on=D(2017, 5, 9)) == "DATE_ORDER"
    assert steps_of(case) == 6  # 1, 2, 3, 5, 6, 7: nothing added
    assert not Member.objects.filter(id_number=case.id_number).exists()


def test_it_refuses_a_step_on_a_discontinued_case_even_from_the_ledger(cast, case):
    walk(cast, case, 3)
    discontinue_case(case, actor=None, on=D(2016, 9, 1), reason="调离本单位")
    case.refresh_from_db()
    assert case_state(case, D(2016, 12, 31)).status == "discontinued"
    assert case_state(case, D(2016, 8, 31)).status == "open"
    for history in (False, True):
        error = refused(record_step, case, actor=None, step=5, date=D(2016, 9, 5), people=[cast.zhang],
                        history=history)
        assert error.code == "CASE_CLOSED"
    assert refused(discontinue_case, case, actor=None, on=D(2016, 10, 1), reason="再次").code == "CASE_CLOSED"


def test_the_ledger_records_history_as_it_happened(cast, case):
    """What the pages refuse, the importer keeps (the checks report it afterwards)."""
    def keep(no, **kw):
        return record_step(case, actor=None, step=no, history=True, **kw)

    keep(3, date=D(2016, 2, 1))                                    # before the application and the talk
    keep(5, date=D(2016, 4, 5), people=[cast.zhang, cast.li, cast.zhao])  # three contacts
    keep(7, date=D(2016, 8, 1))                                    # six months as an activist
    keep(9, date=D(2016, 8, 10), people=[cast.zhang])              # one sponsor
    keep(11, date=D(2016, 9, 1), hours=8)                          # one day of training
    keep(12, date=D(2016, 9, 10))                                  # no political review
    keep(15, date=D(2017, 7, 1), expected=10, present=5, yes=5)    # no quorum
    assert steps_of(case) == 8
    assert not Member.objects.filter(id_number=case.id_number).exists()  # a failing vote never admits
    case.refresh_from_db()
    assert case.member is None and case_state(case, D(2017, 12, 31)).status == "open"


def test_the_ledger_admits_without_a_recorded_vote(cast, case):
    record_step(case, actor=None, step=15, date=ADMITTED, history=True)
    case.refresh_from_db()
    assert case.member.admitted_on == ADMITTED


def test_the_ledger_links_a_member_whose_row_came_first(cast):
    member = create_member(actor=None, id_number=person_id(60, birth=BIRTH), name="刘洋", org=cast.a0101,
                           admitted_on=ADMITTED)
    assert refused(apply, cast).code == "DUPLICATE"  # the pages: already in the roster
    case = apply(cast, history=True)
    error = refused(record_step, case, actor=None, step=15, date=D(2017, 7, 2), history=True)
    assert error.code == "MEMBER_MISMATCH"
    record_step(case, actor=None, step=15, date=ADMITTED, expected=10, present=8, yes=8, history=True)
    case.refresh_from_db()
    assert case.member == member and Member.objects.filter(id_number=member.id_number).count() == 1


# ---- opening a case ----

def test_it_refuses_a_second_case_or_a_member_or_an_organisation_that_cannot_hold_it(cast, case):
    assert refused(apply, cast).code == "DUPLICATE"
    assert refused(apply, cast, id_number=cast.li.id_number, name="李秀英").code == "DUPLICATE"
    assert refused(apply, cast, n=62, org=cast.a01).code == "CASE_ORG_TYPE"
    assert refused(apply, cast, n=62, org=cast.a0101g1).code == "CASE_ORG_TYPE"
    assert refused(apply, cast, n=62, applied_on=today() + datetime.timedelta(days=1)).code == "DATE_FUTURE"
    assert refused(apply, cast, n=62, sex="F").code == "ID_SEX_MISMATCH"
    assert Case.objects.count() == 1


# ---- permissions ----

@pytest.mark.parametrize("who, ok", [("shuji", True), ("a01admin", True), ("zuzhibu", True), ("b01admin", False),
                                     ("dangyuan", False), ("outsider", False)])
def test_only_those_who_manage_the_branch_open_a_case(cast, who, ok):
    if ok:
        assert apply(cast, actor=getattr(cast, who)).org == cast.a0101
        assert AuditEntry.objects.get(action="case.create").actor == getattr(cast, who)
    else:
        with pytest.raises(PermissionDenied):
            apply(cast, actor=getattr(cast, who))
        assert not Case.objects.exists() and not AuditEntry.objects.filter(action="case.create").exists()


def test_a_branch_secretary_takes_a_case_to_admission_and_another_committee_cannot_touch_it(cast, case):
    walk(cast, case, 15, actor=cast.shuji)
    case.refresh_from_db()
    assert case.member.stage == Stage.PROBATIONARY
    assert AuditEntry.objects.filter(action="case.step", actor=cast.shuji).count() == 12
    before = (CaseStep.objects.count(), AuditEntry.objects.count())
    with pytest.raises(PermissionDenied):
        step(cast, case, 16, actor=cast.b01admin)
    with pytest.raises(PermissionDenied):
        update_step(CaseStep.objects.get(case=case, step=13), actor=cast.b01admin, note="改")
    with pytest.raises(PermissionDenied):
        delete_step(CaseStep.objects.get(case=case, step=15), actor=cast.b01admin)
    with pytest.raises(PermissionDenied):
        discontinue_case(case, actor=cast.b01admin, on=D(2017, 8, 1), reason="x")
    assert (CaseStep.objects.count(), AuditEntry.objects.count()) == before
    step(cast, case, 16, actor=cast.a01admin)


# ---- corrections ----

def test_a_step_is_corrected_and_audited(cast, case):
    walk(cast, case, 5)
    talk = CaseStep.objects.get(case=case, step=2)
    assert update_step(talk, actor=cast.shuji, date=D(2016, 3, 20), note="补记") is True
    talk.refresh_from_db()
    assert talk.date == D(2016, 3, 20) and talk.note == "补记"
    entry = AuditEntry.objects.get(action="case.step_update")
    assert entry.before == {"date": "2016-03-15", "note": ""} and entry.after == {"date": "2016-03-20", "note": "补记"}
    assert update_step(talk, actor=None, note="补记") is False
    activist = CaseStep.objects.get(case=case, step=3)
    error = refused(update_step, activist, actor=None, date=D(2016, 4, 6))  # past the contacts named after it
    assert error.code == "DEV-ORDER" and "指定培养联系人" in error.message


def test_correcting_the_admitting_meeting_corrects_the_date_of_admission(cast, case):
    walk(cast, case, 15)
    meeting = CaseStep.objects.get(case=case, step=15)
    update_step(meeting, actor=None, date=D(2017, 7, 3))
    case.member.refresh_from_db()
    assert case.member.admitted_on == D(2017, 7, 3)
    assert refused(update_step, meeting, actor=None, present=5, yes=5).code == "DEV-12"


def test_a_decision_the_roster_follows_cannot_be_rewritten(cast, case):
    walk(cast, case, 24)
    meeting = CaseStep.objects.get(case=case, step=23)
    error = refused(update_step, meeting, actor=None, conclusion="取消预备党员资格", history=True)
    assert error.code == "STEP_LOCKED"
    update_step(meeting, actor=None, note="会议记录见第3册")


def test_only_the_latest_step_is_deleted_and_never_one_the_roster_follows(cast, case):
    walk(cast, case, 13)
    assert refused(delete_step, CaseStep.objects.get(case=case, step=12), actor=None).code == "STEP_NOT_LATEST"
    delete_step(CaseStep.objects.get(case=case, step=13), actor=cast.shuji)
    assert steps_of(case, 13) == 0
    assert AuditEntry.objects.get(action="case.step_delete").before["date"] == "2017-06-10"
    walk(cast, case, 15, skip=range(1, 13))
    assert refused(delete_step, CaseStep.objects.get(case=case, step=15), actor=None).code == "STEP_LOCKED"
    case2 = apply(cast, n=61)
    assert refused(delete_step, CaseStep.objects.get(case=case2, step=1), actor=None).code == "STEP_LOCKED"


def test_an_admitted_case_is_not_discontinued(cast, case):
    walk(cast, case, 15)
    error = refused(discontinue_case, case, actor=None, on=D(2017, 8, 1), reason="调离")
    assert error.code == "CASE_ADMITTED"


def test_a_discontinuation_is_not_dated_before_the_last_step(cast, case):
    walk(cast, case, 3)
    assert refused(discontinue_case, case, actor=None, on=D(2016, 3, 31), reason="调离").code == "DATE_ORDER"
    assert refused(discontinue_case, case, actor=None, on=D(2016, 4, 1), reason=" ").code == "REQUIRED"


# ---- next step and due dates ----

def test_the_talk_is_due_a_month_after_the_application(cast, case):
    state = case_state(case, D(2016, 4, 1))
    assert (state.status, state.stage, state.next_step.no, state.due_on) == ("open", 1, 2, D(2016, 4, 1))
    assert not state.overdue and state.due_kind == "deadline"
    assert case_state(case, D(2016, 4, 2)).overdue


def test_an_activist_is_assessed_every_six_months_until_a_candidate_may_be_named(cast, case):
    walk(cast, case, 5)
    state = case_state(case, D(2016, 10, 1))
    assert (state.stage, state.next_step.no, state.due_on, state.overdue) == (2, 6, D(2016, 10, 1), False)
    assert case_state(case, D(2016, 10, 2)).overdue
    step(cast, case, 6)  # 2016-10-01: the next assessment would fall on the day a candidate may be named
    state = case_state(case, D(2016, 12, 31))
    assert (state.next_step.no, state.due_on, state.due_kind) == (7, D(2017, 4, 1), "earliest")
    assert not case_state(case, D(2017, 6, 1)).overdue  # an earliest day is never overdue


def test_the_approval_then_the_confirmation_fall_due(cast, case):
    walk(cast, case, 15)
    state = case_state(case, D(2017, 7, 2))
    assert (state.status, state.stage, state.next_step.no, state.due_on) == ("probationary", 4, 16, D(2017, 10, 1))
    walk(cast, case, 17, skip=range(1, 16))
    state = case_state(case, D(2017, 8, 5))
    assert (state.next_step.no, state.due_on) == (20, D(2018, 7, 1))
    walk(cast, case, 23, skip=range(1, 18))
    state = case_state(case, D(2018, 10, 1))
    assert (state.next_step.no, state.due_on, state.overdue) == (24, D(2018, 10, 1), False)
    assert case_state(case, D(2018, 10, 2)).overdue


def test_the_state_on_an_earlier_day_ignores_later_steps(cast, case):
    walk(cast, case, 24)
    state = case_state(case, D(2017, 5, 1))
    assert (state.status, state.stage, state.next_step.no) == ("open", 3, 11)  # 9 and 10 recorded by then


def test_due_cases_lists_what_falls_due_within_thirty_days_in_two_queries(cast, django_assert_num_queries):
    talk = apply(cast, n=61, applied_on=D(2018, 11, 20))                # talk due 2018-12-20: within 30 days
    later = apply(cast, n=62, applied_on=D(2018, 12, 1))                # talk due 2019-01-01: one day beyond
    late = apply(cast, n=63, applied_on=D(2018, 10, 1))                 # talk overdue since 2018-11-02
    stopped = apply(cast, n=64, applied_on=D(2018, 11, 1))
    discontinue_case(stopped, actor=None, on=D(2018, 11, 5), reason="本人撤回申请")
    admitted = apply(cast, n=65)
    walk(cast, admitted, 17)  # the oath next, due by the end of probation, 2018-07-01: overdue
    on = D(2018, 12, 1)
    with django_assert_num_queries(2):
        due = due_cases(Case.objects.all(), on)
    assert [c.pk for c in due] == [admitted.pk, late.pk, talk.pk]
    assert due[0].state.next_step.no == 20 and due[0].state.overdue
    assert not due[2].state.overdue and later.pk not in [c.pk for c in due]
    assert [c.pk for c in due_cases(Case.objects.all(), on, days=31)][-1] == later.pk
    assert due_cases(Case.objects.all(), D(2018, 11, 30), days=365)[-1].pk != later.pk  # not applied yet
    assert BY_NO[due[1].state.next_step.no].title == "党组织派人谈话"


def test_due_cases_take_the_given_subtree(cast):
    apply(cast, n=61, applied_on=D(2018, 11, 20))
    apply(cast, n=62, applied_on=D(2018, 11, 20), org=cast.b0101)
    b01 = Case.objects.filter(org__path__startswith=cast.b01.path)
    assert [c.org.code for c in due_cases(b01, D(2018, 12, 1))] == ["B0101"]

