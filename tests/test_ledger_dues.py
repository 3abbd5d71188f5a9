"""The 党费 sheet: bases declared only when they change, regular payments recorded or corrected (history: a
late back-payment is imported and DUES-11 reports it), cells that cannot be read, duplicates, idempotence,
dry run, export."""
import datetime
from decimal import Decimal

import pytest

from dangjian.audit.models import AuditEntry
from dangjian.dues import services as dues
from dangjian.dues.models import BaseDeclaration, Payment
from dangjian.ledger.exporter import template_workbook
from dangjian.ledger.importer import run_import
from dangjian.rules.engine import Window, run_checks

from .cast import person_id
from .test_ledger_export import export, rows
from .test_ledger_recruitment import APPLICANT, full, sheet
from .test_ledger_support import D, counts, read_back, workbook

M = Decimal
HEADER = ["身份证号", "月份", "缴费基数", "实缴金额", "缴纳日期"]


def pay(who, month="2018-01", base=5000, amount=50, paid_on="2018-01-15"):
    return [getattr(who, "id_number", who), month, base, amount, paid_on]


def dues_sheet(*rows, header=HEADER):
    return {"党费": [header, *rows]}


def codes(result):
    return [(e.sheet, e.row, e.column, e.code) for e in result.errors]


def everything():
    return counts() | {"BaseDeclaration": BaseDeclaration.objects.count(), "Payment": Payment.objects.count()}


def payments():
    return [(p.member.name, p.month, p.amount, p.paid_on, p.kind, p.org.code)
            for p in Payment.objects.select_related("member", "org").order_by("member__name", "month")]


def bases():
    return [(b.member.name, b.month, b.base) for b in BaseDeclaration.objects.select_related("member")
            .order_by("member__name", "month")]


# ---- import ----

def test_it_records_payments_and_declares_a_constant_base_once(cast):
    months = [pay(cast.zhang, f"2018-{m:02}", paid_on=f"2018-{m:02}-10") for m in range(1, 7)]
    result = run_import(workbook(**dues_sheet(*months)), actor=None)
    assert result.applied, result.to_json()
    assert result.changes["党费"].created == 6
    assert bases() == [("张建国", D(2018, 1, 1), M("5000.00"))]
    assert payments()[0] == ("张建国", D(2018, 1, 1), M("50.00"), D(2018, 1, 10), "regular", "A0101")
    assert len(payments()) == 6


def test_it_declares_a_new_base_from_the_month_it_changes(cast):
    rows_ = [pay(cast.zhang, "2018-01"), pay(cast.zhang, "2018-02"),
             pay(cast.zhang, "2018-03", base="6000.50", amount=90.01), pay(cast.zhang, "2018-04", base=6000.5, amount=90.01),
             pay(cast.li, "2018-02", base=None, amount=15)]
    result = run_import(workbook(**dues_sheet(*rows_)), actor=None)
    assert result.applied, result.to_json()
    assert bases() == [("张建国", D(2018, 1, 1), M("5000.00")), ("张建国", D(2018, 3, 1), M("6000.50"))]
    assert dues.base_on(cast.zhang, D(2018, 4, 1)).base == M("6000.50")
    assert ("李秀英", D(2018, 2, 1), M("15.00"), D(2018, 1, 15), "regular", "A0101") in payments()


def test_it_reads_the_month_in_any_order_and_as_a_date_cell(cast):
    """Rows are applied month by month; Excel turns a typed 2018-03 into a date: that is the month."""
    rows_ = [pay(cast.zhang, datetime.datetime(2018, 3, 1), base=6000, amount=90), pay(cast.zhang, "2018-1")]
    result = run_import(workbook(**dues_sheet(*rows_)), actor=None)
    assert result.applied, result.to_json()
    assert bases() == [("张建国", D(2018, 1, 1), M("5000.00")), ("张建国", D(2018, 3, 1), M("6000.00"))]


def test_it_imports_a_back_payment_eight_months_late_and_the_check_reports_it(cast):
    result = run_import(workbook(**dues_sheet(pay(cast.zhang, "2018-01", paid_on="2018-09-30"))), actor=None)
    assert result.applied and not result.errors, result.to_json()
    assert payments() == [("张建国", D(2018, 1, 1), M("50.00"), D(2018, 9, 30), "regular", "A0101")]
    found = [f for f in run_checks(window=Window(D(2018, 12, 31)), rules=["DUES-11"])
             if f.person == cast.zhang.id_number]
    assert len(found) == 1 and "补交" in found[0].message


def test_it_imports_a_payment_without_its_date(cast):
    result = run_import(workbook(**dues_sheet(pay(cast.zhang, paid_on=None))), actor=None)
    assert result.applied and payments()[0][3] is None


def test_it_imports_the_dues_of_a_member_admitted_in_the_same_workbook(cast):
    result = run_import(workbook(**sheet(full(cast)) | dues_sheet(pay(APPLICANT, "2016-06", base=3000, amount=15,
                                                                      paid_on="2016-06-30"))), actor=None)
    assert result.applied, result.to_json()
    assert payments() == [("刘新", D(2016, 6, 1), M("15.00"), D(2016, 6, 30), "regular", "A0101")]


# ---- refused on their cell ----

ERRORS = {
    "month format": (lambda c: pay(c.zhang, "2018/01"), ("月份", "MONTH_FORMAT")),
    "impossible month": (lambda c: pay(c.zhang, "2018-13"), ("月份", "MONTH_FORMAT")),
    "month as a number": (lambda c: pay(c.zhang, 201801), ("月份", "MONTH_FORMAT")),
    "missing month": (lambda c: pay(c.zhang, None), ("月份", "REQUIRED")),
    "amount not a number": (lambda c: pay(c.zhang, amount="五十元"), ("实缴金额", "NUMBER")),
    "missing amount": (lambda c: pay(c.zhang, amount=None), ("实缴金额", "REQUIRED")),
    "negative amount": (lambda c: pay(c.zhang, amount=-5), ("实缴金额", "AMOUNT_RANGE")),
    "amount below the cent": (lambda c: pay(c.zhang, amount="50.005"), ("实缴金额", "AMOUNT_FORMAT")),
    "base not a number": (lambda c: pay(c.zhang, base="五千"), ("缴费基数", "NUMBER")),
    "absurd base": (lambda c: pay(c.zhang, base=99999999), ("缴费基数", "AMOUNT_RANGE")),
    "impossible date": (lambda c: pay(c.zhang, paid_on="2018-02-30"), ("缴纳日期", "DATE_INVALID")),
    "future date": (lambda c: pay(c.zhang, paid_on="2099-01-01"), ("缴纳日期", "DATE_FUTURE")),
    "ID as a number": (lambda c: pay(4.50103198005021e17), ("身份证号", "ID_NUMERIC")),
    "unknown member": (lambda c: pay(person_id(40)), ("身份证号", "MEMBER_NOT_FOUND")),
    "before admission": (lambda c: pay(c.wang, "2018-02"), ("月份", "DUES_BEFORE_ADMISSION")),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_it_refuses_a_row_that_cannot_be_read_on_its_cell(cast, name):
    build, (column, code) = ERRORS[name]
    before = everything()
    result = run_import(workbook(**dues_sheet(build(cast))), actor=None)
    assert codes(result) == [("党费", 2, column, code)], result.to_json()
    assert not result.applied and everything() == before
    assert all(e.message and not e.message.isascii() for e in result.errors)


def test_it_refuses_a_second_row_for_the_same_member_and_month(cast):
    result = run_import(workbook(**dues_sheet(pay(cast.zhang, "2018-01"), pay(cast.li, "2018-01"),
                                              pay(cast.zhang, "2018-1", amount=60))), actor=None)
    assert codes(result) == [("党费", 4, "身份证号", "DUPLICATE_ROW")] and not Payment.objects.exists()
    assert "第2行" in result.errors[0].message


def test_it_refuses_a_member_outside_the_importers_scope(cast):
    result = run_import(workbook(**dues_sheet(pay(cast.chen))), actor=cast.a01admin)
    assert codes(result) == [("党费", 2, "身份证号", "FORBIDDEN")] and "陈刚" not in result.errors[0].message


# ---- re-import ----

def test_it_changes_nothing_the_second_time(cast):
    book = dues_sheet(pay(cast.zhang, "2018-01"), pay(cast.zhang, "2018-02", paid_on=None), pay(cast.li, "2018-01",
                                                                                              base=3000, amount=15))
    first = run_import(workbook(**book), actor=None)
    assert first.applied and first.changes["党费"].created == 3
    after_first, audit = everything(), AuditEntry.objects.count()
    second = run_import(workbook(**book), actor=None)
    assert second.applied and second.changed == 0 and second.changes["党费"].unchanged == 3
    assert everything() == after_first and AuditEntry.objects.count() == audit


def test_it_corrects_a_payment_and_a_base(cast):
    run_import(workbook(**dues_sheet(pay(cast.zhang, "2018-01"), pay(cast.zhang, "2018-02"))), actor=None)
    result = run_import(workbook(**dues_sheet(pay(cast.zhang, "2018-01", base=5200, amount=52, paid_on="2018-01-20"),
                                              pay(cast.zhang, "2018-02"))), actor=None)
    # 2018-01's declaration is corrected; 2018-02 (5000) now differs from it, so it is declared from then on.
    assert result.applied and result.changes["党费"].updated == 2
    assert bases() == [("张建国", D(2018, 1, 1), M("5200.00")), ("张建国", D(2018, 2, 1), M("5000.00"))]
    assert payments()[0][2:4] == (M("52.00"), D(2018, 1, 20))
    assert AuditEntry.objects.filter(action="dues.payment_update").count() == 1


def test_it_leaves_the_date_alone_without_its_column(cast):
    run_import(workbook(**dues_sheet(pay(cast.zhang))), actor=None)
    header = ["身份证号", "月份", "实缴金额"]
    result = run_import(workbook(**dues_sheet([cast.zhang.id_number, "2018-01", 50], header=header)), actor=None)
    assert result.changed == 0 and payments()[0][3] == D(2018, 1, 15) and len(bases()) == 1


def test_it_writes_nothing_on_a_dry_run(cast):
    before = everything()
    result = run_import(workbook(**dues_sheet(pay(cast.zhang), pay(cast.li))), actor=None, dry_run=True)
    assert result.ok and not result.applied and result.changes["党费"].created == 2 and everything() == before


# ---- export ----

def test_it_exports_one_row_per_regular_payment_with_the_base_in_force(cast):
    dues.declare_base(cast.zhang, actor=None, month=D(2017, 12, 1), base="5000")
    dues.record_payment(cast.zhang, actor=None, month=D(2018, 1, 1), amount="50", paid_on=D(2018, 1, 15))
    dues.record_payment(cast.zhang, actor=None, month=D(2018, 1, 1), amount="100", kind="extra",
                        paid_on=D(2018, 1, 15))  # 自愿多交: not in the ledger
    dues.record_payment(cast.li, actor=None, month=D(2018, 2, 1), amount="15.5", history=True)
    dues.record_payment(cast.chen, actor=None, month=D(2018, 2, 1), amount="20", paid_on=D(2018, 2, 3))
    book = read_back(export())
    assert [c.value for c in book["党费"][1]] == HEADER
    assert rows(book, "党费") == [
        [cast.zhang.id_number, "2018-01", 5000, 50, datetime.datetime(2018, 1, 15)],
        [cast.li.id_number, "2018-02", None, 15.5, None],
        [cast.chen.id_number, "2018-02", None, 20, datetime.datetime(2018, 2, 3)]]
    first = book["党费"][2]
    assert first[1].number_format == "@" and first[1].data_type == "s"  # a month Excel must not make a date of
    assert first[3].number_format == "0.00" and first[4].is_date
    # Scoped like the roll: A01's administrator exports A01's members only.
    assert [r[0] for r in rows(read_back(export(actor=cast.a01admin)), "党费")] == [
        cast.zhang.id_number, cast.li.id_number]
    # Imported back: nothing changes.
    assert run_import(export(), actor=None).changed == 0


def test_it_describes_the_sheet_in_the_template(cast):
    book = read_back(template_workbook())
    help_rows = {(r[0], r[1]): r for r in book["说明"].iter_rows(values_only=True)}
    assert help_rows[("党费", "月份")][2] == "是" and "YYYY-MM" in help_rows[("党费", "月份")][3]
    assert not help_rows[("党费", "缴费基数")][2]
    assert book["党费"].cell(2, 2).number_format == "@"
