"""Input that would otherwise reach the database as something it cannot store, or as a second key."""
import pytest
from django.urls import reverse

from dangjian.core.errors import DomainError
from dangjian.members.services import create_member, update_member

from .cast import person_id


@pytest.mark.parametrize("url", ["/orgs/?q=%00", "/orgs/%00/", "/members/?q=a%00b", "/api/members?q=%00"])
def test_it_refuses_a_nul_character_in_a_url_with_a_message(client, cast, url):
    client.force_login(cast.admin)
    response = client.get(url)
    assert response.status_code == 400 and "空字符" in response.content.decode()


def test_it_refuses_a_nul_character_in_a_json_body(client, cast):
    client.force_login(cast.admin)
    response = client.post("/api/members", '{"name": "a\\u0000b"}', content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "NUL_CHARACTER"


def test_it_refuses_a_nul_character_in_a_form(client, cast):
    client.force_login(cast.a01admin)
    response = client.post(reverse("org_edit", args=["A0102"]), {"name": "甲\x00", "founded_on": "2016-01-01"})
    assert response.status_code == 400
    cast.a0102.refresh_from_db()
    assert cast.a0102.name == "甲市二支部"


def test_it_reads_a_full_width_id_as_the_same_person(cast):
    full_width = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in cast.zhang.id_number)
    with pytest.raises(DomainError) as exc:
        create_member(actor=None, id_number=full_width, name="张建国", org=cast.a0102, admitted_on=cast.zhang.admitted_on)
    assert exc.value.code == "DUPLICATE"


def test_it_refuses_other_digits_in_an_id():
    from dangjian.core.idcard import validate_id_number

    arabic_indic = "".join(chr(0x0660 + int(c)) if c.isdigit() else c for c in person_id(7))
    with pytest.raises(DomainError) as exc:
        validate_id_number(arabic_indic)
    assert exc.value.code == "ID_FORMAT"


def test_it_stores_a_full_width_phone_as_ascii(cast):
    update_member(cast.li, actor=None, phone="１３９００００１１１１")
    cast.li.refresh_from_db()
    assert cast.li.phone == "13900001111"


@pytest.mark.parametrize("name,ok", [("张" * 40, True), ("张" * 41, False)])
def test_it_refuses_a_text_longer_than_its_column(cast, name, ok):
    if ok:
        assert update_member(cast.li, actor=None, name=name) is True
    else:
        with pytest.raises(DomainError) as exc:
            update_member(cast.li, actor=None, name=name)
        assert exc.value.code == "TOO_LONG" and "40" in exc.value.message
