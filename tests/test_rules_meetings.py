"""The window (RULES.md "The window") and the MTG-* rules (RULES.md "Organisational life"), each at its
boundaries. The data is built through the services in small trees founded in 2016 (so 2018 is fully
covered); the checks run with an explicit window, `Window(as_of)` or `Window.for_year(2018)`."""
import datetime

import pytest

from dangjian.meetings.services import record_meeting, record_vote
from dangjian.organizations.models import OrgType
from dangjian.organizations.services import dissolve_organization, end_post
from dangjian.rules import engine
from dangjian.rules.engine import Window, period_containing, periods_of_year, run_checks

from .rules_support import findings, member, org, post

D = datetime.date
YEAR_END = D(2018, 12, 31)

pytestmark = pytest.mark.django_db


# ---- a small tree, built through the services ----




@pytest.fixture
def root():
    return org("R", OrgType.COMMITTEE, has_discipline_committee=True)


@pytest.fixture
def branch(root):
    return org("R01", parent=root)








def meeting(at, held, *types, expected=10, present=10, lecturer=None):
    return record_meeting(actor=None, org=at, held_on=held, subject="学习", types=list(types), expected=expected,
                          present=present, lecturer=lecturer)





def periods(rule, at, as_of=YEAR_END):
    """The periods `rule` finds missed by organisation `at` as of `as_of`, sorted."""
    return sorted(f.period for f in findings(rule, as_of) if f.org == at.code)


MONTHS = [f"2018-{m:02d}" for m in range(1, 13)]
QUARTERS = [f"2018-Q{q}" for q in range(1, 5)]


# ---- the window ----

def test_periods_of_a_year_and_their_codes():
    months = periods_of_year(2018, "month")
    assert [p.code for p in months] == MONTHS
    assert (months[1].start, months[1].end, months[1].label) == (D(2018, 2, 1), D(2018, 2, 28), "2018年2月")
    quarters = periods_of_year(2018, "quarter")
    assert [p.code for p in quarters] == QUARTERS
    assert (quarters[3].start, quarters[3].end, quarters[3].label) == (D(2018, 10, 1), YEAR_END, "2018年第4季度")
    (year,) = periods_of_year(2018, "year")
    assert (year.code, year.start, year.end) == ("2018", D(2018, 1, 1), YEAR_END)
    assert period_containing(D(2018, 5, 10), "quarter").code == "2018-Q2"


@pytest.mark.parametrize("as_of, months, quarters, years", [
    (D(2018, 1, 30), [], [], []),
    (D(2018, 1, 31), MONTHS[:1], [], []),
    (D(2018, 3, 30), MONTHS[:2], [], []),
    (D(2018, 3, 31), MONTHS[:3], QUARTERS[:1], []),
    (D(2018, 12, 30), MONTHS[:11], QUARTERS[:3], []),
    (YEAR_END, MONTHS, QUARTERS, ["2018"]),
])
def test_only_periods_ended_on_or_before_the_as_of_date_are_checked(as_of, months, quarters, years):
    window = Window(as_of)
    assert [p.code for p in window.ended_periods("month")] == months
    assert [p.code for p in window.ended_periods("quarter")] == quarters
    assert [p.code for p in window.ended_periods("year")] == years
    assert window.start == D(2018, 1, 1)


def test_year_window_is_as_of_the_last_day_and_the_current_window_uses_today(monkeypatch):
    assert Window.for_year(2018) == Window(YEAR_END)
    monkeypatch.setattr(engine, "today", lambda: D(2018, 3, 31))
    assert Window.current() == Window(D(2018, 3, 31))


def test_a_month_is_checked_once_it_has_ended(branch):
    assert periods("MTG-09", branch, D(2018, 3, 30)) == MONTHS[:2]
    assert periods("MTG-09", branch, D(2018, 3, 31)) == MONTHS[:3]


def test_a_quarter_is_checked_on_its_last_day_not_before(branch):
    assert periods("MTG-01", branch, D(2018, 3, 30)) == []
    assert periods("MTG-01", branch, D(2018, 3, 31)) == ["2018-Q1"]
    assert periods("MTG-01", branch, D(2018, 6, 30)) == QUARTERS[:2]


def test_a_year_is_checked_only_on_the_31st_of_december(branch):
    for rule in ("MTG-10", "MTG-12"):
        assert periods(rule, branch, D(2018, 12, 30)) == []
        assert periods(rule, branch, YEAR_END) == ["2018"]


def test_run_checks_defaults_to_as_of_today(branch, monkeypatch):
    monkeypatch.setattr(engine, "today", lambda: D(2018, 4, 15))
    found = [f for f in run_checks(rules=["MTG-09", "MTG-01"]) if f.org == branch.code]
    assert [(f.rule, f.period) for f in found] == [("MTG-01", "2018-Q1"), ("MTG-09", "2018-01"),
                                                  ("MTG-09", "2018-02"), ("MTG-09", "2018-03")]


def test_an_organisation_founded_mid_quarter_is_checked_from_the_first_whole_period(root):
    mid = org("R01", parent=root, founded=D(2018, 2, 15))
    on_first_day = org("R02", parent=root, founded=D(2018, 4, 1))
    assert periods("MTG-01", mid) == QUARTERS[1:]
    assert periods("MTG-09", mid) == MONTHS[2:]
    assert periods("MTG-01", on_first_day) == QUARTERS[1:]
    assert periods("MTG-09", on_first_day) == MONTHS[3:]
    assert periods("MTG-10", mid) == [] == periods("MTG-10", on_first_day)  # not there all year
    assert periods("MTG-10", org("R03", parent=root, founded=D(2018, 1, 1))) == ["2018"]


def test_an_organisation_dissolved_mid_quarter_is_checked_for_the_periods_it_lived_through(root):
    mid = org("R01", parent=root)
    dissolve_organization(mid, actor=None, dissolved_on=D(2018, 5, 10))
    on_last_day = org("R02", parent=root)
    dissolve_organization(on_last_day, actor=None, dissolved_on=D(2018, 6, 30))
    assert periods("MTG-01", mid) == ["2018-Q1"]
    assert periods("MTG-09", mid) == MONTHS[:4]
    assert periods("MTG-01", on_last_day) == QUARTERS[:2]
    assert periods("MTG-09", on_last_day) == MONTHS[:6]
    assert periods("MTG-10", mid) == [] and periods("MTG-10", on_last_day) == []


def test_org_limits_the_findings_to_the_subtree(root):
    a = org("A", OrgType.COMMITTEE, parent=root)
    a1 = org("A1", parent=a)
    a1g = org("A1G", OrgType.PARTY_GROUP, parent=a1)
    org("B1", parent=root)
    everywhere = {f.org for f in run_checks(window=Window.for_year(2018))}
    assert {"R", "A", "A1", "A1G", "B1"} <= everywhere
    within = {f.org for f in run_checks(root=a, window=Window.for_year(2018))}
    assert within == {"A", "A1", "A1G"}
    assert {f.org for f in run_checks(root=a1g, window=Window.for_year(2018))} == {"A1G"}


# ---- MTG-01: 支部党员大会 each quarter (branch types and 党总支) ----

def test_mtg01_applies_to_branches_and_general_branches_not_to_committees_or_groups(root, branch):
    general = org("G1", OrgType.GENERAL_BRANCH, parent=root)
    joint = org("J1", OrgType.JOINT_BRANCH, parent=root)
    org("T1", OrgType.TEMPORARY_BRANCH, parent=root)
    org("R01G", OrgType.PARTY_GROUP, parent=branch)
    found = findings("MTG-01")
    assert {f.org for f in found} == {"R01", "G1", "J1", "T1"}
    one = next(f for f in found if f.org == "R01" and f.period == "2018-Q1")
    assert (one.severity, one.person, one.date, one.message) == ("warning", None, None, "2018年第1季度未召开支部党员大会")
    assert one.source == "支部工作条例 第十一条"
    meeting(general, D(2018, 2, 1), "branch_general")
    meeting(joint, D(2018, 2, 1), "branch_general")
    assert periods("MTG-01", general) == QUARTERS[1:] == periods("MTG-01", joint)


def test_mtg01_a_meeting_on_the_first_or_last_day_of_a_quarter_counts_for_it(branch):
    meeting(branch, D(2018, 1, 1), "branch_general")
    meeting(branch, D(2018, 6, 30), "branch_general")
    meeting(branch, D(2018, 7, 1), "branch_general")
    assert periods("MTG-01", branch) == ["2018-Q4"]


# ---- MTG-05: 支部委员会 each month, for a branch with a committee ----

def committee(at, posts=("secretary", "organization_member", "publicity_member"), **kw):
    return [post(at, kind, **kw) for kind in posts]


def test_mtg05_fires_each_month_without_a_committee_meeting_for_a_branch_with_a_committee(root, branch):
    committee(branch)
    small = org("R02", parent=root)
    committee(small, posts=("secretary", "organization_member"))
    for month in range(1, 12):
        meeting(branch, D(2018, month, 15), "branch_committee")
    assert periods("MTG-05", branch) == ["2018-12"]
    assert periods("MTG-05", small) == []
    assert findings("MTG-05")[0].message == "2018年12月未召开支部委员会"


def test_mtg05_a_committee_completed_on_the_months_last_day_is_checked_that_month(root):
    last_day = org("R01", parent=root)
    next_day = org("R02", parent=root)
    committee(last_day, posts=("secretary", "organization_member"))
    post(last_day, "publicity_member", started=D(2018, 3, 31))
    committee(next_day, posts=("secretary", "organization_member"))
    post(next_day, "publicity_member", started=D(2018, 4, 1))
    assert periods("MTG-05", last_day) == MONTHS[2:]
    assert periods("MTG-05", next_day) == MONTHS[3:]


def test_mtg05_a_committee_that_shrinks_is_checked_through_the_month_it_last_held_on_its_last_day(root):
    to_end = org("R01", parent=root)
    to_before_end = org("R02", parent=root)
    *_, leaving = committee(to_end)
    end_post(leaving, actor=None, ended_on=D(2018, 6, 30))
    *_, leaving_early = committee(to_before_end)
    end_post(leaving_early, actor=None, ended_on=D(2018, 6, 29))
    assert periods("MTG-05", to_end) == MONTHS[:6]
    assert periods("MTG-05", to_before_end) == MONTHS[:5]


def test_mtg05_does_not_apply_to_a_general_branch(root):
    general = org("G1", OrgType.GENERAL_BRANCH, parent=root)
    committee(general)
    assert periods("MTG-05", general) == []


# ---- MTG-06: 党小组会 each month, for each 党小组 ----

def test_mtg06_is_judged_for_each_party_group(branch):
    busy = org("R01G1", OrgType.PARTY_GROUP, parent=branch)
    idle = org("R01G2", OrgType.PARTY_GROUP, parent=branch)
    for month in range(1, 13):
        meeting(busy, D(2018, month, 1), "group")
    assert periods("MTG-06", busy) == []
    assert periods("MTG-06", idle) == MONTHS
    assert {f.org for f in findings("MTG-06")} == {"R01G2"}


def test_mtg06_a_group_founded_mid_month_is_checked_from_the_next_month(branch):
    group = org("R01G1", OrgType.PARTY_GROUP, parent=branch, founded=D(2018, 11, 2))
    assert periods("MTG-06", group) == ["2018-12"]


# ---- MTG-08, MTG-09, MTG-10, MTG-12 ----

def test_mtg08_a_lecture_each_quarter_for_branches_only(root, branch):
    meeting(branch, D(2018, 3, 31), "lecture")
    meeting(branch, D(2018, 4, 1), "lecture")
    meeting(branch, D(2018, 12, 31), "lecture")
    assert periods("MTG-08", branch) == ["2018-Q3"]
    assert periods("MTG-08", root) == []
    general = org("G1", OrgType.GENERAL_BRANCH, parent=root)
    assert periods("MTG-08", general) == []


def test_mtg09_a_theme_day_on_the_first_or_last_day_of_a_month_counts_for_that_month(branch):
    meeting(branch, D(2018, 1, 1), "theme_day")
    meeting(branch, D(2018, 2, 28), "theme_day")
    meeting(branch, D(2018, 4, 30), "theme_day")
    assert periods("MTG-09", branch, D(2018, 4, 30)) == ["2018-03"]


def test_mtg09_two_theme_days_in_one_month_do_not_cover_the_next(branch):
    meeting(branch, D(2018, 1, 5), "theme_day")
    meeting(branch, D(2018, 1, 31), "theme_day")
    assert periods("MTG-09", branch, D(2018, 2, 28)) == ["2018-02"]


def test_mtg10_and_mtg12_once_a_year(root, branch):
    other = org("R02", parent=root)
    meeting(branch, D(2018, 12, 31), "life_meeting")
    meeting(other, D(2018, 1, 1), "appraisal")
    assert periods("MTG-10", branch) == [] and periods("MTG-10", other) == ["2018"]
    assert periods("MTG-12", branch) == ["2018"] and periods("MTG-12", other) == []
    assert {f.org for f in findings("MTG-10")} == {"R02"}


def test_a_meeting_of_the_year_before_does_not_count(branch):
    meeting(branch, D(2017, 12, 31), "life_meeting", "appraisal", "theme_day", "lecture", "branch_general")
    assert periods("MTG-10", branch) == ["2018"]
    assert periods("MTG-09", branch, D(2018, 1, 31)) == ["2018-01"]


def test_a_meeting_with_several_types_counts_for_each_of_them(branch):
    meeting(branch, D(2018, 3, 31), "branch_general", "lecture", "theme_day", "life_meeting", "appraisal")
    assert periods("MTG-01", branch, D(2018, 3, 31)) == []
    assert periods("MTG-08", branch, D(2018, 3, 31)) == []
    assert periods("MTG-09", branch, D(2018, 3, 31)) == MONTHS[:2]
    assert periods("MTG-10", branch) == [] and periods("MTG-12", branch) == []


def test_a_meeting_of_another_organisation_does_not_count(root, branch):
    other = org("R02", parent=root)
    meeting(other, D(2018, 1, 10), "theme_day")
    meeting(root, D(2018, 1, 10), "theme_day")
    assert periods("MTG-09", branch, D(2018, 1, 31)) == ["2018-01"]
    assert periods("MTG-09", other, D(2018, 1, 31)) == []


# ---- MTG-15: 民主生活会 of a 党委 ----

def test_mtg15_applies_to_committees_only(root, branch):
    held = org("C2", OrgType.COMMITTEE, parent=root)
    org("G1", OrgType.GENERAL_BRANCH, parent=root)  # a 党总支 is not asked for one
    meeting(held, D(2018, 12, 31), "democratic_life")
    found = findings("MTG-15")
    assert [(f.org, f.period, f.severity) for f in found] == [("R", "2018", "warning")]
    assert findings("MTG-15", D(2018, 12, 30)) == []


# ---- MTG-16: the secretary's 党课 ----

def test_mtg16_a_secretary_on_the_last_day_of_the_year_who_gave_no_lecture(root, branch):
    secretary = post(branch, "secretary").member
    found = [f for f in findings("MTG-16") if f.org == "R01"]
    assert [(f.rule, f.severity, f.period, f.person, f.date) for f in found] == [
        ("MTG-16", "warning", "2018", secretary.id_number, None)]
    assert found[0].as_dict()["person"] == secretary.id_number
    meeting(branch, D(2018, 6, 1), "lecture", lecturer=secretary)
    assert [f for f in findings("MTG-16") if f.org == "R01"] == []


def test_mtg16_a_lecture_given_at_another_organisation_counts(root, branch):
    secretary = post(root, "secretary", person=member(branch)).member
    elsewhere = org("R02", parent=root)
    assert [f.org for f in findings("MTG-16")] == ["R"]
    meeting(elsewhere, D(2018, 11, 1), "lecture", lecturer=secretary)
    assert findings("MTG-16") == []


def test_mtg16_a_lecture_outside_the_subtree_checked_still_counts(root):
    a, b = org("A1", parent=root), org("B1", parent=root)
    secretary = post(a, "secretary").member
    meeting(b, D(2018, 11, 1), "lecture", lecturer=secretary)
    assert run_checks(root=a, window=Window.for_year(2018), rules=["MTG-16"]) == []


def test_mtg16_only_the_secretary_on_the_years_last_day_and_only_a_lecture_of_that_year(root, branch):
    first = post(branch, "secretary", ended=D(2018, 6, 30)).member
    second = post(branch, "secretary", started=D(2018, 7, 1)).member
    meeting(branch, D(2018, 3, 1), "lecture", lecturer=first)
    meeting(branch, D(2017, 12, 31), "lecture", lecturer=second)
    meeting(branch, D(2018, 9, 1), "theme_day", lecturer=second)  # not a 党课
    found = [f for f in findings("MTG-16") if f.org == "R01"]
    assert [f.person for f in found] == [second.id_number]
    assert findings("MTG-16", D(2018, 12, 30)) == []


def test_mtg16_no_secretary_on_the_last_day_no_finding(branch):
    post(branch, "secretary", ended=D(2018, 12, 30))
    assert [f for f in findings("MTG-16") if f.org == "R01"] == []


def test_mtg16_applies_to_general_branches_and_committees(root):
    general = org("G1", OrgType.GENERAL_BRANCH, parent=root)
    post(general, "secretary")
    post(root, "secretary", person=member(general))
    assert {f.org for f in findings("MTG-16")} == {"R", "G1"}


# ---- MTG-02: the vote of a 支部党员大会 ----

@pytest.mark.parametrize("expected, present, yes, fires", [
    (10, 5, 5, True),    # no quorum: 5 × 2 ≤ 10
    (10, 6, 6, False),
    (10, 6, 5, True),    # not passed: 5 × 2 ≤ 10
    (10, 10, 5, True),
    (9, 4, 4, True),     # no quorum: 4 × 2 ≤ 9
    (9, 5, 5, False),
    (9, 5, 4, True),     # not passed: 4 × 2 ≤ 9
    (9, 9, 5, False),
])
def test_mtg02_quorum_and_majority_of_those_who_should_attend(branch, expected, present, yes, fires):
    held = D(2018, 5, 20)
    general = meeting(branch, held, "branch_general", expected=expected, present=present)
    record_vote(general, actor=None, matter="接收预备党员", yes=yes, expected_voters=expected, present_voters=present)
    found = findings("MTG-02")
    if not fires:
        assert found == []
        return
    assert len(found) == 1
    f = found[0]
    assert (f.rule, f.severity, f.org, f.period, f.date, f.person) == ("MTG-02", "error", "R01", None, held, None)
    assert f.as_dict()["date"] == "2018-05-20" and f.as_dict()["period"] is None


def test_mtg02_a_general_meeting_without_a_vote_never_fires(branch):
    meeting(branch, D(2018, 5, 20), "branch_general", expected=10, present=1)
    meeting(branch, D(2018, 5, 21), "branch_general", expected=10, present=0)
    assert findings("MTG-02") == []


def test_mtg02_one_finding_per_meeting_and_only_for_general_meetings_in_the_window(branch):
    general = meeting(branch, D(2018, 5, 20), "branch_general", "theme_day", expected=10, present=4)
    record_vote(general, actor=None, matter="甲", yes=4)
    record_vote(general, actor=None, matter="乙", yes=3)
    committee_meeting = meeting(branch, D(2018, 5, 21), "branch_committee", expected=10, present=6)
    record_vote(committee_meeting, actor=None, matter="丙", yes=1)
    later = meeting(branch, D(2018, 7, 1), "branch_general", expected=10, present=4)
    record_vote(later, actor=None, matter="丁", yes=4)
    last_year = meeting(branch, D(2017, 12, 31), "branch_general", expected=10, present=4)
    record_vote(last_year, actor=None, matter="戊", yes=4)
    found = findings("MTG-02", D(2018, 6, 30))
    assert [(f.date, f.org) for f in found] == [(D(2018, 5, 20), "R01")]
    assert "甲" in found[0].message and "乙" in found[0].message
    assert [f.date for f in findings("MTG-02")] == [D(2018, 5, 20), D(2018, 7, 1)]


# ---- MTG-05Q: head count of a 支部委员会 ----

@pytest.mark.parametrize("expected, present, fires", [
    (5, 2, True), (5, 3, False), (4, 2, True), (4, 3, False), (3, 1, True), (3, 2, False),
])
def test_mtg05q_more_than_half_of_the_committee_must_attend(branch, expected, present, fires):
    meeting(branch, D(2018, 8, 8), "branch_committee", expected=expected, present=present)
    found = findings("MTG-05Q")
    assert [(f.rule, f.severity, f.period, f.date) for f in found] == (
        [("MTG-05Q", "warning", None, D(2018, 8, 8))] if fires else [])


def test_mtg05q_looks_only_at_committee_meetings_up_to_the_as_of_date(branch):
    meeting(branch, D(2018, 8, 8), "branch_general", expected=5, present=1)
    meeting(branch, D(2018, 8, 9), "branch_committee", expected=5, present=1)
    assert findings("MTG-05Q", D(2018, 8, 8)) == []
    assert [f.date for f in findings("MTG-05Q", D(2018, 8, 9))] == [D(2018, 8, 9)]


# ---- what falls due (the 工作台's list) ----

def due(as_of, rule):
    return sorted((f.org, f.period, f.date) for f in engine.upcoming(as_of=as_of, days=30) if f.rule == rule)


def test_the_running_month_falls_due_until_its_meeting_is_held(root, branch):
    other = org("R02", parent=root)
    meeting(other, D(2018, 11, 5), "theme_day")
    # As of 2018-11-20 November ends within 30 days; R02 has had its 主题党日, R01 not yet.
    assert due(D(2018, 11, 20), "MTG-09") == [("R01", "2018-11", D(2018, 11, 30))]


def test_a_period_ending_on_the_as_of_date_is_a_finding_not_a_due_item(root, branch):
    assert [f.period for f in findings("MTG-09", D(2018, 11, 30)) if f.org == "R01"][-1] == "2018-11"
    # December ends on 12-31, 31 days later: not within 30 days of 11-30.
    assert due(D(2018, 11, 30), "MTG-09") == []
    # From 12-01 on it is.
    assert due(D(2018, 12, 1), "MTG-09") == [("R01", "2018-12", D(2018, 12, 31))]


def test_every_period_ending_within_the_horizon_is_listed(root, branch):
    # As of 01-30, January (ends 01-31) and February (ends 02-28, within 30 days: 03-01) both fall due.
    assert due(D(2018, 1, 30), "MTG-09") == [("R01", "2018-01", D(2018, 1, 31)), ("R01", "2018-02", D(2018, 2, 28))]
    # The quarter's 党员大会 and 党课 fall due with the quarter's last month.
    assert due(D(2018, 3, 1), "MTG-01") == [("R01", "2018-Q1", D(2018, 3, 31))]
    assert due(D(2018, 2, 28), "MTG-01") == []


def test_mtg02_counts_the_meetings_head_counts_as_rules_md_says(root, branch):
    """应到 10, 实到 8 with three probationary members among those listed, 赞成 5: the page records the vote on
    its voters (7 expected, 5 present, 5 yes: passed), and RULES.md's MTG-02, on the meeting's 应到, fires."""
    came = [member(branch) for _ in range(5)] + [member(branch, admitted=D(2018, 3, 1), confirmed=None)
                                                 for _ in range(3)]
    m = record_meeting(actor=None, org=branch, held_on=D(2018, 6, 20), subject="表决", types=["branch_general"],
                       expected=10, present=8, attendance=[(p, True, "") for p in came])
    vote = record_vote(m, actor=None, matter="推荐优秀党员", yes=5)
    assert (vote.expected_voters, vote.present_voters, vote.result) == (7, 5, "passed")
    assert [f.date for f in findings("MTG-02")] == [D(2018, 6, 20)]
