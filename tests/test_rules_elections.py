"""ELE-02 and ELE-05 exactly as RULES.md states them, at their boundaries; the window they look at; the same
counting refusing such an election on entry (and recording it as history for the importer)."""
import datetime

import pytest

from dangjian.core.errors import DomainError
from dangjian.organizations import counting
from dangjian.organizations.services import record_election, update_election
from dangjian.rules.engine import Window, all_rules, run_checks

from .rules_support import findings, org

D = datetime.date


def a_branch(code="B"):
    return org(code, parent=org("R", "committee"))


def election(at, held=D(2018, 6, 1), *, expected=10, present=10, seats=3, candidates=4, history=True):
    return record_election(actor=None, org=at, held_on=held, term_years=3, expected=expected, present=present,
                           seats=seats, candidates=candidates, history=history)


@pytest.mark.parametrize("seats,candidates,fires", [
    (5, 6, False), (5, 5, True),    # 5 × 1.2 = 6
    (7, 9, False), (7, 8, True),    # 7 × 1.2 = 8.4, rounded up: 9
    (3, 4, False), (3, 3, True),    # 3.6 → 4
    (1, 2, False), (1, 1, True),    # 1.2 → 2
    (10, 12, False), (10, 11, True),
])
def test_ele02_fires_below_the_seats_times_one_point_two_rounded_up(db, seats, candidates, fires):
    at = a_branch()
    e = election(at, seats=seats, candidates=candidates)
    found = findings("ELE-02")
    assert [(f.org, f.period, f.date, f.records) for f in found] == (
        [("B", None, D(2018, 6, 1), (("election", e.pk),))] if fires else [])
    if fires:
        assert found[0].severity == "error" and found[0].source == "基层组织选举工作条例 第十三条"
        assert f"候选人{candidates}人" in found[0].message


@pytest.mark.parametrize("expected,present,fires", [
    (10, 8, True), (10, 9, False),     # exactly 4/5 is not more than 4/5
    (5, 4, True), (5, 5, False),
    (11, 8, True), (11, 9, False),     # 8.8: 9 is the fewest
    (40, 32, True), (40, 33, False),
])
def test_ele05_fires_at_four_fifths_or_fewer_present(db, expected, present, fires):
    at = a_branch()
    election(at, expected=expected, present=present)
    found = findings("ELE-05")
    assert [(f.org, f.date) for f in found] == ([("B", D(2018, 6, 1))] if fires else [])
    if fires:
        assert f"应到{expected}人，实到{present}人" in found[0].message and found[0].severity == "error"


def test_an_election_is_judged_in_its_year_up_to_the_as_of_date(db):
    at = a_branch()
    election(at, held=D(2017, 12, 31), candidates=3)
    election(at, held=D(2018, 1, 1), candidates=3)
    election(at, held=D(2018, 9, 1), candidates=3)
    assert [f.date for f in findings("ELE-02")] == [D(2018, 1, 1), D(2018, 9, 1)]
    assert [f.date for f in findings("ELE-02", as_of=D(2018, 8, 31))] == [D(2018, 1, 1)]
    assert [f.date for f in findings("ELE-02", as_of=D(2017, 12, 31))] == [D(2017, 12, 31)]


def test_one_election_may_break_both_rules(db):
    at = a_branch()
    election(at, expected=10, present=8, seats=5, candidates=5)
    found = run_checks(window=Window(D(2018, 12, 31)), rules=["ELE-02", "ELE-05"])
    assert [f.rule for f in found] == ["ELE-02", "ELE-05"]


def test_the_findings_are_limited_to_the_subtree(db):
    root = org("R", "committee")
    a, b = org("RA", parent=root), org("RB", parent=root)
    election(a, candidates=3)
    election(b, candidates=3)
    assert [f.org for f in findings("ELE-02", root=a)] == ["RA"]
    assert [f.org for f in findings("ELE-02", root=root)] == ["RA", "RB"]


def test_the_rules_read_their_parameters_with_sources():
    rules = {r.id: r for r in all_rules()}
    assert rules["ELE-02"].parameters == ("election_candidate_margin",)
    assert rules["ELE-05"].parameters == ("election_quorum_share",)
    # In force under both regulations, each with its source.
    assert counting.regulation("election_candidate_margin", D(2018, 6, 1)) == "《基层组织选举工作暂行条例》"
    assert counting.regulation("election_candidate_margin", D(2020, 7, 13)) == "《基层组织选举工作条例》第十三条"


# ---- on entry: the page's way refuses, the importer's records history ----

@pytest.mark.parametrize("changes,code,field", [
    ({"seats": 5, "candidates": 5}, "ELE-02", "candidates"),
    ({"seats": 7, "candidates": 8}, "ELE-02", "candidates"),
    ({"expected": 10, "present": 8}, "ELE-05", "present"),
])
def test_it_refuses_such_an_election_on_entry_naming_the_rule(db, changes, code, field):
    at = a_branch()
    with pytest.raises(DomainError) as exc:
        election(at, history=False, **changes)
    assert exc.value.code == code and exc.value.field == field and f"（{code}）" in exc.value.message
    assert "基层组织选举工作暂行条例" in exc.value.message  # 2018: the 1990 rules were in force
    assert election(at, history=True, **changes).pk  # history: recorded as it happened


def test_it_accepts_the_boundary_on_entry(db):
    at = a_branch()
    assert election(at, history=False, seats=7, candidates=9, expected=10, present=9)


def test_an_update_judges_only_changed_counts(db):
    at = a_branch()
    flawed = election(at, seats=5, candidates=5)  # imported history
    assert update_election(flawed, actor=None, postponed_to=D(2021, 9, 1)) is True
    with pytest.raises(DomainError) as exc:
        update_election(flawed, actor=None, present=7)
    assert exc.value.code == "ELE-02"
    assert update_election(flawed, actor=None, candidates=6) is True


# ---- who is elected (ELE-07), by the regulation in force on the day ----

def test_the_majority_is_of_those_present_under_the_1990_rules_and_of_those_expected_after():
    tallies = [("a", 6), ("b", 5), ("c", 4)]
    # 10 expected, 8 present: 1990 (实到会): more than 4; 2020 (应到会): more than 5.
    assert counting.count_votes(tallies, seats=3, expected=10, present=8, on=D(2018, 6, 1)) == (["a", "b"], [])
    assert counting.count_votes(tallies, seats=3, expected=10, present=8, on=D(2020, 7, 13)) == (["a"], [])


def test_more_passing_than_places_are_taken_in_order_of_votes_and_a_tie_at_the_cut_is_reported():
    on = D(2021, 1, 1)
    assert counting.count_votes([("a", 9), ("b", 8), ("c", 7)], seats=2, expected=10, present=10, on=on) == (
        ["a", "b"], [])
    assert counting.count_votes([("a", 9), ("b", 8), ("c", 8)], seats=2, expected=10, present=10, on=on) == (
        ["a"], ["b", "c"])
    assert counting.count_votes([("a", 9), ("b", 9), ("c", 8)], seats=2, expected=10, present=10, on=on) == (
        ["a", "b"], [])
