"""The organisation tree, moves and its history, committee posts, elections and term status."""
import datetime

import pytest

from dangjian.audit.models import AuditEntry
from dangjian.core.errors import DomainError
from dangjian.organizations.models import Organization, OrgType
from dangjian.organizations.queries import parents_on, term_status, tree_on
from dangjian.organizations.services import (
    create_organization,
    create_post,
    dissolve_organization,
    move_organization,
    record_election,
    update_election,
    update_organization,
    update_post,
)

D = datetime.date


def new_branch(cast, code="A0103", parent=None, **kw):
    return create_organization(actor=kw.pop("actor", None), code=code, name=f"{code}支部", org_type=kw.pop("org_type", OrgType.BRANCH),
                               parent=parent or cast.a01, founded_on=kw.pop("founded_on", D(2017, 1, 1)), **kw)


def test_it_builds_paths_and_depths(cast):
    assert cast.jt.depth == 0 and cast.a01.depth == 1 and cast.a0101g1.depth == 3
    assert set(Organization.objects.subtree(cast.a01).values_list("code", flat=True)) == {
        "A01", "A0101", "A0101G1", "A0102"}


def test_it_audits_a_creation(cast):
    org = new_branch(cast)
    entry = AuditEntry.objects.get(action="organization.create", object_id=str(org.pk))
    assert entry.after["code"] == "A0103" and entry.org_path == org.path and entry.actor_name == "系统"


@pytest.mark.parametrize("org_type,parent_code,code", [
    (OrgType.BRANCH, None, "ORG_PARENT_REQUIRED"),          # only a 党委 may be a root
    (OrgType.GENERAL_BRANCH, "A0101", "ORG_PARENT_TYPE"),   # 党总支 under a branch
    (OrgType.PARTY_GROUP, "A01", "ORG_PARENT_TYPE"),        # 党小组 directly under a 党委
])
def test_it_refuses_a_parent_of_the_wrong_type(cast, org_type, parent_code, code):
    parent = Organization.objects.get(code=parent_code) if parent_code else None
    with pytest.raises(DomainError) as exc:
        create_organization(actor=None, code="X1", name="X", org_type=org_type, parent=parent, founded_on=D(2017, 1, 1))
    assert exc.value.code == code


def test_it_refuses_a_duplicate_code_and_a_bad_code(cast):
    with pytest.raises(DomainError) as exc:
        new_branch(cast, code="A0101")
    assert exc.value.code == "DUPLICATE" and exc.value.field == "code"
    with pytest.raises(DomainError) as exc:
        new_branch(cast, code="甲 1")
    assert exc.value.code == "ORG_CODE"


def test_it_refuses_dissolution_before_founding(cast):
    with pytest.raises(DomainError) as exc:
        new_branch(cast, founded_on=D(2017, 1, 2), dissolved_on=D(2017, 1, 1))
    assert exc.value.field == "dissolved_on"
    assert new_branch(cast, founded_on=D(2017, 1, 2), dissolved_on=D(2017, 1, 2)).dissolved_on == D(2017, 1, 2)


def test_it_refuses_a_discipline_committee_outside_a_party_committee(cast):
    with pytest.raises(DomainError) as exc:
        new_branch(cast, has_discipline_committee=True)
    assert exc.value.code == "ORG_DISCIPLINE"


def test_it_moves_a_subtree_with_one_update_and_keeps_history(cast):
    move_organization(cast.a0101, actor=None, new_parent=cast.b01, moved_on=D(2018, 6, 30), note="垂直管理")
    cast.a0101.refresh_from_db()
    group = Organization.objects.get(code="A0101G1")
    assert cast.a0101.parent == cast.b01 and cast.a0101.path.startswith(cast.b01.path)
    assert group.path.startswith(cast.a0101.path) and group.depth == 3
    assert set(Organization.objects.subtree(cast.b01).values_list("code", flat=True)) == {
        "B01", "B0101", "A0101", "A0101G1"}
    # the tree as it was: under A01 the day before, under B01 on the day
    assert parents_on(D(2018, 6, 29))[cast.a0101.pk] == cast.a01.pk
    assert parents_on(D(2018, 6, 30))[cast.a0101.pk] == cast.b01.pk
    before = [o.code for _, o in tree_on(D(2018, 6, 29), root=cast.a01)]
    after = [o.code for _, o in tree_on(D(2018, 6, 30), root=cast.a01)]
    assert "A0101" in before and "A0101" not in after
    assert AuditEntry.objects.filter(action="organization.move", after__moved_on="2018-06-30").count() == 1


def test_it_refuses_a_move_into_its_own_subtree(cast):
    with pytest.raises(DomainError) as exc:
        move_organization(cast.a01, actor=None, new_parent=cast.a0101, moved_on=D(2018, 1, 1))
    assert exc.value.code in ("ORG_MOVE_CYCLE", "ORG_PARENT_TYPE")
    with pytest.raises(DomainError) as exc:
        move_organization(cast.jt, actor=None, new_parent=cast.a01, moved_on=D(2018, 1, 1))
    assert exc.value.code == "ORG_MOVE_CYCLE"


def test_it_refuses_a_move_dated_on_or_before_the_last_one(cast):
    move_organization(cast.a0102, actor=None, new_parent=cast.b01, moved_on=D(2018, 6, 30))
    with pytest.raises(DomainError) as exc:
        move_organization(cast.a0102, actor=None, new_parent=cast.a01, moved_on=D(2018, 6, 30))
    assert exc.value.code == "DATE_ORDER"
    move_organization(cast.a0102, actor=None, new_parent=cast.a01, moved_on=D(2018, 7, 1))


def test_it_refuses_a_move_under_an_organisation_not_yet_founded(cast):
    late = create_organization(actor=None, code="C01", name="丙市分公司党委", org_type=OrgType.COMMITTEE,
                               parent=cast.jt, founded_on=D(2018, 7, 1))
    with pytest.raises(DomainError) as exc:
        move_organization(cast.a0102, actor=None, new_parent=late, moved_on=D(2018, 6, 30))
    assert exc.value.code == "ORG_PARENT_DATE"
    move_organization(cast.a0102, actor=None, new_parent=late, moved_on=D(2018, 7, 1))


def test_it_shows_organisations_only_while_they_exist(cast):
    org = new_branch(cast, founded_on=D(2017, 1, 1), dissolved_on=D(2018, 1, 1))
    assert org.pk in parents_on(D(2017, 12, 31))
    assert org.pk not in parents_on(D(2018, 1, 1))
    assert org.pk not in parents_on(D(2016, 12, 31))


def test_it_refuses_to_dissolve_an_organisation_with_members(cast):
    with pytest.raises(DomainError) as exc:
        dissolve_organization(cast.a0101, actor=None, dissolved_on=D(2018, 1, 1))
    assert exc.value.code == "ORG_HAS_MEMBERS"


def test_it_does_nothing_when_an_update_changes_nothing(cast):
    count = AuditEntry.objects.count()
    assert update_organization(cast.a01, actor=None, name="甲市分公司党委") is False
    assert AuditEntry.objects.count() == count
    assert update_organization(cast.a01, actor=None, name="甲市分公司党委（新）") is True
    entry = AuditEntry.objects.latest("id")
    assert entry.before == {"name": "甲市分公司党委"} and entry.after == {"name": "甲市分公司党委（新）"}


def test_it_refuses_changes_outside_the_actors_subtree(cast):
    with pytest.raises(DomainError) as exc:
        update_organization(cast.b0101, actor=cast.a01admin, name="改名")
    assert exc.value.code == "FORBIDDEN"
    with pytest.raises(DomainError):
        new_branch(cast, parent=cast.b01, actor=cast.a01admin)
    with pytest.raises(DomainError):
        move_organization(cast.a0102, actor=cast.a01admin, new_parent=cast.b01, moved_on=D(2018, 1, 1))
    with pytest.raises(DomainError):  # a branch secretary may not change the tree
        new_branch(cast, parent=cast.a01, actor=cast.shuji)
    assert new_branch(cast, parent=cast.a01, actor=cast.a01admin).parent == cast.a01


# ---- posts ----

def test_it_refuses_a_second_secretary_at_the_same_time(cast):
    with pytest.raises(DomainError) as exc:
        create_post(actor=None, org=cast.a0101, member=cast.li, post="secretary", started_on=D(2017, 1, 1))
    assert exc.value.code == "POST_SECRETARY_CLASH"
    update_post(cast.secretary_post, actor=None, ended_on=D(2016, 12, 31))
    post = create_post(actor=None, org=cast.a0101, member=cast.li, post="secretary", started_on=D(2017, 1, 1),
                       admin_post="总经理")
    assert post.is_one_shoulder and post.is_held_on(D(2017, 1, 1)) and not post.is_held_on(D(2016, 12, 31))


def test_it_refuses_a_post_ending_before_it_starts(cast):
    with pytest.raises(DomainError) as exc:
        create_post(actor=None, org=cast.a0101, member=cast.li, post="publicity_member", started_on=D(2017, 1, 2),
                    ended_on=D(2017, 1, 1))
    assert exc.value.code == "DATE_ORDER"


def test_it_refuses_a_post_for_someone_not_yet_a_member(cast):
    with pytest.raises(DomainError) as exc:
        create_post(actor=None, org=cast.a0101, member=cast.wang, post="committee_member", started_on=D(2018, 2, 28))
    assert exc.value.code == "POST_NOT_MEMBER"
    create_post(actor=None, org=cast.a0101, member=cast.wang, post="committee_member", started_on=D(2018, 3, 1))


def test_it_keeps_posts_to_their_organisation_types(cast):
    with pytest.raises(DomainError):
        create_post(actor=None, org=cast.a0101g1, member=cast.zhang, post="secretary", started_on=D(2017, 1, 1))
    with pytest.raises(DomainError):
        create_post(actor=None, org=cast.a01, member=cast.zhang, post="discipline_secretary", started_on=D(2017, 1, 1))
    create_post(actor=None, org=cast.jt, member=cast.zhang, post="discipline_secretary", started_on=D(2017, 1, 1))
    create_post(actor=None, org=cast.a0101g1, member=cast.zhang, post="group_leader", started_on=D(2017, 1, 1))


# ---- elections and terms ----

@pytest.mark.parametrize("field,value,code", [
    ("term_years", 1, "ELECTION_TERM"),  # the shortest is 2 (branch terms under the 1990 rules)
    ("term_years", 6, "ELECTION_TERM"),
    ("present", 40, "ELECTION_PRESENT"),
    ("postponed_to", D(2016, 3, 1), "DATE_ORDER"),
])
def test_it_refuses_bad_elections(cast, field, value, code):
    data = dict(held_on=D(2016, 3, 1), term_years=5, expected=30, present=28, seats=5, candidates=6) | {field: value}
    with pytest.raises(DomainError) as exc:
        record_election(actor=None, org=cast.a01, **data)
    assert exc.value.code == code


def test_it_refuses_an_election_for_a_party_group(cast):
    with pytest.raises(DomainError) as exc:
        record_election(actor=None, org=cast.a0101g1, held_on=D(2016, 3, 1), term_years=3, expected=3, present=3,
                        seats=1, candidates=2)
    assert exc.value.code == "ELECTION_ORG_TYPE"


@pytest.mark.parametrize("day,state", [
    (D(2018, 8, 31), "current"),   # the term (2016-03-01 + 3 years) ends 2019-03-01: > 6 months away
    (D(2018, 9, 1), "ending"),     # exactly 6 months before: TERM-03 reminder
    (D(2019, 3, 1), "ending"),     # the day the term ends: not yet overdue
    (D(2019, 3, 2), "overdue"),    # the day after: 应换未换 (TERM-02)
])
def test_it_computes_the_term_status_at_its_boundaries(cast, day, state):
    status = term_status(cast.a0101, day)
    assert status.ends_on == D(2019, 3, 1) and status.state == state


@pytest.mark.parametrize("postponed_to,day,state", [
    (D(2019, 9, 1), D(2019, 9, 1), "ending"),
    (D(2019, 9, 1), D(2019, 9, 2), "overdue"),
    (D(2020, 6, 1), D(2020, 3, 1), "ending"),   # more than 12 months: covers only up to 2020-03-01
    (D(2020, 6, 1), D(2020, 3, 2), "overdue"),
])
def test_it_honours_an_approved_postponement_up_to_twelve_months(cast, postponed_to, day, state):
    update_election(cast.election, actor=None, postponed_to=postponed_to)
    assert term_status(cast.a0101, day).state == state


def test_it_has_no_term_without_an_election(cast):
    assert term_status(cast.a0102, D(2018, 1, 1)).state == "none"
    assert term_status(cast.a0101, D(2016, 2, 29)).state == "none"  # before the first election


def test_it_dissolves_an_empty_organisation_and_audits_it(cast):
    org = new_branch(cast)
    with pytest.raises(DomainError) as exc:
        dissolve_organization(org, actor=cast.shuji, dissolved_on=D(2018, 1, 1))
    assert exc.value.code == "FORBIDDEN"
    with pytest.raises(DomainError) as exc:
        dissolve_organization(org, actor=None, dissolved_on=D(2016, 12, 31))
    assert exc.value.code == "DATE_ORDER"
    assert dissolve_organization(org, actor=cast.a01admin, dissolved_on=D(2018, 1, 1)) is True
    assert AuditEntry.objects.filter(action="organization.dissolve", object_id=str(org.pk)).count() == 1


def test_it_refuses_to_dissolve_a_party_group_with_members(cast):
    with pytest.raises(DomainError) as exc:
        dissolve_organization(cast.a0101g1, actor=None, dissolved_on=D(2018, 1, 1))
    assert exc.value.code == "ORG_HAS_MEMBERS"


def test_it_guards_dissolution_and_retyping_made_through_an_update(cast):
    for changes in ({"dissolved_on": D(2020, 1, 1)}, {"org_type": OrgType.GENERAL_BRANCH}):
        with pytest.raises(DomainError) as exc:
            update_organization(cast.a0101, actor=cast.shuji, **changes)
        assert exc.value.code == "FORBIDDEN"
    with pytest.raises(DomainError) as exc:  # members still held there
        update_organization(cast.a01, actor=cast.a01admin, dissolved_on=D(2020, 1, 1))
    assert exc.value.code == "ORG_HAS_MEMBERS"
    with pytest.raises(DomainError) as exc:  # a 党小组 cannot hold memberships
        update_organization(cast.a0102, actor=None, org_type=OrgType.PARTY_GROUP)
    assert exc.value.code in ("ORG_PARENT_TYPE", "ORG_HAS_MEMBERS")
    cast.a0101.refresh_from_db()
    assert cast.a0101.dissolved_on is None and cast.a0101.org_type == OrgType.BRANCH
    assert update_organization(cast.a0101, actor=cast.shuji, unit_name="甲市分公司一部") is True


def test_it_refuses_a_post_for_a_member_outside_the_actors_scope(cast):
    with pytest.raises(DomainError) as exc:
        create_post(actor=cast.a01admin, org=cast.a0102, member=cast.chen, post="committee_member",
                    started_on=D(2018, 1, 1))
    assert exc.value.code == "FORBIDDEN" and "陈刚" not in exc.value.message


@pytest.mark.parametrize("day,refused", [(None, False), (1, True)])
def test_it_refuses_an_election_not_yet_held(cast, day, refused):
    from dangjian.core.dates import today

    held_on = today() + datetime.timedelta(days=day or 0)
    data = dict(actor=None, org=cast.a0102, held_on=held_on, term_years=3, expected=3, present=3, seats=3,
                candidates=4)
    if refused:
        with pytest.raises(DomainError) as exc:
            record_election(**data)
        assert exc.value.code == "DATE_FUTURE"
    else:
        assert record_election(**data).held_on == held_on  # today: held today


@pytest.mark.parametrize("value,ok", [(1_000_000, True), (1_000_001, False), (-1, False)])
def test_it_bounds_head_counts(cast, value, ok):
    if ok:
        assert update_organization(cast.a01, actor=None, unit_employees=value) is True
    else:
        with pytest.raises(DomainError) as exc:
            update_organization(cast.a01, actor=None, unit_employees=value)
        assert exc.value.code == "NUMBER"


@pytest.mark.parametrize("years", [2, 5])
def test_it_accepts_terms_at_both_ends_of_the_range(cast, years):
    election = record_election(actor=None, org=cast.a01, held_on=D(2016, 3, 1), term_years=years, expected=30,
                               present=28, seats=5, candidates=6)
    assert election.term_ends_on == D(2016 + years, 3, 1)


def test_it_counts_an_organisation_from_its_founding_day(cast):
    org = new_branch(cast, founded_on=D(2017, 1, 1))
    assert org.pk not in parents_on(D(2016, 12, 31))
    assert org.pk in parents_on(D(2017, 1, 1))


def test_it_holds_a_post_through_its_last_day(cast):
    from dangjian.organizations.models import CommitteePost

    update_post(cast.secretary_post, actor=None, ended_on=D(2018, 6, 30))
    held = CommitteePost.objects.filter(pk=cast.secretary_post.pk)
    assert held.held_on(D(2018, 6, 30)).exists() and cast.secretary_post.is_held_on(D(2018, 6, 30))
    assert not held.held_on(D(2018, 7, 1)).exists() and not cast.secretary_post.is_held_on(D(2018, 7, 1))


@pytest.mark.parametrize("start,clash", [(D(2018, 6, 30), True), (D(2018, 7, 1), False)])
def test_it_hands_a_secretary_post_over_from_the_next_day(cast, start, clash):
    update_post(cast.secretary_post, actor=None, ended_on=D(2018, 6, 30))
    if clash:
        with pytest.raises(DomainError) as exc:
            create_post(actor=None, org=cast.a0101, member=cast.li, post="secretary", started_on=start)
        assert exc.value.code == "POST_SECRETARY_CLASH"
    else:
        assert create_post(actor=None, org=cast.a0101, member=cast.li, post="secretary", started_on=start)


def test_it_refuses_a_post_for_someone_who_has_left(cast):
    from dangjian.members.services import record_exit

    record_exit(cast.li, actor=None, kind="withdrew", exited_on=D(2018, 1, 1))
    with pytest.raises(DomainError) as exc:
        create_post(actor=None, org=cast.a0101, member=cast.li, post="committee_member", started_on=D(2018, 1, 1))
    assert exc.value.code == "POST_NOT_MEMBER"
    create_post(actor=None, org=cast.a0101, member=cast.li, post="committee_member", started_on=D(2017, 12, 31))


def test_it_refuses_a_move_under_a_parent_on_the_day_it_is_dissolved(cast):
    closing = create_organization(actor=None, code="C09", name="丙市党委", org_type=OrgType.COMMITTEE,
                                  parent=cast.jt, founded_on=D(2017, 1, 1), dissolved_on=D(2018, 3, 1))
    with pytest.raises(DomainError) as exc:
        move_organization(cast.a0102, actor=None, new_parent=closing, moved_on=D(2018, 3, 1))
    assert exc.value.code == "ORG_PARENT_DATE"
    move_organization(cast.a0102, actor=None, new_parent=closing, moved_on=D(2018, 2, 28))


@pytest.mark.parametrize("postponed_to,day,state", [
    (D(2020, 3, 1), D(2020, 3, 1), "ending"),    # exactly 12 months after the term's end: covered
    (D(2020, 3, 2), D(2020, 3, 2), "overdue"),   # 12 months and a day: covers only up to 2020-03-01
])
def test_it_allows_a_postponement_of_exactly_twelve_months(cast, postponed_to, day, state):
    update_election(cast.election, actor=None, postponed_to=postponed_to)
    assert term_status(cast.a0101, day).state == state


def test_it_lists_a_committee_by_rank_current_posts_first(cast):
    from dangjian.organizations.models import CommitteePost

    create_post(actor=None, org=cast.a0101, member=cast.li, post="publicity_member", started_on=D(2016, 3, 1))
    create_post(actor=None, org=cast.a0101, member=cast.wang, post="deputy_secretary", started_on=D(2018, 3, 1))
    create_post(actor=None, org=cast.a0101, member=cast.li, post="organization_member", started_on=D(2016, 3, 1),
                ended_on=D(2017, 12, 31))
    posts = [(p.post, p.ended_on) for p in CommitteePost.objects.filter(org=cast.a0101).by_rank()]
    assert posts == [("secretary", None), ("deputy_secretary", None), ("publicity_member", None),
                     ("organization_member", D(2017, 12, 31))]


def test_it_lists_the_tree_depth_first_with_children_by_code(cast):
    rows = [(depth, org.code) for depth, org in tree_on(D(2018, 1, 1))]
    assert rows == [(0, "JT"), (1, "A01"), (2, "A0101"), (3, "A0101G1"), (2, "A0102"), (1, "B01"), (2, "B0101")]
    assert [org.code for _, org in tree_on(D(2018, 1, 1), root=cast.a01)] == ["A01", "A0101", "A0101G1", "A0102"]
    assert tree_on(D(2015, 12, 31)) == []  # before anything was founded
