"""Date parsing and calendar arithmetic shared by forms, the importer and the rules."""
import calendar
import datetime
import re

from .errors import DomainError

_PATTERNS = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$"),
)
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


def parse_date(value, *, field=None):
    """A date from a date/datetime or text YYYY-MM-DD, YYYY/MM/DD, YYYY年M月D日; None for empty.
    An impossible date (2018-02-30) is an error, never corrected."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value).strip()
    if not text:
        return None
    for pattern in _PATTERNS:
        m = pattern.match(text)
        if m:
            try:
                return datetime.date(int(m[1]), int(m[2]), int(m[3]))
            except ValueError:
                raise DomainError(f"日期“{text}”不存在", field=field, code="DATE_INVALID") from None
    raise DomainError(f"日期“{text}”格式不正确，应为YYYY-MM-DD", field=field, code="DATE_FORMAT")


def parse_month(value, *, field=None):
    """The first day of a month written YYYY-MM (or a date cell)."""
    if value is None or value == "":
        return None
    if isinstance(value, (datetime.date, datetime.datetime)):
        d = value.date() if isinstance(value, datetime.datetime) else value
        return d.replace(day=1)
    m = _MONTH.match(str(value).strip())
    if not m or not 1 <= int(m[2]) <= 12 or int(m[1]) < 1:
        raise DomainError(f"月份“{value}”格式不正确，应为YYYY-MM", field=field, code="MONTH_FORMAT")
    return datetime.date(int(m[1]), int(m[2]), 1)


def add_months(d: datetime.date, months: int) -> datetime.date:
    """The same day N months later, clamped to the month's end (2018-01-31 + 1 = 2018-02-28)."""
    index = d.year * 12 + d.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return datetime.date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def add_years(d: datetime.date, years: int) -> datetime.date:
    return add_months(d, 12 * years)


def age_on(birth: datetime.date, day: datetime.date) -> int:
    """Completed years of age on `day` (the birthday itself counts)."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def today():
    from django.utils import timezone

    return timezone.localdate()


def reference_day():
    """The day the pages look at when the user has not chosen one: settings.DEFAULT_AS_OF when set (the demo
    sets 2018-12-31, the year its records tell), else today."""
    from django.conf import settings

    return parse_date(settings.DEFAULT_AS_OF) if settings.DEFAULT_AS_OF else today()
