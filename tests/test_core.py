"""ID check digit (GB 11643), masking, date parsing and month arithmetic."""
import datetime

import pytest

from dangjian.core import idcard
from dangjian.core.dates import add_months, add_years, parse_date, parse_month
from dangjian.core.errors import DomainError
from dangjian.core.masking import mask_id_number, mask_phone, mask_snapshot

D = datetime.date


def test_it_accepts_a_known_valid_id():
    # GB 11643-1999's own example number
    assert idcard.validate_id_number("11010519491231002X") == "11010519491231002X"


def test_it_accepts_a_lowercase_x_and_spaces():
    assert idcard.validate_id_number(" 11010519491231002x ") == "11010519491231002X"


def reference_check(first17):
    """GB 11643's check character computed independently: (12 − Σ aᵢ·2^(17−i) mod 11) mod 11, 10 → X."""
    total = sum(int(d) * (2 ** (17 - i) % 11) for i, d in enumerate(first17))
    value = (12 - total % 11) % 11
    return "X" if value == 10 else str(value)


def test_it_computes_every_check_character_as_the_standard_does():
    import random

    rng = random.Random(11643)
    seen = set()
    for _ in range(2000):
        first17 = "4501031980" + "".join(rng.choice("0123456789") for _ in range(7))
        expected = reference_check(first17)
        seen.add(expected)
        assert idcard.check_character(first17) == expected, first17
    assert seen == set("0123456789X")  # every remainder was exercised


def test_it_refuses_a_wrong_check_digit():
    with pytest.raises(DomainError) as exc:
        idcard.validate_id_number("110105194912310021")
    assert exc.value.code == "ID_CHECK_DIGIT" and "校验位" in exc.value.message


@pytest.mark.parametrize("raw,code", [
    ("", "ID_REQUIRED"),
    ("11010519491231002", "ID_FORMAT"),      # 17 characters
    ("1101051949123100XX", "ID_FORMAT"),     # X before the last place
    ("110105194902300021", "ID_BIRTH_DATE"),  # 1949-02-30
])
def test_it_refuses_malformed_ids(raw, code):
    with pytest.raises(DomainError) as exc:
        idcard.validate_id_number(raw)
    assert exc.value.code == code


def test_it_reads_birth_date_and_sex():
    assert idcard.birth_date_of("11010519491231002X") == D(1949, 12, 31)
    assert idcard.sex_of("11010519491231002X") == "F"  # 17th digit 2: even


def test_it_makes_valid_ids_for_both_sexes():
    for sex in ("M", "F"):
        value = idcard.make_id_number("450103", D(1990, 2, 28), 7, sex)
        assert idcard.validate_id_number(value) == value
        assert idcard.sex_of(value) == sex
        assert idcard.birth_date_of(value) == D(1990, 2, 28)


def test_it_masks_ids_and_phones():
    assert mask_id_number("450103199001011234") == "450103********1234"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_snapshot({"id_number": "450103199001011234", "phone": "13812345678", "name": "张三"}) == {
        "id_number": "450103********1234", "phone": "138****5678", "name": "张三"}


@pytest.mark.parametrize("text", ["2018-03-05", "2018/3/5", "2018年3月5日", datetime.datetime(2018, 3, 5, 0, 0)])
def test_it_parses_the_ledger_date_forms(text):
    assert parse_date(text) == D(2018, 3, 5)


def test_it_refuses_an_impossible_date_instead_of_correcting_it():
    with pytest.raises(DomainError) as exc:
        parse_date("2018-02-30")
    assert exc.value.code == "DATE_INVALID"


def test_it_refuses_an_unknown_date_format():
    with pytest.raises(DomainError) as exc:
        parse_date("05.03.2018")
    assert exc.value.code == "DATE_FORMAT"


def test_it_parses_months():
    assert parse_month("2018-07") == D(2018, 7, 1)
    with pytest.raises(DomainError):
        parse_month("2018-13")


def test_it_clamps_month_arithmetic_to_the_month_end():
    assert add_months(D(2018, 1, 31), 1) == D(2018, 2, 28)
    assert add_months(D(2016, 1, 31), 1) == D(2016, 2, 29)
    assert add_months(D(2018, 12, 15), 1) == D(2019, 1, 15)
    assert add_years(D(2016, 2, 29), 1) == D(2017, 2, 28)
