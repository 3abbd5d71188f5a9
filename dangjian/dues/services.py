"""党费: what is due, declared bases and payments. Every change goes through these functions: check, save in a
transaction, audit. The pages, the API, the importer and the demo all call them.

What is due is computed, never stored: the latest base declared on or before the month, in the category
declared with it, at the rates in force on the month's first day (`rules.parameters`, DUES-02), rounded with
`dues_rounding` (half up). Amounts are `Decimal` throughout, never float.
"""
import calendar
import datetime
from bisect import bisect_right
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import transaction

from dangjian.accounts.access import require_manage_org
from dangjian.audit.services import audit_entry, log_action, log_actions, save_changes
from dangjian.core.dates import add_months, parse_date, parse_month, today
from dangjian.core.errors import DomainError
from dangjian.core.text import check_lengths, to_ascii_digits
from dangjian.members.models import DuesCategory, EventKind, MemberEvent, Stage, compute_state
from dangjian.rules import parameters

from .models import BaseDeclaration, Payment, PaymentKind

# The categories and the parameter each is computed with.
SALARIED = (DuesCategory.EMPLOYED, DuesCategory.ANNUAL_SALARY)
FLAT = (DuesCategory.FARMER, DuesCategory.STUDENT, DuesCategory.UNEMPLOYED, DuesCategory.SUBSISTENCE)
BRACKETS = {DuesCategory.EMPLOYED: "dues_brackets.salaried", DuesCategory.ANNUAL_SALARY: "dues_brackets.salaried",
            DuesCategory.RETIRED: "dues_brackets.retired"}

# A monthly base or a payment above this is a typing error (the columns hold up to 99,999,999.99).
MAX_AMOUNT = Decimal("1000000")
CENT = Decimal("0.01")
ZERO = Decimal("0.00")

# A month's status in the statements (and for the rules: UNPAID counts in a run, SHORT is DUES-02).
PAID, SHORT, UNPAID, NONE_DUE = "已交", "少交", "未交", "无需交纳"
STATUSES = (PAID, SHORT, UNPAID, NONE_DUE)

MEMBER_STAGES = (Stage.PROBATIONARY, Stage.FULL)


# ---- months and amounts ----

def month_of(value, *, field="month"):
    """The first day of the month of `value`: a date (any day of the month), or text YYYY-MM or a date as
    `core.dates.parse_date` reads it."""
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return value.replace(day=1)
    text = str(value or "").strip()
    if not text:
        raise DomainError("月份不能为空", field=field, code="REQUIRED")
    try:
        return parse_month(text, field=field)
    except DomainError as month_error:
        try:
            day = parse_date(text, field=field)
        except DomainError:
            raise month_error from None
        return day.replace(day=1)


def month_end(month):
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def month_label(month):
    return f"{month.year}年{month.month}月"


def backpay_limit(month):
    """The last day a month may be paid for (DUES-11): the month's end + `dues_backpay_months` months, the
    same day N months later clamped to the month's end (RULES.md "The window"): 2018-01 → 2018-07-31,
    2018-02 → 2018-08-28, 2018-04 → 2018-10-30."""
    return add_months(month_end(month), parameters.value("dues_backpay_months", month))


def to_amount(value, *, field, label, required=True):
    """An amount of money in yuan as a Decimal to the cent: a Decimal, an int, text (full-width digits and
    thousands separators accepted) or a float from a spreadsheet cell (read through its text). None for an
    empty value when not `required`."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise DomainError(f"{label}不能为空", field=field, code="REQUIRED")
        return None
    if isinstance(value, bool):
        raise DomainError(f"{label}“{value}”不是有效的金额", field=field, code="AMOUNT_FORMAT")
    if isinstance(value, Decimal):
        amount = value
    else:
        text = repr(value) if isinstance(value, float) else to_ascii_digits(value).replace(",", "")
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise DomainError(f"{label}“{value}”不是有效的金额", field=field, code="AMOUNT_FORMAT") from None
    if not amount.is_finite():
        raise DomainError(f"{label}“{value}”不是有效的金额", field=field, code="AMOUNT_FORMAT")
    if amount < 0:
        raise DomainError(f"{label}不能为负数", field=field, code="AMOUNT_RANGE")
    if amount > MAX_AMOUNT:
        raise DomainError(f"{label}{amount}元超出合理范围（不超过{MAX_AMOUNT:,.0f}元）", field=field, code="AMOUNT_RANGE")
    if amount != amount.quantize(CENT):
        raise DomainError(f"{label}“{value}”最多保留两位小数（精确到分）", field=field, code="AMOUNT_FORMAT")
    return amount.quantize(CENT)


def _decimal(value):
    if value is None or isinstance(value, Decimal):
        return value
    return Decimal(repr(value) if isinstance(value, float) else str(value))


def _category_code(category, *, field="category"):
    """A DuesCategory code from its code or its Chinese label."""
    text = str(category or "").strip()
    if text in DuesCategory.values:
        return text
    by_label = {label: code for code, label in DuesCategory.choices}
    if text in by_label:
        return by_label[text]
    raise DomainError(f"党费类别“{category}”不是可选值（{'、'.join(DuesCategory.labels)}）", field=field,
                      code="CHOICE")


# ---- what is due (DUES-02) ----

class DuesCalculator:
    """`due(base, category, reduced, month)`, keeping the parameters it has read: the rules and the
    statements compute thousands of months with one calculator."""

    def __init__(self):
        self._params = {}
        self._dues = {}

    def param(self, name, on):
        """The parameter in force on `on`, or None when none is (the rates start on 2008-04-01)."""
        key = (name, on)
        if key not in self._params:
            try:
                self._params[key] = parameters.value(name, on)
            except KeyError:
                self._params[key] = None
        return self._params[key]

    def rate(self, category, base, on):
        if category in BRACKETS:
            brackets = self.param(BRACKETS[category], on)
            if brackets is None or base is None:
                return None, None
            base = _decimal(base)
            for upper, rate in brackets:
                # one rate on the whole base; upper bounds are inclusive (exactly 3000 → 0.5%)
                if upper is None or base <= Decimal(str(upper)):
                    return Decimal(str(rate)), None
            return None, None
        if category in FLAT:
            flat = self.param("dues_flat_amount", on)
            return (None, None) if flat is None else (None, Decimal(str(flat)))
        raise DomainError(f"党费类别“{category}”不是可选值（{'、'.join(DuesCategory.labels)}）", field="category",
                          code="CHOICE")

    def due(self, base, category, reduced, month):
        key = (base, category, bool(reduced), month)
        if key not in self._dues:
            self._dues[key] = self._due(base, category, reduced, month)
        return self._dues[key]

    def _due(self, base, category, reduced, month):
        if reduced:
            return self._round(ZERO, month)
        rate, flat = self.rate(category, base, month)
        if rate is None and flat is None:
            return None
        return self._round(flat if flat is not None else _decimal(base) * rate, month)

    def _round(self, amount, on):
        quantum = Decimal(str(self.param("dues_rounding", on) or CENT))
        return amount.quantize(quantum, rounding=ROUND_HALF_UP)


def rate_for(category, base, on):
    """(rate, flat) of a member in `category` with monthly `base` on date `on`: the rate of the bracket the
    whole base falls in (在职/年薪制 by `dues_brackets.salaried`, 离退休 by `dues_brackets.retired`; upper
    bounds inclusive; not progressive) or the flat amount (学生, 失业, 低保, 农民: `dues_flat_amount`).
    (None, None) when it cannot be told: a bracket category without a base, or no rates in force on `on`."""
    return DuesCalculator().rate(_category_code(category), base, on)


def amount_due(base, category, reduced, month):
    """The dues of a month (Decimal, rounded with `dues_rounding`, half up): nothing when `reduced` (减免),
    else base × rate or the flat amount. None when it cannot be told (see `rate_for`)."""
    return DuesCalculator().due(base, _category_code(category), reduced, month_of(month))


def dues_status(due, paid):
    """The month's status from what is due (None: unknown) and the regular payment (None: none). A payment
    of 0.00 pays nothing: the month is unpaid unless nothing is due."""
    if paid is None or paid <= 0:
        return NONE_DUE if due is not None and due <= 0 else UNPAID
    if due is not None and paid < due:
        return SHORT
    return PAID


def missing_amount(due, paid):
    """due − paid when positive, 0.00 otherwise; None when the due is unknown and nothing was paid."""
    if due is None:
        return None if paid is None or paid <= 0 else ZERO
    return max(due - (paid or ZERO), ZERO)


def latest_declaration(declarations, month):
    """The last of `declarations` (rows sorted by month, the month first in each) on or before `month`."""
    index = bisect_right([row[0] for row in declarations], month)
    return declarations[index - 1] if index else None


def base_on(member, month):
    """The BaseDeclaration that applies to `month`: the latest declared on or before it, or None."""
    return (BaseDeclaration.objects.filter(member=member, month__lte=month_of(month))
            .order_by("-month").first())


def terms_on(member, month):
    """(base, category, reduced) of `month`: from the declaration that applies, or, with none, no base and the
    member's current 党费类别 and 减免党费."""
    declaration = base_on(member, month)
    if declaration is None:
        return None, member.dues_category, member.dues_reduced
    return declaration.base, declaration.category, declaration.reduced


def due_for(member, month):
    """What `member` owes for `month` (Decimal), or None when it cannot be told (no base declared for a
    bracket category)."""
    month = month_of(month)
    return DuesCalculator().due(*terms_on(member, month), month)


# ---- membership in a month (from the events) ----

def membership_in_month(events, month):
    """(org, stage, present) of a member in `month` from their events (MemberEvent or the rule engine's
    light rows): the organisation holding the membership and the stage on the month's last day, and whether
    they were a member (probationary or full) on some day of the month. `org` is what the events hold (an
    Organization or a pk); None before admission."""
    end = month_end(month)
    admitted = next((e.date for e in events if e.kind == EventKind.ADMITTED), None)
    days = {month, end}
    for event in events:
        day = event.effective_date(admitted)
        if day is not None and month <= day <= end:
            days.add(day)
    present = any(compute_state(events, day)[0] in MEMBER_STAGES for day in days)
    stage, org = compute_state(events, end)
    return org, stage, present


def states_at_month_ends(events, ends):
    """[(stage, org)] on each of `ends` (the last days of months, ascending), computing the state again only
    when an event falls between two of them (once for a member whose events all lie before the first)."""
    admitted = next((e.date for e in events if e.kind == EventKind.ADMITTED), None)
    days = [d for d in (e.effective_date(admitted) for e in events) if d is not None]
    if not ends:
        return []
    if all(d <= ends[0] for d in days):
        return [compute_state(events, ends[0])] * len(ends)
    out, state, previous_end = [], None, None
    for end in ends:
        if state is None or any(previous_end < d <= end for d in days):
            state = compute_state(events, end)
        out.append(state)
        previous_end = end
    return out


def _payment_org(member, events, month):
    """The organisation that collects `month` for `member` (their membership org in that month), or a
    DomainError when the member was not a member in it."""
    org, stage, present = membership_in_month(events, month)
    label = month_label(month)
    admitted = member.admitted_on
    if org is None or month < admitted.replace(day=1):
        raise DomainError(f"{label}早于{member.name}的入党日期（{admitted}），不能登记党费", field="month",
                          code="DUES_BEFORE_ADMISSION")
    if not present:
        if stage == Stage.LEFT:
            raise DomainError(f"{member.name}在{label}之前已出党，不能登记该月党费", field="month", code="DUES_AFTER_EXIT")
        raise DomainError(f"{member.name}在{label}处于停止党籍期间，不交纳党费", field="month", code="DUES_SUSPENDED")
    return org


# ---- declared bases ----

@transaction.atomic
def declare_base(member, *, actor, month, base, category=None, reduced=None, note=""):
    """申报缴费基数: from `month` (any day of it) on, `member`'s dues are computed on `base` in `category`
    (default: the member's current 党费类别) with `reduced` (default: the member's 减免党费). A declaration
    for the same month is updated. Returns (declaration, changed)."""
    require_manage_org(actor, member.org)
    month = month_of(month)
    base = to_amount(base, field="base", label="缴费基数")
    category = _category_code(member.dues_category if category in (None, "") else category)
    reduced = member.dues_reduced if reduced is None else bool(reduced)
    note = (note or "").strip()
    check_lengths(BaseDeclaration, {"note": note})
    if month < member.admitted_on.replace(day=1):
        raise DomainError(f"{month_label(month)}早于{member.name}的入党日期（{member.admitted_on}），不能申报缴费基数",
                          field="month", code="DUES_BEFORE_ADMISSION")
    declaration = BaseDeclaration.objects.filter(member=member, month=month).first()
    if declaration is not None:
        before = declaration.snapshot()
        declaration.base, declaration.category, declaration.reduced, declaration.note = base, category, reduced, note
        changed = save_changes(declaration, actor=actor, action="dues.base_update", org=member.org, before=before)
        return declaration, changed
    declaration = BaseDeclaration.objects.create(member=member, month=month, base=base, category=category,
                                                 reduced=reduced, note=note)
    log_action(actor=actor, action="dues.base", obj=declaration, org=member.org, after=declaration.snapshot())
    return declaration, True


# ---- payments ----

def _check_payment(member, *, month, amount, paid_on, kind, note, history):
    """The checked fields of a payment (month already the first day); `paid_on` None is today unless
    `history` (an old ledger may not know the date)."""
    if kind not in PaymentKind.values:
        raise DomainError(f"类型“{kind}”不是可选值（{'、'.join(PaymentKind.labels)}）", field="kind", code="CHOICE")
    amount = to_amount(amount, field="amount", label="实缴金额")
    paid_on = parse_date(paid_on, field="paid_on")
    if paid_on is None and not history:
        paid_on = today()
    note = (note or "").strip()
    check_lengths(Payment, {"note": note})
    if paid_on is not None:
        if paid_on > today():
            raise DomainError("缴纳日期不能晚于今天", field="paid_on", code="DATE_FUTURE")
        if paid_on < member.admitted_on:
            raise DomainError(f"缴纳日期{paid_on}早于入党日期（{member.admitted_on}）", field="paid_on",
                              code="DATE_ORDER")
    return {"month": month, "amount": amount, "paid_on": paid_on, "kind": kind, "note": note}


def _check_backpay(data, history):
    """DUES-11: a month is paid at most `dues_backpay_months` months after its end, except for the history
    an importer brings in (recorded as it happened; `dangjian check` reports it)."""
    month, paid_on = data["month"], data["paid_on"]
    if history or data["kind"] != PaymentKind.REGULAR or paid_on is None:
        return
    limit = backpay_limit(month)
    if paid_on > limit:
        months = parameters.value("dues_backpay_months", month)
        raise DomainError(f"{month_label(month)}的党费最迟应于{limit}补交，{paid_on}已超过该月结束后{months}个月："
                          f"补交党费一般不超过{months}个月（党费规定，DUES-11）", field="paid_on", code="DUES_BACKPAY_LIMIT")


def _check_no_regular(member, month, exclude=None):
    qs = Payment.objects.filter(member=member, month=month, kind=PaymentKind.REGULAR)
    if exclude is not None:
        qs = qs.exclude(pk=exclude.pk)
    if qs.exists():
        raise DomainError(f"{member.name}{month_label(month)}的党费已登记，如需更正请修改该笔记录", field="month",
                          code="DUES_DUPLICATE")


def _events(member):
    return list(MemberEvent.objects.filter(member=member).select_related("org"))


@transaction.atomic
def record_payment(member, *, actor, month, amount, paid_on=None, kind=PaymentKind.REGULAR, note="", history=False):
    """登记党费: `member` paid `amount` for `month` (any day of it) on `paid_on` (default today). The
    collecting organisation is the member's membership org in that month. Refused: a month before the
    admission month, after the member left or while suspended, a negative or absurd amount, a second regular
    payment for the month (update that one), a date in the future, and — unless `history` (the importer) — a
    back-payment more than `dues_backpay_months` months after the month's end (DUES-11)."""
    month = month_of(month)
    events = _events(member)
    org, _, _ = membership_in_month(events, month)
    require_manage_org(actor, org or member.org)
    org = _payment_org(member, events, month)
    data = _check_payment(member, month=month, amount=amount, paid_on=paid_on, kind=kind, note=note, history=history)
    _check_backpay(data, history)
    if data["kind"] == PaymentKind.REGULAR:
        _check_no_regular(member, month)
    payment = Payment.objects.create(member=member, org=org, **data)
    log_action(actor=actor, action="dues.payment", obj=payment, org=org, after=payment.snapshot())
    return payment


PAYMENT_FIELDS = ("month", "amount", "paid_on", "kind", "note")


@transaction.atomic
def update_payment(payment, *, actor, history=False, **changes):
    """Correct a payment (`month`, `amount`, `paid_on`, `kind`, `note`). The back-payment limit is checked
    again only when the month, the date or the kind changes. True when something changed."""
    unknown = set(changes) - set(PAYMENT_FIELDS)
    if unknown:
        raise ValueError(f"not payment fields: {unknown}")
    require_manage_org(actor, payment.org)
    member = payment.member
    before = payment.snapshot()
    month = month_of(changes["month"]) if "month" in changes else payment.month
    org = payment.org
    if month != payment.month:
        events = _events(member)
        new_org, _, _ = membership_in_month(events, month)
        require_manage_org(actor, new_org or member.org)
        org = _payment_org(member, events, month)
    if "paid_on" in changes and changes["paid_on"] in (None, "") and not history:
        raise DomainError("缴纳日期不能为空", field="paid_on", code="REQUIRED")
    paid_on = changes["paid_on"] if "paid_on" in changes else payment.paid_on
    data = _check_payment(member, month=month, amount=changes.get("amount", payment.amount), paid_on=paid_on,
                          kind=changes.get("kind", payment.kind), note=changes.get("note", payment.note),
                          history=True)
    if (data["month"], data["paid_on"], data["kind"]) != (payment.month, payment.paid_on, payment.kind):
        _check_backpay(data, history)
        if data["kind"] == PaymentKind.REGULAR:
            _check_no_regular(member, month, exclude=payment)
    for field, value in data.items():
        setattr(payment, field, value)
    payment.org = org
    return save_changes(payment, actor=actor, action="dues.payment_update", org=org, before=before)


@transaction.atomic
def delete_payment(payment, *, actor):
    """Delete a payment entered by mistake; the audit keeps what it was."""
    require_manage_org(actor, payment.org)
    log_action(actor=actor, action="dues.payment_delete", obj=payment, org=payment.org, before=payment.snapshot())
    payment.delete()


@transaction.atomic
def record_branch_payments(org, *, actor, month, rows, paid_on):
    """收缴党费 for a whole branch and month in one form: `rows` = [(member, amount)], an empty amount (None
    or blank) meaning "not paid this time". All or nothing: the first row refused refuses the whole form,
    with the member named and `field` = "amount_<member pk>". The members must belong to `org` in that
    month; a member whose month is already recorded is refused (correct that payment instead). Returns the
    number of payments written."""
    require_manage_org(actor, org)
    month = month_of(month)
    paid_on = parse_date(paid_on, field="paid_on") or today()
    chosen = [(member, amount) for member, amount in rows
              if not (amount is None or (isinstance(amount, str) and not amount.strip()))]
    ids = [member.pk for member, _ in chosen]
    events = {pk: [] for pk in ids}
    for event in MemberEvent.objects.filter(member_id__in=ids).select_related("org").order_by("member_id", "id"):
        events[event.member_id].append(event)
    paid = set(Payment.objects.filter(member_id__in=ids, month=month, kind=PaymentKind.REGULAR)
               .values_list("member_id", flat=True))
    seen, payments = set(), []
    for member, amount in chosen:
        try:
            if member.pk in seen:
                raise DomainError("在表中重复出现", code="DUPLICATE")
            seen.add(member.pk)
            member_org = _payment_org(member, events[member.pk], month)
            member_org_id = getattr(member_org, "pk", member_org)
            if member_org_id != org.pk:
                raise DomainError(f"{month_label(month)}的组织关系不在{org.name}，不能由本支部登记", code="DUES_MEMBER_ORG")
            data = _check_payment(member, month=month, amount=amount, paid_on=paid_on, kind=PaymentKind.REGULAR,
                                  note="", history=False)
            _check_backpay(data, False)
            if member.pk in paid:
                raise DomainError(f"{month_label(month)}的党费已登记，如需更正请修改该笔记录", code="DUES_DUPLICATE")
        except DomainError as error:
            message = error.message if error.message.startswith(member.name) else f"{member.name}：{error.message}"
            raise DomainError(message, field=f"amount_{member.pk}", code=error.code) from error
        payments.append(Payment(member=member, org=org, **data))
    # Checked first, then written in two statements: a branch's month is one form (and the demo's year).
    Payment.objects.bulk_create(payments)
    log_actions([audit_entry(actor=actor, action="dues.payment", obj=p, org=org, after=p.snapshot())
                 for p in payments])
    return len(payments)
