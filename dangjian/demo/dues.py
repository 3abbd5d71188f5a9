"""党费 for the demo group in 2018: every member's 缴费基数 declared in January (or in the month of admission),
a raise for some in July, and each branch's monthly collection in one call of record_branch_payments per
organisation and month, as the branch organisation officer collects it in the page (the same statement,
the same service). Most members pay every month on the 20th; a few planted members do not (PLANTED_DUES):
underpayments (DUES-02), three unpaid months at the end of the year (DUES-03) and a whole unpaid year
(DUES-12: a case for the branch meeting, never an automatic exit). Some pay two months late (a back-payment
within the six months the rules allow) and a few pay a voluntary extra; these are no findings.

A random stream of its own (SEED + 5) keeps the rest of the demo as it was."""
import datetime
import random
import zlib
from decimal import Decimal

from dangjian.dues.models import PaymentKind
from dangjian.dues.queries import month_lines_by_org
from dangjian.dues.services import FLAT, declare_base, record_branch_payments, record_payment
from dangjian.members.models import EXIT_KINDS, DuesCategory, EventKind, Member, MemberEvent
from dangjian.organizations.models import BRANCH_TYPES, MEMBERSHIP_TYPES, Organization

D = datetime.date
YEAR = 2018
PAY_DAY = 20
# How many members each planted problem takes (fewer in a small demo when there are not enough).
PLANTED_COUNTS = {"DUES-02": 6, "DUES-03": 4, "DUES-12": 2, "late": 5, "extra": 3}
GONE = set(EXIT_KINDS) | {EventKind.SUSPENDED}
BASE_RANGES = {DuesCategory.EMPLOYED: (2400, 9800), DuesCategory.ANNUAL_SALARY: (9000, 22000),
               DuesCategory.RETIRED: (2600, 6800)}


def _base(member, category):
    """A monthly base (after tax) drawn from the member's ID, so the same member always gets the same one;
    every hundredth one lands exactly on a bracket edge (3,000, 5,000 or 10,000 yuan)."""
    low, high = BASE_RANGES[category]
    draw = zlib.crc32(member.id_number.encode())
    if draw % 100 == 0:
        return Decimal((3000, 5000, 10000)[draw // 100 % 3])
    return Decimal(low + draw % (high - low) // 10 * 10)


def _first_month(member):
    return max(D(YEAR, 1, 1), member.admitted_on.replace(day=1))


def declare_bases(members):
    """缴费基数 for every member with a bracket category, from their first month of 2018; one in twelve
    gets a raise in July (the base changes, and so does what is due from then on)."""
    declared = 0
    for member in members:
        category = member.dues_category
        if category in FLAT or member.dues_reduced:
            continue
        base = _base(member, category)
        declare_base(member, actor=None, month=_first_month(member), base=base)
        declared += 1
        if zlib.crc32(member.id_number.encode()) % 12 == 5 and _first_month(member) < D(YEAR, 7, 1):
            declare_base(member, actor=None, month=D(YEAR, 7, 1), base=base + 300, note="2018年7月调整工资")
            declared += 1
    return declared


def _eligible(members, events):
    """Members of a branch for the whole year with nothing but their admission and confirmation in their
    record, and dues to pay: the planted problems go to them, so no transfer or exit blurs the finding. Their
    branch has at least three other members, so it keeps a dues ledger that year (RULES.md judges only those)."""
    per_org = {}
    for member in members:
        per_org[member.org_id] = per_org.get(member.org_id, 0) + 1
    return [m for m in members if m.admitted_on < D(YEAR - 1, 1, 1) and not m.dues_reduced
            and m.pk not in events and m.org.org_type in BRANCH_TYPES and per_org[m.org_id] >= 4]


def _gone_before(year, events):
    """The pks of members who had left (or were suspended) before `year` began."""
    return {pk for pk, evs in events.items() if any(e.kind in GONE and e.date.year < year for e in evs)}


def plan_problems(members, events, seed):
    """{kind: [member]} for the planted problems and the harmless irregularities."""
    rng = random.Random(seed)
    pool = _eligible(members, events)
    rng.shuffle(pool)
    chosen, start = {}, 0
    for kind, count in PLANTED_COUNTS.items():
        count = min(count, max(0, (len(pool) - start) // 2))
        chosen[kind] = sorted(pool[start:start + count], key=lambda m: m.id_number)
        start += count
    return chosen


def _unpaid_months(kind):
    return {"DUES-03": range(10, 13), "DUES-12": range(1, 13)}.get(kind, ())


class _Collection:
    def __init__(self, problems, rng):
        self.kind_of = {m.pk: kind for kind, ms in problems.items() for m in ms}
        self.short_month = {m.pk: rng.randint(3, 11) for m in problems.get("DUES-02", ())}

    def amount(self, line, month):
        """What the member hands over for `month` in the month's collection (None: not this time)."""
        kind = self.kind_of.get(line.member.pk)
        if line.due is None or line.due <= 0:
            return None
        if month.month in _unpaid_months(kind):
            return None
        if kind == "late" and month.month in (4, 5):
            return None  # paid in June with June's dues (record_late)
        if kind == "DUES-02" and month.month == self.short_month[line.member.pk]:
            return (line.due * 2 / 3).quantize(Decimal("0.01"))  # paid on last year's lower base
        return line.due


def write_dues(out=None):
    """Declare the bases and collect 2018's dues; returns {(rule, id_number, period)} the check must find."""
    out = out or (lambda message: None)
    members, problems, collection, events = _plan()
    gone = _gone_before(YEAR, events)
    declared = declare_bases([m for m in members if m.admitted_on <= D(YEAR, 12, 31) and m.pk not in gone])
    orgs = Organization.objects.filter(org_type__in=MEMBERSHIP_TYPES).order_by("path")
    written = 0
    for m in range(1, 13):
        written += _collect(orgs, D(YEAR, m, 1), collection)
        if m == 6:
            written += _record_late(problems.get("late", ()))
    for member in problems.get("extra", ()):
        record_payment(member, actor=None, month=D(YEAR, 7, 1), amount=Decimal("100.00"),
                       paid_on=D(YEAR, 7, PAY_DAY), kind=PaymentKind.EXTRA, note="自愿多交党费")
        written += 1
    out(f"{YEAR}年党费：申报基数{declared}条，缴纳{written}笔")
    return _planted(problems, collection)


def _plan():
    """(members, problems, collection): who is planted for what, read from the roster the demo wrote."""
    from .generator import SEED

    members = list(Member.objects.select_related("org").order_by("id_number"))
    events = {}
    for event in MemberEvent.objects.exclude(kind__in=(EventKind.ADMITTED, EventKind.CONFIRMED)):
        events.setdefault(event.member_id, []).append(event)
    problems = plan_problems(members, events, SEED + 5)
    return members, problems, _Collection(problems, random.Random(SEED + 6)), events


def planted_dues():
    """The DUES-* findings the demo planted, {(rule, id_number, period)}, read again from the database."""
    _, problems, collection, _ = _plan()
    return _planted(problems, collection)


def _collect(orgs, month, collection):
    """Each organisation's month: one call per 缴纳日期 (the 20th; the day of admission for someone admitted
    after it), from the month's lines of every organisation read at once."""
    lines = month_lines_by_org(orgs, month)
    written = 0
    for org in orgs:
        by_day = {}
        for line in lines.get(org.pk, ()):
            amount = collection.amount(line, month) if line.payment_id is None else None
            if amount is None:
                continue
            day = max(D(month.year, month.month, PAY_DAY), line.member.admitted_on)
            by_day.setdefault(day, []).append((line.member, amount))
        for day, rows in sorted(by_day.items()):
            written += record_branch_payments(org, actor=None, month=month, rows=rows, paid_on=day)
    return written


def _record_late(members):
    """April and May paid together in June: a back-payment within the limit (no finding)."""
    from dangjian.dues.services import due_for

    written = 0
    for member in members:
        for m in (4, 5):
            record_payment(member, actor=None, month=D(YEAR, m, 1), amount=due_for(member, D(YEAR, m, 1)),
                           paid_on=D(YEAR, 6, PAY_DAY), note="补交")
            written += 1
    return written


def _planted(problems, collection):
    """RULES.md read on the plan: an underpaid month (DUES-02), the last month of a run of three (DUES-03),
    the sixth month of a run of six or more (DUES-12)."""
    found = {("DUES-02", m.id_number, f"{YEAR}-{collection.short_month[m.pk]:02d}") for m in problems["DUES-02"]}
    found |= {("DUES-03", m.id_number, f"{YEAR}-12") for m in problems["DUES-03"]}
    found |= {("DUES-12", m.id_number, f"{YEAR}-06") for m in problems["DUES-12"]}
    return found
