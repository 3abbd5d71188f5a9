"""Reading one cell of the ledger workbook into a Python value, with the workbook's rules (LEDGER.md).

Every parser returns None for an empty cell and raises CellError (a DomainError) with a stable code and a
Chinese message for a cell it cannot read. Required-ness is checked by the caller."""
import datetime
import re
from decimal import Decimal, InvalidOperation

from dangjian.core import dates, idcard
from dangjian.core.errors import DomainError
from dangjian.core.text import to_ascii_digits


class CellError(DomainError):
    pass


def is_empty(value):
    return value is None or (isinstance(value, str) and not value.strip())


def text(value, label):
    if is_empty(value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a code such as 1001 typed into a number cell
    if isinstance(value, (datetime.date, datetime.datetime)):
        raise CellError(f"{label}应为文字，而单元格是日期", code="TEXT")
    return str(value).strip()


def id_number(value, label):
    """身份证号 must be a text cell: Excel keeps only 15 significant digits of a number, so the last
    digits of an ID typed as a number (4.5E+17) are already lost and cannot be recovered here."""
    if is_empty(value):
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        shown = f"{value:.4E}" if abs(value) >= 1e11 else str(value)
        raise CellError(f"{label}是数字单元格（{shown}），Excel已丢失末几位；请把该列设为文本格式后重新填写",
                        code="ID_NUMERIC")
    return idcard.validate_id_number(value)


def date(value, label):
    if is_empty(value):
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise CellError(f"{label}“{value}”不是日期，应为日期单元格或YYYY-MM-DD", code="DATE_FORMAT")
    try:
        return dates.parse_date(value)
    except DomainError as error:
        raise CellError(f"{label}：{error.message}", code=error.code) from None


def month(value, label):
    """A month, `YYYY-MM` (LEDGER.md); also a date cell, which Excel makes of a typed 2019-03. Returns the
    month's first day."""
    if is_empty(value):
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise CellError(f"{label}“{value}”不是月份，应为YYYY-MM（文本格式）", code="MONTH_FORMAT")
    try:
        return dates.parse_month(value)
    except DomainError as error:
        raise CellError(f"{label}：{error.message}", code=error.code) from None


def boolean(value, label):
    if is_empty(value):
        return None
    if isinstance(value, bool):
        return value
    word = str(value).strip()
    if word in ("是", "否"):
        return word == "是"
    raise CellError(f"{label}应填“是”或“否”，而不是“{word}”", code="BOOL")


def integer(value, label):
    if is_empty(value):
        return None
    if isinstance(value, bool):
        raise CellError(f"{label}应为整数", code="INTEGER")
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, int):
        return value
    word = str(value).strip()
    if re.fullmatch(r"-?[0-9]+", word):  # ASCII digits only: "²".isdigit() is true but int() refuses it
        return int(word)
    raise CellError(f"{label}应为整数，而不是“{word}”", code="INTEGER")


def number(value, label):
    """A number (hours, yuan) as a Decimal: a number cell, or text (full-width digits and thousands
    separators accepted). Its range and decimals are the service's to check."""
    if is_empty(value):
        return None
    if isinstance(value, bool) or isinstance(value, (datetime.date, datetime.datetime)):
        raise CellError(f"{label}应为数字", code="NUMBER")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))  # 12.3, not 12.300000000000000710542735760100185871124267578125
    word = to_ascii_digits(value).replace(",", "")
    try:
        found = Decimal(word)
    except InvalidOperation:
        found = None
    if found is None or not found.is_finite() or not re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", word):
        raise CellError(f"{label}应为数字，而不是“{str(value).strip()}”", code="NUMBER")
    return found


def choice(choices):
    """A parser for a cell holding one of a TextChoices' Chinese labels; returns the model value."""
    by_label = {str(label): value for value, label in choices.choices}

    def parse(value, label):
        word = text(value, label)
        if word is None:
            return None
        if word not in by_label:
            raise CellError(f"{label}“{word}”不是可选值（{'、'.join(by_label)}）", code="CHOICE")
        return by_label[word]

    parse.labels = {v: k for k, v in by_label.items()}
    return parse


# Multi-value cells (LEDGER.md): items separated by ; or ； or 、 (surrounding spaces and empty items ignored).
SEPARATORS = re.compile(r"[;；、]")
JOINER = ";"  # what the exporter writes between items


def _items(value, label):
    word = text(value, label)
    if word is None:
        return []
    return [item.strip() for item in SEPARATORS.split(word) if item.strip()]


def choices(options):
    """A parser for a multi-value cell of Chinese labels; returns the frozenset of model values (a set:
    `主题党日;支部党员大会` and `支部党员大会;主题党日` are the same cell)."""
    by_label = {str(label): value for value, label in options.choices}

    def parse(value, label):
        words = _items(value, label)
        if not words:
            return None
        unknown = [w for w in words if w not in by_label]
        if unknown:
            raise CellError(f"{label}“{'、'.join(unknown)}”不是可选值（{'、'.join(by_label)}）", code="CHOICE")
        return frozenset(by_label[w] for w in words)

    parse.labels = {v: k for k, v in by_label.items()}
    parse.multi = True
    return parse


def id_numbers(value, label):
    """A multi-value cell of 身份证号 (text, each checked as in `id_number`); returns a tuple in the
    cell's order (a repeated ID is left for the service to name)."""
    if is_empty(value):
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return (id_number(value, label),)  # raises ID_NUMERIC
    found = []
    for item in _items(value, label):
        try:
            found.append(idcard.validate_id_number(item))
        except DomainError as error:
            raise CellError(f"{label}：{error.message}", code=error.code) from None
    return tuple(found) or None


id_numbers.multi = True


def phone(value, label):
    """A phone is text, but a number cell is harmless here: 11 digits fit Excel's 15."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if float(value).is_integer():
            return str(int(value))
        raise CellError(f"{label}“{value}”格式不正确", code="PHONE_FORMAT")
    return text(value, label)
