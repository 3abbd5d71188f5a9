"""The acceptance test of issue 6's statistics: a ledger workbook whose 2018 is known, imported, then
`dangjian stats --org ROOT --as-of 2018-12-31 --format json` gives exactly the figures counted by hand below.

    ROOT 集团党委 ── C1 一分公司党委 ── B1 一支部 (── G1 党小组), B2 二支部, LB 县支部 (from LOCAL on 2018-07-01)
                 ├── GB 机关党总支 ── B3 机关一支部
                 ├── JB 联合党支部 (founded 2018-03-01)
                 ├── OLD 旧支部 (dissolved 2018-05-31)     └── NEW 新支部 (founded 2019-03-01)
    LOCAL 地方党委 (another tree) ── LB2 地方二支部, and LB until 2018-06-30
"""
import datetime
import io
import json

import pytest
from django.core.management import call_command

from dangjian.core.idcard import make_id_number
from dangjian.ledger.importer import run_import

from .test_ledger_support import workbook

D = datetime.date
pytestmark = pytest.mark.django_db


def org_rows():
    return [["组织编码", "组织名称", "组织类别", "上级组织编码", "成立日期", "撤销日期"],
            ["ROOT", "集团党委", "党委", "", "2010-01-01", ""],
            ["C1", "一分公司党委", "党委", "ROOT", "2010-01-01", ""],
            ["B1", "一支部", "党支部", "C1", "2010-01-01", ""],
            ["G1", "一支部第一党小组", "党小组", "B1", "2010-01-01", ""],
            ["B2", "二支部", "党支部", "C1", "2010-01-01", ""],
            ["GB", "机关党总支", "党总支", "ROOT", "2010-01-01", ""],
            ["B3", "机关一支部", "党支部", "GB", "2010-01-01", ""],
            ["JB", "联合党支部", "联合党支部", "ROOT", "2018-03-01", ""],
            ["OLD", "旧支部", "党支部", "ROOT", "2010-01-01", "2018-05-31"],
            ["NEW", "新支部", "党支部", "ROOT", "2019-03-01", ""],
            ["LOCAL", "地方党委", "党委", "", "2010-01-01", ""],
            ["LB2", "地方二支部", "党支部", "LOCAL", "2010-01-01", ""],
            ["LB", "县支部", "党支部", "C1", "2010-01-01", ""]]


def link_rows():
    return [["组织编码", "上级组织编码", "起始日期", "说明"],
            ["LB", "LOCAL", "2010-01-01", "成立"],
            ["LB", "C1", "2018-07-01", "属地管理调整为垂直管理"]]


# n: (name, sex, 民族, birth, 学历, 人员类别, 入党日期, 转正日期, 所属组织编码 (at the end), 工作岗位, 领导干部)
MEMBERS = {
    1: ("张一", "男", "汉族", D(1960, 3, 10), "大学本科", "正式党员", "1985-06-01", "1986-06-01", "B1", "管理人员", "是"),
    2: ("李二", "女", "汉族", D(1975, 12, 31), "研究生", "正式党员", "1998-07-01", "1999-07-01", "LB2", "专业技术人员", "否"),
    3: ("王三", "男", "壮族", D(1988, 12, 31), "大学专科", "正式党员", "2010-07-01", "2011-07-01", "B2", "生产一线", "否"),
    4: ("赵四", "女", "回族", D(1990, 1, 1), "大学本科", "预备党员", "2018-06-15", "", "B2", "生产一线", "否"),
    5: ("陈五", "男", "汉族", D(1950, 5, 5), "高中", "正式党员", "1970-01-01", "1971-01-01", "B3", "离退休人员", "否"),
    6: ("刘六", "女", "汉族", D(1985, 8, 8), "大学本科", "正式党员", "2012-12-31", "2013-12-31", "B3", "管理人员", "否"),
    7: ("孙七", "男", "汉族", D(1980, 2, 28), "中专", "正式党员", "2005-07-01", "2006-07-01", "LB", "生产一线", "否"),
    8: ("周八", "男", "汉族", D(1970, 10, 10), "大学本科", "正式党员", "1995-07-01", "1996-07-01", "LB2", "管理人员", "否"),
    9: ("吴九", "女", "汉族", D(1982, 4, 4), "研究生", "正式党员", "2008-07-01", "2009-07-01", "B2", "专业技术人员", "否"),
    10: ("郑十", "男", "汉族", D(1945, 1, 1), "初中及以下", "正式党员", "1968-07-01", "1969-07-01", "B3", "离退休人员", "否"),
    11: ("钱十一", "男", "汉族", D(1978, 3, 3), "大学本科", "正式党员", "2000-07-01", "2001-07-01", "B1", "生产一线", "否"),
    12: ("冯十二", "女", "满族", D(1983, 6, 6), "大学本科", "正式党员", "2006-07-01", "2007-07-01", "B2", "专业技术人员", "否"),
    13: ("褚十三", "男", "汉族", D(1979, 9, 9), "大学专科", "正式党员", "2003-07-01", "2004-07-01", "B1", "生产一线", "否"),
    14: ("卫十四", "男", "汉族", D(1986, 11, 11), "大学本科", "正式党员", "2009-07-01", "2010-07-01", "B1", "管理人员", "否"),
    15: ("蒋十五", "女", "汉族", D(1992, 2, 2), "大学本科", "正式党员", "2017-09-01", "2018-09-01", "B3", "其他", "否"),
    16: ("沈十六", "男", "汉族", D(2000, 12, 31), "高中", "预备党员", "2018-12-31", "", "B2", "学生", "否"),
    17: ("韩十七", "男", "汉族", D(1995, 5, 5), "大学本科", "预备党员", "2019-01-01", "", "B2", "生产一线", "否"),
    18: ("杨十八", "女", "汉族", D(1987, 12, 31), "大学本科", "正式党员", "2011-07-01", "2012-07-01", "JB", "生产一线", "否"),
    19: ("朱十九", "男", "汉族", D(1966, 6, 6), "研究生", "正式党员", "1990-07-01", "", "B1", "管理人员", "是"),
    20: ("秦二十", "女", "汉族", D(1984, 4, 4), "大学本科", "正式党员", "2010-07-01", "2011-07-01", "B3", "管理人员", "否"),
    21: ("许二一", "男", "汉族", D(1981, 1, 1), "大学本科", "正式党员", "2010-07-01", "2011-07-01", "B1", "生产一线", "否"),
    22: ("何二二", "男", "汉族", D(1982, 2, 2), "大学本科", "正式党员", "2010-07-01", "2011-07-01", "B2", "生产一线", "否"),
    23: ("吕二三", "男", "汉族", D(1955, 5, 5), "初中及以下", "正式党员", "1980-07-01", "1981-07-01", "B3", "离退休人员", "否"),
    24: ("施二四", "男", "汉族", D(1940, 4, 4), "高中", "正式党员", "1965-07-01", "1966-07-01", "B3", "离退休人员", "否"),
}


def ident(n):
    name, sex, *_ = MEMBERS[n]
    return make_id_number("110101", MEMBERS[n][3], n, "M" if sex == "男" else "F")


# (n, 事件, 日期, 组织编码, 转出组织编码)
EVENTS = [
    (8, "转接", "2018-09-01", "LB2", "B1"),       # out of ROOT: 转出组织关系
    (9, "转接", "2018-03-10", "B2", "LB2"),       # into ROOT: 转入组织关系
    (10, "死亡", "2018-04-01", "", ""),
    (11, "停止党籍", "2018-02-01", "", ""),
    (12, "停止党籍", "2017-05-01", "", ""),
    (12, "恢复党籍", "2018-10-01", "", ""),
    (13, "开除党籍", "2018-11-11", "", ""),
    (14, "转接", "2018-05-01", "B1", "OLD"),      # inside ROOT: neither in nor out
    (18, "转接", "2018-03-01", "JB", "B2"),       # inside ROOT
    (20, "退党", "2018-07-07", "", ""),
    (21, "除名", "2018-08-08", "", ""),
    (22, "劝退", "2018-12-31", "", ""),           # on the day: no longer counted
    (24, "死亡", "2017-06-01", "", ""),           # before the year
    # 2019: later events, which must not touch the 2018 figures
    (23, "死亡", "2019-02-01", "", ""),
    (2, "转接", "2019-03-01", "LB2", "B1"),
]


def member_rows():
    rows = [["身份证号", "姓名", "性别", "民族", "出生日期", "学历", "人员类别", "入党日期", "转正日期", "所属组织编码",
             "工作岗位", "领导干部"]]
    for n, (name, sex, ethnicity, birth, education, category, admitted, confirmed, at, post, leading) in \
            MEMBERS.items():
        rows.append([ident(n), name, sex, ethnicity, birth.isoformat(), education, category, admitted, confirmed, at,
                     post, leading])
    return rows


def event_rows():
    rows = [["身份证号", "事件", "日期", "组织编码", "转出组织编码", "说明"]]
    for n, kind, day, to, source in EVENTS:
        rows.append([ident(n), kind, day, to, source, ""])
    return rows


# Counted by hand from the rows above. On 2017-12-31 ROOT held 1, 2, 3, 5, 6, 8, 10, 11, 13, 14 (OLD), 15 (预备),
# 18 (B2), 19, 20, 21, 22, 23: 17 members (not 4, 16, 17: admitted later; 7: LB was LOCAL's; 9: LB2's; 12:
# suspended; 24: dead). On 2018-12-31: 1, 2, 3, 4, 5, 6, 7, 9, 12, 14, 15, 16, 18, 19, 23: 15.
EXPECTED = {
    "members": 15,
    "category": {"full": 13, "probationary": 2},                                 # 4, 16
    "sex": {"M": 8, "F": 7},                                                     # F: 2, 4, 6, 9, 12, 15, 18
    "ethnicity": {"han": 12, "minority": 3, "minority:回族": 1, "minority:壮族": 1, "minority:满族": 1, "none": 0},
    # 3 and 16 have their birthday on the day (30 and 18), 18 turns 31 on it.
    "age": {"le30": 4, "31_35": 4, "36_40": 2, "41_45": 1, "46_50": 0, "51_55": 1, "56_60": 1, "61_65": 1,
            "66_70": 1, "ge71": 0},
    "education": {"postgraduate": 3, "bachelor": 7, "college": 1, "secondary_vocational": 1, "high_school": 2,
                  "junior_or_below": 1, "none": 0},
    "post": {"frontline": 4, "professional": 3, "management": 4, "retired": 2, "student": 1, "other": 1, "none": 0},
    # From 转正: 15 (2018) <5; 6 (2013-12-31: five years on the day), 3, 9, 14, 18: 5–9; 2, 7, 12: 10–19;
    # 1, 23: 30–39; 5: 40–49; 4 and 16 预备; 19 has no 转正日期.
    "party_age": {"lt5": 1, "5_9": 5, "10_19": 3, "20_29": 0, "30_39": 2, "40_49": 1, "ge50": 0,
                  "probationary": 2, "unknown": 1},
    "joined": {"to_1937_07_06": 0, "to_1945_09_02": 0, "to_1949_09": 0, "to_1966_04": 0, "to_1976_10": 1,
               "to_1978_12": 0, "to_2002_10": 4, "to_2012_10": 6, "from_2012_11": 4},
    "leading": {"yes": 2, "no": 13},
    # ROOT, C1; GB; B1, B2, B3, LB and JB (OLD dissolved, NEW not yet); G1.
    "organizations": {"committee": 2, "general_branch": 1, "branches": 5, "branch": 4, "joint_branch": 1,
                      "temporary_branch": 0, "party_group": 1},
    "changes": {"start": 17, "added": 5, "recruited": 2, "restored": 1, "transferred_in": 1, "unit_in": 1,
                "other_in": 0, "removed": 7, "left": 4, "withdrew": 1, "struck_off": 1, "expelled": 1, "persuaded": 1,
                "cancelled": 0, "suspended": 1, "died": 1, "transferred_out": 1, "unit_out": 0, "other_out": 0,
                "expected": 15, "end": 15, "difference": 0, "confirmed": 1},
}


@pytest.fixture
def imported(db):
    book = workbook(组织=org_rows(), 隶属关系=link_rows(), 党员=member_rows(), 党员变动=event_rows())
    result = run_import(book, actor=None)
    assert result.ok, [e.message for e in result.errors]


def stats_json(*args):
    out = io.StringIO()
    call_command("stats", *args, "--format", "json", stdout=out)
    return json.loads(out.getvalue())


def test_the_2018_statistics_of_the_workbook_are_those_counted_by_hand(imported):
    got = stats_json("--org", "ROOT", "--as-of", "2018-12-31")
    assert got["members"] == EXPECTED["members"]
    figures = {key: {r["key"]: r["count"] for r in table["rows"]} for key, table in got["tables"].items()}
    assert figures == {key: value for key, value in EXPECTED.items() if key != "members"}
    assert all(table["total"] == 15 for key, table in got["tables"].items() if key != "organizations")
    assert got["tables"]["organizations"]["total"] == 9


def test_the_later_rows_show_in_2019_only(imported):
    year = stats_json("--org", "ROOT", "--as-of", "2019-12-31")
    changes = {r["key"]: r["count"] for r in year["tables"]["changes"]["rows"]}
    assert changes["start"] == 15
    assert changes["recruited"] == 1 and changes["died"] == 1 and changes["transferred_out"] == 1
    assert changes["difference"] == 0


def test_a_subtree_of_the_workbook(imported):
    """C1 on 2018-12-31: B1 (1, 2, 14, 19), B2 (3, 4, 9, 12, 16) and LB (7), not JB (18 moved there)."""
    got = stats_json("--org", "C1", "--as-of", "2018-12-31")
    assert got["members"] == 10
    changes = {r["key"]: r["count"] for r in got["tables"]["changes"]["rows"]}
    # Start: 1, 2, 3, 8, 11, 13, 18, 19, 21, 22 = 10; 14 (from OLD) and 18 (to JB) cross C1's border.
    assert changes["start"] == 10
    assert changes["transferred_in"] == 2 and changes["transferred_out"] == 2 and changes["unit_in"] == 1
    assert changes["difference"] == 0
