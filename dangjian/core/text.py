"""Text checks every service shares: lengths the database enforces, digits typed full-width."""
import re
import unicodedata

from .errors import DomainError

_DIGITS = re.compile(r"[0-9]+")


def to_ascii_digits(value) -> str:
    """'１３８ 1234' → '1381234' for numbers typed with a Chinese input method (NFKC), spaces dropped."""
    return unicodedata.normalize("NFKC", str(value or "")).replace(" ", "").strip()


def is_digits(value, low, high) -> bool:
    return bool(_DIGITS.fullmatch(value)) and low <= len(value) <= high


def check_lengths(model, data):
    """Refuse a text longer than its column (SQLite would store it, PostgreSQL refuse it with an error
    the user cannot read): the message names the field and its limit."""
    for name, value in data.items():
        if not isinstance(value, str):
            continue
        try:
            field = model._meta.get_field(name)
        except Exception:  # not a model field (a form-only value): nothing to check
            continue
        limit = getattr(field, "max_length", None)
        if limit and len(value) > limit:
            raise DomainError(f"{field.verbose_name}最长{limit}个字（现为{len(value)}个）", field=name,
                              code="TOO_LONG")
