"""Every change to meetings, votes, attachments and 党员之家 goes through these functions: check, save in
a transaction, audit. The pages, the API, the importer and the demo all call them."""
import datetime
from fractions import Fraction

from django.db import transaction

from dangjian.accounts.access import require_manage_org
from dangjian.audit.services import log_action, save_changes
from dangjian.core.dates import today
from dangjian.core.errors import DomainError
from dangjian.core.text import check_lengths
from dangjian.members.models import Stage, compute_state
from dangjian.organizations.services import MAX_HEADCOUNT
from dangjian.rules import parameters

from .models import (
    MEETING_ORG_TYPES,
    Attachment,
    Attendance,
    Facility,
    Meeting,
    MeetingKind,
    MeetingType,
    PartyHome,
    Topic,
    Vote,
    VoteResult,
)

MEETING_FIELDS = ("held_on", "subject", "types", "chair", "lecturer", "topics", "expected", "present",
                  "location", "minutes")
MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024


# ---- meetings ----

def _check_types(org, types):
    if not types:
        raise DomainError("请选择会议类型", field="types", code="REQUIRED")
    for t in types:
        if t not in MeetingType.values:
            raise DomainError(f"会议类型“{t}”不是可选值", field="types", code="CHOICE")
        allowed = MEETING_ORG_TYPES.get(MeetingType(t))
        if allowed and org.org_type not in allowed:
            names = "、".join(a.label for a in allowed)
            raise DomainError(f"{MeetingType(t).label}应由{names}召开，“{org.name}”是{org.get_org_type_display()}",
                              field="types", code="MEETING_ORG_TYPE")


def _check_count(value, field, label):
    if value is None or isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_HEADCOUNT:
        raise DomainError(f"{label}应为0至{MAX_HEADCOUNT}之间的整数", field=field, code="NUMBER")


def _check_meeting(org, data):
    check_lengths(Meeting, {k: data[k] for k in ("subject", "location")})
    held_on = data["held_on"]
    if held_on is None:
        raise DomainError("会议日期不能为空", field="held_on", code="REQUIRED")
    if held_on > today():
        raise DomainError("会议日期不能晚于今天：组织生活登记的是已召开的会议", field="held_on", code="DATE_FUTURE")
    if held_on < org.founded_on or (org.dissolved_on and held_on > org.dissolved_on):
        raise DomainError(f"会议日期{held_on}时“{org.name}”尚未成立或已撤销", field="held_on", code="MEETING_ORG_DATE")
    if not data["subject"]:
        raise DomainError("会议主题不能为空", field="subject", code="REQUIRED")
    _check_types(org, data["types"])
    for t in data["topics"]:
        if t not in Topic.values:
            raise DomainError(f"议题类别“{t}”不是可选值（{'、'.join(Topic.labels)}）", field="topics", code="CHOICE")
    _check_count(data["expected"], "expected", "应到人数")
    _check_count(data["present"], "present", "实到人数")
    if data["present"] > data["expected"]:
        raise DomainError("实到人数不能多于应到人数", field="present", code="MEETING_PRESENT")
    for role, label in (("chair", "主持人"), ("lecturer", "讲课人")):
        person = data[role]
        if person is not None and not _is_member_on(person, held_on):
            raise DomainError(f"{label}{person.name}在{held_on}不是党员", field=role, code="MEETING_NOT_MEMBER")


def _is_member_on(member, day):
    stage, _ = member.state_on(day)
    return stage in (Stage.PROBATIONARY, Stage.FULL)


def _normalise_attendance(rows, held_on):
    """[(member, attended, reason)] checked: each person once, a member on the day, a reason only for
    an absence."""
    seen, out = set(), []
    for member, attended, reason in rows:
        if member.pk in seen:
            raise DomainError(f"出席名单中{member.name}重复", field="attendance", code="ATTENDANCE_DUPLICATE")
        seen.add(member.pk)
        if not _is_member_on(member, held_on):
            raise DomainError(f"{member.name}在{held_on}不是党员，不能列入出席名单", field="attendance",
                              code="MEETING_NOT_MEMBER")
        reason = (reason or "").strip()
        check_lengths(Attendance, {"absence_reason": reason})
        out.append((member, bool(attended), "" if attended else reason))
    return out


def _check_attendance(data, rows):
    came = sum(1 for _, attended, _ in rows if attended)
    if came != data["present"]:
        raise DomainError(f"实到人数{data['present']}与出席名单（{came}人）不一致", field="present",
                          code="ATTENDANCE_COUNT")
    if len(rows) > data["expected"]:
        raise DomainError(f"名单上有{len(rows)}人，多于应到人数{data['expected']}", field="expected",
                          code="ATTENDANCE_COUNT")


def _write_kinds(meeting, types):
    MeetingKind.objects.filter(meeting=meeting).delete()
    MeetingKind.objects.bulk_create(MeetingKind(meeting=meeting, kind=t, org=meeting.org, held_on=meeting.held_on)
                                    for t in types)


def _write_attendance(meeting, rows):
    Attendance.objects.filter(meeting=meeting).delete()
    Attendance.objects.bulk_create(Attendance(meeting=meeting, member=m, attended=a, absence_reason=r)
                                   for m, a, r in rows)


def _attendance_snapshot(rows):
    return sorted(f"{m.name}{'' if a else '（缺席' + (('：' + r) if r else '') + '）'}" for m, a, r in rows)


@transaction.atomic
def record_meeting(*, actor, org, held_on, subject, types, expected, present, chair=None, lecturer=None,
                   topics=(), location="", minutes="", attendance=None):
    """登记组织生活: a meeting `org` held on `held_on`, counting as each of `types` (MeetingType codes).
    `attendance`, when the people are recorded one by one, is [(member, attended, absence_reason)]; then
    `present` must equal those who came."""
    require_manage_org(actor, org)
    data = dict(held_on=held_on, subject=(subject or "").strip(), types=_ordered(types), chair=chair,
                lecturer=lecturer, topics=_ordered_topics(topics), expected=expected, present=present,
                location=(location or "").strip(), minutes=minutes or "")
    _check_meeting(org, data)
    rows = _normalise_attendance(attendance, held_on) if attendance else []
    if rows:
        _check_attendance(data, rows)
    types = data.pop("types")
    meeting = Meeting.objects.create(org=org, **data)
    _write_kinds(meeting, types)
    _write_attendance(meeting, rows)
    after = meeting.snapshot() | ({"attendance": _attendance_snapshot(rows)} if rows else {})
    log_action(actor=actor, action="meeting.create", obj=meeting, org=org, after=after)
    return meeting


@transaction.atomic
def update_meeting(meeting, *, actor, attendance=None, **changes):
    """Correct a meeting. `attendance=None` leaves the list as it is; `[]` clears it. Votes already
    taken are re-counted when the head counts change. Returns True when something changed."""
    unknown = set(changes) - set(MEETING_FIELDS)
    if unknown:
        raise ValueError(f"not meeting fields: {unknown}")
    require_manage_org(actor, meeting.org)
    before, old_minutes = meeting.snapshot(), meeting.minutes
    old_rows = [(a.member, a.attended, a.absence_reason) for a in meeting.attendance.select_related("member")]
    before["attendance"] = _attendance_snapshot(old_rows)
    data = {f: getattr(meeting, f) for f in MEETING_FIELDS if f != "types"} | {"types": meeting.types} | changes
    data["subject"] = (data["subject"] or "").strip()
    data["location"] = (data["location"] or "").strip()
    data["types"], data["topics"] = _ordered(data["types"]), _ordered_topics(data["topics"])
    _check_meeting(meeting.org, data)
    # the kept list is checked again too: a new date may fall before someone's admission
    rows = _normalise_attendance(old_rows if attendance is None else attendance, data["held_on"])
    if rows:
        _check_attendance(data, rows)
    types = data.pop("types")
    for f, v in data.items():
        setattr(meeting, f, v)
    after_rows = _attendance_snapshot(rows)
    old, new = _diff(before, meeting.snapshot() | {"types": types, "attendance": after_rows})
    if meeting.minutes != old_minutes and "minutes" not in new:  # changed past what the snapshot shows
        old["minutes"], new["minutes"] = before["minutes"], meeting.snapshot()["minutes"]
    if not new:
        return False
    meeting.save()
    _write_kinds(meeting, types)
    if attendance is not None:
        _write_attendance(meeting, rows)
    for vote in meeting.votes.all():
        _recount(vote)
    log_action(actor=actor, action="meeting.update", obj=meeting, org=meeting.org, before=old, after=new)
    return True


def _diff(before, after):
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


@transaction.atomic
def delete_meeting(meeting, *, actor):
    """Delete a meeting entered by mistake (with its votes, attendance and files); the audit keeps what
    it was."""
    require_manage_org(actor, meeting.org)
    snapshot = meeting.snapshot()
    files = [a.file for a in meeting.attachments.all()]
    log_action(actor=actor, action="meeting.delete", obj=meeting, org=meeting.org, before=snapshot)
    meeting.delete()
    transaction.on_commit(lambda: [f.delete(save=False) for f in files])


def _ordered(types):
    chosen = set(types or ())
    unknown = [t for t in chosen if t not in MeetingType.values]
    return [t for t in MeetingType.values if t in chosen] + sorted(unknown)


def _ordered_topics(topics):
    chosen = set(topics or ())
    unknown = [t for t in chosen if t not in Topic.values]
    return [t for t in Topic.values if t in chosen] + sorted(unknown)


# ---- votes ----

def vote_outcome(expected_voters, present_voters, yes, on=None):
    """MTG-02: a vote needs more than half of those with a vote present (quorum), and passes with yes
    votes from more than half of those who should attend with a vote, not of those present."""
    quorum = Fraction(parameters.value("vote_quorum_share", on))
    majority = Fraction(parameters.value("vote_pass_share", on))
    if present_voters <= expected_voters * quorum:
        return VoteResult.NO_QUORUM
    return VoteResult.PASSED if yes > expected_voters * majority else VoteResult.REJECTED


def _voters_from_attendance(meeting):
    """(expected, present) voters counted from the attendance list: full members only (probationary
    members do not vote, 党章 第七条); None when attendance is not recorded person by person. People
    expected but left off the list are counted as expected voters: nobody knows they had no vote, and
    a list of only those who came must not make its own quorum (3 of 10 present is no quorum)."""
    rows = list(meeting.attendance.select_related("member").prefetch_related("member__events__org"))
    if not rows:
        return None
    voting = [r for r in rows if compute_state(list(r.member.events.all()), meeting.held_on)[0] == Stage.FULL]
    unlisted = max(meeting.expected - len(rows), 0)
    return len(voting) + unlisted, sum(1 for r in voting if r.attended)


def _check_vote(meeting, data):
    check_lengths(Vote, {"matter": data["matter"]})
    if not data["matter"]:
        raise DomainError("请填写表决事项", field="matter", code="REQUIRED")
    for f, label in (("expected_voters", "应到有表决权人数"), ("present_voters", "实到有表决权人数"), ("yes", "赞成票")):
        _check_count(data[f], f, label)
    for f, label in (("no", "反对票"), ("abstain", "弃权票")):
        if data[f] is not None:
            _check_count(data[f], f, label)
    if data["expected_voters"] > meeting.expected:
        raise DomainError("应到有表决权人数不能多于会议应到人数", field="expected_voters", code="VOTE_COUNT")
    if data["present_voters"] > min(data["expected_voters"], meeting.present):
        raise DomainError("实到有表决权人数不能多于应到有表决权人数或会议实到人数", field="present_voters",
                          code="VOTE_COUNT")
    cast = data["yes"] + (data["no"] or 0) + (data["abstain"] or 0)
    if cast > data["present_voters"]:
        raise DomainError(f"赞成、反对、弃权票合计{cast}，多于实到有表决权人数{data['present_voters']}",
                          field="yes", code="VOTE_COUNT")


def _vote_data(meeting, matter, yes, no, abstain, expected_voters, present_voters, resolution):
    counted = _voters_from_attendance(meeting)
    if counted is not None:
        if expected_voters is not None and expected_voters != counted[0] or \
                present_voters is not None and present_voters != counted[1]:
            raise DomainError(f"按出席名单，应到有表决权的{counted[0]}人（名单上的正式党员及未列入名单的应到人员）、"
                              f"实到{counted[1]}人（预备党员没有表决权），与填写的人数不一致", field="expected_voters",
                              code="VOTE_COUNT")
        expected_voters, present_voters = counted
    return dict(matter=(matter or "").strip(), yes=yes, no=no, abstain=abstain,
                expected_voters=meeting.expected if expected_voters is None else expected_voters,
                present_voters=meeting.present if present_voters is None else present_voters,
                resolution=resolution or "")


@transaction.atomic
def record_vote(meeting, *, actor, matter, yes, no=None, abstain=None, expected_voters=None, present_voters=None,
                resolution=""):
    """登记表决: the result (通过 / 未通过 / 未达到法定人数) is computed from the tally, so a vote that fails the
    quorum or the majority can never be recorded as passed. Without attendance recorded one by one, the
    voters default to the meeting's 应到/实到 head counts."""
    require_manage_org(actor, meeting.org)
    data = _vote_data(meeting, matter, yes, no, abstain, expected_voters, present_voters, resolution)
    _check_vote(meeting, data)
    vote = Vote(meeting=meeting, **data)
    vote.result = vote_outcome(vote.expected_voters, vote.present_voters, vote.yes, meeting.held_on)
    vote.save()
    log_action(actor=actor, action="vote.create", obj=vote, org=meeting.org, after=vote.snapshot(),
               label=f"{meeting.held_on} {meeting.subject}：{vote.matter}")
    return vote


@transaction.atomic
def update_vote(vote, *, actor, **changes):
    allowed = {"matter", "yes", "no", "abstain", "expected_voters", "present_voters", "resolution"}
    if set(changes) - allowed:
        raise ValueError(f"not vote fields: {set(changes) - allowed}")
    meeting = vote.meeting
    require_manage_org(actor, meeting.org)
    before, old_resolution = vote.snapshot(), vote.resolution
    current = {f: getattr(vote, f) for f in allowed}
    if _voters_from_attendance(meeting) is not None:
        current["expected_voters"] = current["present_voters"] = None  # counted from the list
    data = _vote_data(meeting, **(current | changes))
    _check_vote(meeting, data)
    for f, v in data.items():
        setattr(vote, f, v)
    vote.result = vote_outcome(vote.expected_voters, vote.present_voters, vote.yes, meeting.held_on)
    if vote.resolution != old_resolution and vote.snapshot() == before:  # changed past the snapshot's 200
        vote.save()
        log_action(actor=actor, action="vote.update", obj=vote, org=meeting.org,
                   before={"resolution": before["resolution"]}, after={"resolution": vote.snapshot()["resolution"]})
        return True
    return save_changes(vote, actor=actor, action="vote.update", org=meeting.org, before=before)


@transaction.atomic
def delete_vote(vote, *, actor):
    require_manage_org(actor, vote.meeting.org)
    log_action(actor=actor, action="vote.delete", obj=vote, org=vote.meeting.org, before=vote.snapshot())
    vote.delete()


def _recount(vote):
    """After a meeting's head counts or attendance change, its votes are counted again."""
    counted = _voters_from_attendance(vote.meeting)
    if counted is not None:
        vote.expected_voters, vote.present_voters = counted
    else:
        vote.expected_voters = min(vote.expected_voters, vote.meeting.expected)
        vote.present_voters = min(vote.present_voters, vote.meeting.present, vote.expected_voters)
    _check_vote(vote.meeting, {f: getattr(vote, f) for f in
                               ("matter", "yes", "no", "abstain", "expected_voters", "present_voters")})
    vote.result = vote_outcome(vote.expected_voters, vote.present_voters, vote.yes, vote.meeting.held_on)
    vote.save()


# ---- attachments ----

@transaction.atomic
def add_attachment(meeting, *, actor, upload):
    """Keep an uploaded file with the meeting (stored locally under MEDIA_ROOT)."""
    require_manage_org(actor, meeting.org)
    if upload is None or not getattr(upload, "name", ""):
        raise DomainError("请选择要上传的文件", field="file", code="REQUIRED")
    if upload.size > MAX_ATTACHMENT_BYTES:
        raise DomainError(f"文件不能超过{MAX_ATTACHMENT_BYTES // 1024 // 1024}MB", field="file", code="FILE_TOO_LARGE")
    name = upload.name.replace("\\", "/").rsplit("/", 1)[-1][:200]
    attachment = Attachment(meeting=meeting, name=name, size=upload.size)
    attachment.file.save(name, upload, save=False)  # the file is written now, the row at commit
    try:
        attachment.save()
        log_action(actor=actor, action="attachment.create", obj=attachment, org=meeting.org,
                   after={"meeting": str(meeting), "name": name, "size": upload.size})
    except Exception:
        attachment.file.delete(save=False)  # no row, no file left behind
        raise
    return attachment


@transaction.atomic
def remove_attachment(attachment, *, actor):
    require_manage_org(actor, attachment.meeting.org)
    log_action(actor=actor, action="attachment.delete", obj=attachment, org=attachment.meeting.org,
               before={"meeting": str(attachment.meeting), "name": attachment.name})
    stored = attachment.file
    attachment.delete()
    transaction.on_commit(lambda: stored.delete(save=False))


# ---- 党员之家 ----

def _check_home(org, data):
    check_lengths(PartyHome, {"name": data["name"]})
    if not data["name"]:
        raise DomainError("名称不能为空", field="name", code="REQUIRED")
    if data["opened_on"] is None:
        raise DomainError("建成日期不能为空", field="opened_on", code="REQUIRED")
    if data["opened_on"] > today():
        raise DomainError("建成日期不能晚于今天", field="opened_on", code="DATE_FUTURE")
    for f in data["facilities"]:
        if f not in Facility.values:
            raise DomainError(f"设施“{f}”不是可选值（{'、'.join(Facility.labels)}）", field="facilities", code="CHOICE")


def _facilities(values):
    chosen = set(values or ())
    return [f for f in Facility.values if f in chosen] + sorted(chosen - set(Facility.values))


@transaction.atomic
def create_party_home(*, actor, org, name, opened_on, facilities=()):
    require_manage_org(actor, org)
    data = dict(name=(name or "").strip(), opened_on=opened_on, facilities=_facilities(facilities))
    _check_home(org, data)
    if PartyHome.objects.filter(org=org, name=data["name"]).exists():
        raise DomainError(f"“{org.name}”已有名为“{data['name']}”的党员之家", field="name", code="DUPLICATE")
    home = PartyHome.objects.create(org=org, **data)
    log_action(actor=actor, action="party_home.create", obj=home, org=org, after=home.snapshot())
    return home


@transaction.atomic
def update_party_home(home, *, actor, **changes):
    allowed = {"name", "opened_on", "facilities"}
    if set(changes) - allowed:
        raise ValueError(f"not party home fields: {set(changes) - allowed}")
    require_manage_org(actor, home.org)
    before = home.snapshot()
    data = {f: getattr(home, f) for f in allowed} | changes
    data["name"], data["facilities"] = (data["name"] or "").strip(), _facilities(data["facilities"])
    _check_home(home.org, data)
    if data["name"] != home.name and PartyHome.objects.filter(org=home.org, name=data["name"]).exists():
        raise DomainError(f"“{home.org.name}”已有名为“{data['name']}”的党员之家", field="name", code="DUPLICATE")
    for f, v in data.items():
        setattr(home, f, v)
    return save_changes(home, actor=actor, action="party_home.update", org=home.org, before=before)


def meetings_of(org, *, start: datetime.date, end: datetime.date):
    """The organisation's meetings between two dates, newest first, with their types."""
    return (Meeting.objects.filter(org=org, held_on__gte=start, held_on__lte=end)
            .prefetch_related("kinds").order_by("-held_on", "-id"))
