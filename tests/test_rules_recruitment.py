"""The DEV-* rules (RULES.md "Recruitment"), each at its boundaries. A case is built through the
recruitment services in history mode (what the pages would refuse is recorded, as the ledger importer
does), step by step from a timeline that is entirely in order (`in_order`); each test changes the steps it
is about. The checks run with an explicit window, `Window(as_of)`."""
import datetime
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dangjian.core.idcard import make_id_number
from dangjian.organizations.models import OrgType
from dangjian.recruitment import services
from dangjian.recruitment.process import Conclusion
from dangjian.rules.engine import ERROR, WARNING, Window, all_rules, run_checks

from .rules_support import member, org

D = datetime.date
AS_OF = D(2018, 12, 31)
DEV_RULES = ("DEV-01", "DEV-02", "DEV-04", "DEV-06", "DEV-07", "DEV-08", "DEV-09", "DEV-12", "DEV-14", "DEV-15",
             "DEV-17", "DEV-18", "DEV-20", "DEV-ORDER")

pytestmark = pytest.mark.django_db

_numbers = itertools.count(1)


# ---- cases, through the recruitment services (history mode) ----

def open_case(*, at, applied, birth=D(1990, 5, 1)):
    """A case of branch `at` with its application (step 1) on `applied`, for a new applicant born on
    `birth`."""
    n = next(_numbers)
    return services.open_case(actor=None, id_number=make_id_number("450103", birth, n, "F"), name=f"申请人{n}",
                              org=at, applied_on=applied, history=True)


def record_step(case, step, date, people=(), **kw):
    return services.record_step(case, actor=None, step=step, date=date, people=list(people), history=True, **kw)


def full_member(at, confirmed=D(2011, 7, 1)):
    return member(at, admitted=D(2010, 7, 1), confirmed=confirmed)


def in_order(at, **changes):
    """{step number: keyword arguments of record_step} of a case that satisfies every DEV rule: applied on
    2015-01-10, admitted on 2016-06-01, confirmed on 2017-06-01. `changes` replaces a step's arguments
    (`s9=dict(...)`), or drops it (`s9=None`)."""
    two = [full_member(at), full_member(at)]
    steps = {
        2: dict(date=D(2015, 2, 1)),
        3: dict(date=D(2015, 3, 1)),
        5: dict(date=D(2015, 3, 5), people=two),
        7: dict(date=D(2016, 3, 1)),
        9: dict(date=D(2016, 3, 5), people=two),
        10: dict(date=D(2016, 4, 1), conclusion=Conclusion.REVIEW_PASSED),
        11: dict(date=D(2016, 4, 10), ended_on=D(2016, 4, 12), hours=24),
        12: dict(date=D(2016, 5, 1)),
        13: dict(date=D(2016, 5, 10)),
        15: dict(date=D(2016, 6, 1), expected=10, present=10, yes=10),
        16: dict(date=D(2016, 6, 10)),
        17: dict(date=D(2016, 7, 1)),
        20: dict(date=D(2016, 7, 10)),
        22: dict(date=D(2017, 5, 20)),
        23: dict(date=D(2017, 6, 1), expected=10, present=10, yes=10, conclusion=Conclusion.CONFIRMED),
        24: dict(date=D(2017, 7, 1)),
    }
    for key, value in changes.items():
        steps[int(key[1:])] = value
    return {k: v for k, v in steps.items() if v is not None}


def build(at, applied=D(2015, 1, 10), upto=99, birth=D(1990, 5, 1), discontinued=None, **changes):
    """A case from `in_order` with `changes`, its steps up to step `upto`."""
    case = open_case(at=at, applied=applied, birth=birth)
    for step, kw in sorted(in_order(at, **changes).items()):
        if step <= upto:
            record_step(case, step, **kw)
    if discontinued:
        services.discontinue_case(case, actor=None, on=discontinued, reason="本人志愿")
    return case


def found(rule, as_of=AS_OF, root=None):
    return run_checks(root=root, window=Window(as_of), rules=[rule])


def dates(rule, case, as_of=AS_OF):
    """The `date`s of `rule`'s findings about `case`."""
    return [f.date for f in found(rule, as_of) if f.person == case.id_number]


@pytest.fixture
def root():
    return org("R", OrgType.COMMITTEE, has_discipline_committee=True)


@pytest.fixture
def branch(root):
    return org("R01", parent=root)


# ---- the shape of the findings ----

def test_the_rules_are_registered_in_the_order_of_rules_md():
    ids = [r.id for r in all_rules() if r.id.startswith("DEV-")]
    assert ids == list(DEV_RULES)
    severities = {r.id: r.severity for r in all_rules() if r.id in DEV_RULES}
    assert {k for k, v in severities.items() if v == WARNING} == {"DEV-15", "DEV-18"}
    assert all(v == ERROR for k, v in severities.items() if k not in ("DEV-15", "DEV-18"))
    for rule in all_rules():
        if rule.id in DEV_RULES:
            assert rule.title and rule.source and rule.regulation


@pytest.mark.parametrize("as_of", [D(2015, 1, 10), D(2015, 12, 31), D(2016, 6, 1), D(2016, 8, 31), D(2017, 5, 31),
                                   D(2017, 6, 1), AS_OF, D(2030, 1, 1)])
def test_a_case_entirely_in_order_yields_no_finding(branch, as_of):
    build(branch)
    assert run_checks(window=Window(as_of), rules=DEV_RULES) == []


def test_a_finding_names_the_applicant_the_branch_and_no_period(root, branch):
    case = build(branch, D(2018, 1, 10), upto=1)
    (finding,) = found("DEV-02")
    assert finding.as_dict() == {
        "rule": "DEV-02", "severity": "error", "org": "R01", "person": case.id_number, "period": None,
        "date": "2018-02-10", "message": finding.message, "source": "发展党员工作细则 第七条"}
    assert case.name in finding.message
    assert finding.records == (("case", case.pk),)


def test_only_the_cases_of_the_subtree_with_a_step_on_or_before_the_as_of_date_are_judged(root, branch):
    other = org("S01", parent=org("S", OrgType.COMMITTEE))
    here = build(branch, D(2018, 1, 10), upto=1)
    there = build(other, D(2018, 1, 10), upto=1)
    assert {f.person for f in found("DEV-02")} == {here.id_number, there.id_number}
    assert {f.person for f in found("DEV-02", root=root)} == {here.id_number}
    assert {f.person for f in found("DEV-02", root=other)} == {there.id_number}
    young = build(branch, D(2018, 1, 10), upto=1, birth=D(2005, 1, 1))
    assert found("DEV-01", as_of=D(2018, 1, 9)) == []  # no step yet on the as-of date
    assert [f.person for f in found("DEV-01", as_of=D(2018, 1, 10))] == [young.id_number]


def test_a_large_subtree_is_scoped_by_path_range_alike(root, branch, monkeypatch):
    from dangjian.rules.context import CheckContext

    other = org("S01", parent=org("S", OrgType.COMMITTEE))
    # a contact from outside the subtree: their status is read all the same
    contacts = [full_member(other), member(other, admitted=D(2014, 12, 1), confirmed=None)]
    here = build(branch, upto=5, s5=dict(date=D(2015, 3, 5), people=contacts))
    build(other, D(2018, 1, 10), upto=1)
    by_list = [(f.rule, f.person) for f in run_checks(root=root, window=Window(AS_OF), rules=DEV_RULES)]
    monkeypatch.setattr(CheckContext, "MAX_IN_LIST", 0)
    by_path = [(f.rule, f.person) for f in run_checks(root=root, window=Window(AS_OF), rules=DEV_RULES)]
    assert by_list == by_path == [("DEV-04", here.id_number)]


def test_steps_dated_after_the_as_of_date_are_not_seen(branch):
    case = build(branch, D(2018, 1, 10), upto=2, s2=dict(date=D(2018, 2, 20)))
    assert dates("DEV-02", case, D(2018, 2, 15)) == [D(2018, 2, 10)]  # no talk yet on 2018-02-15
    assert dates("DEV-02", case, D(2018, 2, 9)) == []


# ---- DEV-01 ----

@pytest.mark.parametrize("applied, fires", [(D(2018, 3, 15), False), (D(2018, 3, 14), True)])
def test_dev01_the_applicant_is_18_on_the_birthday(branch, applied, fires):
    case = build(branch, applied, upto=2, birth=D(2000, 3, 15), s2=dict(date=applied))
    assert dates("DEV-01", case) == ([applied] if fires else [])


# ---- DEV-02 ----

@pytest.mark.parametrize("talk, fires", [(D(2018, 2, 28), False), (D(2018, 3, 1), True), (D(2018, 2, 1), False)])
def test_dev02_the_talk_within_one_month_clamped_to_the_months_end(branch, talk, fires):
    case = build(branch, D(2018, 1, 31), upto=2, s2=dict(date=talk))
    assert dates("DEV-02", case) == ([D(2018, 2, 28)] if fires else [])


@pytest.mark.parametrize("as_of, fires", [(D(2018, 2, 28), False), (D(2018, 3, 1), True)])
def test_dev02_no_talk_fires_the_day_after_the_deadline(branch, as_of, fires):
    case = build(branch, D(2018, 1, 31), upto=1)
    assert dates("DEV-02", case, as_of) == ([D(2018, 2, 28)] if fires else [])


@pytest.mark.parametrize("discontinued, as_of, fires", [
    (D(2018, 2, 28), AS_OF, False),        # discontinued on the deadline: never overdue while open
    (D(2018, 3, 1), AS_OF, True),          # overdue on the day it was discontinued
    (D(2018, 6, 1), D(2018, 3, 1), True),  # not yet discontinued on the as-of date
])
def test_dev02_a_discontinued_case_is_judged_up_to_its_discontinuation(branch, discontinued, as_of, fires):
    case = build(branch, D(2018, 1, 31), upto=1, discontinued=discontinued)
    assert dates("DEV-02", case, as_of) == ([D(2018, 2, 28)] if fires else [])


# ---- DEV-04 ----

@pytest.mark.parametrize("count, fires", [(0, True), (1, False), (2, False), (3, True)])
def test_dev04_one_or_two_training_contacts(branch, count, fires):
    contacts = [full_member(branch) for _ in range(count)]
    case = build(branch, upto=5, s5=dict(date=D(2015, 3, 5), people=contacts))
    assert dates("DEV-04", case) == ([D(2015, 3, 1)] if fires else [])


def test_dev04_an_activist_without_a_contacts_step(branch):
    case = build(branch, upto=3)
    assert dates("DEV-04", case) == [D(2015, 3, 1)]


@pytest.mark.parametrize("confirmed, fires", [(D(2015, 3, 1), False), (D(2015, 3, 2), True)])
def test_dev04_a_contact_must_be_a_full_member_on_the_activist_date(branch, confirmed, fires):
    contacts = [full_member(branch), full_member(branch, confirmed=confirmed)]
    case = build(branch, upto=5, s5=dict(date=D(2015, 3, 5), people=contacts))
    assert dates("DEV-04", case) == ([D(2015, 3, 1)] if fires else [])


def test_dev04_a_probationary_member_is_not_a_full_member(branch):
    probationary = member(branch, admitted=D(2014, 12, 1), confirmed=None)
    case = build(branch, upto=5, s5=dict(date=D(2015, 3, 5), people=[full_member(branch), probationary]))
    assert dates("DEV-04", case) == [D(2015, 3, 1)]


# ---- DEV-06 ----

@pytest.mark.parametrize("candidate, fires", [(D(2017, 12, 31), True), (D(2018, 1, 1), False)])
def test_dev06_twelve_months_as_an_activist(branch, candidate, fires):
    case = build(branch, D(2016, 12, 1), upto=7, s2=dict(date=D(2016, 12, 20)), s3=dict(date=D(2017, 1, 1)),
                 s5=dict(date=D(2017, 1, 5), people=[full_member(branch)]), s7=dict(date=candidate))
    assert dates("DEV-06", case) == ([candidate] if fires else [])


# ---- DEV-07 ----

@pytest.mark.parametrize("count, fires", [(0, True), (1, True), (2, False), (3, True)])
def test_dev07_exactly_two_sponsors(branch, count, fires):
    sponsors = [full_member(branch) for _ in range(count)]
    case = build(branch, upto=9, s9=dict(date=D(2016, 3, 5), people=sponsors))
    assert dates("DEV-07", case) == ([D(2016, 3, 1)] if fires else [])


def test_dev07_a_candidate_without_a_sponsors_step(branch):
    case = build(branch, upto=7)
    assert dates("DEV-07", case) == [D(2016, 3, 1)]


@pytest.mark.parametrize("confirmed, fires", [(D(2016, 3, 1), False), (D(2016, 3, 2), True)])
def test_dev07_sponsors_must_be_full_members_on_the_candidate_date(branch, confirmed, fires):
    sponsors = [full_member(branch), full_member(branch, confirmed=confirmed)]
    case = build(branch, upto=9, s9=dict(date=D(2016, 3, 5), people=sponsors))
    assert dates("DEV-07", case) == ([D(2016, 3, 1)] if fires else [])


# ---- DEV-08 ----

@pytest.mark.parametrize("review, fires", [
    (dict(date=D(2016, 4, 1), conclusion=Conclusion.REVIEW_PASSED), False),
    (dict(date=D(2016, 6, 1), conclusion=Conclusion.REVIEW_PASSED), False),  # on the meeting's day
    (dict(date=D(2016, 6, 2), conclusion=Conclusion.REVIEW_PASSED), True),   # after it
    (dict(date=D(2016, 4, 1), conclusion=Conclusion.REVIEW_FAILED), True),
    (dict(date=D(2016, 4, 1), conclusion=""), True),
    (None, True),
])
def test_dev08_a_passed_review_on_or_before_the_branch_meeting(branch, review, fires):
    case = build(branch, upto=15, s10=review)
    assert dates("DEV-08", case) == ([D(2016, 6, 1)] if fires else [])


def test_dev08_not_judged_before_admission(branch):
    case = build(branch, upto=13, s10=None)
    assert dates("DEV-08", case) == []


# ---- DEV-09 ----

@pytest.mark.parametrize("training, fires", [
    (dict(date=D(2016, 4, 10), ended_on=D(2016, 4, 12), hours=None), False),   # 3 days
    (dict(date=D(2016, 4, 10), ended_on=D(2016, 4, 11), hours=24), False),     # 2 days, 24 hours
    (dict(date=D(2016, 4, 10), ended_on=D(2016, 4, 11), hours=23), True),      # 2 days, 23 hours
    (dict(date=D(2016, 4, 10), ended_on=None, hours=None), True),              # one day
    (None, True),
])
def test_dev09_three_days_or_24_hours(branch, training, fires):
    case = build(branch, upto=15, s11=training)
    assert dates("DEV-09", case) == ([D(2016, 6, 1)] if fires else [])


# ---- DEV-12 / DEV-20 ----

@pytest.mark.parametrize("expected, present, yes, fires", [
    (10, 5, 5, True), (10, 6, 6, False), (10, 6, 5, True), (10, 10, 5, True), (11, 6, 6, False),
    (None, None, None, False),
])
def test_dev12_the_admission_vote(branch, expected, present, yes, fires):
    case = build(branch, upto=15, s15=dict(date=D(2016, 6, 1), expected=expected, present=present, yes=yes))
    assert dates("DEV-12", case) == ([D(2016, 6, 1)] if fires else [])


@pytest.mark.parametrize("expected, present, yes, fires", [
    (10, 5, 5, True), (10, 6, 6, False), (10, 6, 5, True), (10, 10, 5, True),
])
def test_dev20_the_confirmation_vote(branch, expected, present, yes, fires):
    case = build(branch, s23=dict(date=D(2017, 6, 1), expected=expected, present=present, yes=yes,
                                  conclusion=Conclusion.CONFIRMED))
    assert dates("DEV-20", case) == ([D(2017, 6, 1)] if fires else [])
    assert dates("DEV-12", case) == []


def test_a_failed_admission_vote_admits_nobody_so_no_approval_or_probation_falls_due(branch):
    case = build(branch, upto=15, s15=dict(date=D(2016, 6, 1), expected=10, present=10, yes=5))
    assert dates("DEV-12", case) == [D(2016, 6, 1)]
    assert dates("DEV-14", case) == dates("DEV-15", case) == []


# ---- DEV-14 ----

@pytest.mark.parametrize("approval, fires", [(D(2018, 4, 30), False), (D(2018, 5, 1), True)])
def test_dev14_approval_within_three_months(branch, approval, fires):
    case = build(branch, D(2016, 1, 10), upto=17, s15=dict(date=D(2018, 1, 31), expected=10, present=10, yes=10),
                 s17=dict(date=approval))
    assert dates("DEV-14", case) == ([D(2018, 4, 30)] if fires else [])


@pytest.mark.parametrize("as_of, fires", [(D(2018, 4, 30), False), (D(2018, 5, 1), True)])
def test_dev14_no_approval_fires_the_day_after_the_deadline(branch, as_of, fires):
    case = build(branch, D(2016, 1, 10), upto=15, s15=dict(date=D(2018, 1, 31), expected=10, present=10, yes=10))
    assert dates("DEV-14", case, as_of) == ([D(2018, 4, 30)] if fires else [])


# ---- DEV-15 ----

@pytest.mark.parametrize("as_of, fires", [(D(2017, 6, 1), True), (D(2017, 5, 31), False)])
def test_dev15_probation_ended_on_the_as_of_date(branch, as_of, fires):
    case = build(branch, upto=22)
    assert dates("DEV-15", case, as_of) == ([D(2017, 6, 1)] if fires else [])
    assert all(f.severity == WARNING for f in found("DEV-15", as_of))


@pytest.mark.parametrize("as_of", [D(2017, 11, 30), D(2017, 12, 1), D(2018, 12, 31)])
def test_dev15_is_silent_once_a_confirmation_meeting_is_recorded_even_an_extension(branch, as_of):
    """RULES.md: "… and there is no 转正支部大会日期": the meeting that extended the probation is one (the
    case's next step then tracks the extended end)."""
    case = build(branch, s23=dict(date=D(2017, 6, 1), expected=10, present=10, yes=10,
                                  conclusion=Conclusion.EXTENDED, months=6), s24=None)
    assert dates("DEV-15", case, as_of) == []


@pytest.mark.parametrize("conclusion", [Conclusion.CONFIRMED, Conclusion.CANCELLED, ""])
def test_dev15_a_confirmation_meeting_settles_probation(branch, conclusion):
    case = build(branch, s23=dict(date=D(2017, 6, 1), expected=10, present=10, yes=10, conclusion=conclusion))
    assert dates("DEV-15", case) == []


# ---- DEV-17 ----

@pytest.mark.parametrize("months, fires", [(5, True), (6, False), (12, False), (13, True)])
def test_dev17_an_extension_of_6_to_12_months(branch, months, fires):
    case = build(branch, s23=dict(date=D(2017, 6, 1), expected=10, present=10, yes=10,
                                  conclusion=Conclusion.EXTENDED, months=months))
    assert dates("DEV-17", case) == ([D(2017, 6, 1)] if fires else [])


def test_dev17_other_conclusions_are_not_judged(branch):
    case = build(branch, s23=dict(date=D(2017, 6, 1), expected=10, present=10, yes=10,
                                  conclusion=Conclusion.CANCELLED))
    assert dates("DEV-17", case) == []


# ---- DEV-18 ----

def confirmation(branch, meeting=D(2018, 1, 31), approval=None):
    return build(branch, D(2015, 1, 10), s23=dict(date=meeting, expected=10, present=10, yes=10,
                                                 conclusion=Conclusion.CONFIRMED),
                 s24=dict(date=approval) if approval else None)


@pytest.mark.parametrize("approval, fires", [(D(2018, 4, 30), False), (D(2018, 5, 1), True)])
def test_dev18_confirmation_approval_within_three_months(branch, approval, fires):
    case = confirmation(branch, approval=approval)
    assert dates("DEV-18", case) == ([D(2018, 4, 30)] if fires else [])
    assert all(f.severity == WARNING for f in found("DEV-18"))


@pytest.mark.parametrize("as_of, fires", [(D(2018, 4, 30), False), (D(2018, 5, 1), True)])
def test_dev18_no_approval_fires_the_day_after_the_deadline(branch, as_of, fires):
    case = confirmation(branch)
    assert dates("DEV-18", case, as_of) == ([D(2018, 4, 30)] if fires else [])


def test_dev18_each_confirmation_meeting_needs_its_approval(branch):
    case = build(branch, s23=dict(date=D(2017, 6, 1), expected=10, present=10, yes=10,
                                  conclusion=Conclusion.EXTENDED, months=6), s24=dict(date=D(2017, 7, 1)))
    record_step(case, 23, D(2017, 12, 1), expected=10, present=10, yes=10, conclusion=Conclusion.CONFIRMED)
    assert dates("DEV-18", case) == [D(2018, 3, 1)]
    record_step(case, 24, D(2018, 1, 5))
    assert dates("DEV-18", case) == []


def test_dev18_a_meeting_superseded_by_another_waits_for_no_approval(branch):
    case = build(branch, s23=dict(date=D(2017, 6, 1), expected=10, present=5, yes=5,
                                  conclusion=Conclusion.CONFIRMED), s24=None)
    record_step(case, 23, D(2017, 7, 1), expected=10, present=10, yes=10, conclusion=Conclusion.CONFIRMED)
    assert dates("DEV-18", case) == [D(2017, 10, 1)]
    record_step(case, 24, D(2017, 8, 1))
    assert dates("DEV-18", case) == []
    assert dates("DEV-20", case) == [D(2017, 6, 1)]


@pytest.mark.parametrize("as_of, fires", [(D(2016, 2, 10), False), (D(2016, 2, 11), True)])
def test_deadlines_before_a_later_discontinuation_still_count(branch, as_of, fires):
    case = build(branch, D(2016, 1, 10), upto=1, discontinued=D(2016, 6, 1))
    assert dates("DEV-02", case, as_of) == ([D(2016, 2, 10)] if fires else [])


# ---- DEV-ORDER ----

def test_dev_order_steps_on_the_same_day_are_in_order(branch):
    case = build(branch, D(2015, 1, 10), s2=dict(date=D(2015, 1, 10)), s3=dict(date=D(2015, 1, 10)),
                 s5=dict(date=D(2015, 1, 10), people=[full_member(branch)]),
                 s7=dict(date=D(2016, 1, 10)), s12=dict(date=D(2016, 6, 1)), s13=dict(date=D(2016, 6, 1)))
    assert dates("DEV-ORDER", case) == []


@pytest.mark.parametrize("changes, date", [
    (dict(s2=dict(date=D(2015, 1, 9))), D(2015, 1, 9)),                      # 谈话 before 申请
    (dict(s12=dict(date=D(2016, 2, 1))), D(2016, 2, 1)),                     # 支委会审查 before 发展对象
    (dict(s13=dict(date=D(2016, 6, 2))), D(2016, 6, 1)),                     # 支部大会 before 预审
    (dict(s17=dict(date=D(2016, 5, 31))), D(2016, 5, 31)),                   # 审批 before 支部大会
    (dict(s22=dict(date=D(2016, 5, 1))), D(2016, 5, 1)),                     # 转正申请 before 支部大会
    (dict(s24=dict(date=D(2017, 5, 31))), D(2017, 5, 31)),                   # 转正审批 before 转正支部大会
    (dict(s2=None, s3=dict(date=D(2015, 1, 1))), D(2015, 1, 1)),             # across a missing step
])
def test_dev_order_a_step_dated_before_the_one_it_follows(branch, changes, date):
    case = build(branch, **changes)
    (finding,) = [f for f in found("DEV-ORDER") if f.person == case.id_number]
    assert finding.date == date and finding.severity == ERROR


def test_dev_order_steps_outside_the_two_chains_are_not_compared(branch):
    case = build(branch, s11=dict(date=D(2016, 2, 1), ended_on=D(2016, 2, 3), hours=24),
                 s16=dict(date=D(2016, 5, 1)), s20=dict(date=D(2016, 5, 1)))
    assert dates("DEV-ORDER", case) == []


# ---- set-wise loading ----

def test_the_number_of_queries_does_not_grow_with_the_number_of_cases(root, branch):
    def count():
        with CaptureQueriesContext(connection) as queries:
            run_checks(root=root, window=Window(AS_OF), rules=DEV_RULES)
        return len(queries)

    build(branch, s23=dict(date=D(2017, 6, 1), expected=10, present=5, yes=5, conclusion=Conclusion.CONFIRMED))
    few = count()
    for _ in range(5):
        build(branch, s9=dict(date=D(2016, 3, 5), people=[full_member(branch)]))
    assert count() == few <= 5
