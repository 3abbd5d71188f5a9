"""/api/organizations/{code}/meetings, /api/meetings/{id} and 党员之家: organisational life through meetings.services,
scoped like the pages (a meeting is visible when its organisation is; out of sight is 404)."""
import datetime

from django.urls import reverse
from ninja import Field, Query, Router, Schema, Status

from dangjian.accounts.access import is_admin, visible_members, visible_orgs
from dangjian.core.errors import DomainError, PermissionDenied
from dangjian.meetings import services
from dangjian.meetings.models import Facility, Meeting, MeetingType, PartyHome, Topic
from dangjian.organizations.models import BRANCH_TYPES, OrgType

from .errors import NotFound
from .schemas import MAX_INT, Error, In, a_date
from .scope import actor, check_choice, date_in, org_or_404, page

router = Router(tags=["组织生活"])

ERRORS = {400: Error, 401: Error, 403: Error, 404: Error}
DUAL_LIFE_TYPES = BRANCH_TYPES + (OrgType.PARTY_GROUP,)


# ---- schemas ----

class PersonOut(Schema):
    id: int
    name: str


class AttendanceOut(Schema):
    member_id: int
    name: str
    attended: bool
    absence_reason: str
    dual_life: bool = Field(description="双重组织生活：领导干部以普通党员身份参加所在支部（党小组）的会议")


class VoteOut(Schema):
    id: int
    matter: str
    expected_voters: int = Field(description="应到有表决权人数（预备党员没有表决权）")
    present_voters: int
    yes: int
    no: int | None
    abstain: int | None
    result: str = Field(description="passed 通过 / rejected 未通过 / no_quorum 未达到法定人数，表决无效（由票数计算）")
    result_label: str
    resolution: str


class AttachmentOut(Schema):
    id: int
    name: str
    size: int
    uploaded_at: datetime.datetime
    download_url: str = Field(description="下载地址（页面会话登录后可用，检查查看权限）")


class MeetingOut(Schema):
    id: int
    org: str
    org_name: str
    held_on: datetime.date
    subject: str
    types: list[str]
    type_labels: list[str]
    topics: list[str]
    topic_labels: list[str]
    chair: PersonOut | None
    lecturer: PersonOut | None
    expected: int
    present: int
    location: str


class MeetingDetailOut(MeetingOut):
    minutes: str
    attendance: list[AttendanceOut] = Field(description="逐人登记的出席情况（只登记人数时为空）")
    votes: list[VoteOut]
    attachments: list[AttachmentOut]


class MeetingPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[MeetingOut]


class AttendanceIn(In):
    member: int = Field(description="党员ID")
    attended: bool = True
    absence_reason: str = Field("", max_length=120)


TYPES_DOC = "会议类型（可多个）：" + "、".join(f"{v} {lab}" for v, lab in MeetingType.choices)
TOPICS_DOC = "议题类别：" + "、".join(f"{v} {lab}" for v, lab in Topic.choices)


class MeetingIn(In):
    held_on: str = a_date("会议日期")
    subject: str = Field(max_length=200)
    types: list[str] = Field(description=TYPES_DOC)
    topics: list[str] = Field([], description=TOPICS_DOC)
    chair: int | None = Field(None, description="主持人（党员ID）")
    lecturer: int | None = Field(None, description="讲课人（党员ID）")
    expected: int | None = Field(None, le=MAX_INT, description="应到人数；有出席名单时不填则按名单人数")
    present: int | None = Field(None, le=MAX_INT, description="实到人数；有出席名单时不填则按名单中出席的人数")
    location: str = Field("", max_length=120)
    minutes: str = ""
    attendance: list[AttendanceIn] | None = Field(None, description="逐人登记的出席名单（可不填，只登记人数）")


class MeetingPatchIn(In):
    """Only the fields sent are changed. `attendance`: a list replaces the list ([] clears it); with a
    new list and no `present`, 实到 is counted from it."""
    held_on: str = a_date("会议日期", None)
    subject: str = Field(None, max_length=200)
    types: list[str] = Field(None, description=TYPES_DOC)
    topics: list[str] = Field(None, description=TOPICS_DOC)
    chair: int | None = None
    lecturer: int | None = None
    expected: int = Field(None, le=MAX_INT)
    present: int = Field(None, le=MAX_INT)
    location: str = Field(None, max_length=120)
    minutes: str = None
    attendance: list[AttendanceIn] | None = None


class VoteIn(In):
    matter: str = Field(max_length=200)
    yes: int = Field(le=MAX_INT)
    no: int | None = Field(None, le=MAX_INT)
    abstain: int | None = Field(None, le=MAX_INT)
    expected_voters: int | None = Field(None, le=MAX_INT, description="应到有表决权人数：不填则按出席名单（预备党员不计）或会议应到人数")
    present_voters: int | None = Field(None, le=MAX_INT, description="实到有表决权人数：不填则按出席名单或会议实到人数")
    resolution: str = ""


class PartyHomeOut(Schema):
    id: int
    org: str
    org_name: str
    name: str
    opened_on: datetime.date
    facilities: list[str]
    facility_labels: list[str]


class PartyHomeIn(In):
    name: str = Field(max_length=120)
    opened_on: str = a_date("建成日期")
    facilities: list[str] = Field([], description="设施：" + "、".join(f"{v} {lab}" for v, lab in Facility.choices))


class PartyHomePatchIn(In):
    name: str = Field(None, max_length=120)
    opened_on: str = a_date("建成日期", None)
    facilities: list[str] = None


# ---- lookups (always through the visible querysets) ----

def meeting_or_404(user, meeting_id):
    meeting = (Meeting.objects.filter(org__in=visible_orgs(user), pk=meeting_id)
               .select_related("org", "chair", "lecturer").prefetch_related("kinds").first())
    if meeting is None:
        raise NotFound("组织生活记录不存在或不在您的查看范围内")
    return meeting


def home_or_404(user, home_id):
    home = PartyHome.objects.filter(org__in=visible_orgs(user), pk=home_id).select_related("org").first()
    if home is None:
        raise NotFound("党员之家不存在或不在您的查看范围内")
    return home


def referenced_member(user, member_id, *, field):
    """A member named in a request body (主持人, 讲课人, a person on the attendance list)."""
    member = visible_members(user).filter(pk=member_id).first()
    if member is not None:
        return member
    if is_admin(user):
        raise DomainError(f"党员（ID {member_id}）不存在", field=field, code="MEMBER_NOT_FOUND")
    raise PermissionDenied(f"无权操作：党员（ID {member_id}）不存在或不在您的查看范围内", field=field)


def _choices(values, choices, *, field, label):
    for value in values:
        check_choice(value, choices, field=field, label=label)
    return list(values)


def _attendance(user, rows):
    return [(referenced_member(user, r.member, field="attendance"), r.attended, r.absence_reason) for r in rows]


# ---- output ----

def _person(m):
    return {"id": m.pk, "name": m.name} if m is not None else None


def meeting_out(m):
    return {
        "id": m.pk, "org": m.org.code, "org_name": m.org.name, "held_on": m.held_on, "subject": m.subject,
        "types": m.types, "type_labels": [MeetingType(t).label for t in m.types],
        "topics": list(m.topics), "topic_labels": [Topic(t).label for t in m.topics if t in Topic.values],
        "chair": _person(m.chair), "lecturer": _person(m.lecturer), "expected": m.expected,
        "present": m.present, "location": m.location,
    }


def vote_out(v):
    return {"id": v.pk, "matter": v.matter, "expected_voters": v.expected_voters, "present_voters": v.present_voters,
            "yes": v.yes, "no": v.no, "abstain": v.abstain, "result": v.result,
            "result_label": v.get_result_display(), "resolution": v.resolution}


def meeting_detail(m):
    data = meeting_out(m)
    dual_org = m.org.org_type in DUAL_LIFE_TYPES
    data["minutes"] = m.minutes
    data["attendance"] = [{
        "member_id": a.member_id, "name": a.member.name, "attended": a.attended,
        "absence_reason": a.absence_reason, "dual_life": dual_org and a.attended and a.member.is_leading_cadre,
    } for a in m.attendance.select_related("member")]
    data["votes"] = [vote_out(v) for v in m.votes.all()]
    data["attachments"] = [{"id": f.pk, "name": f.name, "size": f.size, "uploaded_at": f.uploaded_at,
                            "download_url": reverse("attachment_download", args=[f.pk])} for f in m.attachments.all()]
    return data


def fresh(meeting):
    """The meeting re-read after a write (already authorised: by pk, not user input)."""
    return (Meeting.objects.select_related("org", "chair", "lecturer").prefetch_related("kinds")
            .get(pk=meeting.pk))


def home_out(h):
    return {"id": h.pk, "org": h.org.code, "org_name": h.org.name, "name": h.name, "opened_on": h.opened_on,
            "facilities": list(h.facilities),
            "facility_labels": [Facility(f).label for f in h.facilities if f in Facility.values]}


# ---- meetings ----

@router.get("/organizations/{code}/meetings", response={200: MeetingPage, 400: Error, 401: Error, 404: Error},
            summary="组织生活列表（一个组织，新的在前）")
def list_meetings(
    request,
    code: str,
    year: int = Query(None, ge=1900, le=2999, description="年份"),
    month: int = Query(None, ge=1, le=12, description="月份（与 year 一起用）"),
    type: str = Query(None, description="会议类型，如 theme_day、branch_general"),
    limit: int = Query(100, ge=1, le=500),
    offset: int = Query(0, ge=0, le=MAX_INT),
):
    org = org_or_404(actor(request), code)
    qs = (Meeting.objects.filter(org=org).select_related("org", "chair", "lecturer").prefetch_related("kinds")
          .order_by("-held_on", "-id"))
    if year:
        qs = qs.filter(held_on__year=year)
        if month:
            qs = qs.filter(held_on__month=month)
    if type:
        check_choice(type, MeetingType, field="type", label="会议类型")
        qs = qs.filter(kinds__kind=type)
    return page(qs, limit, offset, meeting_out)


@router.get("/meetings/{int:meeting_id}", response={200: MeetingDetailOut, 401: Error, 404: Error},
            summary="组织生活详情（出席、表决、附件）")
def get_meeting(request, meeting_id: int):
    return meeting_detail(meeting_or_404(actor(request), meeting_id))


@router.post("/organizations/{code}/meetings", response={201: MeetingDetailOut, **ERRORS}, summary="登记组织生活")
def create_meeting(request, code: str, data: MeetingIn):
    user = actor(request)
    org = org_or_404(user, code)
    rows = _attendance(user, data.attendance or [])
    expected, present = data.expected, data.present
    if rows:
        present = sum(1 for _, attended, _ in rows if attended) if present is None else present
        expected = len(rows) if expected is None else expected
    for value, name, label in ((expected, "expected", "应到人数"), (present, "present", "实到人数")):
        if value is None:
            raise DomainError(f"请填写{label}，或提供逐人出席名单 attendance", field=name, code="REQUIRED")
    meeting = services.record_meeting(
        actor=user, org=org, held_on=date_in(data.held_on, field="held_on", required=True, label="会议日期"),
        subject=data.subject, types=_choices(data.types, MeetingType, field="types", label="会议类型"),
        topics=_choices(data.topics, Topic, field="topics", label="议题类别"),
        chair=referenced_member(user, data.chair, field="chair") if data.chair else None,
        lecturer=referenced_member(user, data.lecturer, field="lecturer") if data.lecturer else None,
        expected=expected, present=present, location=data.location, minutes=data.minutes,
        attendance=rows or None)
    return Status(201, meeting_detail(fresh(meeting)))


@router.patch("/meetings/{int:meeting_id}", response={200: MeetingDetailOut, **ERRORS}, summary="修改组织生活")
def update_meeting(request, meeting_id: int, data: MeetingPatchIn):
    user = actor(request)
    meeting = meeting_or_404(user, meeting_id)
    changes = data.dict(exclude_unset=True)
    if "held_on" in changes:
        changes["held_on"] = date_in(changes["held_on"], field="held_on", required=True, label="会议日期")
    for name, choices, label in (("types", MeetingType, "会议类型"), ("topics", Topic, "议题类别")):
        if name in changes:
            changes[name] = _choices(changes[name] or [], choices, field=name, label=label)
    for name in ("chair", "lecturer"):
        if name in changes and changes[name] is not None:
            changes[name] = referenced_member(user, changes[name], field=name)
    for name, label in (("expected", "应到人数"), ("present", "实到人数"), ("subject", "会议主题")):
        if name in changes and changes[name] is None:
            raise DomainError(f"{label}不能为空", field=name, code="REQUIRED")
    attendance = None
    if changes.pop("attendance", None) is not None:
        attendance = _attendance(user, data.attendance)
        if "present" not in changes and attendance:
            changes["present"] = sum(1 for _, attended, _ in attendance if attended)
    services.update_meeting(meeting, actor=user, attendance=attendance, **changes)
    return meeting_detail(fresh(meeting))


@router.delete("/meetings/{int:meeting_id}", response={204: None, **ERRORS}, summary="删除组织生活（误录）")
def delete_meeting(request, meeting_id: int):
    user = actor(request)
    services.delete_meeting(meeting_or_404(user, meeting_id), actor=user)
    return Status(204, None)


@router.post("/meetings/{int:meeting_id}/votes", response={201: VoteOut, **ERRORS},
             summary="登记表决（结果由票数计算）")
def create_vote(request, meeting_id: int, data: VoteIn):
    user = actor(request)
    meeting = meeting_or_404(user, meeting_id)
    vote = services.record_vote(meeting, actor=user, **data.dict())
    return Status(201, vote_out(vote))


# ---- 党员之家 ----

@router.get("/organizations/{code}/party-homes", response={200: list[PartyHomeOut], 401: Error, 404: Error},
            summary="党员之家列表（一个组织）")
def list_party_homes(request, code: str):
    org = org_or_404(actor(request), code)
    return [home_out(h) for h in PartyHome.objects.filter(org=org).select_related("org")]


@router.post("/organizations/{code}/party-homes", response={201: PartyHomeOut, **ERRORS}, summary="登记党员之家")
def create_party_home(request, code: str, data: PartyHomeIn):
    user = actor(request)
    org = org_or_404(user, code)
    home = services.create_party_home(
        actor=user, org=org, name=data.name,
        opened_on=date_in(data.opened_on, field="opened_on", required=True, label="建成日期"),
        facilities=_choices(data.facilities, Facility, field="facilities", label="设施"))
    return Status(201, home_out(home))


@router.patch("/party-homes/{int:home_id}", response={200: PartyHomeOut, **ERRORS}, summary="修改党员之家")
def update_party_home(request, home_id: int, data: PartyHomePatchIn):
    user = actor(request)
    home = home_or_404(user, home_id)
    changes = data.dict(exclude_unset=True)
    if "opened_on" in changes:
        changes["opened_on"] = date_in(changes["opened_on"], field="opened_on", required=True, label="建成日期")
    if "facilities" in changes:
        changes["facilities"] = _choices(changes["facilities"] or [], Facility, field="facilities", label="设施")
    services.update_party_home(home, actor=user, **changes)
    return home_out(PartyHome.objects.select_related("org").get(pk=home.pk))
