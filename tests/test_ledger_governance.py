"""The 三重一大 sheet: rows are history (a matter without a prior study, or studied after its decision, is imported
and reported as SOE-03, not refused), the 前置研究 meeting linked by its date from the 组织生活 sheet, cells that
cannot be read refused on their cell, duplicates, scope, idempotence, corrections, dry run, export, and the round
trip export → empty database → import."""
import datetime
from decimal import Decimal

import pytest

from dangjian.audit.models import AuditEntry
from dangjian.governance import services
from dangjian.governance.models import Matter
from dangjian.ledger.exporter import template_workbook
from dangjian.ledger.importer import run_import
from dangjian.meetings.models import Meeting
from dangjian.meetings.services import record_meeting

from .test_ledger_export import empty_database, export, rows
from .test_ledger_support import D, read_back, workbook

HEADER = ["事项编号", "组织编码", "事项名称", "事项类别", "前置研究日期", "决策机构", "决策日期", "金额(万元)"]
MEETING_HEADER = ["组织编码", "会议类型", "日期", "主题", "应到人数", "实到人数", "议题类别"]


def row(number="JT-2018-01", org="JT", name="文化产业园二期项目", category="重大项目安排", studied="2018-03-12",
        body="董事会", decided="2018-03-20", amount=8600):
    return [number, org, name, category, studied, body, decided, amount]


def sheet(*rows_, header=HEADER):
    return {"三重一大": [header, *rows_]}


def committee_meeting(org="JT", day="2018-03-12", subject="3月党委会", types="党委会"):
    return [org, types, day, subject, 9, 9, "三重一大;党建"]


def codes(result):
    return [(e.sheet, e.row, e.column, e.code) for e in result.errors]


def matters():
    return [(m.number, m.org.code, m.name, m.category, m.studied_on, m.deciding_body, m.decided_on, m.amount,
             m.decision_note, m.study_meeting.subject if m.study_meeting else None)
            for m in Matter.objects.select_related("org", "study_meeting").order_by("number")]


def everything():
    return (Matter.objects.count(), Meeting.objects.count(), AuditEntry.objects.count())


# ---- import ----

def test_it_imports_matters_as_history_and_links_the_committee_meeting_of_the_day(cast):
    book = {"组织生活": [MEETING_HEADER, committee_meeting(), committee_meeting("A01", "2018-08-09", "8月党委会")]}
    book |= sheet(row(),
                  row("JT-2018-02", name="集团中层干部调整", category="重要人事任免", studied=None, body="党委会",
                      decided="2018-03-12", amount=None),
                  row("A01-2018-01", org="A01", name="营业网点改造", studied="2018-08-09", body="经理层",
                      decided="2018-08-09", amount="320.5"))
    result = run_import(workbook(**book), actor=None)
    assert result.applied and not result.errors and not result.warnings, result.to_json()
    assert result.changes["三重一大"].created == 3
    assert matters() == [
        ("A01-2018-01", "A01", "营业网点改造", "project", D(2018, 8, 9), "management", D(2018, 8, 9), Decimal("320.50"), "",
         "8月党委会"),
        ("JT-2018-01", "JT", "文化产业园二期项目", "project", D(2018, 3, 12), "board", D(2018, 3, 20), Decimal("8600.00"),
         "", "3月党委会"),
        ("JT-2018-02", "JT", "集团中层干部调整", "appointment", None, "committee", D(2018, 3, 12), None, "", None)]


def test_it_imports_a_matter_without_a_prior_study_and_reports_it(cast):
    book = sheet(row(studied=None), row("JT-2018-02", studied="2018-03-21"), row("JT-2018-03", studied="2018-03-20"),
                 row("JT-2018-04", studied=None, body="党委会"))
    result = run_import(workbook(**book), actor=None)
    assert result.applied and result.changes["三重一大"].created == 4, result.to_json()
    assert [(w.row, w.column, w.code) for w in result.warnings] == [(2, "前置研究日期", "SOE-03"),
                                                                    (3, "前置研究日期", "SOE-03")]
    assert "未经党委前置研究" in result.warnings[0].message and "已按台账原样导入" in result.warnings[0].message
    assert "晚于决策日期" in result.warnings[1].message
    assert Matter.objects.get(number="JT-2018-02").study_meeting is None  # no 党委会 on record that day


ERRORS = {
    "not a committee": (dict(org="A0101"), ("组织编码", "ORG_TYPE")),
    "unknown organisation": (dict(org="ZZ99"), ("组织编码", "ORG_NOT_FOUND")),
    "unknown category": (dict(category="重大事项"), ("事项类别", "CHOICE")),
    "unknown body": (dict(body="股东会"), ("决策机构", "CHOICE")),
    "missing decision date": (dict(decided=None), ("决策日期", "REQUIRED")),
    "impossible decision date": (dict(decided="2018-02-30"), ("决策日期", "DATE_INVALID")),
    "impossible study date": (dict(studied="2018-02-30"), ("前置研究日期", "DATE_INVALID")),
    "study date as a number": (dict(studied=43171), ("前置研究日期", "DATE_FORMAT")),
    "future decision": (dict(decided="2099-01-01"), ("决策日期", "DATE_FUTURE")),
    "decided before the committee existed": (dict(decided="2015-06-30"), ("决策日期", "DATE_ORDER")),
    "amount as words": (dict(amount="八千六百"), ("金额(万元)", "NUMBER")),
    "negative amount": (dict(amount=-5), ("金额(万元)", "NUMBER")),
    "amount to the yuan": (dict(amount="8600.123"), ("金额(万元)", "NUMBER")),
    "missing name": (dict(name=None), ("事项名称", "REQUIRED")),
    "number with a space": (dict(number="JT 01"), ("事项编号", "NUMBER_FORMAT")),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_it_refuses_a_row_that_cannot_be_read_on_its_cell(cast, name):
    changes, (column, code) = ERRORS[name]
    before = everything()
    result = run_import(workbook(**sheet(row(**changes))), actor=None)
    assert codes(result) == [("三重一大", 2, column, code)], result.to_json()
    assert not result.applied and everything() == before
    assert all(e.message and not e.message.isascii() for e in result.errors)


def test_it_refuses_a_second_row_with_the_same_number(cast):
    result = run_import(workbook(**sheet(row(), row("JT-2018-02"), row(name="另一事项"))), actor=None)
    assert codes(result) == [("三重一大", 4, "事项编号", "DUPLICATE_ROW")] and not Matter.objects.exists()


def test_it_refuses_a_missing_required_column(cast):
    header = [h for h in HEADER if h != "决策机构"]
    result = run_import(workbook(**sheet(row()[:5] + row()[6:], header=header)), actor=None)
    assert codes(result) == [("三重一大", 1, "决策机构", "MISSING_COLUMN")]


def test_it_refuses_rows_outside_the_importers_scope(cast):
    result = run_import(workbook(**sheet(row("B-1", org="B01"))), actor=cast.a01admin)
    assert codes(result) == [("三重一大", 2, "组织编码", "FORBIDDEN")]
    services.record_matter(actor=None, org=cast.b01, number="B-2", name="乙市网点项目", category="重大项目安排",
                           deciding_body="经理层", decided_on=D(2018, 5, 1))
    result = run_import(workbook(**sheet(row("B-2", org="A01"))), actor=cast.a01admin)
    assert codes(result) == [("三重一大", 2, "事项编号", "FORBIDDEN")] and "乙市" not in result.errors[0].message


# ---- re-import ----

def test_it_changes_nothing_the_second_time(cast):
    book = {"组织生活": [MEETING_HEADER, committee_meeting()]} | sheet(row(), row("JT-2018-02", studied=None))
    assert run_import(workbook(**book), actor=None).applied
    before = everything()
    second = run_import(workbook(**book), actor=None)
    assert second.applied and second.changed == 0 and second.changes["三重一大"].unchanged == 2
    assert everything() == before


def test_it_corrects_a_matter_and_links_the_meeting_of_the_new_date(cast):
    run_import(workbook(**sheet(row(studied=None))), actor=None)
    record_meeting(actor=None, org=cast.jt, held_on=D(2018, 3, 15), subject="专题党委会", types=["committee"],
                   expected=9, present=8)
    result = run_import(workbook(**sheet(row(studied="2018-03-15", amount=9000))), actor=None)
    assert result.applied and result.changes["三重一大"].updated == 1 and not result.warnings
    m = Matter.objects.get()
    assert (m.studied_on, m.amount, m.study_meeting.subject) == (D(2018, 3, 15), Decimal("9000.00"), "专题党委会")
    assert AuditEntry.objects.filter(action="matter.update").count() == 1


def test_it_writes_nothing_on_a_dry_run(cast):
    before = everything()
    result = run_import(workbook(**sheet(row(), row("X-2", studied=None))), actor=None, dry_run=True)
    assert result.ok and not result.applied and result.changes["三重一大"].created == 2 and everything() == before


# ---- export ----

def add_matters(c):
    study = record_meeting(actor=None, org=c.jt, held_on=D(2018, 3, 12), subject="3月党委会", types=["committee"],
                           expected=9, present=9, topics=["major_matters"])
    services.record_matter(actor=None, org=c.jt, number="JT-2018-01", name="文化产业园二期项目", category="重大项目安排",
                           deciding_body="董事会", decided_on=D(2018, 3, 20), study_meeting=study, amount="8600",
                           decision_note="第三届董事会第五次会议决议")
    services.record_matter(actor=None, org=c.jt, number="JT-2018-02", name="内部审计制度修订", category="重大决策",
                           deciding_body="经理层", decided_on=D(2018, 2, 1))
    services.record_matter(actor=None, org=c.a01, number="A01-2018-01", name="营业网点改造", category="重大项目安排",
                           deciding_body="经理层", decided_on=D(2018, 8, 9), studied_on=D(2018, 8, 20), amount="320.5")
    services.record_matter(actor=None, org=c.b01, number="B01-2018-01", name="乙市网点项目", category="重大项目安排",
                           deciding_body="党委会", decided_on=D(2018, 5, 1))


def test_it_exports_one_row_per_matter_in_tree_order(cast):
    add_matters(cast)
    book = read_back(export())
    assert [c.value for c in book["三重一大"][1]] == HEADER + ["决策情况"]
    dt = datetime.datetime
    assert rows(book, "三重一大") == [
        ["JT-2018-02", "JT", "内部审计制度修订", "重大决策", None, "经理层", dt(2018, 2, 1), None, None],
        ["JT-2018-01", "JT", "文化产业园二期项目", "重大项目安排", dt(2018, 3, 12), "董事会", dt(2018, 3, 20), 8600,
         "第三届董事会第五次会议决议"],
        ["A01-2018-01", "A01", "营业网点改造", "重大项目安排", dt(2018, 8, 20), "经理层", dt(2018, 8, 9), 320.5, None],
        ["B01-2018-01", "B01", "乙市网点项目", "重大项目安排", None, "党委会", dt(2018, 5, 1), None, None]]
    amount = book["三重一大"][3][7]
    assert amount.number_format == "0.00" and book["三重一大"][3][4].is_date
    assert [r[0] for r in rows(read_back(export(actor=cast.a01admin)), "三重一大")] == ["A01-2018-01"]
    assert run_import(export(), actor=None).changed == 0


def test_it_round_trips_through_an_empty_database(cast):
    add_matters(cast)
    snapshot = matters()
    book = export()
    first = [[c.value for c in r] for r in read_back(book)["三重一大"].iter_rows()]
    book.seek(0)
    Matter.objects.all().delete()
    empty_database()
    result = run_import(book, actor=None)
    assert result.applied, result.to_json()
    assert result.changes["三重一大"].created == 4
    assert matters() == snapshot  # the 前置研究 meeting linked again through its date
    assert [[c.value for c in r] for r in read_back(export())["三重一大"].iter_rows()] == first
    assert {(w.sheet, w.row, w.code) for w in result.warnings if w.sheet == "三重一大"} == {
        ("三重一大", 2, "SOE-03"), ("三重一大", 4, "SOE-03")}


def test_it_describes_the_sheet_in_the_template(cast):
    book = read_back(template_workbook())
    names = book.sheetnames
    assert names.index("党费") < names.index("三重一大") < names.index("问题整改")
    help_rows = {(r[0], r[1]): r for r in book["说明"].iter_rows(values_only=True)}
    assert help_rows[("三重一大", "事项编号")][2] == "是" and not help_rows[("三重一大", "前置研究日期")][2]
    assert "董事会" in help_rows[("三重一大", "决策机构")][3]
    result = run_import(workbook(**sheet(row())), actor=None)
    assert result.applied and not [w for w in result.warnings if w.code == "SHEET_NOT_IMPORTED"]
