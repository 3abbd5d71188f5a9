"""The scoping helpers, one assertion per role (every page, export and API call uses them)."""
import datetime

import pytest
from django.test import override_settings

from dangjian.accounts import access
from dangjian.accounts.services import clear_login_failures, is_locked, record_login_failure
from dangjian.audit.services import log_action

ALL = {"JT", "A01", "A0101", "A0101G1", "A0102", "B01", "B0101"}


def codes(qs):
    return set(qs.values_list("code", flat=True))


def names(qs):
    return set(qs.values_list("name", flat=True))


@pytest.mark.parametrize("user,expected", [
    ("admin", ALL),
    ("zuzhibu", ALL),
    ("a01admin", {"A01", "A0101", "A0101G1", "A0102"}),
    ("b01admin", {"B01", "B0101"}),
    ("shuji", {"A0101", "A0101G1"}),
    ("dangyuan", set()),
    ("outsider", set()),
])
def test_it_scopes_organisations_by_role(cast, user, expected):
    assert codes(access.visible_orgs(getattr(cast, user))) == expected


@pytest.mark.parametrize("user,expected", [
    ("admin", {"张建国", "李秀英", "王志强", "赵丽", "陈刚"}),
    ("a01admin", {"张建国", "李秀英", "王志强", "赵丽"}),
    ("b01admin", {"陈刚"}),
    ("shuji", {"张建国", "李秀英", "王志强"}),
    ("dangyuan", {"李秀英"}),
    ("outsider", set()),
])
def test_it_scopes_members_by_role(cast, user, expected):
    assert names(access.visible_members(getattr(cast, user))) == expected


def test_it_sees_nothing_when_anonymous(cast):
    from django.contrib.auth.models import AnonymousUser

    assert not access.visible_orgs(AnonymousUser()).exists()
    assert not access.visible_members(AnonymousUser()).exists()


def test_it_scopes_the_audit_log(cast):
    log_action(actor=None, action="organization.update", obj=cast.b0101, org=cast.b0101)
    log_action(actor=None, action="organization.update", obj=cast.a0102, org=cast.a0102)
    def orgs(user):
        return set(access.visible_audit(user).exclude(org_code="").values_list("org_code", flat=True))

    assert orgs(cast.a01admin) == {"A01", "A0101", "A0101G1", "A0102"}
    assert orgs(cast.b01admin) == {"B01", "B0101"}
    assert orgs(cast.shuji) == {"A0101", "A0101G1"}
    assert orgs(cast.admin) == {"JT", "A01", "A0101", "A0101G1", "A0102", "B01", "B0101"}
    assert not access.visible_audit(cast.dangyuan).exists()


@pytest.mark.parametrize("user,org,allowed", [
    ("a01admin", "a0101", True), ("a01admin", "b0101", False), ("a01admin", "jt", False),
    ("shuji", "a0101", True), ("shuji", "a0101g1", True), ("shuji", "a0102", False),
    ("dangyuan", "a0101", False), ("outsider", "a0101", False), ("admin", "b0101", True),
])
def test_it_decides_who_may_manage_an_organisation(cast, user, org, allowed):
    assert access.can_manage_org(getattr(cast, user), getattr(cast, org)) is allowed


def test_it_keeps_tree_changes_to_administrators(cast):
    assert access.can_manage_tree(cast.a01admin, cast.a01)
    assert not access.can_manage_tree(cast.shuji, cast.a0101)


@override_settings(LOGIN_FAILURE_LIMIT=5)
def test_it_locks_after_the_fifth_failure_and_audits_it(db):
    from dangjian.audit.models import AuditEntry

    for _ in range(4):
        record_login_failure("someone")
    assert not is_locked("someone") and not AuditEntry.objects.filter(action="auth.lockout").exists()
    record_login_failure("someone", "10.0.0.9")
    assert is_locked("someone")
    assert AuditEntry.objects.get(action="auth.lockout").after["username"] == "someone"
    clear_login_failures("someone")
    assert not is_locked("someone")


@pytest.mark.parametrize("age,locked", [
    (datetime.timedelta(minutes=15, seconds=-1), True),   # inside the 15-minute window
    (datetime.timedelta(minutes=15, seconds=1), False),   # just outside it: forgotten
])
@override_settings(LOGIN_FAILURE_LIMIT=5, LOGIN_LOCKOUT_MINUTES=15)
def test_it_forgets_failures_older_than_the_window(db, age, locked):
    from django.utils import timezone

    from dangjian.accounts.models import LoginFailure

    for _ in range(5):
        record_login_failure("someone")
    LoginFailure.objects.update(at=timezone.now() - age)
    assert is_locked("someone") is locked
