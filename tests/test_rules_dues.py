"""DUES-02, DUES-03, DUES-12 and DUES-11 (RULES.md "Dues") at their boundaries, with RULES.md's window: per
member (`person` = 身份证号, `org` = the membership org of the month), months of the window from the month of
the 入党日期, only ended months, runs of unpaid months counted within the window.

Each test has a branch R01 whose other member pays every month on time (so the branch keeps its dues
ledger, and that member is the clean case: no finding)."""
import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dangjian.dues.services import declare_base, record_payment
from dangjian.members.services import record_exit, restore_member, suspend_member, transfer_member
from dangjian.organizations.models import OrgType
from dangjian.rules.engine import Window, run_checks

from .rules_support import member, org

D = datetime.date
YEAR_END = D(2018, 12, 31)
DUES = ("DUES-02", "DUES-03", "DUES-12", "DUES-11")

pytestmark = pytest.mark.django_db


@pytest.fixture
def root():
    return org("R", OrgType.COMMITTEE, has_discipline_committee=True)


@pytest.fixture
def branch(root):
    branch = org("R01", parent=root)
    payer = member(branch)
    declare_base(payer, actor=None, month="2017-01", base="4000")
    pay(payer, range(1, 13))
    return branch


def pay(person, months, amount="40", year=2018, day=10, paid_on=None):
    for m in months:
        record_payment(person, actor=None, month=D(year, m, 1), amount=amount,
                       paid_on=paid_on or D(year, m, day), history=True)


def payer_of(branch, base="4000", **kw):
    person = member(branch, **kw)
    declare_base(person, actor=None, month=max(D(2017, 1, 1), person.admitted_on), base=base)
    return person


def found(as_of=YEAR_END, root=None, rules=DUES):
    return run_checks(root=root, window=Window(as_of), rules=list(rules))


def keys(person, as_of=YEAR_END, root=None):
    """(rule, period) of the findings about `person`, sorted."""
    return sorted((f.rule, f.period) for f in found(as_of, root) if f.person == person.id_number)


def unpaid_except(months):
    return [m for m in range(1, 13) if m not in months]


# ---- runs of unpaid months: DUES-03 and DUES-12 ----

@pytest.mark.parametrize("unpaid, expected", [
    ([], []),
    ([3, 4], []),                                              # a run of 2
    ([3, 4, 5], [("DUES-03", "2018-05")]),                     # 3: at its last month
    ([3, 4, 5, 6, 7], [("DUES-03", "2018-07")]),               # 5: still DUES-03
    ([3, 4, 5, 6, 7, 8], [("DUES-12", "2018-08")]),            # 6: DUES-12 at the sixth, no DUES-03
    ([3, 4, 5, 6, 7, 8, 9, 10], [("DUES-12", "2018-08")]),     # 8: still one DUES-12, at the sixth month
    (list(range(1, 13)), [("DUES-12", "2018-06")]),
    ([1, 2, 3, 7, 8, 9], [("DUES-03", "2018-03"), ("DUES-03", "2018-09")]),  # two runs of 3
    ([1, 2, 4, 5, 7, 8, 10, 11], []),                           # runs of 2 broken by a paid month
    ([10, 11, 12], [("DUES-03", "2018-12")]),
])
def test_a_run_of_unpaid_months(branch, unpaid, expected):
    person = payer_of(branch)
    pay(person, unpaid_except(unpaid))
    assert keys(person) == expected
    assert {f.person for f in found()} <= {person.id_number}  # nothing for the member who pays on time


def test_the_findings_fields(branch):
    person = payer_of(branch)
    pay(person, unpaid_except([2, 3, 4]))
    late = payer_of(branch)
    pay(late, unpaid_except(range(1, 7)))
    (arrears,) = [f for f in found() if f.person == person.id_number]
    assert arrears.as_dict() == {
        "rule": "DUES-03", "severity": "warning", "org": "R01", "person": person.id_number, "period": "2018-04",
        "date": None, "message": "自2018年2月起连续3个月未交纳党费（至2018年4月），应批评教育、限期改正",
        "source": arrears.source}
    (six,) = [f for f in found() if f.person == late.id_number]
    assert (six.rule, six.severity, six.period, six.org) == ("DUES-12", "error", "2018-06", "R01")
    assert "自行脱党" in six.message and "不自动除名" in six.message
    assert "党章 第九条" in six.source


def test_a_run_is_counted_within_the_window(branch):
    # unpaid from 2017-10 to 2018-03: six months in a row, but three of them in 2018's window
    person = payer_of(branch)
    pay(person, [1, 2, 3, 4, 5, 6, 7, 8, 9], year=2017)
    pay(person, range(4, 13))
    assert keys(person) == [("DUES-03", "2018-03")]
    # unpaid from 2017-11 to 2018-02: two months in the window
    other = payer_of(branch)
    pay(other, range(1, 11), year=2017)
    pay(other, range(3, 13))
    assert keys(other) == []


@pytest.mark.parametrize("as_of, expected", [
    (D(2018, 5, 30), []),                                   # April and May unpaid, May not ended: a run of 1
    (D(2018, 5, 31), []),                                   # April-May: 2
    (D(2018, 6, 29), []),                                   # June still running
    (D(2018, 6, 30), [("DUES-03", "2018-06")]),             # a run still running at the as-of date: 3
    (D(2018, 8, 31), [("DUES-03", "2018-08")]),             # 5
    (D(2018, 9, 30), [("DUES-12", "2018-09")]),             # 6
    (YEAR_END, [("DUES-12", "2018-09")]),                   # 9: the sixth month still
])
def test_a_run_still_running_at_the_as_of_date(branch, as_of, expected):
    person = payer_of(branch)
    pay(person, [1, 2, 3])
    assert keys(person, as_of) == expected


def test_a_month_with_nothing_due_is_not_unpaid(branch):
    waived = member(branch)
    declare_base(waived, actor=None, month="2017-01", base="6000", reduced=True)
    assert keys(waived) == []
    # 减免 in April and May only: March and June–August unpaid are two runs, of 1 and 3
    person = payer_of(branch)
    declare_base(person, actor=None, month="2018-04", base="4000", reduced=True)
    declare_base(person, actor=None, month="2018-06", base="4000")
    pay(person, [1, 2, 9, 10, 11, 12])
    assert keys(person) == [("DUES-03", "2018-08")]


def test_a_month_paid_with_zero_is_unpaid(branch):
    person = payer_of(branch)
    pay(person, unpaid_except([5, 6, 7]))
    pay(person, [5, 6, 7], amount="0")
    assert keys(person) == [("DUES-03", "2018-07")]


def test_a_member_without_a_base_owes_every_month_but_is_never_short(branch):
    person = member(branch)  # 在职, no base declared: what is due cannot be told
    pay(person, [1, 2, 3], amount="0.01")
    assert keys(person) == [("DUES-12", "2018-09")]
    student = member(branch, dues_category="student")  # a flat amount needs no base
    pay(student, range(1, 13), amount="0.19")
    assert keys(student) == [("DUES-02", f"2018-{m:02d}") for m in range(1, 13)]


# ---- who and which months ----

def test_a_member_admitted_mid_year_starts_at_the_admission_month(branch):
    july = member(branch, admitted=D(2018, 7, 10), confirmed=None)
    assert keys(july) == [("DUES-12", "2018-12")]           # July to December: six months
    august = member(branch, admitted=D(2018, 8, 1), confirmed=None)
    assert keys(august) == [("DUES-03", "2018-12")]          # five months
    paying = payer_of(branch, admitted=D(2018, 7, 5), confirmed=None)
    pay(paying, range(7, 13))
    assert keys(paying) == []


def test_suspended_and_left_months_are_not_counted(branch):
    # 停止党籍 from 2018-04-15 to 2018-07-01: April, May and June end suspended, so they are not judged and
    # they end the run: February–March (2) and July–September (3)
    suspended = payer_of(branch)
    suspend_member(suspended, actor=None, suspended_on=D(2018, 4, 15))
    restore_member(suspended, actor=None, restored_on=D(2018, 7, 1))
    pay(suspended, [1, 10, 11, 12])
    assert keys(suspended) == [("DUES-03", "2018-09")]
    # died on 2018-05-10 after three unpaid months: nothing after
    died = payer_of(branch)
    pay(died, [1])
    record_exit(died, actor=None, kind="died", exited_on=D(2018, 5, 10))
    assert keys(died) == [("DUES-03", "2018-04")]


def test_the_org_is_the_membership_org_of_the_month(root, branch):
    other = org("R02", parent=root)
    pay(payer_of(other), range(1, 13))
    person = payer_of(branch)
    pay(person, [1, 2, 3, 7, 8, 9, 10, 11, 12])
    transfer_member(person, actor=None, to_org=other, transferred_on=D(2018, 5, 15))
    (finding,) = [f for f in found() if f.person == person.id_number]
    assert (finding.rule, finding.period, finding.org) == ("DUES-03", "2018-06", "R02")
    # the run (April in R01, May and June in R02) is the same run whatever the subtree checked
    assert [f.person for f in found(root=branch)] == []
    assert [(f.rule, f.period, f.org) for f in found(root=other)] == [("DUES-03", "2018-06", "R02")]


def test_a_branch_keeping_no_dues_ledger_in_the_window_is_not_judged(root, branch):
    silent = org("R03", parent=root)
    nobody_pays = member(silent)
    assert keys(nobody_pays) == []
    pay(payer_of(silent), [12], year=2017)        # paid only before the window: still no ledger in 2018
    assert keys(nobody_pays) == []
    pay(payer_of(silent), [12])
    assert keys(nobody_pays) == [("DUES-12", "2018-06")]


# ---- DUES-02: paid less than due ----

@pytest.mark.parametrize("category, base, amount, short", [
    ("employed", "4000", "39.99", True),          # one cent short
    ("employed", "4000", "40.00", False),
    ("employed", "4000", "40.01", False),
    ("employed", "3000", "15.00", False),         # exactly 3000: 0.5%
    ("employed", "3000.01", "15.00", True),       # 1%: 30.00 due
    ("employed", "3000.01", "30.00", False),
    ("employed", "5000", "50.00", False),         # exactly 5000: 1%
    ("employed", "5000", "49.99", True),
    ("employed", "10000", "150.00", False),       # exactly 10000: 1.5%
    ("employed", "10000.01", "150.00", True),     # 2%: 200.00 due
    ("annual_salary", "10000", "150.00", False),
    ("retired", "5000", "25.00", False),          # exactly 5000 retired: 0.5%
    ("retired", "5000.01", "25.00", True),        # 1%: 50.00 due
    ("farmer", "0", "0.20", False),
    ("student", "0", "0.19", True),
])
def test_underpayment_is_compared_to_the_cent(branch, category, base, amount, short):
    person = member(branch, dues_category=category)
    declare_base(person, actor=None, month="2018-01", base=base)
    pay(person, [m for m in range(1, 13) if m != 5], amount="200")
    pay(person, [5], amount=amount)
    assert keys(person) == ([("DUES-02", "2018-05")] if short else [])


def test_underpayment_message_and_the_base_of_each_month(branch):
    person = payer_of(branch)
    declare_base(person, actor=None, month="2018-06", base="6000")     # 90.00 from June
    pay(person, range(1, 13))                                          # 40.00 each month
    short = [f for f in found() if f.person == person.id_number]
    assert [f.period for f in short] == [f"2018-{m:02d}" for m in range(6, 13)]
    assert short[0].message == "2018年6月党费应交90.00元，实交40.00元，少交50.00元"
    assert short[0].records == (("payment", short[0].records[0][1]),)


# ---- DUES-11: paid more than 6 months after the month's end ----

@pytest.mark.parametrize("month, paid_on, late", [
    (1, D(2018, 7, 31), False),      # January's end + 6 months
    (1, D(2018, 8, 1), True),
    (2, D(2018, 8, 28), False),      # 2018-02-28 + 6 months = 2018-08-28 (RULES.md: the same day, clamped)
    (2, D(2018, 8, 29), True),
    (6, D(2018, 12, 30), False),     # 06-30 + 6 = 12-30
    (6, D(2018, 12, 31), True),
    (11, D(2019, 5, 30), False),
    (11, D(2019, 5, 31), True),      # paid after the as-of date: the month's payment still counts, and is late
])
def test_a_back_payment_beyond_six_months(branch, month, paid_on, late):
    person = payer_of(branch)
    pay(person, [m for m in range(1, 13) if m != month])
    record_payment(person, actor=None, month=D(2018, month, 1), amount="40", paid_on=paid_on, history=True)
    assert keys(person) == ([("DUES-11", f"2018-{month:02d}")] if late else [])


def test_a_late_payment_is_reported_once_with_its_date(branch):
    person = payer_of(branch)
    pay(person, range(2, 13))
    record_payment(person, actor=None, month="2018-01", amount="40", paid_on=D(2018, 9, 3), history=True)
    (finding,) = [f for f in found() if f.person == person.id_number]
    assert (finding.rule, finding.severity, finding.period, finding.date) == ("DUES-11", "warning", "2018-01", None)
    assert finding.message == "2018年1月党费于2018-09-03补交，超过该月结束后6个月（2018-07-31）"


# ---- set-wise ----

def test_the_number_of_queries_does_not_grow_with_the_number_of_members(root, branch):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            result = run_checks(window=Window(YEAR_END), rules=list(DUES))
        return len(captured), result

    def add(n):
        for i in range(n):
            person = payer_of(branch)
            pay(person, unpaid_except([3, 4, 5] if i % 2 else [7]))
            if not i % 2:
                pay(person, [7], amount="39")

    add(2)
    small, small_found = queries()
    add(20)
    large, large_found = queries()
    assert len(large_found) == 11 * len(small_found)
    assert {f.rule for f in large_found} == {"DUES-02", "DUES-03"}
    assert small == large <= 6
