"""The acceptance test of issue 4's rules: a 2018 workbook with planted recruitment and dues problems, imported
through the ledger, yields exactly the DEV-* and DUES-* findings RULES.md defines for them, and none for the
clean cases — the dues bracket edges included (bases of exactly 3,000, 5,000 and 10,000 yuan).

    ROOT  集团党委 ── BR 一支部: the contacts and sponsors (C1–C4), the dues payers, and the applicants.
"""
import datetime
import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command

from dangjian.dues.services import amount_due
from dangjian.ledger.importer import run_import

from .cast import person_id
from .test_ledger_support import workbook

D = datetime.date
C1, C2, C3, C4 = (person_id(500 + n) for n in range(1, 5))

# Dues payers: (id, 党费类别, base, what the workbook pays for each month 1–12, paid day of month or a date)
DUES_CLEAN = {
    "E3000": (person_id(601), "在职", "3000", "15.00"),     # exactly 3,000: 0.5%
    "E3001": (person_id(602), "在职", "3000.01", "30.00"),  # just above: 1%
    "E5000": (person_id(603), "在职", "5000", "50.00"),     # exactly 5,000: 1%
    "E10000": (person_id(604), "在职", "10000", "150.00"),  # exactly 10,000: 1.5%
    "E10001": (person_id(605), "年薪制", "10001", "200.02"),  # above: 2% on the whole base
    "R5000": (person_id(606), "离退休", "5000", "25.00"),   # retired, exactly 5,000: 0.5%
    "R5001": (person_id(607), "离退休", "5001", "50.01"),   # retired above: 1%
    "S": (person_id(608), "学生", "", "0.20"),
}
UNDER = person_id(611)     # paid one cent less in March: DUES-02 2018-03
RUN3 = person_id(612)      # April–June unpaid: DUES-03 2018-06
RUN6 = person_id(613)      # January–August unpaid: DUES-12 2018-06 (and no DUES-03)
LATE = person_id(614)      # March paid on 2018-10-01, after 09-30: DUES-11 2018-03
PAYERS = [UNDER, RUN3, RUN6, LATE]


def applicant(n, birth=D(1995, 3, 1)):
    return person_id(700 + n, birth=birth)


OK1, OK2, OK3, OK4 = applicant(1), applicant(2), applicant(3), applicant(4)
P01 = applicant(11, birth=D(2000, 6, 1))
P02, P02B, P04, P06, P07, P08, P09, P12, P14, P15, P17, P18, P20, PORD = (applicant(n) for n in range(12, 26))


def org_rows():
    return [["组织编码", "组织名称", "组织类别", "上级组织编码", "成立日期", "设立纪委"],
            ["ROOT", "集团党委", "党委", "", "2010-01-01", "是"],
            ["BR", "一支部", "党支部", "ROOT", "2010-01-01", "否"]]


def member_rows():
    rows = [["身份证号", "姓名", "人员类别", "入党日期", "转正日期", "所属组织编码", "党费类别"]]
    for i, c in enumerate((C1, C2, C3, C4), 1):
        rows.append([c, f"联系人{i}", "正式党员", "2005-07-01", "2006-07-01", "BR", "在职"])
    for name, (id_number, category, _, _) in DUES_CLEAN.items():
        rows.append([id_number, f"党员{name}", "正式党员", "2005-07-01", "2006-07-01", "BR", category])
    for i, id_number in enumerate(PAYERS, 1):
        rows.append([id_number, f"缴费人{i}", "正式党员", "2005-07-01", "2006-07-01", "BR", "在职"])
    return rows


def dues_rows():
    rows = [["身份证号", "月份", "缴费基数", "实缴金额", "缴纳日期"]]
    for id_number, _, base, amount in DUES_CLEAN.values():
        for m in range(1, 13):
            rows.append([id_number, f"2018-{m:02d}", base, amount, D(2018, m, 10).isoformat()])
    # The contacts pay too (4000: 1%), so the branch's whole roll is in the ledger.
    for c in (C1, C2, C3, C4):
        for m in range(1, 13):
            rows.append([c, f"2018-{m:02d}", "4000", "40.00", D(2018, m, 10).isoformat()])
    # The applicants admitted through the 发展党员 sheet pay from their admission (all before 2018 but two).
    # They pay on the 25th: OK3 was admitted on 2018-01-15, and a payment cannot come before the admission.
    for id_number, first in ((OK1, 1), (OK3, 1), (P08, 1), (P09, 1), (P14, 3), (P15, 1), (P17, 1), (P18, 1), (P20, 1)):
        for m in range(first, 13):
            rows.append([id_number, f"2018-{m:02d}", "4000", "40.00", D(2018, m, 25).isoformat()])
    for id_number, skip, amounts, dates in (
            (UNDER, (), {3: "39.99"}, {}),
            (RUN3, (4, 5, 6), {}, {}),
            (RUN6, tuple(range(1, 9)), {}, {}),
            (LATE, (), {}, {3: D(2018, 10, 1)})):
        for m in range(1, 13):
            if m in skip:
                continue
            rows.append([id_number, f"2018-{m:02d}", "4000", amounts.get(m, "40.00"),
                         dates.get(m, D(2018, m, 10)).isoformat()])
    return rows


RECRUITMENT_HEADER = ["身份证号", "姓名", "所属组织编码", "申请日期", "谈话日期", "确定积极分子日期", "培养联系人身份证号",
                      "确定发展对象日期", "入党介绍人身份证号", "政审日期", "政审结论", "培训开始日期", "培训结束日期", "培训学时",
                      "支委会审查日期", "预审日期", "支部大会日期", "支部大会应到人数", "支部大会实到人数", "支部大会赞成票",
                      "上级谈话日期", "审批日期", "入党宣誓日期", "转正申请日期", "转正支部大会日期", "转正应到人数", "转正实到人数",
                      "转正赞成票", "转正结果", "延长月数", "转正审批日期"]


def case(id_number, name, **steps):
    """A 发展党员 row; `steps` by column name (ASCII aliases below)."""
    columns = {"apply": "申请日期", "talk": "谈话日期", "activist": "确定积极分子日期", "contacts": "培养联系人身份证号",
               "candidate": "确定发展对象日期", "sponsors": "入党介绍人身份证号", "review": "政审日期",
               "review_result": "政审结论", "train_from": "培训开始日期", "train_to": "培训结束日期", "hours": "培训学时",
               "committee": "支委会审查日期", "prereview": "预审日期", "meeting": "支部大会日期",
               "expected": "支部大会应到人数", "present": "支部大会实到人数", "yes": "支部大会赞成票",
               "higher_talk": "上级谈话日期", "approval": "审批日期", "oath": "入党宣誓日期",
               "apply_confirm": "转正申请日期", "confirm_meeting": "转正支部大会日期", "c_expected": "转正应到人数",
               "c_present": "转正实到人数", "c_yes": "转正赞成票", "result": "转正结果", "months": "延长月数",
               "c_approval": "转正审批日期"}
    values = {columns[k]: v for k, v in steps.items()}
    return [id_number, name, "BR"] + [values.get(h, "") for h in RECRUITMENT_HEADER[3:]]


def admitted(meeting, approval, **over):
    """The steps of a clean candidate admitted at `meeting` (activist a year and a half before)."""
    steps = dict(apply="2015-03-01", talk="2015-03-20", activist="2015-06-01", contacts=f"{C1};{C2}",
                 candidate="2016-06-15", sponsors=f"{C1};{C2}", review="2016-08-01", review_result="合格",
                 train_from="2016-08-10", train_to="2016-08-12", hours=24, committee="2016-09-01",
                 prereview="2016-09-10", meeting=meeting, expected=10, present=9, yes=9, approval=approval)
    steps.update(over)
    return steps


# A clean confirmation on time, for the admitted rows that plant a rule before it.
CONFIRMED = dict(apply_confirm="2017-09-20", confirm_meeting="2017-10-12", c_expected=10, c_present=9, c_yes=9,
                 result="按期转正", c_approval="2017-11-01")


def recruitment_rows():
    rows = [RECRUITMENT_HEADER]
    # Clean: confirmed on time; an activist in training; admitted in 2018 (approval exactly 3 months later, a
    # training of 2 days and 24 hours); an application of 2018-12-01 whose talk is not due yet.
    rows.append(case(OK1, "申请人甲", **admitted("2016-10-10", "2016-11-01", higher_talk="2016-10-20",
                                                oath="2016-11-10", apply_confirm="2017-09-20",
                                                confirm_meeting="2017-10-12", c_expected=10, c_present=9, c_yes=9,
                                                result="按期转正", c_approval="2017-11-01")))
    rows.append(case(OK2, "申请人乙", apply="2018-03-01", talk="2018-03-15", activist="2018-06-01", contacts=C3))
    rows.append(case(OK3, "申请人丙", **admitted("2018-01-15", "2018-04-15", train_from="2016-08-10",
                                                train_to="2016-08-11", hours=24)))
    rows.append(case(OK4, "申请人丁", apply="2018-12-01"))
    # Planted, one rule each.
    rows.append(case(P01, "未满十八", apply="2018-05-31", talk="2018-06-10"))                       # DEV-01
    rows.append(case(P02, "谈话迟", apply="2018-01-10", talk="2018-02-11"))                          # DEV-02
    rows.append(case(P02B, "未谈话", apply="2018-11-29"))                                            # DEV-02
    rows.append(case(P04, "三名联系人", apply="2017-01-05", talk="2017-01-20", activist="2017-03-01",
                     contacts=f"{C1};{C2};{C3}"))                                                    # DEV-04
    rows.append(case(P06, "培养不满一年", apply="2017-01-05", talk="2017-01-20", activist="2017-03-01",
                     contacts=C1, candidate="2018-02-28", sponsors=f"{C1};{C2}"))                    # DEV-06
    rows.append(case(P07, "一名介绍人", apply="2016-11-05", talk="2016-11-20", activist="2017-01-01",
                     contacts=C1, candidate="2018-01-05", sponsors=C1))                              # DEV-07
    rows.append(case(P08, "政审不合格", **admitted("2016-10-10", "2016-11-01", review_result="不合格",
                                                        **CONFIRMED)))   # DEV-08
    rows.append(case(P09, "培训不足", **admitted("2016-10-10", "2016-11-01", train_to="2016-08-11", hours=16,
                                                      **CONFIRMED)))  # DEV-09
    rows.append(case(P12, "表决不过半", **admitted("2016-10-10", "", expected=10, present=5, yes=5)))  # DEV-12
    rows.append(case(P14, "审批迟", **admitted("2018-03-01", "2018-06-02")))                          # DEV-14
    rows.append(case(P15, "未讨论转正", **admitted("2017-06-01", "2017-07-01")))                      # DEV-15
    rows.append(case(P17, "延长十三个月", **admitted("2016-10-10", "2016-11-01", **(CONFIRMED | dict(
                     result="延长预备期", months=13)))))  # DEV-17
    rows.append(case(P18, "转正审批迟", **admitted("2016-10-10", "2016-11-01", apply_confirm="2017-09-20",
                                                 confirm_meeting="2017-10-12", c_expected=10, c_present=9, c_yes=9,
                                                 result="按期转正", c_approval="2018-01-13")))             # DEV-18
    rows.append(case(P20, "转正表决不过半", **admitted("2016-10-10", "2016-11-01", apply_confirm="2017-09-20",
                                                   confirm_meeting="2017-10-12", c_expected=10, c_present=9,
                                                   c_yes=5, result="按期转正", c_approval="2017-11-01")))  # DEV-20
    rows.append(case(PORD, "顺序颠倒", apply="2017-01-05", talk="2017-01-20", activist="2017-01-10",
                     contacts=C1))                                                                   # DEV-ORDER
    return rows


EXPECTED = {
    ("DUES-02", UNDER, "2018-03"), ("DUES-03", RUN3, "2018-06"), ("DUES-12", RUN6, "2018-06"),
    ("DUES-11", LATE, "2018-03"),
    ("DEV-01", P01, None), ("DEV-02", P02, None), ("DEV-02", P02B, None), ("DEV-04", P04, None),
    ("DEV-06", P06, None), ("DEV-07", P07, None), ("DEV-08", P08, None), ("DEV-09", P09, None),
    ("DEV-12", P12, None), ("DEV-14", P14, None), ("DEV-15", P15, None), ("DEV-17", P17, None),
    ("DEV-18", P18, None), ("DEV-20", P20, None), ("DEV-ORDER", PORD, None),
}


@pytest.fixture
def imported(db):
    book = workbook(组织=org_rows(), 党员=member_rows(), 发展党员=recruitment_rows(), 党费=dues_rows())
    result = run_import(book, actor=None)
    assert not result.errors, [(e.sheet, e.row, e.column, e.message) for e in result.errors]


def check(*args):
    out = io.StringIO()
    call_command("check", *args, "--format", "json", stdout=out)
    return json.loads(out.getvalue())


def test_the_bracket_edges_are_what_the_workbook_pays():
    for _, category, base, paid in DUES_CLEAN.values():
        code = {"在职": "employed", "年薪制": "annual_salary", "离退休": "retired", "学生": "student"}[category]
        assert amount_due(Decimal(base or "0"), code, False, D(2018, 1, 1)) == Decimal(paid)


def test_the_planted_problems_and_only_them(imported):
    found = [f for f in check("--year", "2018") if f["rule"].startswith(("DEV-", "DUES-"))]
    assert {(f["rule"], f["person"], f["period"]) for f in found} == EXPECTED
    assert len(found) == len(EXPECTED)
    assert all(f["org"] == "BR" for f in found)
