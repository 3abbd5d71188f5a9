"""The rule engine behind `dangjian check`: findings, the window they look at, and the rule registry.

A rule is an object with its RULES.md id, title, the document and article it implements, its severity and
the parameters it reads, and a `check(ctx)` that runs set-wise over a whole subtree and window: it reads
what it needs from the `CheckContext` (a handful of queries, whatever the size of the tree) and yields
`Finding`s. Rules never query per organisation or per month.
"""
import datetime
import re
from dataclasses import dataclass, field

from dangjian.core import dates
from dangjian.core.dates import parse_date
from dangjian.core.errors import DomainError

ERROR, WARNING = "error", "warning"


def today():
    """Today, read through `core.dates` at each call (so a test freezing either clock freezes this one)."""
    return dates.today()
SEVERITY_LABELS = {ERROR: "错误", WARNING: "提醒"}


@dataclass(frozen=True)
class Period:
    """A calendar month, quarter or year: `code` as RULES.md writes it (2018-03, 2018-Q1, 2018)."""

    kind: str  # "month" | "quarter" | "year"
    start: datetime.date
    end: datetime.date

    @property
    def code(self):
        if self.kind == "month":
            return f"{self.start.year}-{self.start.month:02d}"
        if self.kind == "quarter":
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return str(self.start.year)

    @property
    def label(self):
        if self.kind == "month":
            return f"{self.start.year}年{self.start.month}月"
        if self.kind == "quarter":
            return f"{self.start.year}年第{(self.start.month - 1) // 3 + 1}季度"
        return f"{self.start.year}年"

    def contains(self, day):
        return self.start <= day <= self.end


def periods_of_year(year, kind):
    """The months, quarters or the year of a calendar year, in order."""
    step = {"month": 1, "quarter": 3, "year": 12}[kind]
    out = []
    for first in range(1, 13, step):
        start = datetime.date(year, first, 1)
        last = first + step
        end = (datetime.date(year + 1, 1, 1) if last > 12 else datetime.date(year, last, 1)) - datetime.timedelta(1)
        out.append(Period(kind, start, end))
    return out


def period_containing(day, kind):
    return next(p for p in periods_of_year(day.year, kind) if p.contains(day))


@dataclass(frozen=True)
class Window:
    """RULES.md's window: as of `as_of`, looking at `as_of`'s calendar year."""

    as_of: datetime.date

    @classmethod
    def for_year(cls, year):
        return cls(datetime.date(year, 12, 31))

    @classmethod
    def current(cls):
        return cls(today())

    @property
    def year(self):
        return self.as_of.year

    @property
    def start(self):
        return datetime.date(self.year, 1, 1)

    def ended_periods(self, kind):
        """Periods of the window's year that have ended on or before the as-of date (a period still
        running is not yet missed)."""
        return [p for p in periods_of_year(self.year, kind) if p.end <= self.as_of]


# The engine adds months and years to the as-of date (TERM-03 looks 6 months ahead), and the parameters
# start in 1900: the years it can check.
FIRST_YEAR, LAST_YEAR = 1900, 9998
_YEAR = re.compile(r"^\d{4}$")


def window_from(*, year=None, as_of=None):
    """The window of `--year YYYY` (as of 31 December) or `--as-of DATE` (which wins when both are given),
    else as of today; text as typed by a user, with a Chinese DomainError when it cannot be read."""
    if as_of not in (None, ""):
        day = parse_date(as_of, field="as_of")
        if not FIRST_YEAR <= day.year <= LAST_YEAR:
            raise DomainError(f"截至日期“{as_of}”超出可检查的范围（{FIRST_YEAR}年至{LAST_YEAR}年）", field="as_of",
                              code="DATE_RANGE")
        return Window(day)
    if year not in (None, ""):
        text = str(year).strip()
        if not _YEAR.match(text) or not FIRST_YEAR <= int(text) <= LAST_YEAR:
            raise DomainError(f"年度“{text}”不正确，应为{FIRST_YEAR}至{LAST_YEAR}之间的四位数年份，如2018", field="year",
                              code="YEAR")
        return Window.for_year(int(text))
    return Window.current()


@dataclass(frozen=True)
class Finding:
    """One finding, as RULES.md prints it (`as_dict`), plus what the pages need to link to the records:
    the organisation's pk and the records involved as (kind, pk) pairs ("meeting", "election", "post")."""

    rule: str
    severity: str
    org: str
    person: str | None
    period: str | None
    date: datetime.date | None
    message: str
    source: str
    org_id: int = 0
    records: tuple = field(default=(), compare=False)
    sort_key: str = field(default="", compare=False, repr=False)

    def as_dict(self):
        return {"rule": self.rule, "severity": self.severity, "org": self.org, "person": self.person,
                "period": self.period, "date": self.date.isoformat() if self.date else None,
                "message": self.message, "source": self.source}


class Rule:
    """A regulation rule. Subclasses set the class attributes and implement `check(ctx)`."""

    id = ""
    title = ""
    severity = WARNING
    source = ""          # the document and article, as RULES.md's `source` field prints it
    regulation = ""      # what the regulation says, shown on the compliance page
    parameters = ()      # names in rules.parameters this rule reads (for the rule page)

    def check(self, ctx):
        raise NotImplementedError

    def finding(self, org, message, *, period=None, date=None, person=None, severity=None, records=()):
        return Finding(rule=self.id, severity=severity or self.severity, org=org.code, person=person,
                       period=period.code if period else None, date=date, message=message, source=self.source,
                       org_id=org.pk, records=tuple(records), sort_key=org.path)


REGISTRY = {}


def register(rule):
    """Add a rule instance to the registry (ids are unique; the order of registration is the order of
    RULES.md's tables)."""
    if rule.id in REGISTRY:
        raise ValueError(f"rule {rule.id} registered twice")
    REGISTRY[rule.id] = rule
    return rule


def all_rules():
    # Importing the modules registers their rules, in the order of RULES.md's tables.
    from . import org_rules  # noqa: F401
    from . import meeting_rules  # noqa: F401
    from . import recruitment_rules  # noqa: F401
    from . import dues_rules  # noqa: F401
    from . import education_rules  # noqa: F401
    from . import election_rules  # noqa: F401
    from . import governance_rules  # noqa: F401
    from . import rectification_rules  # noqa: F401

    return list(REGISTRY.values())


def run_checks(*, root=None, window=None, rules=None):
    """Every finding for the subtree at `root` (None: the whole tree) in `window` (default: as of
    today), sorted by organisation (tree order), rule, period and date."""
    from .context import CheckContext

    window = window or Window.current()
    ctx = CheckContext(root=root, window=window)
    chosen = all_rules() if rules is None else [r for r in all_rules() if r.id in set(rules)]
    findings = [f for rule in chosen for f in rule.check(ctx)]
    order = {r.id: i for i, r in enumerate(all_rules())}
    findings.sort(key=lambda f: (f.sort_key, order.get(f.rule, 999), f.period or "", f.date or datetime.date.min,
                                 f.person or ""))
    return findings


def upcoming(*, root=None, as_of=None, days=30):
    """What falls due in the next `days` days: terms ending (TERM-03's date) and meetings of a running
    period that has not had them yet. Same shape as findings (severity warning, `date` = when due)."""
    from .context import CheckContext

    as_of = as_of or today()
    ctx = CheckContext(root=root, window=Window(as_of))
    horizon = as_of + datetime.timedelta(days=days)
    items = []
    for rule in all_rules():
        due = getattr(rule, "due", None)
        if due is not None:
            items.extend(due(ctx, horizon))
    items.sort(key=lambda f: (f.date or datetime.date.max, f.sort_key, f.rule))
    return items
