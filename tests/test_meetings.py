"""Organisational life: meetings of several types, attendance person by person, votes (MTG-02/MTG-03),
corrections and their audit, attachments, permissions and 党员之家."""
import datetime
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dangjian.audit.models import AuditEntry
from dangjian.core.errors import DomainError, PermissionDenied
from dangjian.meetings import services
from dangjian.meetings.models import (
    Attachment,
    Attendance,
    Meeting,
    MeetingKind,
    MeetingType,
    PartyHome,
    Vote,
    VoteResult,
)
from dangjian.meetings.services import (
    add_attachment,
    create_party_home,
    delete_meeting,
    record_meeting,
    record_vote,
    remove_attachment,
    update_meeting,
    update_party_home,
    update_vote,
    vote_outcome,
)
from dangjian.members.services import confirm_member
from dangjian.organizations.models import OrgType
from dangjian.organizations.services import MAX_HEADCOUNT, create_organization, dissolve_organization

D = datetime.date
HELD = D(2019, 1, 10)  # wang (admitted 2018-03-01, never confirmed) is probationary on this day


def meet(cast, **kw):
    data = dict(actor=None, org=cast.a0101, held_on=HELD, subject="学习新修订的党章", types=["branch_general"],
                expected=10, present=8) | kw
    return record_meeting(**data)


def refused(call, **kw):
    with pytest.raises(DomainError) as exc:
        call(**kw)
    return exc.value


def audit_count(action=None):
    qs = AuditEntry.objects.all()
    return (qs.filter(action=action) if action else qs).count()


@pytest.fixture
def frozen(monkeypatch):
    """The services' clock stopped on 2020-06-30."""
    monkeypatch.setattr(services, "today", lambda: D(2020, 6, 30))
    return D(2020, 6, 30)


# ---- a meeting and its types ----

def test_a_meeting_counts_as_each_of_its_types_in_meeting_type_order(cast):
    meeting = meet(cast, types=["theme_day", "branch_general", "theme_day"])
    assert meeting.types == ["branch_general", "theme_day"]
    assert meeting.type_labels == "支部党员大会、主题党日"
    kinds = MeetingKind.objects.filter(meeting=meeting)
    assert sorted(kinds.values_list("kind", flat=True)) == ["branch_general", "theme_day"]
    assert {(k.org_id, k.held_on) for k in kinds} == {(cast.a0101.pk, HELD)}
    entry = AuditEntry.objects.get(action="meeting.create", object_id=str(meeting.pk))
    assert entry.after["types"] == ["branch_general", "theme_day"] and entry.org_code == "A0101"


def test_the_rule_checks_find_a_theme_day_of_a_subtree_in_one_query(cast):
    meet(cast, types=["theme_day", "branch_general"])
    meet(cast, org=cast.a0102, types=["lecture"], held_on=D(2019, 1, 20))
    found = MeetingKind.objects.filter(org__path__startswith=cast.a01.path, kind=MeetingType.THEME_DAY,
                                       held_on__year=2019, held_on__month=1)
    assert [k.org.code for k in found] == ["A0101"]


@pytest.mark.parametrize("types,code", [
    ([], "REQUIRED"),
    (None, "REQUIRED"),
    (["party_day"], "CHOICE"),
    (["branch_general", "party_day"], "CHOICE"),
])
def test_it_refuses_missing_or_unknown_types(cast, types, code):
    err = refused(meet, cast=cast, types=types)
    assert (err.code, err.field) == (code, "types")
    assert not Meeting.objects.exists() and audit_count("meeting.create") == 0


@pytest.mark.parametrize("org_code,types", [
    ("A0101", ["group"]),                   # 党小组会 is held by a 党小组, not a branch
    ("A0101", ["committee"]),               # 党委会 by a 党委
    ("A0101", ["theme_day", "congress"]),   # one wrong type spoils the whole record
    ("A01", ["branch_general"]),            # 支部党员大会 not by a 党委
    ("A01", ["branch_committee"]),
    ("A0101G1", ["branch_general"]),        # nor by a 党小组
])
def test_it_refuses_a_type_the_organisation_does_not_hold(cast, org_code, types):
    org = {"A0101": cast.a0101, "A01": cast.a01, "A0101G1": cast.a0101g1}[org_code]
    err = refused(meet, cast=cast, org=org, types=types)
    assert (err.code, err.field) == ("MEETING_ORG_TYPE", "types")
    assert not Meeting.objects.exists()


@pytest.mark.parametrize("org_code,types", [
    ("A0101G1", ["group"]), ("A01", ["committee", "committee_extended"]), ("JT", ["congress"]),
    ("A0101", ["branch_committee", "lecture", "life_meeting", "appraisal", "talk"]),
    ("A01", ["lecture", "theme_day"]),  # types no organisation type is reserved for
])
def test_it_accepts_the_types_an_organisation_holds(cast, org_code, types):
    org = {"A0101": cast.a0101, "A01": cast.a01, "A0101G1": cast.a0101g1, "JT": cast.jt}[org_code]
    assert meet(cast, org=org, types=types).types == [t for t in MeetingType.values if t in types]


def test_a_general_branch_holds_a_general_meeting_and_a_democratic_life_meeting(cast):
    org = create_organization(actor=None, code="A0103", name="甲市党总支", org_type=OrgType.GENERAL_BRANCH,
                              parent=cast.a01, founded_on=D(2017, 1, 1))
    meeting = meet(cast, org=org, types=["democratic_life", "branch_general"])
    assert meeting.types == ["branch_general", "democratic_life"]


def test_it_accepts_a_meeting_held_today_but_not_tomorrow(cast, frozen):
    assert meet(cast, held_on=frozen).held_on == frozen
    err = refused(meet, cast=cast, held_on=frozen + datetime.timedelta(days=1))
    assert (err.code, err.field) == ("DATE_FUTURE", "held_on")
    assert Meeting.objects.count() == 1


def test_it_refuses_a_meeting_without_a_date(cast):
    err = refused(meet, cast=cast, held_on=None)
    assert (err.code, err.field) == ("REQUIRED", "held_on")


def test_it_refuses_a_date_before_founding_or_after_dissolution(cast):
    err = refused(meet, cast=cast, held_on=D(2015, 12, 31))  # A0101 founded 2016-01-01
    assert (err.code, err.field) == ("MEETING_ORG_DATE", "held_on")
    assert meet(cast, held_on=D(2016, 1, 1)).held_on == D(2016, 1, 1)
    org = create_organization(actor=None, code="A0103", name="甲市三支部", org_type=OrgType.BRANCH,
                              parent=cast.a01, founded_on=D(2017, 1, 1))
    dissolve_organization(org, actor=None, dissolved_on=D(2018, 6, 30))
    org.refresh_from_db()
    assert meet(cast, org=org, held_on=D(2018, 6, 30), expected=0, present=0).org == org
    err = refused(meet, cast=cast, org=org, held_on=D(2018, 7, 1), expected=0, present=0)
    assert (err.code, err.field) == ("MEETING_ORG_DATE", "held_on")
    assert Meeting.objects.count() == 2


@pytest.mark.parametrize("expected,present,code,field", [
    (10, 11, "MEETING_PRESENT", "present"),
    (-1, 0, "NUMBER", "expected"),
    (10, -1, "NUMBER", "present"),
    (MAX_HEADCOUNT + 1, 0, "NUMBER", "expected"),
    (None, 0, "NUMBER", "expected"),
    ("10", 8, "NUMBER", "expected"),
    (10, 8.0, "NUMBER", "present"),
])
def test_it_refuses_impossible_head_counts(cast, expected, present, code, field):
    err = refused(meet, cast=cast, expected=expected, present=present)
    assert (err.code, err.field) == (code, field)
    assert not Meeting.objects.exists()


def test_it_accepts_head_counts_at_their_limits(cast):
    assert meet(cast, expected=0, present=0).present == 0
    assert meet(cast, expected=MAX_HEADCOUNT, present=MAX_HEADCOUNT).expected == MAX_HEADCOUNT
    assert meet(cast, expected=10, present=10).present == 10


def test_it_refuses_an_empty_or_too_long_subject(cast):
    for subject in ("", "   ", None):
        err = refused(meet, cast=cast, subject=subject)
        assert (err.code, err.field) == ("REQUIRED", "subject")
    err = refused(meet, cast=cast, subject="学" * 201)
    assert (err.code, err.field) == ("TOO_LONG", "subject")
    assert "主题最长200个字" in err.message
    assert meet(cast, subject="  " + "学" * 200 + " ").subject == "学" * 200
    err = refused(meet, cast=cast, location="地" * 121)
    assert (err.code, err.field) == ("TOO_LONG", "location")


def test_it_refuses_an_unknown_topic_and_orders_the_topics(cast):
    err = refused(meet, cast=cast, topics=["study", "gossip"])
    assert (err.code, err.field) == ("CHOICE", "topics")
    assert meet(cast, topics=["study", "major_matters", "study"]).topics == ["major_matters", "study"]


def test_it_refuses_a_chair_or_lecturer_who_was_not_a_member_on_the_day(cast):
    err = refused(meet, cast=cast, held_on=D(2018, 2, 28), chair=cast.wang)  # admitted 2018-03-01
    assert (err.code, err.field) == ("MEETING_NOT_MEMBER", "chair")
    err = refused(meet, cast=cast, held_on=D(2018, 2, 28), types=["lecture"], lecturer=cast.wang)
    assert (err.code, err.field) == ("MEETING_NOT_MEMBER", "lecturer")
    assert not Meeting.objects.exists()
    # a probationary member may chair; the member on the day, not today, is what counts
    assert meet(cast, held_on=D(2018, 3, 1), chair=cast.wang).chair == cast.wang


# ---- attendance person by person ----

def roll(cast, *absent, reasons=None):
    """zhang, li and wang: all attend except `absent`."""
    reasons = reasons or {}
    return [(m, m not in absent, reasons.get(m.name, "")) for m in (cast.zhang, cast.li, cast.wang)]


def test_it_keeps_absence_reasons_and_drops_reasons_of_those_who_came(cast):
    rows = [(cast.zhang, True, "其实来了"), (cast.li, False, "  出差  "), (cast.wang, False, "")]
    meeting = meet(cast, expected=3, present=1, attendance=rows)
    got = {a.member.name: (a.attended, a.absence_reason) for a in meeting.attendance.all()}
    assert got == {"张建国": (True, ""), "李秀英": (False, "出差"), "王志强": (False, "")}
    entry = AuditEntry.objects.get(action="meeting.create")
    assert entry.after["attendance"] == sorted(["张建国", "李秀英（缺席：出差）", "王志强（缺席）"])


def test_present_must_equal_those_who_came(cast):
    for present in (1, 3, 0):
        err = refused(meet, cast=cast, expected=3, present=present, attendance=roll(cast, cast.li))
        assert (err.code, err.field) == ("ATTENDANCE_COUNT", "present")
    assert not Meeting.objects.exists() and not Attendance.objects.exists()
    # fewer on the list than expected is allowed (the others are not recorded one by one)
    assert meet(cast, expected=5, present=2, attendance=roll(cast, cast.li)).attendance.count() == 3


def test_it_refuses_a_person_listed_twice(cast):
    rows = [(cast.zhang, True, ""), (cast.li, True, ""), (cast.zhang, False, "病假")]
    err = refused(meet, cast=cast, expected=3, present=2, attendance=rows)
    assert (err.code, err.field) == ("ATTENDANCE_DUPLICATE", "attendance")
    assert not Meeting.objects.exists()


def test_it_refuses_a_list_longer_than_expected(cast):
    err = refused(meet, cast=cast, expected=2, present=2, attendance=roll(cast, cast.wang))
    assert (err.code, err.field) == ("ATTENDANCE_COUNT", "expected")
    assert not Meeting.objects.exists() and not Attendance.objects.exists()


def test_it_refuses_a_person_not_yet_a_member_on_the_list(cast):
    err = refused(meet, cast=cast, held_on=D(2018, 2, 28), expected=3, present=3, attendance=roll(cast))
    assert (err.code, err.field) == ("MEETING_NOT_MEMBER", "attendance")
    assert "王志强" in err.message


def test_it_refuses_an_absence_reason_too_long(cast):
    err = refused(meet, cast=cast, expected=3, present=2, attendance=roll(cast, cast.li, reasons={"李秀英": "病" * 121}))
    assert (err.code, err.field) == ("TOO_LONG", "absence_reason")


# ---- votes (MTG-02, MTG-03) ----

@pytest.mark.parametrize("expected,present,yes,result", [
    (10, 5, 5, VoteResult.NO_QUORUM),   # half present is not more than half
    (10, 5, 0, VoteResult.NO_QUORUM),
    (10, 6, 5, VoteResult.REJECTED),    # half of 应到 voting yes is not more than half
    (10, 6, 6, VoteResult.PASSED),
    (10, 10, 5, VoteResult.REJECTED),   # the denominator is 应到, not 实到: 5 of 10 present fails
    (9, 4, 4, VoteResult.NO_QUORUM),
    (9, 5, 4, VoteResult.REJECTED),
    (9, 5, 5, VoteResult.PASSED),
    (9, 9, 4, VoteResult.REJECTED),
    (1, 1, 1, VoteResult.PASSED),
    (1, 0, 0, VoteResult.NO_QUORUM),
    (0, 0, 0, VoteResult.NO_QUORUM),
    (2, 2, 1, VoteResult.REJECTED),
    (3, 2, 2, VoteResult.PASSED),
])
def test_vote_outcome_at_the_boundaries(expected, present, yes, result):
    assert vote_outcome(expected, present, yes, D(2019, 1, 10)) == result
    assert vote_outcome(expected, present, yes) == result


@pytest.mark.parametrize("expected,present,yes,result", [
    (10, 5, 5, VoteResult.NO_QUORUM),
    (10, 6, 5, VoteResult.REJECTED),
    (10, 6, 6, VoteResult.PASSED),
    (9, 4, 4, VoteResult.NO_QUORUM),
    (9, 5, 4, VoteResult.REJECTED),
    (9, 5, 5, VoteResult.PASSED),
])
def test_a_vote_is_stored_with_its_computed_result(cast, expected, present, yes, result):
    meeting = meet(cast, expected=expected, present=present)
    vote = record_vote(meeting, actor=None, matter="接收王志强为预备党员", yes=yes)
    vote = Vote.objects.get(pk=vote.pk)
    assert (vote.expected_voters, vote.present_voters, vote.yes) == (expected, present, yes)
    assert vote.result == result
    entry = AuditEntry.objects.get(action="vote.create", object_id=str(vote.pk))
    assert entry.after["result"] == result and entry.org_code == "A0101"


def test_a_failed_vote_is_never_stored_as_passed(cast):
    meeting = meet(cast, expected=10, present=10)
    vote = record_vote(meeting, actor=None, matter="表决事项", yes=5, no=5, abstain=0)
    assert Vote.objects.get(pk=vote.pk).result == VoteResult.REJECTED
    assert not Vote.objects.filter(result=VoteResult.PASSED).exists()
    with pytest.raises(TypeError):  # the result is computed, never typed
        record_vote(meeting, actor=None, matter="表决事项", yes=5, result=VoteResult.PASSED)


def test_explicit_voter_numbers_without_attendance(cast):
    meeting = meet(cast, expected=10, present=8)
    vote = record_vote(meeting, actor=None, matter="事项", yes=5, expected_voters=9, present_voters=7)
    assert (vote.expected_voters, vote.present_voters, vote.result) == (9, 7, VoteResult.PASSED)
    err = refused(record_vote, meeting=meeting, actor=None, matter="事项", yes=5, expected_voters=11)
    assert (err.code, err.field) == ("VOTE_COUNT", "expected_voters")
    err = refused(record_vote, meeting=meeting, actor=None, matter="事项", yes=5, present_voters=9)
    assert (err.code, err.field) == ("VOTE_COUNT", "present_voters")
    err = refused(record_vote, meeting=meeting, actor=None, matter="事项", yes=5, expected_voters=6, present_voters=7)
    assert (err.code, err.field) == ("VOTE_COUNT", "present_voters")
    assert Vote.objects.count() == 1


@pytest.mark.parametrize("yes,no,abstain,ok", [
    (8, None, None, True), (6, 1, 1, True), (6, 2, 1, False), (9, None, None, False), (0, 0, 9, False),
])
def test_the_tally_cannot_exceed_those_present_with_a_vote(cast, yes, no, abstain, ok):
    meeting = meet(cast, expected=10, present=8)
    if ok:
        vote = record_vote(meeting, actor=None, matter="事项", yes=yes, no=no, abstain=abstain)
        assert vote.result == VoteResult.PASSED
    else:
        err = refused(record_vote, meeting=meeting, actor=None, matter="事项", yes=yes, no=no, abstain=abstain)
        assert (err.code, err.field) == ("VOTE_COUNT", "yes")
        assert not Vote.objects.exists() and audit_count("vote.create") == 0


def test_it_refuses_a_vote_without_a_matter_or_with_bad_numbers(cast):
    meeting = meet(cast)
    err = refused(record_vote, meeting=meeting, actor=None, matter="  ", yes=5)
    assert (err.code, err.field) == ("REQUIRED", "matter")
    err = refused(record_vote, meeting=meeting, actor=None, matter="事" * 201, yes=5)
    assert (err.code, err.field) == ("TOO_LONG", "matter")
    for field, value in (("yes", -1), ("yes", None), ("no", -2), ("abstain", "1")):
        kw = {"yes": 5} | {field: value}
        err = refused(record_vote, meeting=meeting, actor=None, matter="事项", **kw)
        assert (err.code, err.field) == ("NUMBER", field)
    assert not Vote.objects.exists()


def test_probationary_members_are_not_counted_among_the_voters(cast):
    meeting = meet(cast, expected=3, present=3, attendance=roll(cast))
    vote = record_vote(meeting, actor=None, matter="事项", yes=2)
    assert (vote.expected_voters, vote.present_voters, vote.result) == (2, 2, VoteResult.PASSED)
    # wang is on the list but has no vote: three yes votes from two voters are refused
    err = refused(record_vote, meeting=meeting, actor=None, matter="事项", yes=3)
    assert (err.code, err.field) == ("VOTE_COUNT", "yes")
    # explicit numbers that disagree with the list are refused; agreeing ones are accepted
    for kw in ({"expected_voters": 3}, {"present_voters": 3}, {"expected_voters": 3, "present_voters": 3}):
        err = refused(record_vote, meeting=meeting, actor=None, matter="事项", yes=2, **kw)
        assert err.code == "VOTE_COUNT" and "预备党员没有表决权" in err.message
    vote = record_vote(meeting, actor=None, matter="事项二", yes=1, expected_voters=2, present_voters=2)
    assert vote.result == VoteResult.REJECTED
    assert Vote.objects.count() == 2


def test_an_absent_full_member_counts_as_expected_and_an_absent_probationary_member_not_at_all(cast):
    meeting = meet(cast, expected=3, present=2, attendance=roll(cast, cast.li))
    vote = record_vote(meeting, actor=None, matter="事项", yes=1)
    assert (vote.expected_voters, vote.present_voters, vote.result) == (2, 1, VoteResult.NO_QUORUM)
    meeting = meet(cast, expected=3, present=2, attendance=roll(cast, cast.wang))
    vote = record_vote(meeting, actor=None, matter="事项", yes=2)
    assert (vote.expected_voters, vote.present_voters, vote.result) == (2, 2, VoteResult.PASSED)


def test_a_confirmed_member_votes_from_the_confirmation_on(cast):
    confirm_member(cast.wang, actor=None, confirmed_on=D(2019, 3, 1))
    before = meet(cast, held_on=D(2019, 2, 28), expected=3, present=3, attendance=roll(cast))
    after = meet(cast, held_on=D(2019, 3, 1), expected=3, present=3, attendance=roll(cast))
    assert record_vote(before, actor=None, matter="事项", yes=2).expected_voters == 2
    vote = record_vote(after, actor=None, matter="事项", yes=2)
    assert (vote.expected_voters, vote.present_voters, vote.result) == (3, 3, VoteResult.PASSED)


def test_people_left_off_the_list_still_count_as_expected(cast):
    """A list of the 3 who came to a meeting of 10 cannot make a quorum of 3 out of 3."""
    rows = [(cast.zhang, True, ""), (cast.li, True, "")]
    meeting = meet(cast, expected=10, present=2, attendance=rows)
    vote = record_vote(meeting, actor=None, matter="事项", yes=2)
    assert (vote.expected_voters, vote.present_voters, vote.result) == (10, 2, VoteResult.NO_QUORUM)
    err = refused(record_vote, meeting=meeting, actor=None, matter="事项", yes=2, expected_voters=2)
    assert err.code == "VOTE_COUNT" and "应到有表决权的10人" in err.message
    # wang (probationary) added to the list of a meeting of 3: the one left off still counts
    meeting = meet(cast, expected=4, present=3, attendance=roll(cast))
    vote = record_vote(meeting, actor=None, matter="事项", yes=2)
    assert (vote.expected_voters, vote.present_voters, vote.result) == (3, 2, VoteResult.PASSED)
    assert update_meeting(meeting, actor=None, expected=5) is True  # two left off now: 2 of 4 is no quorum
    vote = Vote.objects.get(pk=vote.pk)
    assert (vote.expected_voters, vote.present_voters, vote.result) == (4, 2, VoteResult.NO_QUORUM)


def test_update_vote_recomputes_the_result(cast):
    meeting = meet(cast, expected=10, present=8)
    vote = record_vote(meeting, actor=None, matter="事项", yes=5)
    assert vote.result == VoteResult.REJECTED
    assert update_vote(vote, actor=None, yes=6) is True
    vote = Vote.objects.get(pk=vote.pk)
    assert (vote.yes, vote.result) == (6, VoteResult.PASSED)
    entry = AuditEntry.objects.get(action="vote.update")
    assert entry.before == {"yes": 5, "result": "rejected"} and entry.after == {"yes": 6, "result": "passed"}
    assert update_vote(vote, actor=None, yes=3, present_voters=5) is True
    assert Vote.objects.get(pk=vote.pk).result == VoteResult.NO_QUORUM
    assert update_vote(vote, actor=None, yes=3, matter="事项") is False
    assert audit_count("vote.update") == 2
    err = refused(update_vote, vote=vote, actor=None, no=3)
    assert (err.code, err.field) == ("VOTE_COUNT", "yes")
    assert Vote.objects.get(pk=vote.pk).no is None
    with pytest.raises(ValueError):
        update_vote(vote, actor=None, result=VoteResult.PASSED)


def test_update_vote_on_a_listed_meeting_keeps_counting_from_the_list(cast):
    meeting = meet(cast, expected=3, present=3, attendance=roll(cast))
    vote = record_vote(meeting, actor=None, matter="事项", yes=1)
    assert vote.result == VoteResult.REJECTED
    assert update_vote(vote, actor=None, yes=2) is True
    vote = Vote.objects.get(pk=vote.pk)
    assert (vote.expected_voters, vote.present_voters, vote.result) == (2, 2, VoteResult.PASSED)
    err = refused(update_vote, vote=vote, actor=None, expected_voters=3)
    assert err.code == "VOTE_COUNT"


def test_a_long_resolution_changed_after_its_200th_character_is_saved(cast):
    meeting = meet(cast)
    vote = record_vote(meeting, actor=None, matter="事项", yes=6, resolution="决" * 300)
    assert update_vote(vote, actor=None, resolution="决" * 299 + "议") is True
    assert Vote.objects.get(pk=vote.pk).resolution.endswith("议")
    assert audit_count("vote.update") == 1


# ---- corrections ----

def test_update_meeting_that_changes_nothing_returns_false_and_writes_nothing(cast):
    meeting = meet(cast, types=["theme_day", "branch_general"], topics=["study"], attendance=None)
    count = audit_count()
    assert update_meeting(meeting, actor=None) is False
    assert update_meeting(meeting, actor=None, subject=" 学习新修订的党章 ", types=["branch_general", "theme_day"],
                          topics=["study", "study"], expected=10, present=8) is False
    assert audit_count() == count


def test_update_meeting_saves_and_audits_once(cast):
    meeting = meet(cast, types=["branch_general"])
    assert update_meeting(meeting, actor=None, subject="学习党章", types=["branch_general", "theme_day"],
                          held_on=D(2019, 1, 11)) is True
    assert audit_count("meeting.update") == 1
    entry = AuditEntry.objects.get(action="meeting.update")
    assert entry.before == {"held_on": "2019-01-10", "subject": "学习新修订的党章", "types": ["branch_general"]}
    assert entry.after == {"held_on": "2019-01-11", "subject": "学习党章", "types": ["branch_general", "theme_day"]}
    meeting = Meeting.objects.get(pk=meeting.pk)
    assert meeting.subject == "学习党章" and meeting.types == ["branch_general", "theme_day"]
    assert set(MeetingKind.objects.filter(meeting=meeting).values_list("held_on", flat=True)) == {D(2019, 1, 11)}


def test_update_meeting_refuses_bad_changes_and_unknown_fields(cast):
    meeting = meet(cast)
    err = refused(update_meeting, meeting=meeting, actor=None, types=["group"])
    assert err.code == "MEETING_ORG_TYPE"
    err = refused(update_meeting, meeting=meeting, actor=None, present=11)
    assert err.code == "MEETING_PRESENT"
    with pytest.raises(ValueError):
        update_meeting(meeting, actor=None, org=cast.a0102)
    meeting = Meeting.objects.get(pk=meeting.pk)
    assert (meeting.types, meeting.present) == (["branch_general"], 8)
    assert audit_count("meeting.update") == 0


def test_a_long_minutes_text_changed_after_its_200th_character_is_saved(cast):
    meeting = meet(cast, minutes="记" * 300)
    assert update_meeting(meeting, actor=None, minutes="记" * 299 + "录") is True
    assert Meeting.objects.get(pk=meeting.pk).minutes.endswith("录")
    assert audit_count("meeting.update") == 1


def test_update_meeting_keeps_present_equal_to_the_list(cast):
    meeting = meet(cast, expected=3, present=3, attendance=roll(cast))
    err = refused(update_meeting, meeting=meeting, actor=None, present=2)  # the list still says 3 came
    assert err.code == "ATTENDANCE_COUNT"
    rows = roll(cast, cast.wang, reasons={"王志强": "病假"})
    assert update_meeting(meeting, actor=None, present=2, attendance=rows) is True
    rows = {a.member.name: (a.attended, a.absence_reason) for a in Attendance.objects.filter(meeting=meeting)}
    assert rows["王志强"] == (False, "病假") and Meeting.objects.get(pk=meeting.pk).present == 2
    assert update_meeting(meeting, actor=None, present=0, attendance=[]) is True
    assert not Attendance.objects.filter(meeting=meeting).exists()


def test_update_meeting_checks_the_kept_list_against_a_new_date(cast):
    meeting = meet(cast, expected=3, present=3, attendance=roll(cast))
    err = refused(update_meeting, meeting=meeting, actor=None, held_on=D(2018, 2, 28))  # before wang's admission
    assert (err.code, err.field) == ("MEETING_NOT_MEMBER", "attendance")
    assert Meeting.objects.get(pk=meeting.pk).held_on == HELD


def test_changing_head_counts_recounts_the_votes(cast):
    meeting = meet(cast, expected=10, present=6)
    vote = record_vote(meeting, actor=None, matter="事项", yes=5)
    assert vote.result == VoteResult.REJECTED
    assert update_meeting(meeting, actor=None, expected=9) is True      # 5 of 9 is more than half
    vote = Vote.objects.get(pk=vote.pk)
    assert (vote.expected_voters, vote.present_voters, vote.result) == (9, 6, VoteResult.PASSED)

    other = record_vote(meeting, actor=None, matter="事项二", yes=3)
    assert update_meeting(meeting, actor=None, present=5) is True       # 6 → 5: still over half of 9
    assert Vote.objects.get(pk=other.pk).result == VoteResult.REJECTED
    assert update_meeting(meeting, actor=None, expected=10) is True     # voters stay 9 (never raised)
    err = refused(update_meeting, meeting=meeting, actor=None, present=4)  # 5 yes votes cannot come from 4
    assert (err.code, err.field) == ("VOTE_COUNT", "yes")
    assert Meeting.objects.get(pk=meeting.pk).present == 5
    assert Vote.objects.get(pk=vote.pk).present_voters == 5


def test_a_lost_quorum_after_correction_is_recorded(cast):
    meeting = meet(cast, expected=10, present=8)
    vote = record_vote(meeting, actor=None, matter="事项", yes=3, no=2)
    assert vote.result == VoteResult.REJECTED
    assert update_meeting(meeting, actor=None, present=5) is True
    vote = Vote.objects.get(pk=vote.pk)
    assert (vote.present_voters, vote.result) == (5, VoteResult.NO_QUORUM)


def test_changing_the_list_recounts_the_votes(cast):
    meeting = meet(cast, expected=3, present=2, attendance=roll(cast, cast.li))
    vote = record_vote(meeting, actor=None, matter="事项", yes=1)
    assert (vote.expected_voters, vote.present_voters, vote.result) == (2, 1, VoteResult.NO_QUORUM)
    assert update_meeting(meeting, actor=None, present=3, attendance=roll(cast)) is True
    vote = Vote.objects.get(pk=vote.pk)
    assert (vote.expected_voters, vote.present_voters, vote.result) == (2, 2, VoteResult.REJECTED)


def test_delete_meeting_audits_and_removes_everything(cast):
    meeting = meet(cast, types=["branch_general", "theme_day"], expected=3, present=3, attendance=roll(cast))
    record_vote(meeting, actor=None, matter="事项", yes=2)
    pk = meeting.pk
    delete_meeting(meeting, actor=None)
    assert not Meeting.objects.filter(pk=pk).exists()
    assert not MeetingKind.objects.exists() and not Attendance.objects.exists() and not Vote.objects.exists()
    entry = AuditEntry.objects.get(action="meeting.delete")
    assert entry.object_id == str(pk) and entry.before["types"] == ["branch_general", "theme_day"]
    assert entry.org_code == "A0101"


# ---- attachments ----

@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


def upload(name="签到表.pdf", content=b"%PDF-1.4 sign-in sheet"):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def test_an_attachment_is_stored_under_media_root(cast, media):
    meeting = meet(cast)
    attachment = add_attachment(meeting, actor=None, upload=upload(r"C:\scans\签到表.pdf"))
    assert attachment.name == "签到表.pdf" and attachment.size == len(b"%PDF-1.4 sign-in sheet")
    path = Path(attachment.file.path)
    assert path.is_file() and path.read_bytes() == b"%PDF-1.4 sign-in sheet"
    assert path.is_relative_to(media) and attachment.file.name.startswith("meetings/")
    assert AuditEntry.objects.get(action="attachment.create").after["name"] == "签到表.pdf"


def test_a_failed_save_leaves_no_file_behind(cast, media, monkeypatch):
    meeting = meet(cast)

    def broken(**kwargs):
        raise RuntimeError("audit table unavailable")

    monkeypatch.setattr(services, "log_action", broken)
    with pytest.raises(RuntimeError):
        add_attachment(meeting, actor=None, upload=upload())
    assert Attachment.objects.count() == 0
    assert [p for p in media.rglob("*") if p.is_file()] == []


def test_it_refuses_a_file_too_large_or_missing(cast, media, monkeypatch):
    meeting = meet(cast)
    monkeypatch.setattr(services, "MAX_ATTACHMENT_BYTES", 10)
    err = refused(add_attachment, meeting=meeting, actor=None, upload=upload(content=b"x" * 11))
    assert (err.code, err.field) == ("FILE_TOO_LARGE", "file")
    assert add_attachment(meeting, actor=None, upload=upload(content=b"x" * 10)).size == 10
    err = refused(add_attachment, meeting=meeting, actor=None, upload=None)
    assert (err.code, err.field) == ("REQUIRED", "file")
    assert Attachment.objects.count() == 1
    assert len([p for p in media.rglob("*") if p.is_file()]) == 1


def test_removing_an_attachment_deletes_the_file_after_commit(cast, media, django_capture_on_commit_callbacks):
    meeting = meet(cast)
    attachment = add_attachment(meeting, actor=None, upload=upload())
    path = Path(attachment.file.path)
    with django_capture_on_commit_callbacks() as callbacks:
        remove_attachment(attachment, actor=None)
        assert path.is_file()  # nothing is deleted before the commit
    assert not Attachment.objects.exists() and path.is_file()
    for callback in callbacks:
        callback()
    assert not path.exists()
    assert AuditEntry.objects.get(action="attachment.delete").before["name"] == "签到表.pdf"


def test_deleting_a_meeting_deletes_its_files_after_commit(cast, media, django_capture_on_commit_callbacks):
    meeting = meet(cast)
    path = Path(add_attachment(meeting, actor=None, upload=upload()).file.path)
    with django_capture_on_commit_callbacks(execute=True):
        delete_meeting(meeting, actor=None)
    assert not Attachment.objects.exists() and not path.exists()


# ---- permissions ----

@pytest.mark.parametrize("user,org_code,types,allowed", [
    ("shuji", "A0101", ["branch_general"], True),
    ("shuji", "A0101G1", ["group"], True),       # the 党小组 inside the officer's branch
    ("shuji", "A0102", ["branch_general"], False),
    ("shuji", "B0101", ["branch_general"], False),
    ("shuji", "A01", ["committee"], False),       # nor the 党委 above
    ("dangyuan", "A0101", ["branch_general"], False),
    ("outsider", "A0101", ["branch_general"], False),
    ("a01admin", "A0101", ["branch_general"], True),
    ("a01admin", "A0101G1", ["group"], True),
    ("a01admin", "A01", ["committee"], True),
    ("a01admin", "B0101", ["branch_general"], False),
    ("a01admin", "JT", ["committee"], False),
    ("b01admin", "A0101", ["branch_general"], False),
    ("zuzhibu", "B0101", ["branch_general"], True),
    ("admin", "B0101", ["branch_general"], True),
])
def test_who_may_record_a_meeting(cast, user, org_code, types, allowed):
    org = {o.code: o for o in (cast.jt, cast.a01, cast.a0101, cast.a0101g1, cast.a0102, cast.b0101)}[org_code]
    actor = getattr(cast, user)
    count = audit_count()
    if allowed:
        meeting = meet(cast, actor=actor, org=org, types=types)
        assert AuditEntry.objects.get(action="meeting.create").actor_name == user
        assert meeting.org == org
    else:
        with pytest.raises(PermissionDenied) as exc:
            meet(cast, actor=actor, org=org, types=types)
        assert exc.value.code == "FORBIDDEN"
        assert not Meeting.objects.exists() and not MeetingKind.objects.exists() and audit_count() == count


def test_others_cannot_correct_vote_on_attach_to_or_delete_a_meeting(cast, media):
    meeting = meet(cast, org=cast.b0101)
    vote = record_vote(meeting, actor=None, matter="事项", yes=5)
    attachment = add_attachment(meeting, actor=None, upload=upload())
    count = audit_count()
    calls = [
        lambda a: update_meeting(meeting, actor=a, subject="改"),
        lambda a: delete_meeting(meeting, actor=a),
        lambda a: record_vote(meeting, actor=a, matter="事项", yes=6),
        lambda a: update_vote(vote, actor=a, yes=6),
        lambda a: add_attachment(meeting, actor=a, upload=upload("x.pdf")),
        lambda a: remove_attachment(attachment, actor=a),
    ]
    for user in (cast.shuji, cast.a01admin, cast.dangyuan, cast.outsider):
        for call in calls:
            with pytest.raises(PermissionDenied) as exc:
                call(user)
            assert exc.value.code == "FORBIDDEN"
    assert audit_count() == count
    assert Meeting.objects.get(pk=meeting.pk).subject == "学习新修订的党章"
    assert Vote.objects.get(pk=vote.pk).yes == 5 and Vote.objects.count() == 1
    assert Attachment.objects.count() == 1
    assert Path(attachment.file.path).is_file()


def test_a_branch_officer_corrects_and_votes_in_the_own_branch(cast):
    meeting = meet(cast, actor=cast.shuji)
    vote = record_vote(meeting, actor=cast.shuji, matter="事项", yes=6)
    assert update_vote(vote, actor=cast.shuji, yes=5) is True
    assert update_meeting(meeting, actor=cast.shuji, subject="改") is True
    delete_meeting(meeting, actor=cast.shuji)
    assert not Meeting.objects.exists()


# ---- 党员之家 ----

def home(cast, **kw):
    data = dict(actor=None, org=cast.a0101, name="甲市一支部党员之家", opened_on=D(2018, 7, 1),
                facilities=["books", "rules_on_wall"]) | kw
    return create_party_home(**data)


def test_a_party_home_is_created_and_audited(cast):
    h = home(cast, name="  甲市一支部党员之家 ", facilities=["books", "rules_on_wall", "books"])
    assert h.name == "甲市一支部党员之家" and h.facilities == ["rules_on_wall", "books"]
    assert h.facility_labels == "制度上墙、学习书籍"
    assert AuditEntry.objects.get(action="party_home.create").after["org"] == "A0101"


def test_it_refuses_a_second_party_home_with_the_same_name(cast):
    h = home(cast)
    err = refused(home, cast=cast)
    assert (err.code, err.field) == ("DUPLICATE", "name")
    assert home(cast, org=cast.a0102).name == h.name  # another organisation may use the name
    other = home(cast, name="第二活动室")
    err = refused(update_party_home, home=other, actor=None, name=h.name)
    assert (err.code, err.field) == ("DUPLICATE", "name")
    assert PartyHome.objects.get(pk=other.pk).name == "第二活动室"


@pytest.mark.parametrize("kw,code,field", [
    ({"facilities": ["books", "karaoke"]}, "CHOICE", "facilities"),
    ({"name": "  "}, "REQUIRED", "name"),
    ({"name": "家" * 121}, "TOO_LONG", "name"),
    ({"opened_on": None}, "REQUIRED", "opened_on"),
])
def test_it_refuses_a_bad_party_home(cast, kw, code, field):
    err = refused(home, cast=cast, **kw)
    assert (err.code, err.field) == (code, field)
    assert not PartyHome.objects.exists() and audit_count("party_home.create") == 0


def test_a_party_home_opened_tomorrow_is_refused(cast, frozen):
    assert home(cast, opened_on=frozen).opened_on == frozen
    err = refused(home, cast=cast, name="新家", opened_on=frozen + datetime.timedelta(days=1))
    assert (err.code, err.field) == ("DATE_FUTURE", "opened_on")
    h = PartyHome.objects.get()
    err = refused(update_party_home, home=h, actor=None, opened_on=frozen + datetime.timedelta(days=1))
    assert err.code == "DATE_FUTURE"


def test_update_party_home(cast):
    h = home(cast)
    assert update_party_home(h, actor=None, name=" 甲市一支部党员之家", facilities=["rules_on_wall", "books"]) is False
    assert audit_count("party_home.update") == 0
    assert update_party_home(h, actor=None, facilities=["books", "av_equipment"]) is True
    entry = AuditEntry.objects.get(action="party_home.update")
    assert entry.before == {"facilities": ["rules_on_wall", "books"]}
    assert entry.after == {"facilities": ["books", "av_equipment"]}
    err = refused(update_party_home, home=h, actor=None, facilities=["pool"])
    assert err.code == "CHOICE"
    assert PartyHome.objects.get(pk=h.pk).facilities == ["books", "av_equipment"]
    with pytest.raises(ValueError):
        update_party_home(h, actor=None, org=cast.a0102)


def test_party_home_permissions(cast):
    with pytest.raises(PermissionDenied):
        home(cast, actor=cast.shuji, org=cast.a0102)
    with pytest.raises(PermissionDenied):
        home(cast, actor=cast.dangyuan)
    assert not PartyHome.objects.exists()
    h = home(cast, actor=cast.shuji)
    with pytest.raises(PermissionDenied) as exc:
        update_party_home(h, actor=cast.b01admin, name="改名")
    assert exc.value.code == "FORBIDDEN" and PartyHome.objects.get(pk=h.pk).name == "甲市一支部党员之家"
