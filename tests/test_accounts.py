"""The adduser command and the password rules."""
import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from dangjian.accounts.services import create_user
from dangjian.core.errors import DomainError


def test_it_adds_a_user_with_a_role(cast):
    call_command("adduser", "a0102", "--role", "branch_officer", "--org", "A0102", "--password", "Zhibu-2018-ok")
    user = get_user_model().objects.get(username="a0102")
    assert user.role.org == cast.a0102 and user.check_password("Zhibu-2018-ok")


def test_it_refuses_an_unknown_organisation(cast):
    with pytest.raises(CommandError, match="组织编码"):
        call_command("adduser", "x", "--role", "org_admin", "--org", "NOPE", "--password", "Zhibu-2018-ok")


def test_it_refuses_a_role_without_its_organisation(cast):
    with pytest.raises(CommandError, match="须指定组织"):
        call_command("adduser", "x", "--role", "org_admin", "--password", "Zhibu-2018-ok")


@pytest.mark.parametrize("password", ["short1", "12345678901", "password123"])
def test_it_applies_the_password_rules(cast, password):
    with pytest.raises(DomainError) as exc:
        create_user(actor=None, username="weak", password=password, kind="admin")
    assert exc.value.field == "password"
    assert not get_user_model().objects.filter(username="weak").exists()
