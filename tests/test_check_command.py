"""`dangjian check` (RULES.md "Output" and "The window"): the JSON contract, the text summary, the options
and their errors; and that the checks run set-wise (the number of queries does not grow with the tree)."""
import datetime
import io
import itertools
import json
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dangjian.core.idcard import make_id_number
from dangjian.meetings.services import record_meeting, record_vote
from dangjian.members.services import create_member
from dangjian.organizations.models import OrgType
from dangjian.organizations.services import create_organization, create_post, record_election
from dangjian.rules import engine
from dangjian.rules.engine import Window, run_checks

D = datetime.date
FOUNDED = D(2016, 1, 1)
KEYS = {"rule", "severity", "org", "person", "period", "date", "message", "source"}
CHINESE = re.compile(r"[\u4e00-\u9fff]")
_numbers = itertools.count(1)

pytestmark = pytest.mark.django_db


def org(code, org_type=OrgType.BRANCH, parent=None, founded=FOUNDED, **kw):
    return create_organization(actor=None, code=code, name=f"{code}组织", org_type=org_type, parent=parent,
                               founded_on=founded, **kw)


def member(at, admitted=D(2010, 7, 1), confirmed=D(2011, 7, 1)):
    n = next(_numbers)
    id_number = make_id_number("450103", D(1970 + n // 700, 5, 1 + n % 28), n, "M")
    return create_member(actor=None, id_number=id_number, name=f"党员{n}", org=at, admitted_on=admitted,
                         confirmed_on=confirmed)


def check(*args):
    out = io.StringIO()
    call_command("check", *args, stdout=out)
    return out.getvalue()


def check_json(*args):
    return json.loads(check(*args, "--format", "json"))


def refused(*args):
    with pytest.raises(CommandError) as exc:
        check(*args)
    return str(exc.value)


@pytest.fixture
def tree():
    """R (党委, 设立纪委) ── A (党委) ── A1 (branch with a secretary), and R ── B1 (branch, no secretary)."""
    root = org("R", OrgType.COMMITTEE, has_discipline_committee=True)
    a = org("A", OrgType.COMMITTEE, parent=root, has_discipline_committee=True)
    a1 = org("A1", parent=a)
    b1 = org("B1", parent=root)
    secretary = member(a1)
    create_post(actor=None, org=a1, member=secretary, post="secretary", started_on=D(2016, 3, 1))
    general = record_meeting(actor=None, org=a1, held_on=D(2018, 5, 20), subject="大会", types=["branch_general"],
                             expected=10, present=4)
    record_vote(general, actor=None, matter="接收预备党员", yes=4)
    return root, a, a1, b1, secretary


# ---- the JSON contract ----

def test_json_is_an_array_of_findings_with_exactly_the_contract_keys(tree):
    found = check_json("--year", "2018")
    assert isinstance(found, list) and found
    for f in found:
        assert set(f) == KEYS
        assert f["severity"] in ("error", "warning")
        assert f["period"] is None or re.fullmatch(r"\d{4}(-Q[1-4]|-\d{2})?", f["period"])
        assert f["date"] is None or re.fullmatch(r"\d{4}-\d{2}-\d{2}", f["date"])
        assert f["message"] and f["source"] and f["rule"] and f["org"]
    assert found == [f.as_dict() for f in run_checks(window=Window.for_year(2018))]


def test_json_carries_the_facts_of_each_finding(tree):
    *_, secretary = tree
    found = check_json("--year", "2018")
    vote = [f for f in found if f["rule"] == "MTG-02"]
    assert vote == [{"rule": "MTG-02", "severity": "error", "org": "A1", "person": None, "period": None,
                     "date": "2018-05-20", "message": vote[0]["message"], "source": "支部工作条例 第十一条"}]
    lecture = [f for f in found if f["rule"] == "MTG-16"]
    assert [(f["org"], f["person"], f["period"]) for f in lecture] == [("A1", secretary.id_number, "2018")]
    assert {"org": "B1", "period": "2018-Q1"}.items() <= next(
        f for f in found if f["rule"] == "MTG-01" and f["org"] == "B1").items()


def test_json_of_an_empty_check_is_an_empty_array():
    assert check_json("--year", "2018") == []


def test_findings_are_sorted_by_organisation_in_tree_order_then_rule_and_period(tree):
    found = check_json("--year", "2018")
    orgs = [f["org"] for f in found]
    assert orgs == sorted(orgs, key=["R", "A", "A1", "B1"].index)
    a1_months = [f["period"] for f in found if f["org"] == "A1" and f["rule"] == "MTG-09"]
    assert a1_months == [f"2018-{m:02d}" for m in range(1, 13)]


# ---- the window options ----

def test_year_means_as_of_the_31st_of_december(tree):
    assert check_json("--year", "2018") == check_json("--as-of", "2018-12-31")


def test_as_of_looks_at_the_ended_periods_of_its_year(tree):
    periods = {f["period"] for f in check_json("--as-of", "2018-03-30") if f["org"] == "B1"}
    assert "2018-03" not in periods and "2018-02" in periods and "2018-Q1" not in periods
    periods = {f["period"] for f in check_json("--as-of", "2018-03-31") if f["org"] == "B1"}
    assert {"2018-03", "2018-Q1"} <= periods and "2018" not in periods


def test_as_of_accepts_the_other_date_spellings(tree):
    assert check_json("--as-of", "2018/3/31") == check_json("--as-of", "2018年3月31日") == check_json(
        "--as-of", "2018-03-31")


def test_without_a_window_it_checks_as_of_today(tree, monkeypatch):
    monkeypatch.setattr(engine, "today", lambda: D(2018, 3, 31))
    assert check_json() == check_json("--as-of", "2018-03-31")
    assert "截至2018-03-31" in check()


def test_org_limits_the_findings_to_the_subtree(tree):
    assert {f["org"] for f in check_json("--year", "2018", "--org", "A")} == {"A", "A1"}
    assert {f["org"] for f in check_json("--year", "2018", "--org", "B1")} == {"B1"}
    assert {f["org"] for f in check_json("--year", "2018")} == {"R", "A", "A1", "B1"}


@pytest.mark.parametrize("bad, says", [("2018-02-30", "不存在"), ("yesterday", "格式不正确"), ("2018-13-01", "不存在")])
def test_a_bad_as_of_date_is_a_chinese_command_error(bad, says):
    message = refused("--as-of", bad)
    assert says in message and CHINESE.search(message)


def test_an_unknown_org_is_a_chinese_command_error(tree):
    message = refused("--year", "2018", "--org", "NOPE")
    assert "NOPE" in message and "不存在" in message


def test_year_and_as_of_are_exclusive(tree):
    message = refused("--year", "2018", "--as-of", "2018-03-31")
    assert "--as-of" in message or "--year" in message


@pytest.mark.parametrize("args", [("--year", "0"), ("--year", "9999"), ("--as-of", "9999-12-31"),
                                  ("--as-of", "1899-12-31")])
def test_a_year_out_of_range_is_a_chinese_command_error_not_a_traceback(args):
    assert CHINESE.search(refused(*args))


@pytest.mark.parametrize("as_of", ["1900-01-01", "9998-12-31"])
def test_the_years_at_the_ends_of_the_range_are_checked(tree, as_of):
    assert check("--as-of", as_of).splitlines()[-1].startswith(f"截至{as_of}：")


# ---- the text format ----

def test_text_lists_the_findings_and_ends_with_a_summary(tree):
    findings = run_checks(window=Window.for_year(2018))
    errors = sum(1 for f in findings if f.severity == "error")
    lines = check("--year", "2018").splitlines()
    assert lines[-1] == f"截至2018-12-31：共{len(findings)}条，其中错误{errors}条、提醒{len(findings) - errors}条"
    assert len(lines) == len(findings) + 1
    vote = next(line for line in lines if line.startswith("MTG-02"))
    assert "错误" in vote and "A1" in vote and "2018-05-20" in vote and "支部工作条例 第十一条" in vote
    assert check("--year", "2018", "--format", "text") == check("--year", "2018")


def test_text_of_an_empty_check_is_the_summary_alone():
    assert check("--as-of", "2018-06-30").splitlines() == ["截至2018-06-30：共0条，其中错误0条、提醒0条"]


# ---- set-wise: the number of queries does not grow with the tree ----

def add_branches(parent, first, count):
    """Branches with the same kinds of facts each: members, a committee, a party group, meetings (one with
    a failed vote, one thin committee meeting, a lecture by the secretary), an overdue election."""
    for i in range(first, first + count):
        branch = org(f"{parent.code}-{i:03d}", parent=parent)
        org(f"{parent.code}-{i:03d}G", OrgType.PARTY_GROUP, parent=branch)
        people = [member(branch) for _ in range(3)] + [member(branch, D(2018, 1, 5), None)]
        for person, kind in zip(people, ("secretary", "organization_member", "publicity_member")):
            create_post(actor=None, org=branch, member=person, post=kind, started_on=D(2016, 3, 1))
        general = record_meeting(actor=None, org=branch, held_on=D(2018, 5, 20), subject="大会",
                                 types=["branch_general", "theme_day"], expected=10, present=4)
        record_vote(general, actor=None, matter="表决", yes=4)
        record_meeting(actor=None, org=branch, held_on=D(2018, 6, 20), subject="支委会", types=["branch_committee"],
                       expected=3, present=1)
        record_meeting(actor=None, org=branch, held_on=D(2018, 7, 20), subject="党课", types=["lecture"],
                       expected=4, present=4, lecturer=people[1])
        record_election(actor=None, org=branch, held_on=D(2015, 3, 1), term_years=3, expected=4, present=4, seats=3,
                        candidates=4)


def queries_of(**kw):
    with CaptureQueriesContext(connection) as queries:
        found = run_checks(window=Window.for_year(2018), **kw)
    return len(queries), found


def test_the_number_of_queries_does_not_grow_with_the_number_of_organisations():
    root = org("R", OrgType.COMMITTEE)
    add_branches(root, 0, 3)
    small, small_found = queries_of()
    small_subtree, _ = queries_of(root=root)
    add_branches(root, 3, 27)
    large, large_found = queries_of()
    large_subtree, _ = queries_of(root=root)
    assert len(large_found) > len(small_found) * 5  # the same kinds of findings, ten times as many organisations
    assert {f.rule for f in small_found} == {f.rule for f in large_found} >= {
        "MTG-02", "MTG-05", "MTG-05Q", "MTG-06", "MTG-16", "TERM-02", "TERM-04", "ORG-09"}
    assert small == large
    assert small_subtree == large_subtree
    assert large <= 15


def test_the_name_still_runs_djangos_system_check(db):
    """`dangjian check --system` (and Django's own options, as its test runner passes them) run Django's
    system check, not the rules."""
    out = io.StringIO()
    call_command("check", "--system", stdout=out)
    assert "System check identified no issues" in out.getvalue()
    out = io.StringIO()
    call_command("check", databases=["default"], stdout=out)
    assert "System check identified" in out.getvalue()
