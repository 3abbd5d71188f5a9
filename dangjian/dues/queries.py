"""党费 statements: a branch's month (who paid, how much is missing), an organisation's year (the yearly
disclosure to members) and a member's own months.

Each is set-wise: the members, their events, their declared bases and their payments are read in four
queries whatever the number of members; what is due is computed (`services.DuesCalculator`), never stored.
A member belongs to an organisation's statement for a month when the organisation held their membership on
the month's last day and they were a member (probationary or full) on some day of it.
"""
import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from dangjian.core.dates import today
from dangjian.members.models import DuesCategory, EventKind, Member, MemberEvent, compute_state
from dangjian.organizations.models import Organization

from .models import BaseDeclaration, Payment, PaymentKind
from .services import (
    MEMBER_STAGES,
    NONE_DUE,
    PAID,
    SHORT,
    STATUSES,
    UNPAID,
    ZERO,
    DuesCalculator,
    dues_status,
    latest_declaration,
    membership_in_month,
    missing_amount,
    month_of,
)


@dataclass
class DuesLine:
    """One member's month. `due` None: cannot be told (no base declared for a category computed on a base);
    `paid` None: no regular payment; `extra`: voluntary extra payments; `missing`: due − paid when positive
    (None when the due is unknown and nothing was paid)."""

    member: Member
    month: datetime.date
    org_id: int | None
    base: Decimal | None
    category: str
    reduced: bool
    due: Decimal | None
    paid: Decimal | None
    paid_on: datetime.date | None
    extra: Decimal
    missing: Decimal | None
    status: str
    payment_id: int | None = None

    @property
    def category_label(self):
        return DuesCategory(self.category).label if self.category in DuesCategory.values else self.category

    @property
    def month_code(self):
        return f"{self.month.year}-{self.month.month:02d}"


@dataclass
class Totals:
    """Sums of lines: what is due (known amounts only), paid (regular), extra, missing, and the number of
    lines of each status."""

    lines: int = 0
    due: Decimal = ZERO
    paid: Decimal = ZERO
    extra: Decimal = ZERO
    missing: Decimal = ZERO
    unknown_due: int = 0
    by_status: dict = field(default_factory=lambda: dict.fromkeys(STATUSES, 0))

    def add(self, line):
        self.lines += 1
        if line.due is None:
            self.unknown_due += 1
        else:
            self.due += line.due
        self.paid += line.paid or ZERO
        self.extra += line.extra
        self.missing += line.missing or ZERO
        self.by_status[line.status] += 1
        return self

    @classmethod
    def of(cls, lines):
        totals = cls()
        for line in lines:
            if line is not None:
                totals.add(line)
        return totals


@dataclass
class MonthStatement:
    org: Organization
    month: datetime.date
    lines: list
    totals: Totals


@dataclass
class YearRow:
    member: Member
    months: list  # one DuesLine per month of the statement, None when not in the organisation that month
    totals: Totals


@dataclass
class YearStatement:
    org: Organization
    year: int
    months: list  # the first days of the months shown
    rows: list
    month_totals: list
    totals: Totals


@dataclass
class MemberDues:
    member: Member
    year: int
    lines: list
    totals: Totals


@dataclass(frozen=True)
class _LightEvent:
    """A MemberEvent as a light row (`org` holds the pk), for `compute_state`."""

    id: int
    kind: str
    date: datetime.date | None
    org: int | None

    def effective_date(self, admitted_on):
        return self.date or admitted_on


class _Ledger:
    """The members `member_ids` (a subquery of pks or a list) with their events, declared bases (up to
    `last`) and payments (from `first` to `last`): four queries, three when `members` are given."""

    def __init__(self, member_ids, first, last, members=None):
        if members is None:
            members = Member.objects.filter(pk__in=member_ids).order_by("name", "id")
        self.members = list(members)
        self.events = defaultdict(list)
        events = MemberEvent.objects.filter(member_id__in=member_ids).order_by("member_id", "id")
        for member_id, pk, kind, date, org_id in events.values_list("member_id", "pk", "kind", "date", "org_id"):
            self.events[member_id].append(_LightEvent(pk, kind, date, org_id))
        self.bases = defaultdict(list)
        rows = BaseDeclaration.objects.filter(member_id__in=member_ids, month__lte=last).order_by("member_id", "month")
        for member_id, month, base, category, reduced in rows.values_list("member_id", "month", "base", "category",
                                                                          "reduced"):
            self.bases[member_id].append((month, base, category, reduced))
        self.regular, self.extra = {}, defaultdict(lambda: ZERO)
        payments = Payment.objects.filter(member_id__in=member_ids, month__gte=first, month__lte=last).order_by("id")
        for pk, member_id, month, kind, amount, paid_on in payments.values_list("pk", "member_id", "month", "kind",
                                                                                "amount", "paid_on"):
            if kind == PaymentKind.REGULAR:
                self.regular[(member_id, month)] = (amount, paid_on, pk)
            else:
                self.extra[(member_id, month)] += amount
        self.calculator = DuesCalculator()
        self.first = first
        self.steady = {}  # member pk: (org pk, stage) all through first..last, for those with no later event

    def membership(self, member, month):
        """membership_in_month for `member`, walking the events once for a member whose events all fall
        before the ledger's first month (most of them): the same state holds in every month read."""
        events = self.events[member.pk]
        if member.pk not in self.steady:
            admitted = next((e.date for e in events if e.kind == EventKind.ADMITTED), None)
            if all((e.effective_date(admitted) or self.first) < self.first for e in events):
                stage, org_id = compute_state(events, self.first)
                self.steady[member.pk] = (org_id, stage)
            else:
                self.steady[member.pk] = None
        steady = self.steady[member.pk]
        if steady is None:
            return membership_in_month(events, month)
        org_id, stage = steady
        return org_id, stage, stage in MEMBER_STAGES

    def line(self, member, month):
        """(org pk, DuesLine) of `member` in `month`, or (org pk, None) when not a member in that month."""
        org_id, stage, present = self.membership(member, month)
        if not present:
            return org_id, None
        declaration = latest_declaration(self.bases[member.pk], month)
        if declaration is None:
            base, category, reduced = None, member.dues_category, member.dues_reduced
        else:
            _, base, category, reduced = declaration
        # a month ending suspended or after leaving owes nothing (the rules do not count it either)
        due = self.calculator.due(base, category, reduced, month) if stage in MEMBER_STAGES else ZERO
        paid, paid_on, payment_id = self.regular.get((member.pk, month), (None, None, None))
        return org_id, DuesLine(member=member, month=month, org_id=org_id, base=base, category=category,
                                reduced=reduced, due=due, paid=paid, paid_on=paid_on,
                                extra=self.extra.get((member.pk, month), ZERO), missing=missing_amount(due, paid),
                                status=dues_status(due, paid), payment_id=payment_id)


def _ever_in(org):
    """The members whose membership `org` ever held (admitted to it or transferred in), as a subquery."""
    return MemberEvent.objects.filter(org=org).values("member_id")


def month_lines_by_org(orgs, month):
    """{org pk: [DuesLine]} of the month for the organisations `orgs` (a queryset), read set-wise in four
    queries: each organisation's lines are exactly its `month_statement`."""
    month = month_of(month)
    return months_lines_by_org(orgs, [month])[month]


def months_lines_by_org(orgs, months):
    """{month: {org pk: [DuesLine]}} for each of `months` (first days, in any order) and the organisations `orgs`
    (a queryset), in the same four queries whatever the number of months: the 工作台's year of collection."""
    months = sorted(months)  # the ledger reads the span from the first to the last
    if any(m.day != 1 for m in months):
        raise ValueError("months are given by their first days")
    pks = set(orgs.values_list("pk", flat=True))
    by_month = {month: defaultdict(list) for month in months}
    if not months:
        return by_month
    ledger = _Ledger(MemberEvent.objects.filter(org__in=orgs).values("member_id"), months[0], months[-1])
    for member in ledger.members:
        for month in months:
            org_id, line = ledger.line(member, month)
            if line is not None and org_id in pks:
                by_month[month][org_id].append(line)
    return by_month


def month_statement(org, month):
    """The month's statement of `org` (党支部 or any organisation holding memberships): one line per member
    it held that month, with base, category, due, paid, missing and status (已交/少交/未交/无需交纳),
    and the totals."""
    month = month_of(month)
    ledger = _Ledger(_ever_in(org), month, month)
    lines = []
    for member in ledger.members:
        org_id, line = ledger.line(member, month)
        if line is not None and org_id == org.pk:
            lines.append(line)
    return MonthStatement(org=org, month=month, lines=lines, totals=Totals.of(lines))


def _months_of(year, until):
    until = month_of(until) if until is not None else today().replace(day=1)
    return [datetime.date(year, m, 1) for m in range(1, 13) if datetime.date(year, m, 1) <= until]


def year_statement(org, year, *, until=None):
    """The year's statement of `org` (the yearly disclosure to members): for each member it held in some
    month of `year`, a line per month (None for months they were not its member), with totals per member,
    per month and for the year. Months after `until` (default: this month) are left out."""
    months = _months_of(int(year), until)
    if not months:
        return YearStatement(org=org, year=int(year), months=[], rows=[], month_totals=[], totals=Totals())
    ledger = _Ledger(_ever_in(org), months[0], months[-1])
    rows = []
    for member in ledger.members:
        cells = []
        for month in months:
            org_id, line = ledger.line(member, month)
            cells.append(line if line is not None and org_id == org.pk else None)
        if any(cells):
            rows.append(YearRow(member=member, months=cells, totals=Totals.of(cells)))
    month_totals = [Totals.of(row.months[i] for row in rows) for i in range(len(months))]
    return YearStatement(org=org, year=int(year), months=months, rows=rows, month_totals=month_totals,
                         totals=Totals.of(cell for row in rows for cell in row.months))


def member_dues(member, year, *, until=None):
    """A member's own months of `year` (from the admission month, to `until`, default this month): due,
    paid, paid_on, status, whichever organisation held the membership (`org_id` on each line)."""
    months = _months_of(int(year), until)
    if not months:
        return MemberDues(member=member, year=int(year), lines=[], totals=Totals())
    ledger = _Ledger([member.pk], months[0], months[-1], members=[member])
    lines = [line for _, line in (ledger.line(member, month) for month in months) if line]
    return MemberDues(member=member, year=int(year), lines=lines, totals=Totals.of(lines))


__all__ = ["DuesLine", "Totals", "MonthStatement", "YearStatement", "YearRow", "MemberDues", "month_statement",
           "year_statement", "member_dues", "PAID", "SHORT", "UNPAID", "NONE_DUE"]
