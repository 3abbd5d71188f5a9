"""党内统计 as of a date (dangjian.stats.tables): who counts on the day, at each boundary; the tables; the
organisations; the year's changes and the cross-checks between the tables.

The day of an event: `compute_state` applies an event dated on the as-of day, so a member admitted on the day
counts, one confirmed on the day counts as 正式, one who left or was suspended on the day does not.
"""
import datetime
import itertools

import pytest

from dangjian.core.idcard import make_id_number
from dangjian.members.models import EventKind
from dangjian.members.services import (
    cancel_probation,
    confirm_member,
    create_member,
    record_exit,
    restore_member,
    suspend_member,
    transfer_member,
    update_member,
)
from dangjian.organizations.models import OrgType
from dangjian.organizations.services import create_organization, dissolve_organization, move_organization
from dangjian.stats.tables import (
    AGE_BANDS,
    PARTY_AGE_BANDS,
    TreeHistory,
    members_on,
    org_table,
    statistics,
    year_start,
)

D = datetime.date
AS_OF = D(2018, 12, 31)
_numbers = itertools.count(1)

pytestmark = pytest.mark.django_db


def org(code, parent=None, org_type=OrgType.BRANCH, founded=D(2016, 1, 1), **kw):
    return create_organization(actor=None, code=code, name=f"{code}组织", org_type=org_type, parent=parent,
                               founded_on=founded, **kw)


def person(at, admitted=D(2010, 7, 1), confirmed=D(2011, 7, 1), birth=D(1980, 5, 17), sex="M", **kw):
    """A member of `at`; `confirmed=None` leaves them probationary."""
    n = next(_numbers)
    return create_member(actor=None, id_number=make_id_number("450103", birth, n, sex), name=f"党员{n}", org=at,
                         admitted_on=admitted, confirmed_on=confirmed, **kw)


@pytest.fixture
def tree():
    """ROOT 党委 ── SUB 党委 ── BR1, BR2 党支部; ROOT ── BR3 党支部; OUT: a root outside."""
    t = type("Tree", (), {})()
    t.root = org("ROOT", org_type=OrgType.COMMITTEE)
    t.sub = org("SUB", t.root, org_type=OrgType.COMMITTEE)
    t.br1 = org("BR1", t.sub)
    t.br2 = org("BR2", t.sub)
    t.br3 = org("BR3", t.root)
    t.out = org("OUT", org_type=OrgType.COMMITTEE)
    t.outbr = org("OUTBR", t.out)
    return t


def counts(root, day, table):
    return statistics(root, day).table(table).counts()


def counted(root, day):
    return {c.member.pk for c in members_on(root, day)}


# ---- who counts on the day ----

def test_it_counts_a_member_admitted_on_the_day_and_not_one_admitted_the_day_after(tree):
    on_day = person(tree.br1, admitted=AS_OF, confirmed=None)
    next_day = person(tree.br1, admitted=AS_OF + datetime.timedelta(days=1), confirmed=None)
    assert counted(tree.root, AS_OF) == {on_day.pk}
    assert counts(tree.root, AS_OF, "category") == {"full": 0, "probationary": 1}
    assert next_day.pk in counted(tree.root, D(2019, 1, 1))


def test_it_counts_a_member_confirmed_on_the_day_as_full(tree):
    on_day = person(tree.br1, admitted=D(2017, 12, 31), confirmed=None)
    later = person(tree.br1, admitted=D(2018, 1, 1), confirmed=None)
    confirm_member(on_day, actor=None, confirmed_on=AS_OF)
    confirm_member(later, actor=None, confirmed_on=D(2019, 1, 1))
    assert counts(tree.root, AS_OF, "category") == {"full": 1, "probationary": 1}
    assert counts(tree.root, AS_OF - datetime.timedelta(days=1), "category") == {"full": 0, "probationary": 2}


def test_it_does_not_count_a_member_who_left_on_the_day(tree):
    left, stays = person(tree.br1), person(tree.br1)
    record_exit(left, actor=None, kind=EventKind.WITHDREW, exited_on=AS_OF)
    record_exit(stays, actor=None, kind=EventKind.DIED, exited_on=D(2019, 1, 1))
    assert counted(tree.root, AS_OF) == {stays.pk}
    assert counted(tree.root, AS_OF - datetime.timedelta(days=1)) == {left.pk, stays.pk}


def test_it_does_not_count_a_suspended_member_until_restored(tree):
    m = person(tree.br1)
    suspend_member(m, actor=None, suspended_on=D(2018, 3, 1))
    restore_member(m, actor=None, restored_on=AS_OF)
    assert counted(tree.root, D(2018, 3, 1)) == set()
    assert counted(tree.root, AS_OF) == {m.pk}


def test_it_counts_a_member_by_the_organisation_holding_them_on_the_day(tree):
    m = person(tree.br1)
    transfer_member(m, actor=None, to_org=tree.outbr, transferred_on=AS_OF)
    assert counted(tree.root, AS_OF - datetime.timedelta(days=1)) == {m.pk}
    assert counted(tree.root, AS_OF) == set()
    assert counted(tree.out, AS_OF) == {m.pk}


def test_it_uses_the_tree_as_it_stood_on_the_day(tree):
    """BR3 moves under SUB on 2018-07-01: before, its members count for ROOT but not for SUB."""
    m = person(tree.br3)
    move_organization(tree.br3, actor=None, new_parent=tree.sub, moved_on=D(2018, 7, 1))
    assert counted(tree.sub, D(2018, 6, 30)) == set()
    assert counted(tree.sub, D(2018, 7, 1)) == {m.pk}
    assert counted(tree.root, D(2018, 6, 30)) == counted(tree.root, D(2018, 7, 1)) == {m.pk}


def test_a_root_that_did_not_exist_on_the_day_has_empty_tables(tree):
    new = org("NEW", tree.root, founded=D(2019, 3, 1))
    person(new, admitted=D(2019, 3, 1), confirmed=None)
    stats = statistics(new, AS_OF)
    assert not stats.exists and stats.members == 0
    assert all(t.total == 0 for t in stats.tables)


# ---- the tables ----

def test_age_is_counted_in_completed_years_the_birthday_included(tree):
    turns_31 = person(tree.br1, birth=D(1987, 12, 31))      # 31 on the day
    turns_31_next_day = person(tree.br1, birth=D(1988, 1, 1))  # still 30
    turns_61 = person(tree.br1, birth=D(1957, 12, 31), admitted=D(1990, 7, 1), confirmed=D(1991, 7, 1))
    table = statistics(tree.root, AS_OF).table("age")
    assert table.row("31_35").items == [turns_31.pk]
    assert table.row("le30").items == [turns_31_next_day.pk]
    assert table.row("61_65").items == [turns_61.pk]
    assert [r.key for r in table.rows] == [key for key, *_ in AGE_BANDS]


def test_party_age_counts_from_confirmation(tree):
    five = person(tree.br1, admitted=D(2000, 1, 1), confirmed=D(2013, 12, 31))  # 5 years on the day
    four = person(tree.br1, admitted=D(2000, 1, 1), confirmed=D(2014, 1, 1))    # admitted 18 years ago: still 4
    fifty = person(tree.br1, birth=D(1940, 1, 1), admitted=D(1967, 12, 31), confirmed=D(1968, 12, 31))
    probationary = person(tree.br1, admitted=D(2018, 6, 1), confirmed=None)
    old_record = person(tree.br1, confirmed=None, full_member=True)  # 正式党员 without a 转正日期
    table = statistics(tree.root, AS_OF).table("party_age")
    assert table.row("5_9").items == [five.pk]
    assert table.row("lt5").items == [four.pk]
    assert table.row("ge50").items == [fifty.pk]
    assert table.row("probationary").items == [probationary.pk]
    assert table.row("unknown").items == [old_record.pk]
    assert [r.key for r in table.rows][:len(PARTY_AGE_BANDS)] == [key for key, *_ in PARTY_AGE_BANDS]


def test_the_attribute_tables(tree):
    a = person(tree.br1, sex="F", ethnicity="壮族", education="bachelor", post_category="management",
               is_leading_cadre=True)
    b = person(tree.br2, ethnicity="壮族", education="postgraduate", post_category="professional")
    c = person(tree.br3, ethnicity="回族", admitted=D(2012, 11, 1), confirmed=D(2013, 11, 1))
    d = person(tree.br3, ethnicity="", admitted=D(2012, 10, 31), confirmed=D(2013, 10, 31))
    e = person(tree.br3)
    stats = statistics(tree.root, AS_OF)
    assert stats.table("sex").counts() == {"M": 4, "F": 1}
    assert stats.table("ethnicity").counts() == {"han": 1, "minority": 3, "minority:壮族": 2, "minority:回族": 1,
                                                 "none": 1}
    assert stats.table("ethnicity").row("minority:壮族").level == 1
    assert stats.table("education").row("bachelor").items == [a.pk]
    assert stats.table("education").row("postgraduate").items == [b.pk]
    assert stats.table("education").row("none").items == [c.pk, d.pk, e.pk]
    assert stats.table("post").row("management").items == [a.pk]
    assert stats.table("leading").counts() == {"yes": 1, "no": 4}
    joined = stats.table("joined")
    assert joined.row("from_2012_11").items == [c.pk]
    assert joined.row("to_2012_10").items == [a.pk, b.pk, d.pk, e.pk]


def test_organisations_are_counted_by_type_as_they_existed_on_the_day(tree):
    org("G1", tree.br1, org_type=OrgType.PARTY_GROUP)
    org("JB", tree.sub, org_type=OrgType.JOINT_BRANCH)
    org("GB", tree.root, org_type=OrgType.GENERAL_BRANCH)
    org("TB", tree.root, org_type=OrgType.TEMPORARY_BRANCH, founded=D(2019, 1, 1))  # the day after
    gone = org("GONE", tree.root)
    dissolve_organization(gone, actor=None, dissolved_on=AS_OF)                   # gone on the day
    table = org_table(tree.root, AS_OF)
    assert table.counts() == {"committee": 2, "general_branch": 1, "branches": 4, "branch": 3, "joint_branch": 1,
                              "temporary_branch": 0, "party_group": 1}
    assert table.total == 2 + 1 + 4 + 1
    assert org_table(tree.root, D(2019, 1, 1)).counts()["temporary_branch"] == 1
    assert org_table(tree.root, AS_OF - datetime.timedelta(days=1)).counts()["branch"] == 4
    assert org_table(tree.out, AS_OF).total == 2  # another tree is not counted


# ---- the year's changes ----

@pytest.fixture
def year(tree):
    """A 2018 with every kind of change for ROOT (and SUB inside it)."""
    y = tree
    y.stay = person(tree.br1)
    y.recruit = person(tree.br1, admitted=D(2018, 3, 1), confirmed=None)
    y.confirmed = person(tree.br2, admitted=D(2017, 5, 1), confirmed=None)
    confirm_member(y.confirmed, actor=None, confirmed_on=D(2018, 5, 1))
    y.came = person(tree.outbr)
    transfer_member(y.came, actor=None, to_org=tree.br2, transferred_on=D(2018, 4, 1))
    y.went = person(tree.br2)
    transfer_member(y.went, actor=None, to_org=tree.outbr, transferred_on=D(2018, 4, 2))
    y.inside = person(tree.br1)  # moves inside ROOT: neither in nor out for ROOT; out of SUB
    transfer_member(y.inside, actor=None, to_org=tree.br3, transferred_on=D(2018, 6, 1))
    y.exits = {}
    for kind in (EventKind.WITHDREW, EventKind.STRUCK_OFF, EventKind.EXPELLED, EventKind.PERSUADED, EventKind.DIED):
        y.exits[kind] = person(tree.br1)
        record_exit(y.exits[kind], actor=None, kind=kind, exited_on=D(2018, 8, 1))
    y.cancelled = person(tree.br1, admitted=D(2017, 9, 1), confirmed=None)
    cancel_probation(y.cancelled, actor=None, cancelled_on=D(2018, 9, 1))
    y.suspended = person(tree.br3)
    suspend_member(y.suspended, actor=None, suspended_on=D(2018, 2, 1))
    y.restored = person(tree.br3)
    suspend_member(y.restored, actor=None, suspended_on=D(2017, 6, 1))
    restore_member(y.restored, actor=None, restored_on=D(2018, 10, 1))
    y.twice = person(tree.br1)  # out and back: one 转出 and one 转入
    transfer_member(y.twice, actor=None, to_org=tree.outbr, transferred_on=D(2018, 2, 1))
    transfer_member(y.twice, actor=None, to_org=tree.br1, transferred_on=D(2018, 11, 1))
    # A whole branch of another tree joins ROOT on 2018-07-01 with its member (整建制转入).
    y.moved_branch = org("MOVED", tree.out)
    y.moved = person(y.moved_branch)
    move_organization(y.moved_branch, actor=None, new_parent=tree.root, moved_on=D(2018, 7, 1))
    y.before_year = person(tree.br1)
    record_exit(y.before_year, actor=None, kind=EventKind.DIED, exited_on=D(2017, 12, 31))  # not in 2018
    return y


def test_the_year_changes_count_each_kind(year):
    table = statistics(year.root, AS_OF).table("changes")
    c = table.counts()
    # On 2017-12-31: stay, confirmed (then 预备), went, inside, the five exits, cancelled, suspended, twice; not the
    # recruit, came (outside), restored (then suspended), moved (another tree) nor before_year (died that day).
    assert c["start"] == 12
    assert {k: c[k] for k in ("recruited", "restored", "transferred_in", "unit_in", "other_in")} == \
        {"recruited": 1, "restored": 1, "transferred_in": 2, "unit_in": 1, "other_in": 0}
    assert c["added"] == 5
    assert {k: c[k] for k in ("withdrew", "struck_off", "expelled", "persuaded")} == \
        {"withdrew": 1, "struck_off": 1, "expelled": 1, "persuaded": 1}
    assert {k: c[k] for k in ("left", "cancelled", "suspended", "died", "transferred_out", "unit_out", "other_out")} \
        == {"left": 4, "cancelled": 1, "suspended": 1, "died": 1, "transferred_out": 2, "unit_out": 0,
            "other_out": 0}
    assert c["removed"] == 9
    assert c["expected"] == c["end"] == 12 + 5 - 9 and c["difference"] == 0
    assert {pk for pk in table.row("end").items} == {m.pk for m in (year.stay, year.recruit, year.confirmed, year.came,
                                                                    year.inside, year.restored, year.twice, year.moved)}
    assert c["confirmed"] == 1
    assert table.row("transferred_in").items == [(year.came.pk, D(2018, 4, 1)), (year.twice.pk, D(2018, 11, 1))]
    assert table.row("unit_in").items == [(year.moved.pk, D(2018, 7, 1))]


def test_a_transfer_inside_the_subtree_is_neither_in_nor_out_but_counts_for_the_branch_below(year):
    root = statistics(year.root, AS_OF).table("changes")
    assert year.inside.pk not in {pk for pk, _ in root.row("transferred_out").items}
    sub = statistics(year.sub, AS_OF).table("changes")
    assert (year.inside.pk, D(2018, 6, 1)) in sub.row("transferred_out").items


def test_a_whole_branch_moving_away_is_a_unit_transfer_out(year):
    out = statistics(year.out, AS_OF).table("changes").counts()
    assert out["unit_out"] == 1 and out["difference"] == 0


def test_a_member_left_in_a_dissolved_organisation_shows_as_another_removal(tree):
    gone = org("GONE", tree.root)
    m = person(gone)
    transfer_member(m, actor=None, to_org=tree.outbr, transferred_on=D(2018, 7, 15))
    dissolve_organization(gone, actor=None, dissolved_on=D(2018, 6, 30))  # dissolved before the transfer
    c = statistics(tree.root, AS_OF).table("changes").counts()
    assert c["other_out"] == 1 and c["transferred_out"] == 0 and c["difference"] == 0


def _every_week(year_):
    day = D(year_, 1, 1)
    while day.year == year_:
        yield day
        day += datetime.timedelta(days=7)
    yield D(year_, 12, 31)


def test_start_plus_additions_minus_removals_is_the_end_on_every_day_of_the_year(year):
    """Walked over the year a week at a time, for each organisation: the change table balances against the
    member count computed on its own, and its start is the count of 31 December before."""
    for root in (year.root, year.sub, year.br1, year.br3, year.out):
        tree = TreeHistory(root)
        for day in _every_week(2018):
            c = statistics(root, day).table("changes").counts()
            assert c["start"] == len(members_on(root, year_start(day), tree)), (root.code, day)
            assert c["start"] + c["added"] - c["removed"] == len(members_on(root, day, tree)), (root.code, day)
            assert c["difference"] == 0
            assert c["added"] == sum(c[k] for k in ("recruited", "restored", "transferred_in", "unit_in",
                                                    "other_in"))
            assert c["removed"] == sum(c[k] for k in ("left", "cancelled", "suspended", "died", "transferred_out",
                                                      "unit_out", "other_out"))
            assert c["left"] == sum(c[k] for k in ("withdrew", "struck_off", "expelled", "persuaded"))


def test_every_table_adds_up_to_the_member_total(year):
    for root in (year.root, year.sub, year.out):
        for day in (D(2017, 12, 31), D(2018, 6, 30), AS_OF):
            stats = statistics(root, day)
            member_tables = [t for t in stats.tables if t.subject == "member"]
            assert len(member_tables) == 10
            for table in member_tables:
                assert table.total == stats.members, (root.code, day, table.key)
                level0 = [r for r in table.rows if r.level == 0]
                if table.key != "changes":
                    assert sum(r.count for r in level0) == stats.members
                    assert sorted(pk for r in level0 for pk in r.items) == \
                        sorted(c.member.pk for c in members_on(root, day))
            ethnicity = stats.table("ethnicity")
            minority = ethnicity.row("minority").count
            assert minority == sum(r.count for r in ethnicity.rows if r.level == 1)
            orgs = stats.table("organizations")
            assert orgs.row("branches").count == sum(r.count for r in orgs.rows if r.level == 1)


def test_later_events_leave_the_earlier_figures_unchanged(year):
    before = {code: statistics(getattr(year, code), AS_OF).as_dict() for code in ("root", "sub", "out")}
    # 2019: a transfer out and one inside, an exit, a confirmation, a suspension, a recruit, a new branch,
    # a branch moved out of the tree and an organisation dissolved.
    transfer_member(year.stay, actor=None, to_org=year.outbr, transferred_on=D(2019, 1, 1))
    transfer_member(year.came, actor=None, to_org=year.br1, transferred_on=D(2019, 2, 1))
    record_exit(year.inside, actor=None, kind=EventKind.DIED, exited_on=D(2019, 3, 1))
    confirm_member(year.recruit, actor=None, confirmed_on=D(2019, 3, 1))
    suspend_member(year.twice, actor=None, suspended_on=D(2019, 4, 1))
    new = org("NEW", year.sub, founded=D(2019, 5, 1))
    person(new, admitted=D(2019, 5, 1), confirmed=None)
    move_organization(year.moved_branch, actor=None, new_parent=year.out, moved_on=D(2019, 6, 1))
    transfer_member(year.moved, actor=None, to_org=year.br3, transferred_on=D(2019, 6, 2))
    dissolve_organization(year.moved_branch, actor=None, dissolved_on=D(2019, 7, 1))
    update_member(year.stay, actor=None, name="改名后")  # an attribute without figures
    after = {code: statistics(getattr(year, code), AS_OF).as_dict() for code in ("root", "sub", "out")}
    assert after == before
    assert statistics(year.root, D(2019, 12, 31)).as_dict() != before["root"]
