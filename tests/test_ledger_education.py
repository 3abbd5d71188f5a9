"""The 培训 and 帮扶 sheets: rows recorded through the services, matched on their keys (a second import
changes nothing), corrected, refused with the column named, scoped to the importer's reach; exported and
imported back, into the same database and into an empty one."""
import datetime
from decimal import Decimal

import pytest

from dangjian.assistance.models import Project
from dangjian.assistance.services import create_project
from dangjian.audit.models import AuditEntry
from dangjian.education.models import Training
from dangjian.education.services import record_training
from dangjian.ledger.exporter import template_workbook
from dangjian.ledger.importer import run_import

from .test_ledger_export import empty_database, export, rows
from .test_ledger_support import D, read_back, workbook

M = Decimal
TRAINING_HEADER = ["身份证号", "日期", "内容", "学时", "形式"]
PROJECT_HEADER = ["项目编号", "组织编码", "帮扶对象", "项目类型", "项目名称", "开始日期", "投入金额(万元)", "年收益(万元)",
                  "人员身份证号", "结束日期"]


def codes(result):
    return [(e.sheet, e.row, e.column, e.code) for e in result.errors]


def trainings():
    return [(t.member.name, t.held_on, t.subject, t.hours, t.kind)
            for t in Training.objects.select_related("member").order_by("member__name", "held_on", "subject")]


def projects():
    return [(p.code, p.org.code, p.target, p.kind, p.name, p.started_on, p.ended_on, p.invested, p.annual_return,
             p.member.name if p.member_id else None, p.results)
            for p in Project.objects.select_related("org", "member").order_by("code")]


def seed_rows(c):
    return [[c.zhang.id_number, "2018-03-20", "十九大精神轮训", 40, "轮训"],
            [c.zhang.id_number, "2018-05-10", "党课：学习党章", "2.5", "党课"],
            [c.li.id_number, datetime.datetime(2018, 6, 1), "网络学习", 12.5, None]]


def project_rows(c):
    return [["BF-01", "JT", "那坡村", "驻村第一书记", "选派驻村第一书记", "2018-03-01", None, None, c.zhang.id_number, None],
            ["BF-02", "JT", "那坡村", "产业入股", "入股黑猪养殖场", "2018-04-01", "50", "4.5", None, None],
            ["BF-03", "A01", "平安村", "基础设施", "通信联网、宽带覆盖", "2017-09-01", 120.25, None, None, "2018-06-30"]]


# ---- 培训 ----

def test_it_records_training_rows_and_matches_them_on_the_second_import(cast):
    book = workbook(培训=[TRAINING_HEADER, *seed_rows(cast)])
    result = run_import(book, actor=None)
    assert result.applied, result.to_json()
    assert result.changes["培训"].created == 3
    assert trainings() == [
        ("张建国", D(2018, 3, 20), "十九大精神轮训", M("40.0"), "rotation"),
        ("张建国", D(2018, 5, 10), "党课：学习党章", M("2.5"), "lecture"),
        ("李秀英", D(2018, 6, 1), "网络学习", M("12.5"), "")]
    assert AuditEntry.objects.filter(action="training.create").count() == 3
    book.seek(0)
    again = run_import(book, actor=None)
    assert again.applied and again.changed == 0 and again.changes["培训"].unchanged == 3
    assert not [w for w in again.warnings if w.sheet == "培训"]  # the sheet is read, no longer "not imported"


def test_it_corrects_the_hours_and_the_kind_of_a_row(cast):
    record_training(cast.li, actor=None, held_on=D(2018, 6, 1), subject="网络学习", hours=10, kind="网络学习")
    result = run_import(workbook(培训=[TRAINING_HEADER, [cast.li.id_number, "2018-06-01", "网络学习", 12.5, "其他"]]),
                        actor=None)
    assert result.applied and result.changes["培训"].updated == 1
    assert trainings() == [("李秀英", D(2018, 6, 1), "网络学习", M("12.5"), "other")]
    # Without the 形式 column the kind is left as it is.
    result = run_import(workbook(培训=[TRAINING_HEADER[:4], [cast.li.id_number, "2018-06-01", "网络学习", 12.5]]),
                        actor=None)
    assert result.applied and result.changed == 0


def test_it_refuses_bad_rows_with_the_column_named_and_writes_nothing(cast):
    bad = [[cast.li.id_number, "2018-06-01", "学习", "1.25", None],      # two decimals
           [cast.li.id_number, "2018-02-30", "学习", 4, None],           # no such day
           [cast.wang.id_number, "2018-02-01", "学习", 4, None],         # before admission (2018-03-01)
           [cast.li.id_number, "2018-06-02", "学习", 0, None],           # zero hours
           [cast.li.id_number, "2018-06-03", "学习", 4, "函授"],         # unknown kind
           [cast.li.id_number, "2018-06-01", "学习", 3, None],           # the same key as row 2
           ["450103198005170000", "2018-06-04", "学习", 4, None]]       # bad check digit
    result = run_import(workbook(培训=[TRAINING_HEADER, *bad]), actor=None)
    assert not result.applied and not Training.objects.exists()
    assert sorted(codes(result)) == sorted([
        ("培训", 2, "学时", "NUMBER"), ("培训", 3, "日期", "DATE_INVALID"), ("培训", 4, "日期", "TRAINING_NOT_MEMBER"),
        ("培训", 5, "学时", "NUMBER"), ("培训", 6, "形式", "CHOICE"), ("培训", 7, "身份证号", "DUPLICATE_ROW"),
        ("培训", 8, "身份证号", "ID_CHECK_DIGIT")])


def test_it_refuses_a_member_outside_the_importers_reach(cast):
    result = run_import(workbook(培训=[TRAINING_HEADER, [cast.chen.id_number, "2018-06-01", "学习", 4, None]]),
                        actor=cast.a01admin)
    assert codes(result) == [("培训", 2, "身份证号", "FORBIDDEN")]


def test_it_exports_the_training_rows_and_imports_them_back_unchanged(cast):
    run_import(workbook(培训=[TRAINING_HEADER, *seed_rows(cast)]), actor=None)
    book = read_back(export())
    assert [c.value for c in book["培训"][1]] == TRAINING_HEADER
    assert rows(book, "培训") == [
        [cast.zhang.id_number, datetime.datetime(2018, 3, 20), "十九大精神轮训", 40, "轮训"],
        [cast.zhang.id_number, datetime.datetime(2018, 5, 10), "党课：学习党章", 2.5, "党课"],
        [cast.li.id_number, datetime.datetime(2018, 6, 1), "网络学习", 12.5, None]]
    assert book["培训"]["A2"].number_format == "@" and book["培训"]["B2"].is_date
    assert [r[0] for r in rows(read_back(export(actor=cast.b01admin)), "培训")] == []
    result = run_import(export(), actor=None)
    assert result.applied and result.changed == 0 and result.changes["培训"].unchanged == 3


# ---- 帮扶 ----

def test_it_records_projects_and_matches_them_on_their_number(cast):
    book = workbook(帮扶=[PROJECT_HEADER, *project_rows(cast)])
    result = run_import(book, actor=None)
    assert result.applied, result.to_json()
    assert projects() == [
        ("BF-01", "JT", "那坡村", "first_secretary", "选派驻村第一书记", D(2018, 3, 1), None, None, None, "张建国", ""),
        ("BF-02", "JT", "那坡村", "equity", "入股黑猪养殖场", D(2018, 4, 1), None, M("50.00"), M("4.50"), None, ""),
        ("BF-03", "A01", "平安村", "infrastructure", "通信联网、宽带覆盖", D(2017, 9, 1), D(2018, 6, 30), M("120.25"),
         None, None, "")]
    book.seek(0)
    assert run_import(book, actor=None).changed == 0
    changed = project_rows(cast)
    changed[1][7] = "5"
    result = run_import(workbook(帮扶=[PROJECT_HEADER + ["成效"], *[r + ["村集体每年增收"] for r in changed]]),
                        actor=None)
    assert result.applied and result.changes["帮扶"].updated == 3
    assert Project.objects.get(code="BF-02").annual_return == M("5.00")
    assert AuditEntry.objects.filter(action="assistance.update").count() == 3


def test_it_refuses_projects_it_cannot_read_or_place(cast):
    bad = [["BF-01", "JT", "那坡村", "驻村第一书记", "缺人员", "2018-03-01", None, None, None, None],
           ["BF-02", "NOPE", "那坡村", "资金", "无此组织", "2018-03-01", None, None, None, None],
           ["BF-03", "JT", "那坡村", "扶贫", "未知类型", "2018-03-01", None, None, None, None],
           ["BF-04", "JT", "那坡村", "资金", "金额为负", "2018-03-01", -1, None, None, None],
           ["BF-05", "JT", "那坡村", "资金", "结束早于开始", "2018-03-01", None, None, None, "2018-02-01"],
           ["BF-06", "JT", "那坡村", "资金", "三位小数", "2018-03-01", "1.234", None, None, None]]
    result = run_import(workbook(帮扶=[PROJECT_HEADER, *bad]), actor=None)
    assert not result.applied and not Project.objects.exists()
    assert sorted(codes(result)) == [("帮扶", 2, "人员身份证号", "REQUIRED"), ("帮扶", 3, "组织编码", "ORG_NOT_FOUND"),
                                     ("帮扶", 4, "项目类型", "CHOICE"), ("帮扶", 5, "投入金额(万元)", "NUMBER"),
                                     ("帮扶", 6, "结束日期", "DATE_ORDER"), ("帮扶", 7, "投入金额(万元)", "NUMBER")]


def test_it_keeps_projects_within_the_importers_reach(cast):
    create_project(actor=None, code="BF-09", org=cast.b01, target="乙村", kind="资金", name="乙市项目",
                   started_on=D(2018, 1, 1))
    rows_ = [["BF-09", "A01", "乙村", "资金", "改名", "2018-01-01", None, None, None, None],
             ["BF-10", "B01", "乙村", "资金", "新项目", "2018-01-01", None, None, None, None]]
    result = run_import(workbook(帮扶=[PROJECT_HEADER, *rows_]), actor=cast.a01admin)
    assert codes(result) == [("帮扶", 2, "项目编号", "FORBIDDEN"), ("帮扶", 3, "组织编码", "FORBIDDEN")]
    assert Project.objects.get(code="BF-09").name == "乙市项目"


def test_it_exports_the_projects_and_imports_them_back_unchanged(cast):
    run_import(workbook(帮扶=[PROJECT_HEADER, *project_rows(cast)]), actor=None)
    book = read_back(export())
    assert [c.value for c in book["帮扶"][1]] == PROJECT_HEADER + ["成效"]
    exported = rows(book, "帮扶")
    assert exported[1] == ["BF-02", "JT", "那坡村", "产业入股", "入股黑猪养殖场", datetime.datetime(2018, 4, 1), 50, 4.5,
                           None, None, None]
    assert exported[0][8] == cast.zhang.id_number and book["帮扶"]["I2"].number_format == "@"
    assert book["帮扶"]["G3"].number_format == "0.00"
    # A01's administrator exports A01's project only; B01's sees none (JT's first secretary is not theirs).
    assert [r[0] for r in rows(read_back(export(actor=cast.a01admin)), "帮扶")] == ["BF-03"]
    result = run_import(export(), actor=None)
    assert result.applied and result.changed == 0 and result.changes["帮扶"].unchanged == 3


def test_both_sheets_reproduce_the_data_in_an_empty_database(cast):
    run_import(workbook(培训=[TRAINING_HEADER, *seed_rows(cast)], 帮扶=[PROJECT_HEADER, *project_rows(cast)]),
               actor=None)
    before = trainings(), projects()
    book = export()
    Training.objects.all().delete()
    Project.objects.all().delete()
    empty_database()
    result = run_import(book, actor=None)
    assert result.applied, result.to_json()
    assert result.changes["培训"].created == 3 and result.changes["帮扶"].created == 3
    assert (trainings(), projects()) == before


def test_the_template_describes_both_sheets(cast):
    book = read_back(template_workbook())
    help_rows = {(r[0], r[1]): r for r in book["说明"].iter_rows(values_only=True)}
    assert help_rows[("培训", "学时")][2] == "是" and "一位小数" in help_rows[("培训", "学时")][3]
    assert "轮训" in help_rows[("培训", "形式")][3]
    assert help_rows[("帮扶", "项目类型")][2] == "是" and "驻村第一书记" in help_rows[("帮扶", "项目类型")][3]
    assert not help_rows[("帮扶", "成效")][2]


@pytest.mark.parametrize("sheet", ["培训", "帮扶"])
def test_the_sheets_are_no_longer_ignored(cast, sheet):
    header = TRAINING_HEADER if sheet == "培训" else PROJECT_HEADER
    result = run_import(workbook(**{sheet: [header]}), actor=None)
    assert result.applied and not result.warnings
