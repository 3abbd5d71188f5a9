"""SOE-03 exactly as RULES.md states it, at its boundaries: a prior study the day before, the same day and the
day after the decision; none; a matter decided by the 党委会 itself; the window (matters decided in the window's
year up to the as-of date); the subtree; the source in force on the decision date."""
import datetime

import pytest

from dangjian.governance.services import record_matter
from dangjian.rules.engine import all_rules

from .rules_support import findings, org

D = datetime.date
DECIDED = D(2018, 6, 15)


def committee(code="R", parent=None):
    return org(code, "committee", parent=parent)


def matter(at, number="M1", *, decided=DECIDED, studied=None, body="董事会", category="重大项目安排", amount="500"):
    return record_matter(actor=None, org=at, number=number, name=f"事项{number}", category=category,
                         deciding_body=body, decided_on=decided, studied_on=studied, amount=amount)


@pytest.mark.parametrize("studied,fires", [
    (D(2018, 6, 14), False),   # the day before
    (D(2018, 6, 15), False),   # the same day: not later than the decision
    (D(2018, 6, 16), True),    # the day after
    (D(2017, 12, 20), False),  # long before, in the previous year
    (None, True),              # none
])
@pytest.mark.parametrize("body", ["董事会", "经理层"])
def test_soe03_fires_without_a_study_or_with_one_after_the_decision(db, studied, fires, body):
    at = committee()
    m = matter(at, studied=studied, body=body)
    found = findings("SOE-03")
    assert [(f.rule, f.org, f.person, f.period, f.date, f.records) for f in found] == (
        [("SOE-03", "R", None, None, DECIDED, (("matter", m.pk),))] if fires else [])
    if fires:
        f = found[0]
        assert f.severity == "error" and f.source.startswith("国有企业基层组织工作条例")
        assert f"由{body}决策" in f.message and "M1" in f.message
        assert ("未经党委前置研究" if studied is None else f"前置研究日期{studied}晚于决策日期") in f.message


@pytest.mark.parametrize("studied", [None, D(2018, 6, 20)])
def test_a_matter_decided_by_the_party_committee_is_no_finding(db, studied):
    matter(committee(), body="党委会", studied=studied, category="重要人事任免")
    assert findings("SOE-03") == []


def test_only_matters_decided_in_the_window_year_up_to_the_as_of_date(db):
    at = committee()
    matter(at, "OLD", decided=D(2017, 12, 31))             # the previous year: 2017's finding
    matter(at, "JAN", decided=D(2018, 1, 1))               # the window's first day
    matter(at, "ASOF", decided=D(2018, 9, 30))             # the as-of date itself
    matter(at, "LATER", decided=D(2018, 10, 1))            # after the as-of date: not decided yet on it
    assert [f.message.split("“")[0] for f in findings("SOE-03", as_of=D(2018, 9, 30))] == [
        "三重一大事项JAN", "三重一大事项ASOF"]
    assert {f.date for f in findings("SOE-03", as_of=D(2017, 12, 31))} == {D(2017, 12, 31)}
    assert len(findings("SOE-03", as_of=D(2018, 12, 31))) == 3


def test_a_study_recorded_after_the_as_of_date_is_late_all_the_same(db):
    # Studied after the decision: a finding as of any date after the decision, the study recorded or not.
    matter(committee(), decided=D(2018, 6, 15), studied=D(2018, 11, 5))
    assert [f.date for f in findings("SOE-03", as_of=D(2018, 7, 1))] == [DECIDED]
    assert [f.date for f in findings("SOE-03", as_of=D(2018, 12, 31))] == [DECIDED]


def test_the_subtree_has_its_own_matters_only(db):
    root = committee("R")
    child = committee("C", parent=root)
    other = committee("X", parent=root)
    matter(child, "C1")
    matter(other, "X1")
    matter(root, "R1", studied=D(2018, 6, 1))
    assert [f.org for f in findings("SOE-03", root=child)] == ["C"]
    assert sorted(f.org for f in findings("SOE-03")) == ["C", "X"]


def test_the_rule_is_registered_in_the_order_of_rules_md_with_its_parameter():
    ids = [r.id for r in all_rules()]
    assert "SOE-03" in ids and ids.index("ELE-05") < ids.index("SOE-03")
    rule = next(r for r in all_rules() if r.id == "SOE-03")
    assert rule.parameters == ("soe_prior_study_bodies",) and rule.regulation and rule.title
    from dangjian.rules import parameters

    assert parameters.value("soe_prior_study_bodies", D(2018, 6, 15)) == ("board", "management")
    assert "第十五条" in parameters.parameter("soe_prior_study_bodies", D(2020, 1, 1)).source
    assert "2015" in parameters.parameter("soe_prior_study_bodies", D(2018, 1, 1)).source


def test_the_check_reads_the_register_in_one_query_whatever_its_size(db, django_assert_max_num_queries):
    from dangjian.rules.context import CheckContext
    from dangjian.rules.engine import Window

    root = committee("R")
    for n in range(20):
        at = committee(f"C{n}", parent=root)
        matter(at, f"M{n}")
    rule = next(r for r in all_rules() if r.id == "SOE-03")
    ctx = CheckContext(root=root, window=Window(D(2018, 12, 31)))
    ctx.orgs  # the subtree is loaded once per run for every rule
    with django_assert_max_num_queries(1):
        assert len(list(rule.check(ctx))) == 20
