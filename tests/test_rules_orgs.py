"""ORG-* and TERM-* (RULES.md "Organisations and terms"): judged on the as-of date, `period` null, each rule
at its boundaries. The data is built through the services, in small trees founded in 2015/2016 so that
2018 is fully covered; the checks run with an explicit window (`Window(as_of)`)."""
import datetime

import pytest

from dangjian.members.services import confirm_member, record_exit, transfer_member
from dangjian.organizations.models import OrgType
from dangjian.organizations.services import (
    dissolve_organization,
    end_post,
    record_election,
)
from dangjian.rules.engine import Window, run_checks

from .rules_support import FOUNDED, findings, member, org, post

D = datetime.date

pytestmark = pytest.mark.django_db


# ---- a small tree, built through the services ----




@pytest.fixture
def root():
    """A 党委 with 设立纪委 (so ORG-09 stays quiet about it) founded in 2015."""
    return org("R", OrgType.COMMITTEE, founded=D(2015, 1, 1), has_discipline_committee=True)


@pytest.fixture
def branch(root):
    return org("R01", parent=root)





def full(at, count):
    return [member(at) for _ in range(count)]


def probationary(at, count, admitted=D(2018, 1, 10)):
    return [member(at, admitted=admitted, confirmed=None) for _ in range(count)]





def election(at, held, years=3, postponed_to=None):
    return record_election(actor=None, org=at, held_on=held, term_years=years, expected=10, present=10, seats=3,
                           candidates=4, postponed_to=postponed_to)





def fired(rule, at, as_of=D(2018, 12, 31)):
    """The findings of `rule` about organisation `at` as of `as_of`."""
    return [f for f in findings(rule, as_of) if f.org == at.code]


def assert_one_of_a_fact(found):
    """Organisation and term findings are about a fact on the as-of date: one, with no period."""
    assert len(found) == 1
    assert found[0].period is None
    return found[0]


# ---- ORG-01: fewer than 3 full members ----

def test_org01_fires_for_two_full_members_not_for_three(branch, root):
    other = org("R02", parent=root)
    full(branch, 2)
    full(other, 3)
    found = assert_one_of_a_fact(fired("ORG-01", branch))
    assert (found.rule, found.severity, found.org, found.person, found.date) == ("ORG-01", "warning", "R01", None, None)
    assert found.source and "2" in found.message
    assert fired("ORG-01", other) == []


def test_org01_does_not_count_probationary_members(branch):
    full(branch, 2)
    probationary(branch, 5)
    assert len(fired("ORG-01", branch)) == 1


def test_org01_counts_an_old_full_member_without_a_confirmation_date(branch):
    full(branch, 2)
    member(branch, confirmed=None, full_member=True)
    assert fired("ORG-01", branch) == []


def test_org01_fires_for_an_empty_branch_and_applies_to_every_branch_type(root):
    org("J1", OrgType.JOINT_BRANCH, parent=root)
    org("T1", OrgType.TEMPORARY_BRANCH, parent=root)
    org("G1", OrgType.GENERAL_BRANCH, parent=root)
    group_parent = org("R03", parent=root)
    group = org("R03G", OrgType.PARTY_GROUP, parent=group_parent)
    full(group_parent, 3)
    codes = {f.org for f in findings("ORG-01")}
    assert {"J1", "T1"} <= codes
    assert not codes & {"R", "G1", group.code, group_parent.code}


def test_org01_counts_as_of_the_as_of_date_a_confirmation_the_day_after_does_not_count_yet(branch):
    full(branch, 2)
    late = member(branch, admitted=D(2017, 6, 30), confirmed=None)
    confirm_member(late, actor=None, confirmed_on=D(2018, 7, 1))
    assert len(fired("ORG-01", branch, D(2018, 6, 30))) == 1  # still probationary on 06-30
    assert fired("ORG-01", branch, D(2018, 7, 1)) == []       # full from the 转正日期


def test_org01_counts_a_member_admitted_after_the_as_of_date_nowhere(branch):
    full(branch, 2)
    member(branch, admitted=D(2018, 7, 1), confirmed=D(2018, 7, 1))
    assert len(fired("ORG-01", branch, D(2018, 6, 30))) == 1
    assert fired("ORG-01", branch, D(2018, 7, 1)) == []


def test_org01_a_member_transferred_out_counts_at_the_new_branch_from_the_transfer_date(branch, root):
    other = org("R02", parent=root)
    moving, *_ = full(branch, 3)
    full(other, 2)
    transfer_member(moving, actor=None, to_org=other, transferred_on=D(2018, 5, 1))
    as_of_before, as_of_on = D(2018, 4, 30), D(2018, 5, 1)
    assert fired("ORG-01", branch, as_of_before) == []
    assert len(fired("ORG-01", other, as_of_before)) == 1
    assert len(fired("ORG-01", branch, as_of_on)) == 1  # transferred out on or before the as-of date
    assert fired("ORG-01", other, as_of_on) == []


def test_org01_a_member_who_left_no_longer_counts(branch):
    leaving, *_ = full(branch, 3)
    record_exit(leaving, actor=None, kind="died", exited_on=D(2018, 3, 1))
    assert fired("ORG-01", branch, D(2018, 2, 28)) == []
    assert len(fired("ORG-01", branch, D(2018, 3, 1))) == 1


# ---- ORG-02: more than 50 members, probationary included ----

def test_org02_50_members_is_fine_51_fires_probationary_members_included(root):
    fifty = org("R01", parent=root)
    fifty_one = org("R02", parent=root)
    full(fifty, 40)
    probationary(fifty, 10)
    full(fifty_one, 40)
    probationary(fifty_one, 11)
    assert fired("ORG-02", fifty) == []
    found = assert_one_of_a_fact(fired("ORG-02", fifty_one))
    assert found.severity == "warning" and "51" in found.message


def test_org02_counts_as_of_the_as_of_date(branch):
    full(branch, 50)
    member(branch, admitted=D(2018, 7, 1), confirmed=None)
    assert fired("ORG-02", branch, D(2018, 6, 30)) == []
    assert len(fired("ORG-02", branch, D(2018, 7, 1))) == 1


# ---- ORG-05: 7 or more full members need a committee of 3 posts ----

COMMITTEE = ("secretary", "organization_member", "publicity_member", "discipline_member")


def test_org05_seven_full_members_with_two_posts_fires_three_posts_do_not(root):
    two, three = org("R01", parent=root), org("R02", parent=root)
    for at, posts in ((two, COMMITTEE[:2]), (three, COMMITTEE[1:])):
        people = full(at, 7)
        for kind, person in zip(posts, people):
            post(at, kind, person=person)
    found = assert_one_of_a_fact(fired("ORG-05", two))
    assert found.severity == "error"
    assert fired("ORG-05", three) == []


def test_org05_six_full_members_need_no_committee_and_probationary_members_do_not_count(branch):
    full(branch, 6)
    probationary(branch, 3)
    assert fired("ORG-05", branch) == []
    member(branch)
    assert len(fired("ORG-05", branch)) == 1


def test_org05_counts_the_posts_held_on_the_as_of_date(branch):
    people = full(branch, 7)
    for kind, person in zip(COMMITTEE[:2], people):
        post(branch, kind, person=person)
    third = post(branch, "committee_member", person=people[2])
    end_post(third, actor=None, ended_on=D(2018, 6, 30))
    assert fired("ORG-05", branch, D(2018, 6, 30)) == []  # held on its 离任日期
    assert len(fired("ORG-05", branch, D(2018, 7, 1))) == 1


# ---- ORG-09: 纪委 or 纪检委员 ----

def test_org09_a_committee_with_a_discipline_committee_or_a_discipline_member_is_fine():
    org("C1", OrgType.COMMITTEE, has_discipline_committee=True)
    with_member = org("C2", OrgType.COMMITTEE)
    post(with_member, "discipline_member", person=member(org("C2B", parent=with_member)))
    neither = org("C3", OrgType.COMMITTEE)
    codes = [f.org for f in findings("ORG-09")]
    assert codes == ["C3"]
    found = assert_one_of_a_fact(fired("ORG-09", neither))
    assert found.severity == "warning"


def test_org09_a_committee_whose_discipline_member_left_fires_from_the_next_day():
    committee = org("C1", OrgType.COMMITTEE)
    branch = org("C1B", parent=committee)
    post(committee, "discipline_member", person=member(branch), ended=D(2018, 3, 31))
    assert fired("ORG-09", committee, D(2018, 3, 31)) == []
    assert len(fired("ORG-09", committee, D(2018, 4, 1))) == 1


def test_org09_a_committee_with_a_discipline_secretary_is_fine():
    committee = org("C1", OrgType.COMMITTEE, has_discipline_committee=True)
    post(committee, "discipline_secretary", person=member(org("C1B", parent=committee)))
    assert fired("ORG-09", committee) == []


def test_org09_a_branch_committee_without_a_discipline_member_fires(root):
    without = org("R01", parent=root)
    with_one = org("R02", parent=root)
    no_committee = org("R03", parent=root)
    for kind in ("secretary", "organization_member", "publicity_member"):
        post(without, kind)
    for kind in ("secretary", "organization_member", "discipline_member"):
        post(with_one, kind)
    for kind in ("secretary", "organization_member"):
        post(no_committee, kind)
    assert [f.org for f in findings("ORG-09")] == ["R01"]


def test_org_rules_do_not_judge_an_organisation_dissolved_on_or_before_the_as_of_date(root):
    branch = org("R01", parent=root)
    dissolve_organization(branch, actor=None, dissolved_on=D(2018, 6, 30))
    committee = org("C1", OrgType.COMMITTEE)  # no 纪委, no 纪检委员
    dissolve_organization(committee, actor=None, dissolved_on=D(2018, 6, 30))
    assert {f.org for f in findings("ORG-01", D(2018, 6, 29))} == {"R01"}
    assert {f.org for f in findings("ORG-09", D(2018, 6, 29))} == {"C1"}
    assert {f.org for f in findings("TERM-04", D(2018, 6, 29))} >= {"R01", "C1"}
    for rule in ("ORG-01", "ORG-02", "ORG-05", "ORG-09", "TERM-02", "TERM-03", "TERM-04"):
        assert not {f.org for f in findings(rule, D(2018, 6, 30))} & {"R01", "C1"}, rule


def test_org_rules_do_not_judge_an_organisation_founded_after_the_as_of_date(root):
    org("R01", parent=root, founded=D(2018, 7, 1))
    assert findings("ORG-01", D(2018, 6, 30)) == []
    assert [f.org for f in findings("ORG-01", D(2018, 7, 1))] == ["R01"]


# ---- TERM-02: 应换未换 ----

@pytest.fixture
def elected(root):
    """A branch (founded 2015) whose term, elected 2015-03-01 for 3 years, ends on 2018-03-01."""
    branch = org("R01", parent=root, founded=D(2015, 1, 1))
    return branch


def test_term02_on_the_end_day_nothing_the_day_after_it_fires_with_the_term_end(elected):
    election(elected, D(2015, 3, 1))
    assert fired("TERM-02", elected, D(2018, 3, 1)) == []
    found = assert_one_of_a_fact(fired("TERM-02", elected, D(2018, 3, 2)))
    assert (found.severity, found.date, found.person) == ("error", D(2018, 3, 1), None)
    assert found.as_dict()["date"] == "2018-03-01"


def test_term02_a_new_election_opens_a_new_term(elected):
    election(elected, D(2015, 3, 1))
    election(elected, D(2018, 3, 10))
    assert len(fired("TERM-02", elected, D(2018, 3, 9))) == 1
    assert fired("TERM-02", elected, D(2018, 3, 10)) == []
    assert fired("TERM-02", elected, D(2018, 12, 31)) == []


def test_term02_a_postponement_covering_the_as_of_date_suppresses_it(elected):
    election(elected, D(2015, 3, 1), postponed_to=D(2018, 9, 1))
    assert fired("TERM-02", elected, D(2018, 6, 30)) == []
    assert fired("TERM-02", elected, D(2018, 9, 1)) == []
    found = assert_one_of_a_fact(fired("TERM-02", elected, D(2018, 9, 2)))
    assert found.date == D(2018, 3, 1)


def test_term02_a_postponement_of_exactly_12_months_is_allowed_more_fires(root):
    exactly = org("R01", parent=root, founded=D(2015, 1, 1))
    beyond = org("R02", parent=root, founded=D(2015, 1, 1))
    election(exactly, D(2015, 3, 1), postponed_to=D(2019, 3, 1))
    election(beyond, D(2015, 3, 1), postponed_to=D(2019, 3, 2))
    assert fired("TERM-02", exactly, D(2018, 12, 31)) == []
    found = assert_one_of_a_fact(fired("TERM-02", beyond, D(2018, 12, 31)))
    assert (found.severity, found.date) == ("error", D(2018, 3, 1))


def test_term02_a_postponement_beyond_the_limit_fires_even_before_the_term_ends(elected):
    election(elected, D(2016, 3, 1), postponed_to=D(2020, 6, 1))  # term ends 2019-03-01
    found = assert_one_of_a_fact(fired("TERM-02", elected, D(2018, 12, 31)))
    assert found.date == D(2019, 3, 1)


def test_term02_no_election_no_finding_and_a_dissolved_organisation_is_not_judged(root):
    org("R01", parent=root, founded=D(2015, 1, 1))  # never elected
    gone = org("R02", parent=root, founded=D(2015, 1, 1))
    election(gone, D(2015, 3, 1))
    dissolve_organization(gone, actor=None, dissolved_on=D(2018, 5, 1))
    assert [f.org for f in findings("TERM-02", D(2018, 4, 30))] == ["R02"]
    assert findings("TERM-02", D(2018, 5, 1)) == []


def test_term02_ignores_an_election_after_the_as_of_date(elected):
    election(elected, D(2015, 3, 1))
    election(elected, D(2018, 6, 1))
    assert len(fired("TERM-02", elected, D(2018, 5, 31))) == 1


# ---- TERM-03: the term ends within 6 months ----

def test_term03_exactly_six_months_fires_six_months_and_a_day_does_not_clamped_to_the_month_end(root):
    feb_28 = org("R01", parent=root, founded=D(2015, 1, 1))
    mar_01 = org("R02", parent=root, founded=D(2015, 1, 1))
    election(feb_28, D(2016, 2, 28))  # ends 2019-02-28 = 2018-08-31 + 6 months (clamped)
    election(mar_01, D(2016, 3, 1))   # ends 2019-03-01, one day later
    found = assert_one_of_a_fact(fired("TERM-03", feb_28, D(2018, 8, 31)))
    assert (found.severity, found.date) == ("warning", D(2019, 2, 28))
    assert fired("TERM-03", mar_01, D(2018, 8, 31)) == []
    assert len(fired("TERM-03", mar_01, D(2018, 9, 1))) == 1


def test_term03_a_leap_day_election_ends_on_the_28th(elected):
    election(elected, D(2016, 2, 29))  # 2016-02-29 + 3 years = 2019-02-28
    found = assert_one_of_a_fact(fired("TERM-03", elected, D(2018, 8, 31)))
    assert found.date == D(2019, 2, 28)


def test_term03_six_months_is_the_same_day_six_months_later(elected):
    election(elected, D(2015, 12, 31))  # ends 2018-12-31
    assert fired("TERM-03", elected, D(2018, 6, 30)) == []  # 2018-06-30 + 6 months = 2018-12-30
    assert len(fired("TERM-03", elected, D(2018, 7, 1))) == 1  # 2018-07-01 + 6 months = 2019-01-01


def test_term03_on_the_end_day_it_warns_and_afterwards_term02_takes_over(elected):
    election(elected, D(2015, 3, 1))  # ends 2018-03-01
    assert len(fired("TERM-03", elected, D(2018, 3, 1))) == 1
    assert fired("TERM-02", elected, D(2018, 3, 1)) == []
    assert fired("TERM-03", elected, D(2018, 3, 2)) == []
    assert len(fired("TERM-02", elected, D(2018, 3, 2))) == 1


def test_term03_follows_an_approved_postponement(elected):
    election(elected, D(2015, 3, 1), postponed_to=D(2018, 9, 1))
    found = assert_one_of_a_fact(fired("TERM-03", elected, D(2018, 6, 30)))
    assert found.date == D(2018, 9, 1)


# ---- TERM-04: 书记应配未配 ----

def test_term04_vacant_90_days_warns_91_days_is_an_error_dated_the_first_vacant_day(branch):
    post(branch, "secretary", ended=D(2018, 3, 31))
    assert fired("TERM-04", branch, D(2018, 3, 31)) == []  # in post on the 离任日期
    first = assert_one_of_a_fact(fired("TERM-04", branch, D(2018, 4, 1)))
    assert (first.severity, first.date) == ("warning", D(2018, 4, 1))
    ninetieth = assert_one_of_a_fact(fired("TERM-04", branch, D(2018, 6, 29)))  # 2018-04-01 + 89 days
    assert (ninetieth.severity, ninetieth.date) == ("warning", D(2018, 4, 1))
    ninety_first = assert_one_of_a_fact(fired("TERM-04", branch, D(2018, 6, 30)))
    assert (ninety_first.severity, ninety_first.date) == ("error", D(2018, 4, 1))


def test_term04_never_had_a_secretary_counts_from_the_founding(root):
    org("R01", parent=root)
    org("R02", parent=root, founded=D(2018, 10, 2))  # day 91 on 2018-12-31
    org("R03", parent=root, founded=D(2018, 10, 3))  # day 90
    by_org = {f.org: f for f in findings("TERM-04", D(2018, 12, 31))}
    assert (by_org["R01"].severity, by_org["R01"].date) == ("error", FOUNDED)
    assert (by_org["R02"].severity, by_org["R02"].date) == ("error", D(2018, 10, 2))
    assert (by_org["R03"].severity, by_org["R03"].date) == ("warning", D(2018, 10, 3))


def test_term04_a_secretary_in_post_means_nothing_and_a_successor_ends_the_vacancy(branch):
    post(branch, "secretary", ended=D(2018, 1, 31))
    post(branch, "secretary", started=D(2018, 6, 1))
    assert len(fired("TERM-04", branch, D(2018, 5, 31))) == 1
    assert fired("TERM-04", branch, D(2018, 6, 1)) == []
    assert fired("TERM-04", branch, D(2018, 12, 31)) == []


def test_term04_the_vacancy_runs_from_the_last_secretary_to_leave(branch):
    post(branch, "secretary", started=D(2016, 3, 1), ended=D(2017, 12, 31))
    post(branch, "secretary", started=D(2018, 1, 1), ended=D(2018, 4, 30))
    assert assert_one_of_a_fact(fired("TERM-04", branch, D(2018, 5, 10))).date == D(2018, 5, 1)


def test_term04_applies_to_committees_and_general_branches_not_to_party_groups(root):
    org("G1", OrgType.GENERAL_BRANCH, parent=root)
    group_branch = org("R01", parent=root)
    post(group_branch, "secretary")
    org("R01G", OrgType.PARTY_GROUP, parent=group_branch)
    codes = {f.org for f in findings("TERM-04")}
    assert codes == {"R", "G1"}


def test_org_and_term_findings_are_limited_to_the_subtree(root):
    a, b = org("R01", parent=root), org("R02", parent=root)
    full(a, 1)
    full(b, 1)
    assert {f.org for f in run_checks(root=a, window=Window(D(2018, 12, 31)), rules=["ORG-01", "TERM-04"])} == {"R01"}
    assert {f.org for f in run_checks(window=Window(D(2018, 12, 31)), rules=["ORG-01"])} == {"R01", "R02"}


def test_a_subtree_check_counts_a_member_transferred_in_from_outside(root):
    a, b = org("R01", parent=root), org("R02", parent=root)
    full(a, 2)
    newcomer = member(b)
    transfer_member(newcomer, actor=None, to_org=a, transferred_on=D(2018, 5, 1))
    for as_of, expected in ((D(2018, 4, 30), ["R01"]), (D(2018, 5, 1), [])):
        found = run_checks(root=a, window=Window(as_of), rules=["ORG-01"])
        assert [f.org for f in found] == expected


def test_term03_still_reminds_when_a_postponement_beyond_the_limit_covers_nothing(root):
    branch = org("R01", parent=root, founded=D(2015, 1, 1))
    election(branch, D(2016, 3, 1), postponed_to=D(2020, 6, 1))  # ends 2019-03-01; 15 months later is too far
    assert {f.rule for f in findings("TERM-02") + findings("TERM-03") if f.org == "R01"} == {"TERM-02", "TERM-03"}
    assert [f.date for f in findings("TERM-03") if f.org == "R01"] == [D(2019, 3, 1)]
