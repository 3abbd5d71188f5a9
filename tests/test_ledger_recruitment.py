"""The 发展党员 sheet: one wide row per person → a recruitment case and its steps (history mode: a row out of
order or breaking a rule is imported and the check reports it; only what cannot be read is refused), the
member it admits, the 党员 row that must agree, idempotence, dry run, export and round trip."""
import pytest

from dangjian.audit.models import AuditEntry
from dangjian.ledger.exporter import template_workbook
from dangjian.ledger.importer import run_import
from dangjian.members.models import EventKind, Member, Stage
from dangjian.recruitment.models import Case, CaseStep
from dangjian.rules.engine import Window, run_checks

from .cast import person_id
from .test_ledger_export import (
    add_history,
    build_case,
    empty_database,
    export,
    ledger_snapshot,
    rows,
    sheet_values,
)
from .test_ledger_support import MEMBER_HEADER, D, counts, read_back, workbook

APPLICANT = person_id(30, "F", D(1992, 3, 1))   # not in the cast
OTHER = person_id(31, "M", D(1993, 4, 1))
AS_OF = Window(D(2018, 12, 31))

# LEDGER.md's columns, in its order; then the project's (the earlier 转正 decision).
RECRUIT_HEADER = [
    "身份证号", "姓名", "出生日期", "性别", "所属组织编码", "申请日期", "谈话日期", "确定积极分子日期", "培养联系人身份证号",
    "确定发展对象日期", "入党介绍人身份证号", "政审日期", "政审结论", "培训开始日期", "培训结束日期", "培训学时",
    "支委会审查日期", "预审日期", "支部大会日期", "支部大会应到人数", "支部大会实到人数", "支部大会赞成票", "上级谈话日期",
    "审批日期", "入党宣誓日期", "转正申请日期", "转正支部大会日期", "转正应到人数", "转正实到人数", "转正赞成票", "转正结果",
    "延长月数", "转正审批日期", "终止培养日期", "终止原因"]
PREVIOUS = ["前次转正支部大会日期", "前次转正应到人数", "前次转正实到人数", "前次转正赞成票", "前次转正结果", "前次延长月数",
            "前次转正审批日期"]


def full(c, **cells):
    """The cells of a case that went through every step in order (admitted 2016-06-01, confirmed
    2017-06-01); keywords are column names (None empties a cell)."""
    two = f"{c.zhang.id_number};{c.li.id_number}"
    values = {
        "身份证号": APPLICANT, "姓名": "刘新", "出生日期": "1992-03-03", "性别": "女", "所属组织编码": "A0101",
        "申请日期": "2015-01-10", "谈话日期": "2015-02-01", "确定积极分子日期": "2015-03-01", "培养联系人身份证号": two,
        "确定发展对象日期": "2016-03-01", "入党介绍人身份证号": two, "政审日期": "2016-04-01", "政审结论": "合格",
        "培训开始日期": "2016-04-10", "培训结束日期": "2016-04-12", "培训学时": 24, "支委会审查日期": "2016-05-01",
        "预审日期": "2016-05-10", "支部大会日期": "2016-06-01", "支部大会应到人数": 10, "支部大会实到人数": 9,
        "支部大会赞成票": 9, "上级谈话日期": "2016-06-10", "审批日期": "2016-07-01", "入党宣誓日期": "2016-07-10",
        "转正申请日期": "2017-05-20", "转正支部大会日期": "2017-06-01", "转正应到人数": 11, "转正实到人数": 10,
        "转正赞成票": 10, "转正结果": "按期转正", "转正审批日期": "2017-07-01",
    }
    return values | cells


def early(**cells):
    """An applicant who has only applied and been talked to."""
    return {"身份证号": OTHER, "姓名": "周强", "所属组织编码": "A0101", "申请日期": "2018-03-01",
            "谈话日期": "2018-03-20"} | cells


def sheet(*cases, header=RECRUIT_HEADER):
    return {"发展党员": [header] + [[case.get(h) for h in header] for case in cases]}


def codes(result):
    return [(e.sheet, e.row, e.column, e.code) for e in result.errors]


def everything():
    return counts() | {"Case": Case.objects.count(), "CaseStep": CaseStep.objects.count()}


def steps_of(case):
    return [(s.step, s.date) for s in case.steps.order_by("date", "step")]


# ---- a full row ----

def test_it_imports_a_full_row_as_a_case_with_every_step_and_a_member(cast):
    result = run_import(workbook(**sheet(full(cast))), actor=None)
    assert result.applied, result.to_json()
    assert result.changes["发展党员"].created == 1
    (line,) = result.changes["发展党员"].lines
    assert line.startswith("新建发展党员 刘新（") and APPLICANT not in line  # the ID masked
    case = Case.objects.get()
    assert (case.id_number, case.name, case.sex, case.birth_date, case.org) == (
        APPLICANT, "刘新", "F", D(1992, 3, 3), cast.a0101)
    assert steps_of(case) == [
        (1, D(2015, 1, 10)), (2, D(2015, 2, 1)), (3, D(2015, 3, 1)), (5, D(2015, 3, 1)), (7, D(2016, 3, 1)),
        (9, D(2016, 3, 1)), (10, D(2016, 4, 1)), (11, D(2016, 4, 10)), (12, D(2016, 5, 1)), (13, D(2016, 5, 10)),
        (15, D(2016, 6, 1)), (16, D(2016, 6, 10)), (17, D(2016, 7, 1)), (20, D(2016, 7, 10)), (22, D(2017, 5, 20)),
        (23, D(2017, 6, 1)), (24, D(2017, 7, 1))]
    step = {s.step: s for s in case.steps.all()}
    assert {m.name for m in step[5].people.all()} == {m.name for m in step[9].people.all()} == {"张建国", "李秀英"}
    assert step[10].conclusion == "合格"
    assert (step[11].ended_on, step[11].hours) == (D(2016, 4, 12), 24)
    assert (step[15].expected, step[15].present, step[15].yes) == (10, 9, 9)
    assert (step[23].expected, step[23].present, step[23].yes, step[23].conclusion) == (11, 10, 10, "按期转正")
    # The branch meeting admitted her, the approval of 按期转正 confirmed her at the end of probation.
    member = case.member
    assert member is not None and member.id_number == APPLICANT and member.name == "刘新"
    assert (member.org, member.stage, member.admitted_on, member.confirmed_on) == (
        cast.a0101, Stage.FULL, D(2016, 6, 1), D(2017, 6, 1))
    assert AuditEntry.objects.filter(action="ledger.import").count() == 1
    assert not result.warnings  # a clean case: nothing to report


def test_it_reads_the_columns_of_ledger_md_and_its_own(cast):
    book = read_back(template_workbook())
    assert [c.value for c in book["发展党员"][1]] == RECRUIT_HEADER + PREVIOUS
    help_rows = {(r[0], r[1]): r for r in book["说明"].iter_rows(values_only=True)}
    assert help_rows[("发展党员", "身份证号")][2] == "是" and help_rows[("发展党员", "申请日期")][2] == "是"
    assert "本系统增加" in help_rows[("发展党员", "前次转正支部大会日期")][3]
    assert "分隔" in help_rows[("发展党员", "入党介绍人身份证号")][3]


def test_it_imports_a_row_with_only_the_required_columns(cast):
    header = ["身份证号", "姓名", "所属组织编码", "申请日期"]
    result = run_import(workbook(**sheet(early(), header=header)), actor=None)
    assert result.applied, result.to_json()
    case = Case.objects.get()
    assert steps_of(case) == [(1, D(2018, 3, 1))] and case.member is None
    assert (case.sex, case.birth_date) == ("M", D(1993, 4, 1 + 31 % 28))  # from the ID


def test_it_lets_a_row_name_someone_admitted_by_a_row_further_down(cast):
    """Steps 5 and 9 name members; a member admitted by another row of the sheet works whatever the order."""
    later = early(身份证号=OTHER, 申请日期="2018-03-01", 谈话日期="2018-03-20", 确定积极分子日期="2018-04-01",
                  培养联系人身份证号=APPLICANT)
    result = run_import(workbook(**sheet(later, full(cast))), actor=None)
    assert result.applied, result.to_json()
    step = CaseStep.objects.get(case__id_number=OTHER, step=5)
    assert [m.id_number for m in step.people.all()] == [APPLICANT]


# ---- history: imported as it happened, the check reports it ----

def test_it_imports_a_row_out_of_order_and_the_check_reports_it(cast):
    row = full(cast, 谈话日期="2014-12-01", 政审日期=None, 政审结论=None)  # talked to before applying; no review
    result = run_import(workbook(**sheet(row)), actor=None)
    assert result.applied and not result.errors, result.to_json()
    # The import reports on the row what the check will find, and imports it all the same.
    assert [(w.sheet, w.row, w.column, w.code) for w in result.warnings] == [
        ("发展党员", 2, "政审结论", "DEV-08"), ("发展党员", 2, "谈话日期", "DEV-ORDER")]
    assert result.warnings[1].message.startswith("已按台账原样导入；DEV-ORDER：刘新：谈话日期（2014-12-01）早于申请日期")
    case = Case.objects.get()
    assert case.steps.get(step=2).date == D(2014, 12, 1) and not case.steps.filter(step=10).exists()
    assert case.member.stage == Stage.FULL
    found = {f.rule: f for f in run_checks(window=AS_OF, rules=["DEV-ORDER", "DEV-08"]) if f.person == APPLICANT}
    assert set(found) == {"DEV-ORDER", "DEV-08"}
    assert "谈话日期（2014-12-01）早于申请日期（2015-01-10）" in found["DEV-ORDER"].message


def test_it_imports_a_failed_vote_which_admits_nobody(cast):
    row = full(cast, 支部大会赞成票=4, 上级谈话日期=None, 审批日期=None, 入党宣誓日期=None, 转正申请日期=None,
               转正支部大会日期=None, 转正应到人数=None, 转正实到人数=None, 转正赞成票=None, 转正结果=None, 转正审批日期=None)
    result = run_import(workbook(**sheet(row)), actor=None)
    assert result.applied and not result.errors, result.to_json()
    assert [(w.row, w.column, w.code) for w in result.warnings] == [(2, "支部大会赞成票", "DEV-12")]
    case = Case.objects.get()
    assert case.member is None and not Member.objects.filter(id_number=APPLICANT).exists()
    assert [f.rule for f in run_checks(window=AS_OF, rules=["DEV-12"]) if f.person == APPLICANT] == ["DEV-12"]


def test_it_imports_an_extension_and_the_later_decision(cast):
    row = full(cast, 转正支部大会日期="2017-12-01", 转正应到人数=11, 转正实到人数=11, 转正赞成票=11, 转正审批日期="2018-01-10",
               前次转正支部大会日期="2017-06-01", 前次转正应到人数=11, 前次转正实到人数=10, 前次转正赞成票=8,
               前次转正结果="延长预备期", 前次延长月数=6, 前次转正审批日期="2017-07-01")
    result = run_import(workbook(**sheet(row, header=RECRUIT_HEADER + PREVIOUS)), actor=None)
    assert result.applied, result.to_json()
    case = Case.objects.get()
    assert [(s.date, s.conclusion, s.months) for s in case.steps.filter(step=23).order_by("date")] == [
        (D(2017, 6, 1), "延长预备期", 6), (D(2017, 12, 1), "按期转正", None)]
    assert case.steps.filter(step=24).count() == 2
    assert (case.member.stage, case.member.confirmed_on) == (Stage.FULL, D(2017, 12, 1))  # 12 + 6 months


def test_it_imports_a_discontinued_case(cast):
    row = early(申请日期="2015-01-10", 谈话日期="2015-02-01", 确定积极分子日期="2015-03-01", 终止培养日期="2016-01-01",
                终止原因="本人志愿")
    assert run_import(workbook(**sheet(row)), actor=None).applied
    case = Case.objects.get()
    assert (case.discontinued_on, case.discontinued_reason) == (D(2016, 1, 1), "本人志愿")
    assert run_import(workbook(**sheet(row)), actor=None).changed == 0
    result = run_import(workbook(**sheet(row | {"终止培养日期": "2016-02-01"})), actor=None)
    assert codes(result) == [("发展党员", 2, "终止培养日期", "CASE_CONFLICT")]


# ---- what cannot be read is refused, on its cell ----

ERRORS = {
    "impossible date": (lambda c: full(c, 谈话日期="2015-02-30"), ("谈话日期", "DATE_INVALID")),
    "date format": (lambda c: full(c, 预审日期="2016.05.10"), ("预审日期", "DATE_FORMAT")),
    "future date": (lambda c: full(c, 入党宣誓日期="2099-07-10"), ("入党宣誓日期", "DATE_FUTURE")),
    "applicant ID check digit": (lambda c: full(c, 身份证号=APPLICANT[:17] + ("0" if APPLICANT[17] != "0" else "1")),
                                 ("身份证号", "ID_CHECK_DIGIT")),
    "applicant ID as a number": (lambda c: full(c, 身份证号=4.50103199203031e17), ("身份证号", "ID_NUMERIC")),
    "birth date against the ID": (lambda c: full(c, 出生日期="1992-03-04"), ("出生日期", "ID_BIRTH_MISMATCH")),
    "sex against the ID": (lambda c: full(c, 性别="男"), ("性别", "ID_SEX_MISMATCH")),
    "bad sponsor ID": (lambda c: full(c, 入党介绍人身份证号=f"{c.zhang.id_number};4501031980"), ("入党介绍人身份证号", "ID_FORMAT")),
    "unknown sponsor": (lambda c: full(c, 入党介绍人身份证号=f"{c.zhang.id_number};{person_id(40)}"),
                        ("入党介绍人身份证号", "MEMBER_NOT_FOUND")),
    "unknown contact": (lambda c: full(c, 培养联系人身份证号=person_id(40)), ("培养联系人身份证号", "MEMBER_NOT_FOUND")),
    "repeated contact": (lambda c: full(c, 培养联系人身份证号=f"{c.zhang.id_number};{c.zhang.id_number}"),
                         ("培养联系人身份证号", "PEOPLE_DUPLICATE")),
    "contacts without the activist date": (lambda c: full(c, 确定积极分子日期=None), ("确定积极分子日期", "REQUIRED")),
    "more present than expected": (lambda c: full(c, 支部大会实到人数=11), ("支部大会实到人数", "VOTE_COUNT")),
    "more yes than present": (lambda c: full(c, 转正赞成票=11), ("转正赞成票", "VOTE_COUNT")),
    "part of a vote": (lambda c: full(c, 支部大会赞成票=None), ("支部大会赞成票", "REQUIRED")),
    "a vote without its meeting": (lambda c: full(c, 支部大会日期=None), ("支部大会日期", "REQUIRED")),
    "count not a number": (lambda c: full(c, 支部大会应到人数="十"), ("支部大会应到人数", "INTEGER")),
    "hours not a number": (lambda c: full(c, 培训学时="两天"), ("培训学时", "NUMBER")),
    "hours with two decimals": (lambda c: full(c, 培训学时="24.25"), ("培训学时", "NUMBER")),
    "training ends before it starts": (lambda c: full(c, 培训结束日期="2016-04-01"), ("培训结束日期", "DATE_ORDER")),
    "unknown conclusion": (lambda c: full(c, 政审结论="良好"), ("政审结论", "CHOICE")),
    "months without an extension": (lambda c: full(c, 延长月数=6), ("延长月数", "STEP_FIELD")),
    "an extension without months": (lambda c: full(c, 转正结果="延长预备期", 转正审批日期=None), ("延长月数", "REQUIRED")),
    "a reason without the date": (lambda c: early(终止原因="本人志愿"), ("终止培养日期", "REQUIRED")),
    "a committee": (lambda c: full(c, 所属组织编码="A01"), ("所属组织编码", "CASE_ORG_TYPE")),
    "unknown organisation": (lambda c: full(c, 所属组织编码="ZZ99"), ("所属组织编码", "ORG_NOT_FOUND")),
    "missing name": (lambda c: full(c, 姓名=None), ("姓名", "REQUIRED")),
    "missing application": (lambda c: full(c, 申请日期=None), ("申请日期", "REQUIRED")),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_it_refuses_a_row_that_cannot_be_read_on_its_cell(cast, name):
    build, (column, code) = ERRORS[name]
    before = everything()
    result = run_import(workbook(**sheet(build(cast), header=RECRUIT_HEADER)), actor=None)
    assert codes(result) == [("发展党员", 2, column, code)], result.to_json()
    assert not result.applied and everything() == before and not result.warnings
    assert all(e.message and not e.message.isascii() for e in result.errors)


def test_it_refuses_the_same_person_twice_in_the_sheet(cast):
    result = run_import(workbook(**sheet(full(cast), early(身份证号=APPLICANT))), actor=None)
    assert codes(result) == [("发展党员", 3, "身份证号", "DUPLICATE_ROW")]


def test_it_refuses_a_case_outside_the_importers_scope(cast):
    result = run_import(workbook(**sheet(early(所属组织编码="B0101"))), actor=cast.a01admin)
    assert codes(result) == [("发展党员", 2, "所属组织编码", "FORBIDDEN")] and not Case.objects.exists()
    result = run_import(workbook(**sheet(early(确定积极分子日期="2018-04-01", 培养联系人身份证号=cast.chen.id_number))),
                        actor=cast.a01admin)
    assert codes(result) == [("发展党员", 2, "培养联系人身份证号", "FORBIDDEN")]


# ---- a person in 党员 and in 发展党员 ----

def member_row(category="正式党员", admitted="2016-06-01", confirmed="2017-06-01"):
    return {"党员": [MEMBER_HEADER + ["手机号码"], [APPLICANT, "刘新", category, admitted, confirmed, "A0101", "13900000000"]]}


def test_it_links_the_member_of_the_member_sheet_when_they_agree(cast):
    result = run_import(workbook(**member_row() | sheet(full(cast))), actor=None)
    assert result.applied, result.to_json()
    assert result.changes["党员"].created == 1 and result.changes["发展党员"].created == 1
    member = Member.objects.get(id_number=APPLICANT)
    assert Case.objects.get().member == member and member.phone == "13900000000"
    assert (member.stage, member.admitted_on, member.confirmed_on) == (Stage.FULL, D(2016, 6, 1), D(2017, 6, 1))
    # Entered once, by the 党员 row; the case's approval found it there.
    assert member.events.filter(kind=EventKind.CONFIRMED).count() == 1
    again = run_import(workbook(**member_row() | sheet(full(cast))), actor=None)
    assert again.applied and again.changed == 0


def test_it_links_a_probationary_member_and_a_case_not_yet_confirmed(cast):
    row = full(cast, 转正支部大会日期=None, 转正应到人数=None, 转正实到人数=None, 转正赞成票=None, 转正结果=None,
               转正审批日期=None)
    result = run_import(workbook(**member_row("预备党员", confirmed=None) | sheet(row)), actor=None)
    assert result.applied, result.to_json()
    assert Case.objects.get().member.stage == Stage.PROBATIONARY


@pytest.mark.parametrize("sheets,column", [
    (member_row(admitted="2016-07-01"), "支部大会日期"),                  # another 入党日期
    (member_row("预备党员", confirmed=None), "转正审批日期"),               # confirmed by the case
    (member_row(confirmed="2017-07-01"), "转正审批日期"),                  # another 转正日期
])
def test_it_refuses_a_member_row_that_disagrees_with_the_case(cast, sheets, column):
    before = everything()
    result = run_import(workbook(**sheets | sheet(full(cast))), actor=None)
    assert codes(result) == [("发展党员", 2, column, "MEMBER_MISMATCH")], result.to_json()
    assert everything() == before


def test_it_confirms_as_the_member_row_says_when_the_case_does_not(cast):
    """A 党员 row 正式党员 whose 发展党员 row has no approved 转正 yet: the 党员 row's 转正日期 stands."""
    row = full(cast, 转正结果="延长预备期", 延长月数=6, 转正审批日期=None)
    result = run_import(workbook(**member_row() | sheet(row)), actor=None)
    assert result.applied, result.to_json()
    member = Member.objects.get(id_number=APPLICANT)
    assert (member.stage, member.confirmed_on) == (Stage.FULL, D(2017, 6, 1))


# ---- re-import: matched, corrected, never twice ----

def test_it_changes_nothing_the_second_time(cast):
    first = run_import(workbook(**sheet(full(cast), early())), actor=None)
    assert first.applied and first.changes["发展党员"].created == 2, first.to_json()
    after_first, audit = everything(), AuditEntry.objects.count()
    second = run_import(workbook(**sheet(full(cast), early())), actor=None)
    assert second.applied and second.changed == 0 and second.changes["发展党员"].unchanged == 2
    assert everything() == after_first and AuditEntry.objects.count() == audit  # no audit entry either


def test_it_corrects_a_step_and_adds_the_next_ones(cast):
    run_import(workbook(**sheet(early())), actor=None)
    recorded = AuditEntry.objects.filter(action="case.step").count()
    row = early(谈话日期="2018-03-25", 确定积极分子日期="2018-04-10")
    result = run_import(workbook(**sheet(row)), actor=None)
    assert result.changes["发展党员"].updated == 1 and result.changes["发展党员"].lines[0].startswith("修改发展党员 周强")
    case = Case.objects.get()
    assert steps_of(case) == [(1, D(2018, 3, 1)), (2, D(2018, 3, 25)), (3, D(2018, 4, 10))]
    assert AuditEntry.objects.filter(action="case.step_update").count() == 1
    assert AuditEntry.objects.filter(action="case.step").count() == recorded + 1
    # An empty cell leaves a recorded step as it is: the import never deletes a step.
    assert run_import(workbook(**sheet(early(谈话日期=None))), actor=None).changed == 0
    assert case.steps.count() == 3


def test_it_corrects_what_a_step_records(cast):
    run_import(workbook(**sheet(full(cast))), actor=None)
    row = full(cast, 支部大会赞成票=8, 培训学时="24.5", 入党介绍人身份证号=f"{cast.li.id_number}；{cast.zhao.id_number}")
    result = run_import(workbook(**sheet(row)), actor=None)
    assert result.applied and result.changes["发展党员"].updated == 1, result.to_json()
    step = {s.step: s for s in Case.objects.get().steps.all()}
    assert (step[15].yes, str(step[11].hours)) == (8, "24.5")
    assert sorted(m.name for m in step[9].people.all()) == ["李秀英", "赵丽"]


def test_it_refuses_to_change_the_branch_or_the_name_of_a_case(cast):
    run_import(workbook(**sheet(early())), actor=None)
    result = run_import(workbook(**sheet(early(所属组织编码="A0102"))), actor=None)
    assert codes(result) == [("发展党员", 2, "所属组织编码", "CASE_CONFLICT")]
    result = run_import(workbook(**sheet(early(姓名="周强强"))), actor=None)
    assert codes(result) == [("发展党员", 2, "姓名", "CASE_CONFLICT")]


def test_it_writes_nothing_on_a_dry_run(cast):
    before = everything()
    result = run_import(workbook(**sheet(full(cast), early())), actor=None, dry_run=True)
    assert result.ok and result.dry_run and not result.applied
    assert result.changes["发展党员"].created == 2 and everything() == before


def test_it_writes_nothing_when_another_row_is_refused(cast):
    before = everything()
    result = run_import(workbook(**sheet(full(cast), early(谈话日期="2018-02-30"))), actor=None)
    assert codes(result) == [("发展党员", 3, "谈话日期", "DATE_INVALID")] and everything() == before


# ---- export ----

def test_it_exports_one_row_per_case_that_imports_back_as_it_was(cast):
    run_import(workbook(**sheet(full(cast), early())), actor=None)
    book = read_back(export())
    header = [c.value for c in book["发展党员"][1]]
    assert header == RECRUIT_HEADER + PREVIOUS
    cells = {r[0].value: dict(zip(header, r)) for r in book["发展党员"].iter_rows(min_row=2)}
    assert [r[0] for r in rows(book, "发展党员")] == [APPLICANT, OTHER]  # by organisation, then application
    liu = {k: c.value for k, c in cells[APPLICANT].items()}
    wanted = full(cast)
    for column in RECRUIT_HEADER:
        value = liu[column]
        if hasattr(value, "date"):
            value = value.date().isoformat()
        assert value == wanted.get(column), column
    assert cells[APPLICANT]["身份证号"].number_format == "@" and cells[APPLICANT]["培养联系人身份证号"].data_type == "s"
    assert cells[APPLICANT]["申请日期"].is_date
    assert all(liu[c] is None for c in PREVIOUS)
    # The applicant admitted through the sheet is in the roll as well.
    assert APPLICANT in [r[0] for r in rows(book, "党员")]


def test_it_leaves_a_case_naming_someone_outside_the_subtree_to_the_level_above(cast):
    build_case(cast, 20, upto=3)
    build_case(cast, 21, upto=5, s5=dict(date=D(2015, 3, 1), people=[cast.zhang, cast.chen]))
    values = read_back(export(actor=cast.a01admin))
    assert [r[1] for r in rows(values, "发展党员")] == ["申请人20"]
    assert cast.chen.id_number not in str(rows(values, "发展党员"))


def test_it_round_trips_through_an_empty_database(cast):
    """export → empty database → import → export gives the same workbook (the full test with every sheet
    is tests/test_ledger_export.py)."""
    add_history(cast)
    before = ledger_snapshot()
    book = export()
    first = sheet_values(read_back(book))
    book.seek(0)
    empty_database()
    result = run_import(book, actor=None)
    assert result.applied, result.to_json()
    assert ledger_snapshot() == before
    again = export()
    assert sheet_values(read_back(again)) == first
    again.seek(0)
    assert run_import(again, actor=None).changed == 0
