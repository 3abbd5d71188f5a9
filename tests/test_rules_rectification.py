"""RECT-01 at its boundaries, RULES.md read literally: "a rectification item is past its 整改时限 with no
完成日期 on the as-of date (`date` = the deadline)" — `org` the responsible organisation, `person` and `period`
null; a problem of an earlier year still open is judged in a later year's check; completion, not closing,
ends it; the query count does not grow with the problems."""
import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dangjian.organizations.models import OrgType
from dangjian.rectification import services
from dangjian.rules.engine import Window, run_checks, upcoming

from .rules_support import findings, member, org

D = datetime.date
DEADLINE = D(2018, 6, 30)

pytestmark = pytest.mark.django_db


@pytest.fixture
def root():
    return org("R", OrgType.COMMITTEE, has_discipline_committee=True)


@pytest.fixture
def branch(root):
    return org("R01", parent=root)


def problem(at, number="R01-2018-01", year=2018, deadline=DEADLINE, completed=None, closed=None, owner=None):
    p = services.record_problem(actor=None, number=number, org=at, year=year, source="巡视巡察",
                                description="党员发展程序执行不严格", deadline=deadline, owner=owner,
                                on=D(year, 1, 5))
    if completed:
        services.complete_problem(p, actor=None, on=completed)
    if closed:
        services.close_problem(p, actor=None, on=closed)
    return p


def rect(as_of, root=None):
    return [(f.org, f.date, f.person, f.period) for f in findings("RECT-01", as_of, root)]


@pytest.mark.parametrize("as_of, expected", [
    (D(2018, 6, 29), False),   # the day before the deadline
    (D(2018, 6, 30), False),   # the deadline itself: not past it yet
    (D(2018, 7, 1), True),     # the day after
    (D(2018, 12, 31), True),
])
def test_it_fires_from_the_day_after_the_deadline(branch, as_of, expected):
    problem(branch)
    assert rect(as_of) == ([("R01", DEADLINE, None, None)] if expected else [])


def test_a_problem_completed_on_its_deadline_is_never_overdue(branch):
    problem(branch, completed=DEADLINE)
    assert [rect(day) for day in (D(2018, 6, 30), D(2018, 7, 1), D(2018, 12, 31))] == [[], [], []]


def test_a_problem_completed_late_is_overdue_until_its_completion_only(branch):
    problem(branch, completed=D(2018, 8, 15))
    assert rect(D(2018, 8, 14)) == [("R01", DEADLINE, None, None)]
    assert rect(D(2018, 8, 15)) == []   # completed on the as-of date
    assert rect(D(2018, 12, 31)) == []  # a later as-of date: it has its 完成日期 (RULES.md, literally)


def test_completion_not_closing_ends_it(branch):
    problem(branch, completed=D(2018, 6, 1))  # completed, never closed by the higher level
    assert rect(D(2018, 12, 31)) == []


def test_a_problem_of_an_earlier_year_still_open_is_judged_in_a_later_year(branch):
    problem(branch, "R01-2017-01", year=2017, deadline=D(2017, 12, 31))
    problem(branch, "R01-2017-02", year=2017, deadline=D(2017, 10, 31), completed=D(2018, 3, 1),
            closed=D(2018, 4, 1))  # rectified in 2018: overdue in 2017's check only
    assert rect(D(2018, 12, 31)) == [("R01", D(2017, 12, 31), None, None)]
    assert sorted(rect(D(2017, 12, 31))) == [("R01", D(2017, 10, 31), None, None)]
    assert sorted(rect(D(2018, 1, 1))) == [("R01", D(2017, 10, 31), None, None), ("R01", D(2017, 12, 31), None, None)]


def test_it_reports_on_the_responsible_organisation_within_the_subtree(root, branch):
    other = org("S", OrgType.COMMITTEE)
    owner = member(branch)
    problem(branch, owner=owner)
    problem(root, "R-2018-01")
    problem(other, "S-2018-01")
    found = findings("RECT-01", D(2018, 12, 31), root)
    assert sorted((f.org, f.severity, f.rule) for f in found) == [("R", "warning", "RECT-01"),
                                                                 ("R01", "warning", "RECT-01")]
    on_branch = next(f for f in found if f.org == "R01")
    assert on_branch.person is None and on_branch.records[0][0] == "problem"
    assert "R01-2018-01" in on_branch.message and owner.name in on_branch.message and "逾期184天" in on_branch.message
    assert on_branch.as_dict()["date"] == "2018-06-30" and on_branch.source
    assert len(findings("RECT-01", D(2018, 12, 31))) == 3


def test_it_lists_deadlines_coming_up_in_the_workbench(branch):
    problem(branch, "A", deadline=D(2018, 6, 30))
    problem(branch, "B", deadline=D(2018, 7, 20))
    problem(branch, "C", deadline=D(2018, 7, 20), completed=D(2018, 6, 1))
    problem(branch, "D", deadline=D(2018, 9, 1))
    due = [f for f in upcoming(as_of=D(2018, 6, 30), days=30) if f.rule == "RECT-01"]
    assert [(f.date, f.message[:3]) for f in due] == [(D(2018, 6, 30), "问题A"), (D(2018, 7, 20), "问题B")]


def test_its_queries_do_not_grow_with_the_problems(root, branch):
    problem(branch, "X-1")

    def count():
        with CaptureQueriesContext(connection) as ctx:
            run_checks(root=root, window=Window(D(2018, 12, 31)), rules=["RECT-01"])
        return len(ctx)

    few = count()
    for n in range(2, 12):
        problem(org(f"R0{n + 1}", parent=root), f"X-{n}", owner=member(branch))
    assert count() == few
