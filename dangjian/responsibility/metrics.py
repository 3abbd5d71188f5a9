"""The indicators a 党建目标责任书 can compute from the records, for the responsible organisation's subtree and
the letter's year up to an as-of date (31 December for a past year). Each returns the value and the records
it counts (`Row`s), so the letter shows exactly what a figure stands on; nothing computed is stored.

Periods follow RULES.md: a month counts once it has ended on or before the as-of date, and only for the
branches that existed through the whole month (the same reading as MTG-09)."""
import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from dangjian.meetings.models import MeetingKind, MeetingType
from dangjian.members.models import EventKind, MemberEvent
from dangjian.organizations.models import BRANCH_TYPES, MEMBERSHIP_TYPES, Organization, under

ZERO = Decimal("0")


@dataclass(frozen=True)
class Row:
    """One record behind a figure: what it is, its date, whether it counts for (True) or against (False) the
    indicator, and the page that shows it (`kind`, `key`: "meeting" pk, "member" pk, "org" code, "finding")."""

    label: str
    date: datetime.date | None = None
    counts: bool = True
    kind: str = ""
    key: object = None
    detail: str = ""


@dataclass
class Value:
    value: Decimal
    unit: str
    text: str
    rows: list = field(default_factory=list)


@dataclass(frozen=True)
class Metric:
    code: str
    label: str
    unit: str
    direction: str          # "higher" or "lower": which way is better
    compute: object          # (org, year, as_of) -> Value
    explanation: str


def _subtree(org, types):
    return Organization.objects.filter(under(org.path), org_type__in=types).order_by("path")


def _months(year, as_of):
    """The months of `year` that have ended on or before `as_of` (the rule engine's periods): [(first, last)]."""
    from dangjian.rules.engine import periods_of_year

    return [(p.start, p.end) for p in periods_of_year(year, "month") if p.end <= as_of]


def _share(part, whole):
    if not whole:
        return ZERO
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def theme_day_share(org, year, as_of):
    """主题党日开展率: of the branch-months judged, the share with a 主题党日 (each month names its meeting, or
    says none was held)."""
    from dangjian.rules.context import CheckContext
    from dangjian.rules.engine import Period

    branches = list(_subtree(org, BRANCH_TYPES))
    months = _months(year, as_of)
    held = {}
    kinds = MeetingKind.objects.filter(org__in=branches, kind=MeetingType.THEME_DAY,
                                       held_on__year=year, held_on__lte=as_of).order_by("held_on")
    for org_id, held_on, meeting_id in kinds.values_list("org_id", "held_on", "meeting_id"):
        held.setdefault((org_id, held_on.month), (held_on, meeting_id))
    rows = []
    for branch in branches:
        for first, last in months:
            if not CheckContext.existed_through(branch, Period("month", first, last)):
                continue  # not there for the whole month: not judged (RULES.md's window, as MTG-09)
            label = f"{branch.name}{first.year}年{first.month}月"
            if (branch.pk, first.month) in held:
                day, meeting_id = held[(branch.pk, first.month)]
                rows.append(Row(f"{label}：{day:%m-%d}主题党日", day, True, "meeting", meeting_id))
            else:
                rows.append(Row(f"{label}：未开展主题党日", last, False, "org", branch.code))
    done = sum(r.counts for r in rows)
    return Value(_share(done, len(rows)), "%", f"{done}/{len(rows)}个支部月开展主题党日", rows)


def recruited(org, year, as_of):
    """发展党员: members admitted as probationary (入党日期) in the year up to the as-of date by the
    organisations of the subtree."""
    orgs = _subtree(org, MEMBERSHIP_TYPES)
    events = (MemberEvent.objects.filter(kind=EventKind.ADMITTED, org__in=orgs, date__year=year, date__lte=as_of)
              .select_related("member", "org").order_by("date", "member__name"))
    rows = [Row(f"{e.member.name}（{e.org.name}）", e.date, True, "member", e.member_id) for e in events]
    return Value(Decimal(len(rows)), "人", f"接收预备党员{len(rows)}名", rows)


def dues_rate(org, year, as_of):
    """党费收缴率: what was paid of what was due (an underpayment counts what was paid), over the months of
    the year that have ended, by organisation of the subtree."""
    from dangjian.dues.queries import Totals, months_lines_by_org

    orgs = _subtree(org, MEMBERSHIP_TYPES)
    by_org = {}
    for by_month in months_lines_by_org(orgs, [first for first, _ in _months(year, as_of)]).values():
        for org_id, lines in by_month.items():
            totals = by_org.setdefault(org_id, Totals())
            for line in lines:
                totals.add(line)
    due = sum((t.due for t in by_org.values()), ZERO)
    covered = sum((t.due - t.missing for t in by_org.values()), ZERO)
    rows = []
    for o in orgs:
        t = by_org.get(o.pk)
        if t is None or not t.lines:
            continue
        rows.append(Row(o.name, None, t.missing == 0, "dues", o.code,
                        f"应交{t.due}元，实交{t.paid}元，差额{t.missing}元"))
    value = (covered * 100 / due).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP) if due else ZERO
    return Value(value, "%", f"应交{due}元，按时足额{covered}元", rows)


def open_errors(org, year, as_of, findings=None):
    """合规检查问题: the findings of hard rules (severity error) open for the subtree on the as-of date.
    `findings`: those of a larger subtree already checked on that day (a ranking checks its root once)."""
    from dangjian.rules.engine import Window, run_checks

    if findings is None:
        findings = run_checks(root=org, window=Window(as_of))
    else:
        inside = set(Organization.objects.filter(under(org.path)).values_list("pk", flat=True))
        findings = [f for f in findings if f.org_id in inside]
    findings = [f for f in findings if f.severity == "error"]
    rows = [Row(f"{f.rule} {f.message}", f.date, False, "finding", f.org) for f in findings]
    return Value(Decimal(len(rows)), "项", f"截至{as_of}合规检查错误{len(rows)}项", rows)


METRICS = {m.code: m for m in (
    Metric("theme_day_share", "主题党日开展率", "%", "higher", theme_day_share,
           "下属党支部每月开展主题党日的比例（按月计，组织须整月存在）"),
    Metric("recruited", "发展党员人数", "人", "higher", recruited, "年度内支部大会接收的预备党员人数"),
    Metric("dues_rate", "党费收缴率", "%", "higher", dues_rate, "已结束月份应交党费中按时足额交纳的比例"),
    Metric("open_errors", "合规检查问题数", "项", "lower", open_errors, "截至年末（或当日）合规检查中“错误”级别的问题数"),
)}
METRIC_CHOICES = [(m.code, m.label) for m in METRICS.values()]


def as_of_for(year, today):
    """A past year is read as of its 31 December; the current year as of today."""
    end = datetime.date(year, 12, 31)
    return min(end, today)


def score(points, target, direction, value):
    """The points an indicator earns: in full when the target is reached, else in proportion (higher is
    better: value/target; lower is better: target/value), to one decimal."""
    points, value = Decimal(points), Decimal(value)
    if target is None:
        return None
    target = Decimal(target)
    if direction == "lower":
        ratio = Decimal(1) if value <= target else (target / value if value else Decimal(1))
    else:
        ratio = Decimal(1) if target <= 0 or value >= target else value / target
    return (points * ratio).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
