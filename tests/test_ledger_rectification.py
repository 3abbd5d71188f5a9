"""The 问题整改 sheet: rows are history (registered, completed and closed on the row's dates through the
services, so the closing is still the higher level's), cells that cannot be read and dates that cannot be
(a 销号日期 before the 完成日期) refused on their cell, duplicates, scope, idempotence, dates moving forward
only, dry run, export, and the round trip export → empty database → import."""
import datetime

import pytest

from dangjian.audit.models import AuditEntry
from dangjian.ledger.exporter import template_workbook
from dangjian.ledger.importer import run_import
from dangjian.rectification import services
from dangjian.rectification.models import EventKind, Problem, ProblemEvent
from dangjian.rectification.queries import problems_for_year

from .cast import person_id
from .test_ledger_export import empty_database, export, rows
from .test_ledger_support import D, read_back, workbook

HEADER = ["问题编号", "组织编码", "年度", "问题来源", "问题描述", "原因分析", "整改措施", "责任人身份证号", "整改时限",
          "完成日期", "销号日期"]


def row(number="A0101-2018-01", org="A0101", year=2018, source="组织生活会", description="三会一课记录不规范",
        cause="学习不够", measures="逐月检查记录", owner=None, deadline="2018-06-30", completed=None, closed=None):
    return [number, org, year, source, description, cause, measures, owner, deadline, completed, closed]


def sheet(*rows_, header=HEADER):
    return {"问题整改": [header, *rows_]}


def codes(result):
    return [(e.sheet, e.row, e.column, e.code) for e in result.errors]


def problems():
    return [(p.number, p.org.code, p.year, p.source, p.owner.name if p.owner else None, p.deadline, p.completed_on,
             p.closed_on) for p in Problem.objects.select_related("org", "owner").order_by("number")]


def everything():
    return (Problem.objects.count(), ProblemEvent.objects.count(), AuditEntry.objects.count())


# ---- import ----

def test_it_imports_problems_as_history_with_their_steps(cast):
    book = sheet(row(owner=cast.zhang.id_number),
                 row("A0101-2017-01", year=2017, source="巡视巡察", deadline="2017-12-31", completed="2018-03-01",
                     closed="2018-04-10"),
                 row("A01-2018-01", org="A01", source="述职评议", deadline="2018-09-30", completed="2018/09/20"))
    result = run_import(workbook(**book), actor=None)
    assert result.applied and not result.errors and not result.warnings, result.to_json()
    assert result.changes["问题整改"].created == 3
    assert problems() == [
        ("A01-2018-01", "A01", 2018, "appraisal", None, D(2018, 9, 30), D(2018, 9, 20), None),
        ("A0101-2017-01", "A0101", 2017, "inspection", None, D(2017, 12, 31), D(2018, 3, 1), D(2018, 4, 10)),
        ("A0101-2018-01", "A0101", 2018, "life_meeting", "张建国", D(2018, 6, 30), None, None)]
    closed = Problem.objects.get(number="A0101-2017-01")
    # Registered on the latest day the row allows, then completed and closed on the row's dates.
    assert [(e.kind, e.date, e.text) for e in closed.events.all()] == [
        (EventKind.CREATED, D(2017, 12, 31), "问题来源：巡视巡察；整改时限：2017-12-31"),
        (EventKind.COMPLETED, D(2018, 3, 1), "台账导入"), (EventKind.CLOSED, D(2018, 4, 10), "台账导入")]
    # A problem of 2017 rectified in 2018 is in 2018's ledger.
    assert "A0101-2017-01" in {p.number for p in problems_for_year(cast.a01, 2018)}


def test_it_no_longer_ignores_the_sheet(cast):
    result = run_import(workbook(**sheet(row())), actor=None)
    assert result.applied and not [w for w in result.warnings if w.code == "SHEET_NOT_IMPORTED"]


ERRORS = {
    "closed before completed": (dict(completed="2018-06-20", closed="2018-06-19"), ("销号日期", "DATE_ORDER")),
    "closed without completion": (dict(closed="2018-06-19"), ("销号日期", "REQUIRED")),
    "year as words": (dict(year="二〇一八"), ("年度", "INTEGER")),
    "year in the future": (dict(year=2099, deadline="2099-06-30"), ("年度", "YEAR")),
    "year before the organisation": (dict(year=2015, deadline="2015-06-30"), ("年度", "DATE_ORDER")),
    "unknown source": (dict(source="群众举报"), ("问题来源", "CHOICE")),
    "missing description": (dict(description=None), ("问题描述", "REQUIRED")),
    "missing deadline": (dict(deadline=None), ("整改时限", "REQUIRED")),
    "impossible deadline": (dict(deadline="2018-02-30"), ("整改时限", "DATE_INVALID")),
    "deadline before the year": (dict(deadline="2017-06-30"), ("整改时限", "DATE_ORDER")),
    "completed before the year": (dict(completed="2017-12-31"), ("完成日期", "DATE_ORDER")),
    "completed in the future": (dict(completed="2099-01-01"), ("完成日期", "DATE_FUTURE")),
    "deadline as a number": (dict(deadline=43281), ("整改时限", "DATE_FORMAT")),
    "owner ID as a number": (dict(owner=4.50103198005021e17), ("责任人身份证号", "ID_NUMERIC")),
    "owner not a member": (dict(owner=person_id(40)), ("责任人身份证号", "MEMBER_NOT_FOUND")),
    "unknown organisation": (dict(org="ZZ99"), ("组织编码", "ORG_NOT_FOUND")),
    "number with a space": (dict(number="A0101 01"), ("问题编号", "NUMBER_FORMAT")),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_it_refuses_a_row_that_cannot_be_on_its_cell(cast, name):
    changes, (column, code) = ERRORS[name]
    before = everything()
    result = run_import(workbook(**sheet(row(**changes))), actor=None)
    assert codes(result) == [("问题整改", 2, column, code)], result.to_json()
    assert not result.applied and everything() == before
    assert all(e.message and not e.message.isascii() for e in result.errors)


def test_it_refuses_a_second_row_with_the_same_number(cast):
    result = run_import(workbook(**sheet(row(), row("A0101-2018-02"), row(description="另一个问题"))), actor=None)
    assert codes(result) == [("问题整改", 4, "问题编号", "DUPLICATE_ROW")] and not Problem.objects.exists()


def test_it_refuses_a_missing_required_column(cast):
    header = [h for h in HEADER if h != "整改时限"]
    result = run_import(workbook(**sheet(row()[:8] + row()[9:], header=header)), actor=None)
    assert codes(result) == [("问题整改", 1, "整改时限", "MISSING_COLUMN")]


# ---- scope: the closing stays the higher level's ----

def test_an_org_admin_imports_the_closing_of_a_problem_below_only(cast):
    result = run_import(workbook(**sheet(row(completed="2018-06-20", closed="2018-07-01"))), actor=cast.a01admin)
    assert result.applied, result.to_json()
    # A01's own problem is closed by the level above A01, not by A01's administrator.
    result = run_import(workbook(**sheet(row("A01-2018-01", org="A01", completed="2018-06-20", closed="2018-07-01"))),
                        actor=cast.a01admin)
    assert codes(result) == [("问题整改", 2, "销号日期", "FORBIDDEN")]
    assert "上级党组织" in result.errors[0].message
    result = run_import(workbook(**sheet(row("A01-2018-01", org="A01", completed="2018-06-20"))), actor=cast.a01admin)
    assert result.applied


def test_it_refuses_rows_outside_the_importers_scope(cast):
    result = run_import(workbook(**sheet(row("B-1", org="B0101"))), actor=cast.a01admin)
    assert codes(result) == [("问题整改", 2, "组织编码", "FORBIDDEN")]
    services.record_problem(actor=None, number="B-2", org=cast.b0101, year=2018, source="自查", description="乙市的问题",
                            deadline=D(2018, 6, 30))
    result = run_import(workbook(**sheet(row("B-2"))), actor=cast.a01admin)
    assert codes(result) == [("问题整改", 2, "问题编号", "FORBIDDEN")] and "乙市" not in result.errors[0].message
    result = run_import(workbook(**sheet(row(owner=cast.chen.id_number))), actor=cast.a01admin)
    assert codes(result) == [("问题整改", 2, "责任人身份证号", "FORBIDDEN")]


# ---- re-import ----

def test_it_changes_nothing_the_second_time(cast):
    book = sheet(row(owner=cast.li.id_number), row("A0101-2017-01", year=2017, completed="2018-03-01",
                                                   closed="2018-04-10"))
    assert run_import(workbook(**book), actor=None).applied
    before = everything()
    second = run_import(workbook(**book), actor=None)
    assert second.applied and second.changed == 0 and second.changes["问题整改"].unchanged == 2
    assert everything() == before


def test_it_corrects_a_problem_and_moves_its_dates_forward_only(cast):
    run_import(workbook(**sheet(row())), actor=None)
    result = run_import(workbook(**sheet(row(measures="每月检查", completed="2018-06-20"))), actor=None)
    assert result.applied and result.changes["问题整改"].updated == 1
    p = Problem.objects.get()
    assert (p.measures, p.completed_on) == ("每月检查", D(2018, 6, 20))
    assert AuditEntry.objects.filter(action="problem.update").count() == 1
    result = run_import(workbook(**sheet(row(measures="每月检查", completed="2018-06-20", closed="2018-07-01"))),
                        actor=None)
    assert result.applied and Problem.objects.get().closed_on == D(2018, 7, 1)
    # A date recorded is not rewritten, nor cleared, by an import.
    for changes, column in ((dict(completed="2018-06-21", closed="2018-07-01"), "完成日期"),
                            (dict(completed="2018-06-20", closed=None), "销号日期")):
        result = run_import(workbook(**sheet(row(measures="每月检查", **changes))), actor=None)
        assert codes(result) == [("问题整改", 2, column, "RECT_CONFLICT")]
    # Without the date columns, the dates are left as they are.
    header = HEADER[:9]
    result = run_import(workbook(**sheet(row(measures="每月检查")[:9], header=header)), actor=None)
    assert result.applied and result.changed == 0


def test_it_writes_nothing_on_a_dry_run(cast):
    before = everything()
    result = run_import(workbook(**sheet(row(), row("X-2", completed="2018-06-01"))), actor=None, dry_run=True)
    assert result.ok and not result.applied and result.changes["问题整改"].created == 2 and everything() == before


# ---- export ----

def add_problems(c):
    services.record_problem(actor=None, number="A0101-2018-01", org=c.a0101, year=2018, source="组织生活会",
                            description="三会一课记录不规范", cause="学习不够", measures="逐月检查", owner=c.zhang,
                            deadline=D(2018, 6, 30))
    old = services.record_problem(actor=None, number="A01-2017-01", org=c.a01, year=2017, source="巡视巡察",
                                  description="“三重一大”决策程序不规范", deadline=D(2017, 12, 31), on=D(2017, 5, 1))
    services.complete_problem(old, actor=None, on=D(2018, 3, 1))
    services.close_problem(old, actor=None, on=D(2018, 4, 10))
    services.record_problem(actor=None, number="B0101-2018-01", org=c.b0101, year=2018, source="自查",
                            description="党员教育不经常", owner=c.chen, deadline=D(2018, 12, 31))
    # 责任人 outside A01's members: left to the level above in A01's export.
    services.record_problem(actor=None, number="A0102-2018-01", org=c.a0102, year=2018, source="考核",
                            description="支部委员会会议不按月召开", owner=c.chen, deadline=D(2018, 9, 30))


def test_it_exports_one_row_per_problem_in_tree_order(cast):
    add_problems(cast)
    book = read_back(export())
    assert [c.value for c in book["问题整改"][1]] == HEADER
    assert rows(book, "问题整改") == [
        ["A01-2017-01", "A01", 2017, "巡视巡察", "“三重一大”决策程序不规范", None, None, None,
         datetime.datetime(2017, 12, 31), datetime.datetime(2018, 3, 1), datetime.datetime(2018, 4, 10)],
        ["A0101-2018-01", "A0101", 2018, "组织生活会", "三会一课记录不规范", "学习不够", "逐月检查", cast.zhang.id_number,
         datetime.datetime(2018, 6, 30), None, None],
        ["A0102-2018-01", "A0102", 2018, "考核", "支部委员会会议不按月召开", None, None, cast.chen.id_number,
         datetime.datetime(2018, 9, 30), None, None],
        ["B0101-2018-01", "B0101", 2018, "自查", "党员教育不经常", None, None, cast.chen.id_number,
         datetime.datetime(2018, 12, 31), None, None]]
    second = book["问题整改"][3]
    assert second[7].number_format == "@" and second[7].data_type == "s" and second[8].is_date
    assert [r[0] for r in rows(read_back(export(actor=cast.a01admin)), "问题整改")] == ["A01-2017-01", "A0101-2018-01"]
    assert run_import(export(), actor=None).changed == 0


def test_it_round_trips_through_an_empty_database(cast):
    add_problems(cast)
    snapshot = problems()
    history = sorted((e.problem.number, e.kind, e.date) for e in ProblemEvent.objects.select_related("problem")
                     if e.kind != EventKind.CREATED)
    book = export()
    first = [[c.value for c in r] for r in read_back(book)["问题整改"].iter_rows()]
    book.seek(0)
    ProblemEvent.objects.all().delete()
    Problem.objects.all().delete()
    empty_database()
    result = run_import(book, actor=None)
    assert result.applied, result.to_json()
    assert result.changes["问题整改"].created == 4
    assert problems() == snapshot
    assert sorted((e.problem.number, e.kind, e.date) for e in ProblemEvent.objects.select_related("problem")
                  if e.kind != EventKind.CREATED) == history
    assert [[c.value for c in r] for r in read_back(export())["问题整改"].iter_rows()] == first


def test_it_describes_the_sheet_in_the_template(cast):
    book = read_back(template_workbook())
    help_rows = {(r[0], r[1]): r for r in book["说明"].iter_rows(values_only=True)}
    assert help_rows[("问题整改", "问题来源")][2] == "是" and "巡视巡察" in help_rows[("问题整改", "问题来源")][3]
    assert not help_rows[("问题整改", "销号日期")][2]
    assert [c.value for c in book["问题整改"][1]] == HEADER
