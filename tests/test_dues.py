"""党费 services and statements: the amount due at every bracket edge (DUES-02), declared bases, payments
and their refusals (each with its code), the back-payment limit (DUES-11), the branch's monthly form (all
or nothing), the statements against the payments, and who may do what."""
import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext

from dangjian.audit.models import AuditEntry
from dangjian.core.errors import DomainError
from dangjian.dues import queries, services
from dangjian.dues.models import BaseDeclaration, Payment
from dangjian.dues.services import (
    amount_due,
    backpay_limit,
    base_on,
    declare_base,
    delete_payment,
    due_for,
    rate_for,
    record_branch_payments,
    record_payment,
    update_payment,
)
from dangjian.members.services import record_exit, restore_member, suspend_member, transfer_member
from dangjian.rules import parameters
from dangjian.rules.parameters import Parameter

from .cast import person_id

D = datetime.date
M = Decimal
TODAY = D(2019, 6, 30)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen(monkeypatch):
    """The dues services' clock stopped on 2019-06-30 (2018 is history, paid_on defaults to that day)."""
    monkeypatch.setattr(services, "today", lambda: TODAY)
    monkeypatch.setattr(queries, "today", lambda: TODAY)
    return TODAY


def refused(code, call, *args, **kw):
    with pytest.raises(DomainError) as exc:
        call(*args, **kw)
    assert exc.value.code == code, exc.value.message
    return exc.value


# ---- what is due (DUES-02) ----

@pytest.mark.parametrize("category, base, due", [
    ("employed", "0", "0.00"),
    ("employed", "2999.00", "15.00"),      # 14.995 → 15.00 (half up)
    ("employed", "3000", "15.00"),         # exactly 3000: 0.5%, the bound is inclusive
    ("employed", "3000.01", "30.00"),      # above 3000: 1% on the whole base, not progressive
    ("employed", "4000", "40.00"),
    ("employed", "5000", "50.00"),         # exactly 5000: 1%
    ("employed", "5000.01", "75.00"),      # 1.5%
    ("employed", "10000", "150.00"),       # exactly 10000: 1.5%
    ("employed", "10000.01", "200.00"),    # 2%
    ("employed", "12345.67", "246.91"),
    ("annual_salary", "3000", "15.00"),
    ("annual_salary", "10000", "150.00"),
    ("annual_salary", "10000.01", "200.00"),
    ("retired", "3000", "15.00"),
    ("retired", "5000", "25.00"),          # exactly 5000: 0.5%
    ("retired", "5000.01", "50.00"),       # above: 1%
    ("retired", "8000", "80.00"),
    ("student", "9000", "0.20"),
    ("unemployed", "0", "0.20"),
    ("subsistence", "1200", "0.20"),
    ("farmer", "3000", "0.20"),
])
def test_the_amount_due_at_every_bracket_edge(category, base, due):
    got = amount_due(M(base), category, False, D(2018, 5, 1))
    assert isinstance(got, Decimal)
    assert got == M(due) and str(got) == due


@pytest.mark.parametrize("category, base, rate, flat", [
    ("employed", "3000", "0.005", None),
    ("employed", "3000.01", "0.01", None),
    ("employed", "5000", "0.01", None),
    ("employed", "10000", "0.015", None),
    ("employed", "10000.01", "0.02", None),
    ("retired", "5000", "0.005", None),
    ("retired", "5000.01", "0.01", None),
    ("student", None, None, "0.20"),
    ("farmer", "100", None, "0.20"),
])
def test_rate_for_gives_the_rate_of_the_whole_base_or_the_flat_amount(category, base, rate, flat):
    assert rate_for(category, None if base is None else M(base), D(2018, 1, 1)) == (
        None if rate is None else M(rate), None if flat is None else M(flat))


def test_reduced_owes_nothing_and_what_cannot_be_told_is_none():
    assert amount_due(M("8000"), "employed", True, D(2018, 5, 1)) == M("0.00")
    assert amount_due(None, "student", True, D(2018, 5, 1)) == M("0.00")
    assert amount_due(None, "student", False, D(2018, 5, 1)) == M("0.20")       # no base needed
    assert amount_due(None, "employed", False, D(2018, 5, 1)) is None           # no base declared
    assert rate_for("retired", None, D(2018, 5, 1)) == (None, None)
    assert amount_due(M("4000"), "employed", False, D(2008, 3, 1)) is None      # before the 2008 rates
    assert amount_due(M("4000"), "employed", False, D(2008, 4, 1)) == M("40.00")
    assert amount_due(M("4000"), "在职", False, "2018-05") == M("40.00")         # label and text month
    refused("CHOICE", amount_due, M("4000"), "freelance", False, D(2018, 5, 1))


def test_rounding_is_half_up_and_a_parameter(monkeypatch):
    assert amount_due(M("1001"), "employed", False, D(2018, 1, 1)) == M("5.01")    # 5.005: not banker's 5.00
    assert amount_due(M("2999.90"), "employed", False, D(2018, 1, 1)) == M("15.00")  # 14.9995
    assert amount_due(4001.0, "employed", False, D(2018, 1, 1)) == M("40.01")      # a float cell, read as text
    tenth = Parameter("dues_rounding", "0.1", D(2020, 1, 1), "DUES-02", "test")
    monkeypatch.setattr(parameters, "PARAMETERS", parameters.PARAMETERS + (tenth,))
    assert amount_due(M("4001"), "employed", False, D(2019, 12, 1)) == M("40.01")
    assert amount_due(M("4001"), "employed", False, D(2020, 1, 1)) == M("40.0")
    assert amount_due(M("4005"), "employed", False, D(2020, 1, 1)) == M("40.1")    # 40.05 half up


# ---- declared bases ----

def test_declaring_a_base_defaults_to_the_members_category_and_updates_the_month(cast):
    declaration, changed = declare_base(cast.li, actor=cast.shuji, month=D(2018, 3, 17), base="4000")
    assert changed
    assert (declaration.month, declaration.base, declaration.category, declaration.reduced) == (
        D(2018, 3, 1), M("4000.00"), "employed", False)
    entry = AuditEntry.objects.get(action="dues.base", object_id=str(declaration.pk))
    assert entry.org_code == "A0101" and entry.after["base"] == "4000.00"
    again, changed = declare_base(cast.li, actor=cast.shuji, month="2018-03", base=M("4000"))
    assert again.pk == declaration.pk and not changed
    again, changed = declare_base(cast.li, actor=cast.shuji, month="2018-03", base="6000", category="retired")
    assert again.pk == declaration.pk and changed
    assert BaseDeclaration.objects.filter(member=cast.li).count() == 1
    entry = AuditEntry.objects.get(action="dues.base_update")
    assert entry.before == {"base": "4000.00", "category": "employed"}
    assert entry.after == {"base": "6000.00", "category": "retired"}


def test_the_base_of_a_month_is_the_latest_declared_on_or_before_it(cast):
    declare_base(cast.li, actor=None, month=D(2018, 1, 1), base="4000")
    declare_base(cast.li, actor=None, month=D(2018, 6, 1), base="6000")
    assert base_on(cast.li, D(2017, 12, 1)) is None
    assert base_on(cast.li, D(2018, 5, 31)).base == M("4000")
    assert base_on(cast.li, D(2018, 6, 1)).base == M("6000")
    assert due_for(cast.li, D(2017, 12, 1)) is None          # 在职, no base declared yet
    assert due_for(cast.li, D(2018, 5, 1)) == M("40.00")
    assert due_for(cast.li, D(2018, 6, 1)) == M("90.00")
    declare_base(cast.li, actor=None, month=D(2018, 9, 1), base="6000", reduced=True)
    assert due_for(cast.li, D(2018, 12, 1)) == M("0.00")


@pytest.mark.parametrize("changes, code", [
    ({"base": "-1"}, "AMOUNT_RANGE"),
    ({"base": "一千"}, "AMOUNT_FORMAT"),
    ({"base": "3000.001"}, "AMOUNT_FORMAT"),
    ({"base": "2000000"}, "AMOUNT_RANGE"),
    ({"base": None}, "REQUIRED"),
    ({"base": "4000", "category": "freelance"}, "CHOICE"),
    ({"base": "4000", "month": "2018-13"}, "MONTH_FORMAT"),
    ({"base": "4000", "note": "长" * 201}, "TOO_LONG"),
])
def test_a_declaration_is_refused_with_a_code(cast, changes, code):
    refused(code, declare_base, cast.li, actor=cast.shuji, **({"month": "2018-03"} | changes))
    assert not BaseDeclaration.objects.exists()


def test_no_declaration_before_the_admission_month(cast):
    error = refused("DUES_BEFORE_ADMISSION", declare_base, cast.wang, actor=None, month="2018-02", base="4000")
    assert "入党日期" in error.message
    declare_base(cast.wang, actor=None, month="2018-03", base="4000")


# ---- payments ----

def test_a_payment_is_collected_by_the_membership_org_of_its_month(cast):
    payment = record_payment(cast.li, actor=cast.shuji, month=D(2019, 5, 20), amount="40")
    assert (payment.month, payment.amount, payment.paid_on, payment.kind, payment.org) == (
        D(2019, 5, 1), M("40.00"), TODAY, "regular", cast.a0101)
    entry = AuditEntry.objects.get(action="dues.payment", object_id=str(payment.pk))
    assert entry.org_code == "A0101" and entry.after["amount"] == "40.00"
    extra = record_payment(cast.li, actor=cast.shuji, month="2019-05", amount="500", kind="extra",
                           paid_on=D(2019, 5, 20))
    assert extra.kind == "extra"  # a voluntary extra payment next to the regular one


def test_a_payment_follows_a_transfer(cast):
    transfer_member(cast.li, actor=None, to_org=cast.a0102, transferred_on=D(2018, 6, 15))
    may = record_payment(cast.li, actor=cast.shuji, month="2018-05", amount="40", paid_on=D(2018, 5, 5))
    june = record_payment(cast.li, actor=None, month="2018-06", amount="40", paid_on=D(2018, 6, 20))
    assert (may.org, june.org) == (cast.a0101, cast.a0102)
    # the June dues belong to 甲市二支部: not for the secretary of 甲市一支部
    refused("FORBIDDEN", record_payment, cast.li, actor=cast.shuji, month="2018-07", amount="40")


@pytest.mark.parametrize("changes, code", [
    ({"amount": "-0.01"}, "AMOUNT_RANGE"),
    ({"amount": "1000000.01"}, "AMOUNT_RANGE"),
    ({"amount": "12.345"}, "AMOUNT_FORMAT"),
    ({"amount": "abc"}, "AMOUNT_FORMAT"),
    ({"amount": "NaN"}, "AMOUNT_FORMAT"),
    ({"amount": None}, "REQUIRED"),
    ({"kind": "special"}, "CHOICE"),
    ({"paid_on": D(2019, 7, 1)}, "DATE_FUTURE"),
    ({"paid_on": "2018-02-30"}, "DATE_INVALID"),
    ({"paid_on": D(2010, 6, 30)}, "DATE_ORDER"),       # before the 入党日期
    ({"month": "2010-06"}, "DUES_BEFORE_ADMISSION"),
    ({"month": "五月"}, "MONTH_FORMAT"),
])
def test_a_payment_is_refused_with_a_code(cast, changes, code):
    kw = {"month": "2018-05", "amount": "40", "paid_on": D(2018, 5, 10)} | changes
    refused(code, record_payment, cast.li, actor=cast.shuji, **kw)
    assert not Payment.objects.exists()


def test_a_second_regular_payment_for_a_month_is_refused(cast):
    record_payment(cast.li, actor=None, month="2018-05", amount="40", paid_on=D(2018, 5, 10))
    error = refused("DUES_DUPLICATE", record_payment, cast.li, actor=None, month=D(2018, 5, 31), amount="10",
                    paid_on=D(2018, 6, 1))
    assert "修改" in error.message
    assert Payment.objects.count() == 1


def test_months_before_admission_after_leaving_or_suspended_are_refused(cast):
    refused("DUES_BEFORE_ADMISSION", record_payment, cast.wang, actor=None, month="2018-02", amount="1")
    record_payment(cast.wang, actor=None, month="2018-03", amount="1", paid_on=D(2018, 3, 1))  # admitted 03-01
    record_exit(cast.li, actor=None, kind="died", exited_on=D(2018, 6, 10))
    record_payment(cast.li, actor=None, month="2018-06", amount="40", paid_on=D(2018, 6, 9))   # still a member on 06-01
    refused("DUES_AFTER_EXIT", record_payment, cast.li, actor=None, month="2018-07", amount="40", paid_on=D(2018, 6, 9))
    suspend_member(cast.zhao, actor=None, suspended_on=D(2018, 1, 15))
    restore_member(cast.zhao, actor=None, restored_on=D(2018, 4, 10))
    record_payment(cast.zhao, actor=None, month="2018-01", amount="1", paid_on=D(2018, 1, 10))
    refused("DUES_SUSPENDED", record_payment, cast.zhao, actor=None, month="2018-02", amount="1")
    refused("DUES_SUSPENDED", record_payment, cast.zhao, actor=None, month="2018-03", amount="1")
    record_payment(cast.zhao, actor=None, month="2018-04", amount="1", paid_on=D(2018, 4, 10))


@pytest.mark.parametrize("month, last_day", [
    (D(2018, 1, 1), D(2018, 7, 31)),
    (D(2018, 2, 1), D(2018, 8, 28)),   # 2018-02-28 + 6 months: the same day, RULES.md's reading
    (D(2018, 4, 1), D(2018, 10, 30)),
    (D(2018, 8, 1), D(2019, 2, 28)),   # 08-31 + 6 months, clamped
    (D(2018, 12, 1), D(2019, 6, 30)),
])
def test_the_back_payment_limit_is_the_months_end_plus_six_months(cast, month, last_day):
    assert backpay_limit(month) == last_day
    record_payment(cast.li, actor=cast.shuji, month=month, amount="40", paid_on=last_day)
    if last_day < TODAY:
        error = refused("DUES_BACKPAY_LIMIT", record_payment, cast.zhang, actor=cast.shuji, month=month, amount="40",
                        paid_on=last_day + datetime.timedelta(days=1))
        assert "补交党费一般不超过6个月" in error.message and "DUES-11" in error.message
        assert error.field == "paid_on"
        late = record_payment(cast.zhang, actor=None, month=month, amount="40", history=True,
                              paid_on=last_day + datetime.timedelta(days=1))
        assert late.paid_on == last_day + datetime.timedelta(days=1)


def test_the_importer_may_leave_the_date_unknown(cast):
    assert record_payment(cast.li, actor=None, month="2015-03", amount="40", history=True).paid_on is None
    assert record_payment(cast.li, actor=None, month="2019-04", amount="40").paid_on == TODAY


def test_a_payment_is_updated_and_deleted_with_the_audit(cast):
    payment = record_payment(cast.li, actor=cast.shuji, month="2018-05", amount="40", paid_on=D(2018, 5, 10))
    assert update_payment(payment, actor=cast.shuji, amount="45.5")
    assert Payment.objects.get().amount == M("45.50")
    assert not update_payment(payment, actor=cast.shuji, amount=M("45.50"))
    entry = AuditEntry.objects.get(action="dues.payment_update")
    assert (entry.before, entry.after) == ({"amount": "40.00"}, {"amount": "45.50"})
    assert update_payment(payment, actor=cast.shuji, paid_on=D(2018, 11, 30))  # May's end + 6 months
    refused("DUES_BACKPAY_LIMIT", update_payment, payment, actor=cast.shuji, paid_on=D(2018, 12, 1))
    refused("REQUIRED", update_payment, payment, actor=cast.shuji, paid_on=None)
    record_payment(cast.li, actor=None, month="2018-06", amount="40", paid_on=D(2018, 6, 10))
    refused("DUES_DUPLICATE", update_payment, payment, actor=cast.shuji, month="2018-06")
    with pytest.raises(ValueError):
        update_payment(payment, actor=cast.shuji, member=cast.zhang)
    delete_payment(payment, actor=cast.shuji)
    assert not Payment.objects.filter(pk=payment.pk).exists()
    assert AuditEntry.objects.get(action="dues.payment_delete").before["amount"] == "45.50"


def test_a_late_payment_from_history_keeps_its_date_when_its_note_is_corrected(cast):
    late = record_payment(cast.li, actor=None, month="2018-01", amount="40", paid_on=D(2018, 12, 1), history=True)
    assert update_payment(late, actor=cast.shuji, note="补交")
    refused("DUES_BACKPAY_LIMIT", update_payment, late, actor=cast.shuji, paid_on=D(2018, 12, 2))


# ---- the branch's month in one form ----

def test_the_branch_form_writes_the_month_of_those_who_paid(cast):
    rows = [(cast.zhang, "40"), (cast.li, ""), (cast.wang, M("10.50"))]
    assert record_branch_payments(cast.a0101, actor=cast.shuji, month="2018-06", rows=rows,
                                  paid_on=D(2018, 6, 25)) == 2
    paid = {p.member_id: (p.amount, p.paid_on, p.org_id) for p in Payment.objects.all()}
    assert paid == {cast.zhang.pk: (M("40.00"), D(2018, 6, 25), cast.a0101.pk),
                    cast.wang.pk: (M("10.50"), D(2018, 6, 25), cast.a0101.pk)}
    # One audit entry per payment (written together), naming the payment and its organisation.
    entries = AuditEntry.objects.filter(action="dues.payment")
    assert {(e.object_id, e.org_code, e.actor_id) for e in entries} == {
        (str(p.pk), "A0101", cast.shuji.pk) for p in Payment.objects.all()}
    assert record_branch_payments(cast.a0101, actor=cast.shuji, month="2018-06", rows=[(cast.li, "60")],
                                  paid_on=D(2018, 7, 2)) == 1


@pytest.mark.parametrize("bad_row, code", [
    ("zhao", "DUES_MEMBER_ORG"),        # a member of 甲市二支部
    ("amount", "AMOUNT_FORMAT"),
    ("paid", "DUES_DUPLICATE"),
    ("twice", "DUPLICATE"),
])
def test_the_branch_form_is_all_or_nothing(cast, bad_row, code):
    before = record_payment(cast.li, actor=None, month="2018-06", amount="40", paid_on=D(2018, 6, 1)) \
        if bad_row == "paid" else None
    rows = [(cast.zhang, "40"), (cast.wang, "10")]
    rows.append({"zhao": (cast.zhao, "40"), "amount": (cast.li, "四十"), "paid": (cast.li, "40"),
                 "twice": (cast.zhang, "40")}[bad_row])
    error = refused(code, record_branch_payments, cast.a0101, actor=cast.shuji, month="2018-06", rows=rows,
                    paid_on=D(2018, 6, 25))
    member = rows[-1][0]
    assert error.field == f"amount_{member.pk}" and error.message.startswith(member.name)
    assert list(Payment.objects.all()) == ([before] if before else [])


def test_the_branch_form_keeps_the_back_payment_limit_and_the_scope(cast):
    refused("DUES_BACKPAY_LIMIT", record_branch_payments, cast.a0101, actor=cast.shuji, month="2018-01",
            rows=[(cast.zhang, "40")], paid_on=D(2018, 8, 1))
    refused("FORBIDDEN", record_branch_payments, cast.a0102, actor=cast.shuji, month="2018-06",
            rows=[(cast.zhao, "40")], paid_on=D(2018, 6, 25))
    assert record_branch_payments(cast.a0102, actor=cast.a01admin, month="2018-06", rows=[(cast.zhao, "40")],
                                  paid_on=D(2018, 6, 25)) == 1


# ---- permissions ----

def test_the_branch_secretary_manages_the_dues_of_a0101_only(cast):
    declare_base(cast.li, actor=cast.shuji, month="2018-01", base="4000")
    record_payment(cast.li, actor=cast.shuji, month="2018-01", amount="40", paid_on=D(2018, 1, 5))
    refused("FORBIDDEN", declare_base, cast.zhao, actor=cast.shuji, month="2018-01", base="4000")
    refused("FORBIDDEN", record_payment, cast.zhao, actor=cast.shuji, month="2018-01", amount="40")
    refused("FORBIDDEN", record_payment, cast.chen, actor=cast.shuji, month="2018-01", amount="40")
    other = record_payment(cast.zhao, actor=cast.a01admin, month="2018-01", amount="40", paid_on=D(2018, 1, 5))
    refused("FORBIDDEN", update_payment, other, actor=cast.shuji, amount="50")
    refused("FORBIDDEN", delete_payment, other, actor=cast.shuji)
    for user in (cast.dangyuan, cast.outsider, cast.b01admin):
        refused("FORBIDDEN", record_payment, cast.li, actor=user, month="2018-02", amount="40")
        refused("FORBIDDEN", declare_base, cast.li, actor=user, month="2018-02", base="4000")
    refused("FORBIDDEN", record_payment, cast.wang, actor=cast.dangyuan, month="2018-01", amount="40")


# ---- statements ----

@pytest.fixture
def ledger(cast):
    """A0101's 2018: 张 pays 40.00 of 40.00 each month; 李 pays 80.00 of 90.00 from June and nothing in
    August; 王 (admitted 2018-03) is a student with 减免 from June."""
    declare_base(cast.zhang, actor=None, month="2018-01", base="4000")
    declare_base(cast.li, actor=None, month="2018-01", base="4000")
    declare_base(cast.li, actor=None, month="2018-06", base="6000")
    declare_base(cast.wang, actor=None, month="2018-03", base="0", category="student")
    declare_base(cast.wang, actor=None, month="2018-06", base="0", category="student", reduced=True)
    for m in range(1, 13):
        record_payment(cast.zhang, actor=None, month=D(2018, m, 1), amount="40", paid_on=D(2018, m, 10))
        if m != 8:
            record_payment(cast.li, actor=None, month=D(2018, m, 1), amount="40" if m < 6 else "80",
                           paid_on=D(2018, m, 10))
        if 3 <= m < 6:
            record_payment(cast.wang, actor=None, month=D(2018, m, 1), amount="0.2", paid_on=D(2018, m, 10))
    record_payment(cast.zhang, actor=None, month="2018-06", amount="100", kind="extra", paid_on=D(2018, 6, 10))
    record_payment(cast.zhao, actor=None, month="2018-06", amount="40", paid_on=D(2018, 6, 10))
    return cast


def test_the_months_statement_matches_the_payments(ledger):
    c = ledger
    statement = queries.month_statement(c.a0101, "2018-06")
    lines = {line.member.name: line for line in statement.lines}
    assert set(lines) == {"张建国", "李秀英", "王志强"}          # 赵丽 is in 甲市二支部
    assert (lines["张建国"].due, lines["张建国"].paid, lines["张建国"].extra, lines["张建国"].status) == (
        M("40.00"), M("40.00"), M("100.00"), "已交")
    assert (lines["李秀英"].base, lines["李秀英"].due, lines["李秀英"].paid, lines["李秀英"].missing,
            lines["李秀英"].status) == (M("6000.00"), M("90.00"), M("80.00"), M("10.00"), "少交")
    assert (lines["王志强"].category_label, lines["王志强"].due, lines["王志强"].status) == ("学生", M("0.00"), "无需交纳")
    paid = Payment.objects.filter(org=c.a0101, month=D(2018, 6, 1), kind="regular").aggregate(s=Sum("amount"))["s"]
    assert statement.totals.paid == paid == M("120.00")
    assert (statement.totals.due, statement.totals.missing, statement.totals.extra) == (M("130.00"), M("10.00"),
                                                                                       M("100.00"))
    assert statement.totals.by_status == {"已交": 1, "少交": 1, "未交": 0, "无需交纳": 1}
    august = {line.member.name: line for line in queries.month_statement(c.a0101, D(2018, 8, 15)).lines}
    assert (august["李秀英"].paid, august["李秀英"].missing, august["李秀英"].status) == (None, M("90.00"), "未交")
    february = queries.month_statement(c.a0101, "2018-02")
    assert {line.member.name for line in february.lines} == {"张建国", "李秀英"}   # 王 admitted in March
    march = {line.member.name: line for line in queries.month_statement(c.a0101, "2018-03").lines}
    assert (march["王志强"].due, march["王志强"].paid, march["王志强"].status) == (M("0.20"), M("0.20"), "已交")


def test_a_member_without_a_base_owes_an_amount_that_cannot_be_told(cast):
    line = queries.month_statement(cast.a0101, "2018-06").lines[0]
    assert (line.due, line.paid, line.missing, line.status) == (None, None, None, "未交")


def test_the_years_statement_is_the_disclosure_to_members(ledger):
    c = ledger
    statement = queries.year_statement(c.a0101, 2018)
    assert statement.months == [D(2018, m, 1) for m in range(1, 13)]
    rows = {row.member.name: row for row in statement.rows}
    assert set(rows) == {"张建国", "李秀英", "王志强"}
    assert rows["王志强"].months[:2] == [None, None]
    assert rows["李秀英"].totals.paid == M("40") * 5 + M("80") * 6
    assert rows["李秀英"].totals.missing == M("10") * 6 + M("90")
    for i, month in enumerate(statement.months):
        paid = Payment.objects.filter(org=c.a0101, month=month, kind="regular").aggregate(s=Sum("amount"))["s"]
        assert statement.month_totals[i].paid == paid
    all_paid = Payment.objects.filter(org=c.a0101, month__year=2018, kind="regular").aggregate(s=Sum("amount"))["s"]
    assert statement.totals.paid == all_paid
    assert queries.year_statement(c.a0101, 2019).months == [D(2019, m, 1) for m in range(1, 7)]  # to this month


def test_a_member_sees_their_own_months(ledger):
    c = ledger
    dues = queries.member_dues(c.li, 2018)
    assert [line.month for line in dues.lines] == [D(2018, m, 1) for m in range(1, 13)]
    assert [(line.due, line.paid, line.paid_on) for line in dues.lines][5:8] == [
        (M("90.00"), M("80.00"), D(2018, 6, 10)), (M("90.00"), M("80.00"), D(2018, 7, 10)), (M("90.00"), None, None)]
    wang = queries.member_dues(c.wang, 2018)
    assert wang.lines[0].month == D(2018, 3, 1)
    transfer_member(c.li, actor=None, to_org=c.a0102, transferred_on=D(2018, 10, 15))
    assert {line.org_id for line in queries.member_dues(c.li, 2018).lines[9:]} == {c.a0102.pk}
    assert {line.member.name for line in queries.month_statement(c.a0102, "2018-10").lines} == {"赵丽", "李秀英"}
    assert "李秀英" not in {line.member.name for line in queries.month_statement(c.a0101, "2018-10").lines}


def test_the_statements_read_a_fixed_number_of_queries(cast):
    from dangjian.members.services import create_member

    def count(call):
        with CaptureQueriesContext(connection) as captured:
            call()
        return len(captured)

    numbers = iter(range(600, 700))

    def add(n):
        for i in range(n):
            person = create_member(actor=None, id_number=person_id(next(numbers)), name=f"新党员{i}", org=cast.a0101,
                                   admitted_on=D(2012, 7, 1), confirmed_on=D(2013, 7, 1))
            declare_base(person, actor=None, month="2018-01", base="4000")
            record_payment(person, actor=None, month="2018-06", amount="40", paid_on=D(2018, 6, 10))

    add(2)
    small = [count(lambda: queries.month_statement(cast.a0101, "2018-06")),
             count(lambda: queries.year_statement(cast.a0101, 2018))]
    add(20)
    large = [count(lambda: queries.month_statement(cast.a0101, "2018-06")),
             count(lambda: queries.year_statement(cast.a0101, 2018))]
    assert small == large and max(large) <= 4
    assert len(queries.month_statement(cast.a0101, "2018-06").lines) == 3 + 22


def test_a_year_read_at_once_gives_each_months_lines_as_a_month_read(cast):
    """months_lines_by_org (the 工作台's twelve months in one read) walks the events once for a member with no
    event in the year; it must give, month by month, exactly what month_lines_by_org gives: a transfer in
    June, a member admitted in April, one who died in September, one suspended in March, the others steady."""
    from dangjian.members.models import Member
    from dangjian.members.services import create_member
    from dangjian.organizations.models import Organization

    transfer_member(cast.li, actor=None, to_org=cast.a0102, transferred_on=D(2018, 6, 15))
    create_member(actor=None, id_number=person_id(70), name="新党员", org=cast.a0101, admitted_on=D(2018, 4, 20))
    record_exit(cast.zhao, actor=None, kind="died", exited_on=D(2018, 9, 3))
    suspend_member(cast.chen, actor=None, suspended_on=D(2018, 3, 5))
    for member in Member.objects.all():
        declare_base(member, actor=None, month=max(D(2018, 1, 1), member.admitted_on), base="5000")
    orgs = Organization.objects.all()
    months = [D(2018, m, 1) for m in range(1, 13)]
    year = queries.months_lines_by_org(orgs, months)

    def key(lines_by_org):
        return {org: sorted((line.member.name, line.due, line.status) for line in lines)
                for org, lines in lines_by_org.items() if lines}

    for month in months:
        assert key(year[month]) == key(queries.month_lines_by_org(orgs, month)), month
    names = {m: {line.member.name for lines in year[m].values() for line in lines}
             for m in (D(2018, 3, 1), D(2018, 4, 1), D(2018, 9, 1), D(2018, 10, 1))}
    assert "新党员" not in names[D(2018, 3, 1)] and "新党员" in names[D(2018, 4, 1)]
    assert "赵丽" in names[D(2018, 9, 1)] and "赵丽" not in names[D(2018, 10, 1)]
    assert "陈刚" not in names[D(2018, 4, 1)]  # suspended from March: no dues while suspended
    assert {line.member.name for line in year[D(2018, 7, 1)][cast.a0102.pk]} >= {"李秀英", "赵丽"}


def test_the_ledgers_shortcut_for_settled_members_agrees_with_the_month_by_month_reading():
    """_Ledger.membership skips the walk for a member whose events all lie before the first month read;
    on random histories (undated events, events on a month's first or last day, before and inside the span)
    it gives what membership_in_month gives, month by month."""
    import random
    from types import SimpleNamespace

    from dangjian.members.models import EventKind

    rng = random.Random(20181231)
    kinds = list(EventKind.values)
    month_starts = [datetime.date(y, m, 1) for y in (2016, 2017, 2018) for m in range(1, 13)]

    def some_day():
        start = rng.choice(month_starts)
        return rng.choice([None, start, services.month_end(start), start + datetime.timedelta(days=rng.randrange(28))])

    steady_seen = walked_seen = 0
    for case in range(3000):
        events = [queries._LightEvent(i + 1, rng.choice(kinds), some_day(), rng.choice([7, 8, None]))
                  for i in range(rng.randrange(1, 6))]
        if rng.random() < 0.7:  # most histories start with an admission
            events.insert(0, queries._LightEvent(0, EventKind.ADMITTED, rng.choice(month_starts[:24]), 7))
        first = rng.choice(month_starts[12:])
        ledger = object.__new__(queries._Ledger)
        ledger.events, ledger.first, ledger.steady = {1: events}, first, {}
        member = SimpleNamespace(pk=1)
        for month in [m for m in month_starts if m >= first]:
            assert ledger.membership(member, month) == services.membership_in_month(events, month), (case, month)
        steady_seen += ledger.steady[1] is not None
        walked_seen += ledger.steady[1] is None
    assert steady_seen > 300 and walked_seen > 300  # both paths were taken
