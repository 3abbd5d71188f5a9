"""The acceptance test of the rule engine: a 2018 workbook with planted gaps and invalid votes, imported
through the ledger, yields exactly the findings RULES.md defines for them — and none for the organisations
that did everything right, including one founded and one dissolved in the middle of the year.

    ROOT  集团党委 (设立纪委)            all right: secretary lectures at GOOD, 民主生活会 held
    ├── GOOD  一支部 (11 members, 3 leave for NEW on 2018-05-15; a committee of 3)   all right
    │   └── GOODG  第一党小组          all right (monthly 党小组会)
    ├── NEW   二支部, founded 2018-05-15 (3 members transferred in)   all right from June on
    ├── OLD   三支部, dissolved 2018-08-20 (no members)               all right up to July
    ├── BAD   四支部 (8 members, a committee of 3)   the planted gaps
    └── SUB   分公司党委: no 民主生活会; secretary left 2018-07-31     MTG-15, TERM-04
        └── FIVE  五支部: 2 full members and 1 probationary          ORG-01
"""
import datetime
import io
import json

import pytest
from django.core.management import call_command

from dangjian.ledger.importer import run_import

from .cast import person_id
from .test_ledger_support import workbook

D = datetime.date
MONTHS = range(1, 13)

GOOD = [person_id(100 + n) for n in range(1, 12)]      # GOOD[8:] move to NEW
BAD = [person_id(200 + n) for n in range(1, 9)]
FIVE = [person_id(300 + n) for n in range(1, 4)]       # FIVE[2] is probationary
ROOT_SECRETARY, SUB_SECRETARY, SUB_DISCIPLINE = person_id(401), person_id(402), person_id(403)


def org_rows():
    header = ["组织编码", "组织名称", "组织类别", "上级组织编码", "成立日期", "撤销日期", "设立纪委"]
    rows = [
        ["ROOT", "集团党委", "党委", "", "2016-01-01", "", "是"],
        ["GOOD", "一支部", "党支部", "ROOT", "2016-01-01", "", "否"],
        ["GOODG", "一支部第一党小组", "党小组", "GOOD", "2016-01-01", "", "否"],
        ["NEW", "二支部", "党支部", "ROOT", "2018-05-15", "", "否"],
        ["OLD", "三支部", "党支部", "ROOT", "2016-01-01", "2018-08-20", "否"],
        ["BAD", "四支部", "党支部", "ROOT", "2016-01-01", "", "否"],
        ["SUB", "分公司党委", "党委", "ROOT", "2016-01-01", "", "否"],
        ["FIVE", "五支部", "党支部", "SUB", "2016-01-01", "", "否"],
    ]
    return [header, *rows]


def member_rows():
    header = ["身份证号", "姓名", "人员类别", "入党日期", "转正日期", "所属组织编码"]
    rows = []

    def add(ids, org, prefix):
        for i, id_number in enumerate(ids, 1):
            rows.append([id_number, f"{prefix}{i}", "正式党员", "2005-07-01", "2006-07-01", org])

    add(GOOD[:8], "GOOD", "甲")
    add(GOOD[8:], "NEW", "乙")
    add(BAD, "BAD", "丁")
    add(FIVE[:2], "FIVE", "戊")
    rows.append([FIVE[2], "戊3", "预备党员", "2018-03-01", "", "FIVE"])
    add([ROOT_SECRETARY], "ROOT", "集团书记")
    add([SUB_SECRETARY, SUB_DISCIPLINE], "SUB", "分公司")
    return [header, *rows]


def transfer_rows():
    header = ["身份证号", "事件", "日期", "组织编码", "转出组织编码"]
    return [header, *[[id_number, "转接", "2018-05-15", "NEW", "GOOD"] for id_number in GOOD[8:]]]


def post_rows():
    header = ["组织编码", "身份证号", "职务", "任职日期", "离任日期"]
    return [header,
            ["ROOT", ROOT_SECRETARY, "书记", "2016-01-01", ""],
            ["GOOD", GOOD[0], "书记", "2016-01-01", ""],
            ["GOOD", GOOD[1], "组织委员", "2016-01-01", ""],
            ["GOOD", GOOD[2], "纪检委员", "2016-01-01", ""],
            ["NEW", GOOD[8], "书记", "2018-05-15", ""],
            ["BAD", BAD[0], "书记", "2016-01-01", ""],
            ["BAD", BAD[1], "组织委员", "2016-01-01", ""],
            ["BAD", BAD[2], "纪检委员", "2016-01-01", ""],
            ["SUB", SUB_SECRETARY, "书记", "2016-01-01", "2018-07-31"],
            ["SUB", SUB_DISCIPLINE, "纪检委员", "2016-01-01", ""],
            ["FIVE", FIVE[0], "书记", "2016-01-01", ""]]


def election_rows():
    header = ["组织编码", "选举日期", "任期年数", "应到人数", "实到人数", "应选人数", "候选人数"]
    return [header,
            ["ROOT", "2016-06-01", 5, 10, 10, 5, 6],
            ["SUB", "2016-06-01", 5, 10, 10, 5, 6],
            ["GOOD", "2017-03-01", 3, 11, 11, 3, 4],
            ["NEW", "2018-05-15", 3, 3, 3, 1, 2],
            ["FIVE", "2017-03-01", 3, 2, 2, 1, 2],
            ["BAD", "2016-01-10", 2, 8, 8, 3, 4]]      # ended 2018-01-10: TERM-02


MEETING_HEADER = ["组织编码", "会议类型", "日期", "主题", "主持人身份证号", "讲课人身份证号", "应到人数", "实到人数",
                  "出席人身份证号", "议题类别", "表决事项", "赞成票"]


def meeting(org, types, day, subject, expected=8, present=8, lecturer="", attendees="", vote="", yes=None):
    return [org, types, day.isoformat(), subject, "", lecturer, expected, present, attendees, "", vote, yes]


def regular_year(org, months, *, lecturer="", committee=True, expected=8, skip=()):
    """A branch doing everything: monthly 主题党日 (and 支部委员会), quarterly 支部党员大会 and 党课. `skip`
    names (type, month) pairs left out."""
    rows = []
    for m in months:
        if ("主题党日", m) not in skip:
            rows.append(meeting(org, "主题党日", D(2018, m, 8), f"{m}月主题党日", expected, expected))
        if committee and ("支部委员会", m) not in skip:
            rows.append(meeting(org, "支部委员会", D(2018, m, 3), f"{m}月支委会", 3, 3))
        if m % 3 == 0 or m == months[-1]:
            if ("支部党员大会", m) not in skip:
                rows.append(meeting(org, "支部党员大会", D(2018, m, 20), f"第{(m + 2) // 3}季度党员大会", expected,
                                    expected - 1))
            if ("党课", m) not in skip:
                rows.append(meeting(org, "党课", D(2018, m, 25), f"第{(m + 2) // 3}季度党课", expected, expected,
                                    lecturer=lecturer if m == 3 else ""))
    return rows


def meeting_rows():
    rows = []
    # GOOD: everything, the secretary lectures in March; the year-end meeting counts four times; a vote that
    # passes; one meeting with its attendees listed.
    rows += regular_year("GOOD", MONTHS, lecturer=GOOD[0])
    rows.append(meeting("GOOD", "支部党员大会;主题党日;组织生活会;民主评议党员", D(2018, 12, 28), "年度组织生活会", 8, 8))
    rows.append(meeting("GOOD", "支部党员大会", D(2018, 6, 28), "表决推荐优秀党员", 8, 7, vote="推荐优秀党员", yes=7))
    rows.append(meeting("GOOD", "党课", D(2018, 5, 30), "集团书记讲党课", 3, 3, lecturer=ROOT_SECRETARY,
                        attendees=";".join(GOOD[:3])))
    rows += [meeting("GOODG", "党小组会", D(2018, m, 12), f"{m}月党小组会", 4, 4) for m in MONTHS]
    # NEW: from June (founded 2018-05-15): Q3 and Q4 on time, no committee.
    rows += regular_year("NEW", range(6, 13), committee=False, expected=3)
    # OLD: January to July, then dissolved on 2018-08-20.
    rows += regular_year("OLD", range(1, 8), committee=False, expected=5)
    # BAD: the planted gaps.
    skip = {("主题党日", 3), ("主题党日", 7), ("支部党员大会", 6), ("支部委员会", 10), ("党课", 9)}
    rows += regular_year("BAD", MONTHS, lecturer=BAD[3], skip=skip)
    rows.append(meeting("BAD", "支部委员会", D(2018, 4, 10), "支委会（到会不足）", 3, 1))
    rows.append(meeting("BAD", "支部党员大会", D(2018, 1, 15), "接收预备党员（不足法定人数）", 8, 4, vote="接收预备党员", yes=4))
    rows.append(meeting("BAD", "支部党员大会", D(2018, 9, 10), "表决（赞成不过半）", 8, 6, vote="评议结果", yes=4))
    rows.append(meeting("BAD", "民主评议党员", D(2018, 12, 27), "民主评议党员", 8, 8))
    # FIVE: everything (its problem is its size).
    rows += regular_year("FIVE", MONTHS, lecturer=FIVE[0], committee=False, expected=3)
    rows.append(meeting("FIVE", "组织生活会;民主评议党员", D(2018, 12, 26), "年度组织生活会", 3, 3))
    # The committees: ROOT holds its 民主生活会; SUB does not.
    rows.append(meeting("ROOT", "民主生活会", D(2018, 12, 18), "年度民主生活会", 9, 9))
    rows.append(meeting("ROOT", "党委会", D(2018, 3, 18), "研究党建工作", 9, 9))
    rows.append(meeting("SUB", "党委会", D(2018, 3, 18), "研究党建工作", 7, 7))
    return [MEETING_HEADER, *rows]


EXPECTED = {
    # (rule, org, period, date, person)
    ("MTG-09", "BAD", "2018-03", None, None),
    ("MTG-09", "BAD", "2018-07", None, None),
    ("MTG-01", "BAD", "2018-Q2", None, None),
    ("MTG-05", "BAD", "2018-10", None, None),
    ("MTG-05Q", "BAD", None, "2018-04-10", None),
    ("MTG-02", "BAD", None, "2018-01-15", None),
    ("MTG-02", "BAD", None, "2018-09-10", None),
    ("MTG-08", "BAD", "2018-Q3", None, None),
    ("MTG-10", "BAD", "2018", None, None),
    ("MTG-16", "BAD", "2018", None, BAD[0]),
    ("TERM-02", "BAD", None, "2018-01-10", None),
    ("MTG-15", "SUB", "2018", None, None),
    ("TERM-04", "SUB", None, "2018-08-01", None),
    ("ORG-01", "FIVE", None, None, None),
}


@pytest.fixture
def imported(db):
    book = workbook(组织=org_rows(), 党员=member_rows(), 党员变动=transfer_rows(), 班子=post_rows(),
                    换届=election_rows(), 组织生活=meeting_rows())
    result = run_import(book, actor=None)
    assert not result.errors, [(e.sheet, e.row, e.column, e.message) for e in result.errors]


def check(*args):
    out = io.StringIO()
    call_command("check", *args, "--format", "json", stdout=out)
    return json.loads(out.getvalue())


def keys(findings):
    return {(f["rule"], f["org"], f["period"], f["date"], f["person"]) for f in findings}


def test_the_planted_gaps_and_only_them(imported):
    findings = check("--year", "2018")
    assert keys(findings) == EXPECTED
    assert len(findings) == len(EXPECTED)


def test_severities_and_fields_are_rules_md(imported):
    by_key = {(f["rule"], f["org"], f["period"], f["date"]): f for f in check("--year", "2018")}
    assert by_key[("TERM-04", "SUB", None, "2018-08-01")]["severity"] == "error"  # 153 days > 90
    assert by_key[("MTG-02", "BAD", None, "2018-01-15")]["severity"] == "error"
    assert by_key[("MTG-09", "BAD", "2018-03", None)]["severity"] == "warning"
    assert by_key[("MTG-09", "BAD", "2018-03", None)]["message"] == "2018年3月未开展主题党日"
    assert by_key[("MTG-09", "BAD", "2018-03", None)]["source"] == "支部工作条例 第十七条"


def test_a_subtree_has_only_its_findings(imported):
    assert keys(check("--year", "2018", "--org", "SUB")) == {k for k in EXPECTED if k[1] in ("SUB", "FIVE")}
    assert check("--year", "2018", "--org", "GOOD") == []


def test_mid_year_periods_not_yet_ended_are_not_missed(imported):
    # As of 2018-07-31: July is checked (BAD skipped it), Q3 and the year are still running.
    found = keys(check("--as-of", "2018-07-31"))
    assert ("MTG-09", "BAD", "2018-07", None, None) in found
    assert not any(k[2] in ("2018-Q3", "2018") for k in found)
    # The day before, July is still running.
    assert ("MTG-09", "BAD", "2018-07", None, None) not in keys(check("--as-of", "2018-07-30"))
