"""Amounts of money in 万元 as the ledgers write them (三重一大 matters, assistance projects)."""
from decimal import Decimal, InvalidOperation

from .errors import DomainError
from .text import to_ascii_digits

HUNDREDTH = Decimal("0.01")


def to_wan(value, *, field, label="金额", maximum):
    """An amount in 万元 as a Decimal (two decimals at most, 0 to `maximum`), or None when empty; full-width
    digits and thousands separators are read, anything else is refused in Chinese on `field`."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise DomainError(f"{label}“{value}”应为数字（万元）", field=field, code="NUMBER")
    if isinstance(value, Decimal):
        amount = value
    else:
        text = repr(value) if isinstance(value, float) else to_ascii_digits(value).replace(",", "")
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise DomainError(f"{label}“{value}”应为数字（万元）", field=field, code="NUMBER") from None
    if not amount.is_finite() or amount < 0 or amount > maximum:
        raise DomainError(f"{label}“{value}”应在0至{maximum:,.0f}万元之间", field=field, code="NUMBER")
    if amount != amount.quantize(HUNDREDTH):
        raise DomainError(f"{label}“{value}”最多保留两位小数（万元）", field=field, code="NUMBER")
    return amount.quantize(HUNDREDTH)
