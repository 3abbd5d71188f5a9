"""The 18-character resident identity number (公民身份号码), GB 11643-1999.

Positions 1–6 region, 7–14 birth date YYYYMMDD, 15–17 sequence (17th odd = male, even = female),
18 the ISO 7064 MOD 11-2 check character (0–9 or X).
"""
import datetime
import re
import unicodedata

from .errors import DomainError

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_SHAPE = re.compile(r"^[0-9]{17}[0-9X]$")  # ASCII only: \d would also take full-width and other digits


def check_character(first17: str) -> str:
    """The check character for the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS))
    return _CHECK[total % 11]


def normalize(raw) -> str:
    """Full-width characters (１２３Ｘ, typed with a Chinese input method) become ASCII, so one person
    has one key however the number was typed."""
    return unicodedata.normalize("NFKC", str(raw or "")).strip().upper().replace(" ", "")


def validate_id_number(raw, *, field="id_number") -> str:
    """Return the normalised ID or raise DomainError with a Chinese message."""
    value = normalize(raw)
    if not value:
        raise DomainError("身份证号不能为空", field=field, code="ID_REQUIRED")
    if not _SHAPE.match(value):
        raise DomainError(f"身份证号“{value}”格式不正确：应为18位，前17位为数字，末位为数字或X",
                          field=field, code="ID_FORMAT")
    if birth_date_of(value) is None:
        raise DomainError(f"身份证号“{value}”中的出生日期无效", field=field, code="ID_BIRTH_DATE")
    if check_character(value[:17]) != value[17]:
        raise DomainError(f"身份证号“{value}”校验位错误（应为{check_character(value[:17])}）",
                          field=field, code="ID_CHECK_DIGIT")
    return value


def birth_date_of(value: str):
    try:
        return datetime.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return None


def sex_of(value: str) -> str:
    """'M' or 'F' from the 17th character."""
    return "M" if int(value[16]) % 2 == 1 else "F"


def make_id_number(region: str, birth: datetime.date, sequence: int, sex: str) -> str:
    """Build a valid ID (for the demo and tests): sequence 0–99 plus the sex digit."""
    sex_digit = (sequence % 5) * 2 + (1 if sex == "M" else 0)
    first17 = f"{region}{birth:%Y%m%d}{sequence % 100:02d}{sex_digit}"
    return first17 + check_character(first17)
