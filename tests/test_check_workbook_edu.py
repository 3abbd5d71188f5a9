"""The acceptance test of the training rules: a 2018 workbook with planted study-hour shortfalls, imported
through the ledger, yields exactly the EDU-01 and EDU-02 findings RULES.md defines, and none for the clean rows
— the boundaries included (31.9 / 32 / 32.1 学时; 55.9 / 56), a 党课 attended counted (at 4 学时) and not counted
twice when a 培训 row of 形式 党课 records it, a member admitted mid-year and a member who died in the year not
judged, a 书记 judged by 56 instead of 32, a committee member who left the post before the year's end by 32.

    ROOT 集团党委 ── BR 一支部 (the committee: 书记 SEC, 组织委员 ORG; 宣传委员 LEFT until June)
                └── BR2 二支部 (a member transferred in from BR in August)
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
# (name, branch, 入党日期, [培训 rows: (date, 内容, 学时, 形式)], a planted rule or None)
PEOPLE = {
    "M319": ("党员甲", "BR", "2005-07-01", [("2018-04-10", "集中培训", "31.9", "集中培训")], "EDU-01"),
    "M32": ("党员乙", "BR", "2005-07-01", [("2018-04-10", "集中培训", 32, "集中培训")], None),
    "M321": ("党员丙", "BR", "2005-07-01", [("2018-04-10", "集中培训", "32.1", "集中培训")], None),
    "M0": ("党员丁", "BR", "2005-07-01", [], "EDU-01"),   # nothing recorded at all
    # 28 + the 党课 of 2018-06-20 attended (4): 32
    "LECT": ("党员戊", "BR", "2005-07-01", [("2018-04-10", "网络学习", 28, "网络学习")], None),
    # 28 + a 培训 row of 形式 党课 for the 党课 attended that day (2): 30, the lecture not counted again
    "TWICE": ("党员己", "BR", "2005-07-01", [("2018-04-10", "网络学习", 28, "网络学习"),
                                           ("2018-06-20", "党课：学习新党章", 2, "党课")], "EDU-01"),
    "NEW": ("新党员", "BR", "2018-01-02", [], None),      # admitted mid-year: not judged
    "DIED": ("故去党员", "BR", "2005-07-01", [], None),   # died in November: not judged
    "MOVED": ("调动党员", "BR", "2005-07-01", [("2018-03-01", "集中培训", 20, "集中培训")], "EDU-01"),  # in BR2 at year end
    "SEC": ("书记", "BR", "2005-07-01", [("2018-03-01", "支部书记培训", 40, "集中培训")], "EDU-02"),   # 40: 56 needed
    "ORG": ("组织委员", "BR", "2005-07-01", [("2018-03-01", "委员培训", "55.9", "集中培训")], "EDU-02"),
    "ORG56": ("纪检委员", "BR", "2005-07-01", [("2018-03-01", "委员培训", 48, "集中培训"),
                                            ("2018-11-01", "新任班子成员轮训", 8, "轮训")], None),
    "LEFT": ("前宣传委员", "BR", "2005-07-01", [("2018-03-01", "集中培训", 40, "集中培训")], None),  # judged by 32
}
IDS = {key: person_id(800 + n) for n, key in enumerate(PEOPLE)}
EXPECTED = {(rule, IDS[key], "2018") for key, (_, _, _, _, rule) in PEOPLE.items() if rule}


def sheets():
    orgs = [["组织编码", "组织名称", "组织类别", "上级组织编码", "成立日期", "设立纪委"],
            ["ROOT", "集团党委", "党委", "", "2010-01-01", "是"],
            ["BR", "一支部", "党支部", "ROOT", "2010-01-01", "否"],
            ["BR2", "二支部", "党支部", "ROOT", "2010-01-01", "否"]]
    members = [["身份证号", "姓名", "人员类别", "入党日期", "转正日期", "所属组织编码"]]
    for key, (name, org, admitted, _, _) in PEOPLE.items():
        full = key != "NEW"
        members.append([IDS[key], name, "正式党员" if full else "预备党员", admitted,
                        "2006-07-01" if full else None, "BR2" if key == "MOVED" else org])
    events = [["身份证号", "事件", "日期", "组织编码", "转出组织编码"],
              [IDS["MOVED"], "转接", "2018-08-01", "BR2", "BR"],
              [IDS["DIED"], "死亡", "2018-11-05", None, None]]
    posts = [["组织编码", "身份证号", "职务", "任职日期", "离任日期"],
             ["BR", IDS["SEC"], "书记", "2016-03-01", None],
             ["BR", IDS["ORG"], "组织委员", "2016-03-01", None],
             ["BR", IDS["ORG56"], "纪检委员", "2018-09-01", None],
             ["BR", IDS["LEFT"], "宣传委员", "2016-03-01", "2018-06-30"]]
    attendees = [IDS[k] for k in ("LECT", "TWICE")]
    meetings = [["组织编码", "会议类型", "日期", "主题", "讲课人身份证号", "应到人数", "实到人数", "出席人身份证号"],
                ["BR", "党课", "2018-06-20", "党课：学习新党章", IDS["SEC"], 2, 2, ";".join(attendees)]]
    training = [["身份证号", "日期", "内容", "学时", "形式"]]
    for key, (_, _, _, rows, _) in PEOPLE.items():
        training += [[IDS[key], day, subject, hours, kind] for day, subject, hours, kind in rows]
    return {"组织": orgs, "党员": members, "党员变动": events, "班子": posts, "组织生活": meetings, "培训": training}


@pytest.fixture
def imported(db):
    result = run_import(workbook(**sheets()), actor=None)
    assert not result.errors, [(e.sheet, e.row, e.column, e.message) for e in result.errors]


def check(*args):
    out = io.StringIO()
    call_command("check", *args, "--format", "json", stdout=out)
    return json.loads(out.getvalue())


def edu(found):
    return [f for f in found if f["rule"].startswith("EDU-")]


def test_the_planted_shortfalls_and_only_them(imported):
    found = edu(check("--year", "2018"))
    assert {(f["rule"], f["person"], f["period"]) for f in found} == EXPECTED
    assert len(found) == len(EXPECTED) == 6
    assert all(f["severity"] == "warning" and f["date"] is None for f in found)
    orgs = {f["person"]: f["org"] for f in found}
    assert orgs[IDS["MOVED"]] == "BR2" and {orgs[IDS[k]] for k in ("M319", "SEC", "ORG")} == {"BR"}
    message = next(f["message"] for f in found if f["person"] == IDS["TWICE"])
    assert "30.0学时" in message and "党课1次" not in message


def test_a_year_not_completed_is_not_judged(imported):
    assert edu(check("--as-of", "2018-12-30")) == []
    assert edu(check("--year", "2019")) == []  # 2019: nothing recorded, no ledger kept


def test_the_subtree_narrows_the_findings(imported):
    found = edu(check("--year", "2018", "--org", "BR2"))
    assert [(f["rule"], f["person"]) for f in found] == [("EDU-01", IDS["MOVED"])]
