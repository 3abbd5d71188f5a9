"""The demonstration group: built once for the module (twice, to prove it is deterministic), small."""
import datetime
from io import StringIO
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.test.utils import override_settings

from dangjian.audit.models import AuditEntry
from dangjian.core.dates import today
from dangjian.core.idcard import validate_id_number
from dangjian.demo import generator
from dangjian.members.models import EXIT_KINDS, Member, MemberEvent, Stage
from dangjian.organizations.models import CommitteePost, Election, Organization, OrgType, ParentLink, Post
from dangjian.organizations.queries import secretary_on, term_statuses, tree_on

MEMBERS = 200
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """Build, fingerprint, roll back; build again through the command and keep it for the module."""
    # Like conftest's fast_password_hashing, for the module: the logins are made before any test runs.
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            with transaction.atomic():
                generator.build_demo(MEMBERS)
                first = generator.digest()
                transaction.set_rollback(True)
            out = StringIO()
            call_command("demo", "--no-serve", "--members", str(MEMBERS), stdout=out)
            yield SimpleNamespace(first=first, second=generator.digest(), output=out.getvalue())
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def test_it_builds_the_same_group_every_time(demo, db):
    assert demo.first == demo.second
    assert Member.objects.count() == MEMBERS


def test_it_builds_only_through_the_services(demo, db):
    # Every organisation and member has the audit entry its service writes, by the system (actor None).
    created = AuditEntry.objects.filter(actor__isnull=True, actor_name="系统")
    assert created.filter(action="member.create").count() == MEMBERS
    assert created.filter(action="organization.create").count() == Organization.objects.count()


def test_it_creates_the_four_demo_logins(demo, db):
    users = {u.username: u for u in get_user_model().objects.all()}
    assert set(users) == {"admin", "zuzhibu", "shuji", "dangyuan"}
    assert all(u.check_password(generator.DEMO_PASSWORD) for u in users.values())
    assert users["admin"].role.kind == "admin"
    assert (users["zuzhibu"].role.kind, users["zuzhibu"].role.org.code) == ("org_admin", "JT")
    shuji = users["shuji"].role
    assert shuji.kind == "branch_officer" and shuji.org.org_type == OrgType.BRANCH
    assert secretary_on(shuji.org, today()).member == shuji.member == users["shuji"].member
    dangyuan = users["dangyuan"].role
    assert dangyuan.kind == "member" and dangyuan.member.org == shuji.org
    assert dangyuan.member.stage == Stage.FULL and dangyuan.member != shuji.member
    for username in users:
        assert username in demo.output
    assert generator.DEMO_PASSWORD in demo.output


def test_it_has_fourteen_city_committees_with_one_shoulder_secretaries(demo, db):
    cities = Organization.objects.filter(parent__code="JT", org_type=OrgType.COMMITTEE).order_by("code")
    assert [c.code for c in cities] == [f"JT{i:02d}" for i in range(1, 15)]
    for city in cities:
        assert city.has_discipline_committee and city.founded_on.year == 2018
        secretary = secretary_on(city, today())
        assert secretary.is_one_shoulder and secretary.admin_post == "总经理"
        assert CommitteePost.objects.held_on(today()).filter(org=city, post=Post.DISCIPLINE_SECRETARY).exists()
    root = Organization.objects.get(code="JT")
    assert root.parent is None and root.has_discipline_committee and root.has_party_office


def test_it_moves_the_county_organisations_in_2018(demo, db):
    moves = ParentLink.objects.exclude(note="成立")
    assert moves.count() > 50
    assert {m.valid_from for m in moves} == {generator.MOVED_ON}
    assert all(m.parent.code[:2] == "JT" and len(m.parent.code) == 4 for m in moves)
    before = {org.code: depth for depth, org in tree_on(datetime.date(2017, 12, 31))}
    after = {org.code: depth for depth, org in tree_on(today())}
    assert before["DF"] == 0 and before["JT0101"] == 1 and "JT01" not in before
    assert "DF" not in after and after["JT0101"] == 2


def test_it_has_terms_overdue_ending_and_postponed(demo, db):
    states = {t.org.code: t.state for t in term_statuses(list(Organization.objects.all()), today())}
    values = list(states.values())
    assert values.count("overdue") >= 3 and values.count("ending") >= 3
    assert values.count("current") > len(values) / 2
    assert Election.objects.filter(postponed_to__gt=today()).count() == 1
    assert Election.objects.filter(held_on__year=2018).exists()


def test_it_has_members_in_every_stage_and_exit_kind(demo, db):
    assert set(Member.objects.values_list("stage", flat=True)) == set(Stage.values)
    kinds = set(MemberEvent.objects.values_list("kind", flat=True))
    assert set(EXIT_KINDS) <= kinds and "transferred" in kinds
    for member in Member.objects.all():
        assert validate_id_number(member.id_number) == member.id_number
        assert 20 <= member.age_on(today()) <= 70
    assert Member.objects.filter(id_number__startswith="45").count() > MEMBERS * 0.8
    assert Member.objects.filter(is_leading_cadre=True).exists()


def test_it_does_not_build_twice(demo, db):
    counts = Organization.objects.count(), Member.objects.count()
    out = StringIO()
    call_command("demo", "--no-serve", stdout=out)
    assert "已存在" in out.getvalue()
    assert (Organization.objects.count(), Member.objects.count()) == counts


def test_it_refuses_too_few_members():
    with pytest.raises(ValueError, match="至少需要"):
        generator.make_plan(10)
