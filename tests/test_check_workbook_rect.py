"""The acceptance test of RECT-01: a workbook with planted rectification problems, imported through the
ledger, yields exactly the RECT-01 findings RULES.md defines for them ("past its 整改时限 with no 完成日期 on the
as-of date", `date` = the deadline), and none for the clean rows — at the edges of the as-of date.

    ROOT  集团党委 ── BR 一支部 (the 责任人 are its members), BR2 二支部
"""
import io
import json

import pytest
from django.core.management import call_command

from dangjian.ledger.importer import run_import

from .cast import person_id
from .test_ledger_support import workbook

OWNER1, OWNER2 = person_id(801), person_id(802)
HEADER = ["问题编号", "组织编码", "年度", "问题来源", "问题描述", "原因分析", "整改措施", "责任人身份证号", "整改时限",
          "完成日期", "销号日期"]


def problem(number, org, year, source, deadline, completed="", closed="", owner=OWNER1):
    return [number, org, year, source, f"问题{number}", "原因", "措施", owner, deadline, completed, closed]


CLEAN = [
    problem("C1", "BR", 2018, "考核", "2018-06-30", "2018-06-01", "2018-06-20"),      # done early, closed
    problem("C2", "BR", 2018, "自查", "2018-06-30", "2018-06-30"),                    # done on the deadline
    problem("C3", "BR", 2018, "组织生活会", "2018-12-31"),                            # deadline = the as-of date
    problem("C4", "BR2", 2018, "上级督查", "2019-03-31", owner=OWNER2),               # deadline next year
    problem("C5", "ROOT", 2017, "巡视巡察", "2017-12-31", "2018-03-01", "2018-04-10"),  # 2017's, done late in 2018
    problem("C6", "ROOT", 2018, "民主生活会", "2018-09-30", "2018-09-15"),            # done, not closed yet
]
PLANTED = [
    problem("P1", "BR", 2018, "述职评议", "2018-06-30"),                              # open, past its deadline
    problem("P2", "BR", 2018, "组织生活会", "2018-12-30"),                            # the day before the as-of date
    problem("P3", "BR2", 2017, "巡视巡察", "2017-12-31", owner=OWNER2),               # 2017's, still open
    problem("P4", "ROOT", 2018, "考核", "2018-10-31", "2019-01-10"),                  # completed after the as-of date
]
EXPECTED = {("RECT-01", "BR", "2018-06-30"), ("RECT-01", "BR", "2018-12-30"), ("RECT-01", "BR2", "2017-12-31"),
            ("RECT-01", "ROOT", "2018-10-31")}


@pytest.fixture
def imported(db):
    orgs = [["组织编码", "组织名称", "组织类别", "上级组织编码", "成立日期", "设立纪委"],
            ["ROOT", "集团党委", "党委", "", "2010-01-01", "是"],
            ["BR", "一支部", "党支部", "ROOT", "2010-01-01", "否"],
            ["BR2", "二支部", "党支部", "ROOT", "2010-01-01", "否"]]
    members = [["身份证号", "姓名", "人员类别", "入党日期", "转正日期", "所属组织编码"],
               [OWNER1, "责任人甲", "正式党员", "2005-07-01", "2006-07-01", "BR"],
               [OWNER2, "责任人乙", "正式党员", "2005-07-01", "2006-07-01", "BR2"]]
    book = workbook(组织=orgs, 党员=members, 问题整改=[HEADER, *CLEAN, *PLANTED])
    result = run_import(book, actor=None)
    assert not result.errors, [(e.sheet, e.row, e.column, e.message) for e in result.errors]
    assert result.changes["问题整改"].created == len(CLEAN) + len(PLANTED)


def check(*args):
    out = io.StringIO()
    call_command("check", *args, "--format", "json", stdout=out)
    return json.loads(out.getvalue())


def test_the_planted_problems_and_only_them(imported):
    found = [f for f in check("--year", "2018") if f["rule"].startswith("RECT-")]
    assert {(f["rule"], f["org"], f["date"]) for f in found} == EXPECTED
    assert len(found) == len(EXPECTED)
    assert all(f["severity"] == "warning" and f["person"] is None and f["period"] is None for f in found)
    assert all(f["message"] and f["source"] for f in found)


def test_a_later_as_of_date_sees_the_late_completion(imported):
    found = {(f["org"], f["date"]) for f in check("--as-of", "2019-01-10") if f["rule"] == "RECT-01"}
    assert ("ROOT", "2018-10-31") not in found and ("BR", "2018-12-31") in found  # C3's deadline has passed now


def test_the_subtree_of_a_branch_has_its_own_only(imported):
    found = {(f["org"], f["date"]) for f in check("--year", "2018", "--org", "BR2") if f["rule"] == "RECT-01"}
    assert found == {("BR2", "2017-12-31")}
