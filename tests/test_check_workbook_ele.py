"""The acceptance test of issue 5's elections: a workbook whose 换届 sheet holds planted elections, imported
through the ledger, yields exactly the ELE-02 and ELE-05 findings RULES.md defines, and none for the clean
rows — the boundaries included (5 seats with 6 candidates, 7 seats with 9, one more than four fifths
present). The import keeps such history as it happened and reports each flaw on its row.

    ROOT  集团党委 ── one branch per election, so each finding names its row's organisation.
"""
import io
import json

import pytest
from django.core.management import call_command

from dangjian.ledger.importer import run_import
from dangjian.organizations.models import Election

from .test_ledger_support import workbook

ELECTION_HEADER = ["组织编码", "选举日期", "任期年数", "应到人数", "实到人数", "应选人数", "候选人数"]
# (code, 选举日期, 应到, 实到, 应选, 候选, the findings it plants)
ELECTIONS = [
    ("OK5", "2018-03-15", 30, 25, 5, 6, ()),             # 5 × 1.2 = 6: enough; 25 > 24
    ("OK7", "2018-04-12", 20, 17, 7, 9, ()),             # 7 × 1.2 = 8.4 → 9; 17 > 16
    ("OK3", "2018-05-10", 11, 9, 3, 4, ()),              # 3.6 → 4; 9 > 8.8
    ("OK1", "2018-06-14", 5, 5, 1, 2, ()),               # 1.2 → 2; all present
    ("EQ5", "2018-03-20", 30, 28, 5, 5, ("ELE-02",)),    # 等额选举: as many candidates as seats
    ("LOW7", "2018-04-18", 20, 18, 7, 8, ("ELE-02",)),   # 8 < 9
    ("Q45", "2018-05-16", 10, 8, 3, 4, ("ELE-05",)),     # exactly four fifths: not more
    ("Q40", "2018-06-20", 40, 30, 5, 6, ("ELE-05",)),    # 30 × 5 = 150 ≤ 160
    ("BOTH", "2018-09-12", 15, 12, 3, 3, ("ELE-02", "ELE-05")),
    ("OLD", "2017-11-08", 10, 6, 3, 3, ("ELE-02", "ELE-05")),  # 2017: not in the 2018 window
]
EXPECTED = {(rule, code, day) for code, day, *_, rules in ELECTIONS if day.startswith("2018") for rule in rules}


def org_rows():
    rows = [["组织编码", "组织名称", "组织类别", "上级组织编码", "成立日期"],
            ["ROOT", "集团党委", "党委", "", "2010-01-01"]]
    rows += [[code, f"{code}支部", "党支部", "ROOT", "2010-01-01"] for code, *_ in ELECTIONS]
    return rows


def election_rows():
    return [ELECTION_HEADER] + [[code, day, 3, expected, present, seats, candidates]
                                for code, day, expected, present, seats, candidates, _ in ELECTIONS]


@pytest.fixture
def imported(db):
    result = run_import(workbook(组织=org_rows(), 换届=election_rows()), actor=None)
    assert not result.errors, [(e.sheet, e.row, e.column, e.message) for e in result.errors]
    return result


def check(*args):
    out = io.StringIO()
    call_command("check", *args, "--format", "json", stdout=out)
    return json.loads(out.getvalue())


def test_the_planted_elections_and_only_them(imported):
    found = [f for f in check("--year", "2018") if f["rule"].startswith("ELE-")]
    assert {(f["rule"], f["org"], f["date"]) for f in found} == EXPECTED
    assert len(found) == len(EXPECTED)
    assert all(f["severity"] == "error" and f["period"] is None and f["person"] is None for f in found)
    by_key = {(f["rule"], f["org"]): f for f in found}
    assert by_key[("ELE-02", "LOW7")]["message"] == "2018-04-18换届选举应选7人，候选人8人，少于应选人数多20%的9人"
    assert by_key[("ELE-05", "Q45")]["message"] == "2018-05-16换届选举应到10人，实到8人，未超过应到人数的五分之四，选举无效"
    assert by_key[("ELE-02", "EQ5")]["source"] == "基层组织选举工作条例 第十三条"


def test_the_earlier_year_has_its_own_finding(imported):
    found = [f for f in check("--year", "2017") if f["rule"].startswith("ELE-")]
    assert {(f["rule"], f["org"]) for f in found} == {("ELE-02", "OLD"), ("ELE-05", "OLD")}


def test_an_election_after_the_as_of_date_is_not_judged_yet(imported):
    found = [f for f in check("--as-of", "2018-05-16") if f["rule"].startswith("ELE-")]
    assert {(f["rule"], f["org"]) for f in found} == {("ELE-02", "EQ5"), ("ELE-02", "LOW7"), ("ELE-05", "Q45")}


def test_the_import_keeps_the_history_and_warns_on_each_flawed_row(imported):
    assert Election.objects.count() == len(ELECTIONS)
    warned = {(w.row, w.column, w.code) for w in imported.warnings if w.sheet == "换届"}
    rows = {code: number for number, (code, *_) in enumerate(ELECTIONS, start=2)}
    column = {"ELE-02": "候选人数", "ELE-05": "实到人数"}
    assert warned == {(rows[code], column[rule], rule) for code, *_, rules in ELECTIONS for rule in rules}
    message = next(w.message for w in imported.warnings if w.code == "ELE-02" and w.row == rows["EQ5"])
    assert message == ("已按台账原样导入；ELE-02：2018-03-20换届选举应选5人，候选人5人，少于应选人数多20%的6人"
                       "（基层组织选举工作条例 第十三条）")


def test_a_second_import_changes_nothing_and_warns_again(imported):
    again = run_import(workbook(组织=org_rows(), 换届=election_rows()), actor=None)
    assert not again.errors and Election.objects.count() == len(ELECTIONS)
    assert sorted((w.row, w.code) for w in again.warnings if w.sheet == "换届") == sorted(
        (w.row, w.code) for w in imported.warnings if w.sheet == "换届")
