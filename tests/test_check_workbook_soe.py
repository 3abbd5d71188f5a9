"""The acceptance test of SOE-03: a workbook with planted 三重一大 matters, imported through the ledger, yields
exactly the SOE-03 findings RULES.md defines for them ("decided by 董事会 or 经理层 has no 前置研究日期, or one later
than the 决策日期", `date` = the 决策日期) and none for the clean rows — at the edges of the dates and the window.

    ROOT  集团党委 ── CITY 市分公司党委 ── BR 一支部
"""
import io
import json

import pytest
from django.core.management import call_command

from dangjian.ledger.importer import run_import

from .test_ledger_support import workbook

HEADER = ["事项编号", "组织编码", "事项名称", "事项类别", "前置研究日期", "决策机构", "决策日期", "金额(万元)"]
MEETINGS = [["组织编码", "会议类型", "日期", "主题", "应到人数", "实到人数", "议题类别"],
            ["ROOT", "党委会", "2018-03-12", "3月党委会", 9, 9, "三重一大"],
            ["ROOT", "党委扩大会", "2018-06-20", "党委扩大会议", 30, 28, "三重一大;党建"],
            ["CITY", "党委会", "2018-09-10", "9月党委会", 7, 7, "三重一大"]]


def matter(number, org, body, decided, studied="", category="重大项目安排", amount=500):
    return [number, org, f"事项{number}", category, studied, body, decided, amount]


CLEAN = [
    matter("C1", "ROOT", "董事会", "2018-03-13", "2018-03-12"),                      # studied the day before
    matter("C2", "ROOT", "经理层", "2018-06-20", "2018-06-20", "大额资金运作"),      # the same day
    matter("C3", "ROOT", "党委会", "2018-04-02", "", "重要人事任免", None),          # the 党委会 decided it
    matter("C4", "CITY", "党委会", "2018-09-10", "2018-10-15", "重大决策", None),     # 党委会: a later study is no matter
    matter("C5", "CITY", "董事会", "2018-09-28", "2018-09-10"),                      # studied weeks before
    matter("C6", "ROOT", "董事会", "2018-01-15", "2017-12-20", "重大决策"),           # studied the previous year
    matter("C7", "CITY", "董事会", "2019-01-08"),                                     # decided after the as-of date
]
OLD = matter("O1", "CITY", "经理层", "2017-11-30")                                   # 2017's finding, not 2018's
PLANTED = [
    matter("P1", "ROOT", "董事会", "2018-05-08"),                                     # no prior study
    matter("P2", "ROOT", "经理层", "2018-03-11", "2018-03-12", "大额资金运作"),      # studied the day after
    matter("P3", "CITY", "董事会", "2018-12-31"),                                     # none, decided on the as-of date
    matter("P4", "CITY", "经理层", "2018-11-20", "2019-01-05"),                      # studied after the as-of date
]
EXPECTED = {("SOE-03", "ROOT", "2018-05-08"), ("SOE-03", "ROOT", "2018-03-11"), ("SOE-03", "CITY", "2018-12-31"),
            ("SOE-03", "CITY", "2018-11-20")}


@pytest.fixture
def imported(db):
    orgs = [["组织编码", "组织名称", "组织类别", "上级组织编码", "成立日期", "设立纪委"],
            ["ROOT", "集团党委", "党委", "", "2010-01-01", "是"],
            ["CITY", "市分公司党委", "党委", "ROOT", "2015-01-01", "是"],
            ["BR", "一支部", "党支部", "CITY", "2015-01-01", "否"]]
    book = workbook(组织=orgs, 组织生活=MEETINGS, 三重一大=[HEADER, *CLEAN, OLD, *PLANTED])
    result = run_import(book, actor=None)
    assert not result.errors, [(e.sheet, e.row, e.column, e.message) for e in result.errors]
    assert result.changes["三重一大"].created == len(CLEAN) + 1 + len(PLANTED)
    # The planted rows are imported as history and reported on their 前置研究日期 cell, whatever their year (C7 is
    # 2019's finding, O1 2017's).
    numbers = {n: [r[0] for r in (*CLEAN, OLD, *PLANTED)][n - 2] for n in range(2, len(CLEAN) + len(PLANTED) + 3)}
    warned = [(numbers[w.row], w.column) for w in result.warnings if w.code == "SOE-03"]
    assert warned == [(n, "前置研究日期") for n in ("C7", "O1", "P1", "P2", "P3", "P4")]
    return result


def check(*args):
    out = io.StringIO()
    call_command("check", *args, "--format", "json", stdout=out)
    return json.loads(out.getvalue())


def test_the_planted_matters_and_only_them(imported):
    found = [f for f in check("--year", "2018") if f["rule"].startswith("SOE-")]
    assert {(f["rule"], f["org"], f["date"]) for f in found} == EXPECTED
    assert len(found) == len(EXPECTED)
    assert all(f["severity"] == "error" and f["person"] is None and f["period"] is None for f in found)
    assert all(f["message"] and f["source"] for f in found)


def test_an_earlier_year_has_its_own(imported):
    found = {(f["org"], f["date"]) for f in check("--year", "2017") if f["rule"] == "SOE-03"}
    assert found == {("CITY", "2017-11-30")}


def test_the_window_ends_on_the_as_of_date(imported):
    found = {(f["org"], f["date"]) for f in check("--as-of", "2018-11-19") if f["rule"] == "SOE-03"}
    assert found == {("ROOT", "2018-05-08"), ("ROOT", "2018-03-11")}


def test_the_subtree_of_the_city_committee_has_its_own_only(imported):
    found = {(f["org"], f["date"]) for f in check("--year", "2018", "--org", "CITY") if f["rule"] == "SOE-03"}
    assert found == {("CITY", "2018-12-31"), ("CITY", "2018-11-20")}
