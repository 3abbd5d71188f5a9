"""换届选举工作: an organisation's re-election walked step by step, each step one service function (check, save
in a transaction, audit). The order is the 基层组织选举工作条例's (ELE-03, ELE-10):

    1 plan_election            the organisation's own staff report the plan (请示: 应选人数, 任期)
    2 approve_election_plan    the higher organisation approves it (批复日期, 批复文号)
    3 set_candidates           the candidates, members of the organisation, at least 应选人数 × 1.2 (ELE-02)
    4 record_election_meeting  the 党员大会 (or 党员代表大会) of the election day, with its attendance (ELE-05)
    5 record_tallies           the votes of each candidate; who is elected (ELE-07); the term opens (`Election`)
    6 fill_committee           the new committee's posts from the result; the previous committee's end the day before

The stage is computed from what is recorded (`stage_of`); `NEXT` says which step each stage allows, and
`_require_stage` refuses any other, so a step cannot be skipped or taken twice. Entered here, an election
that breaks ELE-02 or ELE-05 is refused with the rule's reason (the ledger importer alone keeps such history).
"""
import datetime

from django.db import transaction

from dangjian.accounts.access import can_manage_org, is_admin, require_manage_org, visible_members
from dangjian.audit.services import log_action
from dangjian.core.dates import today
from dangjian.core.errors import DomainError, PermissionDenied
from dangjian.core.text import check_lengths
from dangjian.members.models import Stage
from dangjian.rules import parameters

from . import counting, services
from .models import (
    COMMITTEE_POSTS,
    LEADERSHIP_TYPES,
    CommitteePost,
    Election,
    ElectionCandidate,
    ElectionProcess,
    Post,
)

REQUESTED, APPROVED, NOMINATED = "requested", "approved", "nominated"
MEETING, COUNTED, DONE = "meeting", "counted", "done"
STAGES = {
    REQUESTED: "待上级批复",
    APPROVED: "已批复，待确定候选人",
    NOMINATED: "候选人已确定，待召开选举大会",
    MEETING: "选举大会已召开，待登记计票结果",
    COUNTED: "已计票，待委员分工",
    DONE: "新一届委员会已产生",
}
# The step each stage allows next (and those that may be taken again before the following step: the
# candidates until the meeting, the meeting until the tallies).
NEXT = {
    REQUESTED: ("approve",),
    APPROVED: ("candidates",),
    NOMINATED: ("candidates", "meeting"),
    MEETING: ("meeting", "tallies"),
    COUNTED: ("committee",),
    DONE: (),
}
STEP_TITLES = {"approve": "上级批复", "candidates": "确定候选人", "meeting": "召开选举大会", "tallies": "登记计票结果",
               "committee": "委员分工"}
# The meetings that elect a committee (ELE-01): the 党员大会, or the 党员代表大会 of a 党委.
ELECTION_MEETING_TYPES = ("branch_general", "congress")
MAX_SEATS = 99  # a committee of more is a typing error (党委 committees have at most some 30 members)


def stage_of(process, candidates=None):
    """The stage the recorded facts put the process in."""
    candidates = list(process.candidates.all()) if candidates is None else candidates
    if process.election_id:
        elected = [c for c in candidates if c.elected]
        return DONE if elected and all(c.post_record_id for c in elected) else COUNTED
    if process.meeting_id:
        return MEETING
    if candidates:
        return NOMINATED
    return APPROVED if process.approved_on else REQUESTED


def _require_stage(process, step):
    stage = stage_of(process)
    if step not in NEXT[stage]:
        raise DomainError(f"当前为“{STAGES[stage]}”，不能办理“{STEP_TITLES[step]}”", code="ELECTION_STAGE")


def can_approve(user, process):
    """The higher organisation approves: whoever manages the organisation above (for a root 党委, whose higher
    organisation is outside the system, a system administrator records its approval)."""
    org = process.org
    if org.parent_id is None:
        return user is None or is_admin(user)
    return can_manage_org(user, org.parent)


def _check_day(day, field, label, *, not_before=None, after_label=""):
    if day is None:
        raise DomainError(f"请填写{label}", field=field, code="REQUIRED")
    if day > today():
        raise DomainError(f"{label}不能晚于今天", field=field, code="DATE_FUTURE")
    if not_before and day < not_before:
        raise DomainError(f"{label}不能早于{after_label}（{not_before}）", field=field, code="DATE_ORDER")


def _snapshot(process):
    candidates = list(process.candidates.select_related("member"))
    return process.snapshot() | {
        "candidates": [c.member.name for c in candidates],
        "votes": {c.member.name: c.votes for c in candidates if c.votes is not None},
        "elected": [c.member.name for c in candidates if c.elected],
        "posts": {c.member.name: c.post for c in candidates if c.post}}


def _log(actor, action, process, before):
    """Audit a step: what it changed (everything, for a new plan)."""
    after = _snapshot(process)
    if before is None:
        log_action(actor=actor, action=action, obj=process, org=process.org, after=after)
        return
    keys = [k for k in after if before.get(k) != after.get(k)]
    log_action(actor=actor, action=action, obj=process, org=process.org, before={k: before.get(k) for k in keys},
               after={k: after[k] for k in keys})


# ---- 1 the plan ----

@transaction.atomic
def plan_election(*, actor, org, seats, requested_on, term_years=None, planned_on=None):
    """换届请示: the organisation reports its plan to the higher organisation (应选人数, 任期, 拟选举日期)."""
    require_manage_org(actor, org)
    if org.org_type not in LEADERSHIP_TYPES:
        raise DomainError("党小组不进行换届选举", field="org", code="ELECTION_ORG_TYPE")
    if org.dissolved_on:
        raise DomainError(f"“{org.name}”已撤销", field="org", code="ELECTION_ORG_TYPE")
    _check_day(requested_on, "requested_on", "请示日期", not_before=org.founded_on, after_label="成立日期")
    if seats is None or not 1 <= seats <= MAX_SEATS:
        raise DomainError(f"应选人数应为1至{MAX_SEATS}之间的整数", field="seats", code="NUMBER")
    if term_years is None:
        term_years = services.default_term_years(org.org_type, requested_on)
    low, high = (parameters.value(f"term_years_{end}", requested_on) for end in ("min", "max"))
    if not low <= term_years <= high:
        raise DomainError(f"任期年数应为{low}至{high}年", field="term_years", code="ELECTION_TERM")
    if planned_on and planned_on < requested_on:
        raise DomainError("拟选举日期不能早于请示日期", field="planned_on", code="DATE_ORDER")
    if open_process(org):
        raise DomainError(f"“{org.name}”已有正在进行的换届选举，请先办完或撤销", field="org", code="ELECTION_OPEN")
    process = ElectionProcess.objects.create(org=org, seats=seats, term_years=term_years, requested_on=requested_on,
                                             planned_on=planned_on)
    _log(actor, "election_process.create", process, None)
    return process


def open_process(org):
    """The organisation's re-election under way (not yet counted), or None."""
    return org.election_processes.filter(election__isnull=True).first()


@transaction.atomic
def cancel_election_plan(process, *, actor):
    """撤销: a plan entered by mistake or abandoned, before the tallies open a term (the audit keeps it)."""
    require_manage_org(actor, process.org)
    if process.election_id:
        raise DomainError("已登记计票结果的换届选举不能撤销", code="ELECTION_STAGE")
    log_action(actor=actor, action="election_process.delete", obj=process, org=process.org, before=_snapshot(process))
    process.delete()


# ---- 2 the higher organisation's approval ----

@transaction.atomic
def approve_election_plan(process, *, actor, approved_on, approval_no):
    """上级批复: the higher organisation agrees to the plan (the date and number of its 批复)."""
    if not can_approve(actor, process):
        raise PermissionDenied("无权操作：换届选举请示须由上级党组织批复")
    _require_stage(process, "approve")
    _check_day(approved_on, "approved_on", "批复日期", not_before=process.requested_on, after_label="请示日期")
    approval_no = (approval_no or "").strip()
    if not approval_no:
        raise DomainError("请填写批复文号", field="approval_no", code="REQUIRED")
    check_lengths(ElectionProcess, {"approval_no": approval_no})
    before = _snapshot(process)
    process.approved_on, process.approval_no, process.approver = approved_on, approval_no, process.org.parent
    process.save(update_fields=["approved_on", "approval_no", "approver"])
    _log(actor, "election_process.approve", process, before)
    return process


# ---- 3 the candidates ----

def _eligible(member, org, day):
    """ELE-08: only full members may stand; a candidate's membership is held in the organisation (or below
    it, for a 党总支 or 党委) on `day`."""
    stage, where = member.state_on(day)
    return stage == Stage.FULL and where is not None and where.is_within(org)


def _check_candidates(process, members, day, *, field="members"):
    for member in members:
        if not _eligible(member, process.org, day):
            raise DomainError(f"{member.name}在{day}不是本组织的正式党员，不能作为候选人（只有正式党员有被选举权）",
                              field=field, code="CANDIDATE_NOT_ELIGIBLE")
    message = counting.too_few_candidates(process.seats, len(members), day)
    if message:
        raise DomainError(message, field=field, code="ELE-02")


@transaction.atomic
def set_candidates(process, *, actor, members):
    """确定候选人 (the list replaces an earlier one until the meeting is recorded)."""
    require_manage_org(actor, process.org)
    _require_stage(process, "candidates")
    members = list(members)
    if len({m.pk for m in members}) != len(members):
        raise DomainError("候选人不能重复", field="members", code="DUPLICATE")
    visible = set(visible_members(actor).filter(pk__in=[m.pk for m in members]).values_list("pk", flat=True))
    if any(m.pk not in visible for m in members):
        raise PermissionDenied("无权操作：候选人不在您的管理范围内", field="members")
    # Judged on the planned election day (else today); the meeting step judges them again on its day.
    _check_candidates(process, members, process.planned_on or today())
    before = _snapshot(process)
    process.candidates.all().delete()
    ElectionCandidate.objects.bulk_create(ElectionCandidate(process=process, member=m) for m in members)
    _log(actor, "election_process.candidates", process, before)
    return process


# ---- 4 the election meeting ----

@transaction.atomic
def record_election_meeting(process, *, actor, meeting, expected=None, present=None):
    """选举大会: the meeting that held the election, with those who should attend and those present with
    electoral rights (default: the meeting's head counts). Refused when 4/5 or fewer were present (ELE-05:
    the election is invalid), or when the candidates were not eligible that day."""
    require_manage_org(actor, process.org)
    _require_stage(process, "meeting")
    if meeting is None:
        raise DomainError("请选择选举大会的会议记录", field="meeting", code="REQUIRED")
    if meeting.org_id != process.org_id or not set(meeting.types) & set(ELECTION_MEETING_TYPES):
        raise DomainError("选举大会应为本组织召开的党员大会或党员代表大会", field="meeting", code="ELECTION_MEETING")
    day = meeting.held_on
    if day < process.approved_on:
        raise DomainError(f"选举大会（{day}）应在上级批复（{process.approved_on}）之后召开", field="meeting",
                          code="DATE_ORDER")
    if Election.objects.filter(org=process.org, held_on=day).exists():
        raise DomainError("该组织在该日期已有换届记录", field="meeting", code="DUPLICATE")
    expected = meeting.expected if expected is None else expected
    present = meeting.present if present is None else present
    for value, field, label, most in ((expected, "expected", "应到会有选举权人数", meeting.expected),
                                      (present, "present", "实到会有选举权人数", meeting.present)):
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= most:
            raise DomainError(f"{label}应为0至{most}之间的整数（不能多于会议的{label[:3]}人数）", field=field,
                              code="NUMBER")
    if present > expected:
        raise DomainError("实到会人数不能多于应到会人数", field="present", code="ELECTION_PRESENT")
    message = counting.no_quorum(expected, present, day)
    if message:
        raise DomainError(message, field="present", code="ELE-05")
    _check_candidates(process, [c.member for c in process.candidates.select_related("member")], day, field="meeting")
    before = _snapshot(process)
    process.meeting, process.expected, process.present = meeting, expected, present
    process.save(update_fields=["meeting", "expected", "present"])
    _log(actor, "election_process.meeting", process, before)
    return process


def meeting_choices(process):
    """The meetings that may be the election meeting: the organisation's 党员大会 / 党员代表大会 held on or
    after the approval, latest first."""
    from dangjian.meetings.models import Meeting

    qs = Meeting.objects.filter(org=process.org, kinds__kind__in=ELECTION_MEETING_TYPES).distinct()
    if process.approved_on:
        qs = qs.filter(held_on__gte=process.approved_on)
    return qs.order_by("-held_on", "-id")


# ---- 5 the tallies ----

@transaction.atomic
def record_tallies(process, *, actor, votes):
    """计票结果: `votes` {candidate pk: yes votes}, one for every candidate. Who is elected follows ELE-07
    (organizations.counting.count_votes); the election then opens the term (services.record_election, which
    judges ELE-02 and ELE-05 once more). Refused when no candidate is elected (另行选举) or when candidates tie
    at the last place (a new vote among them decides)."""
    require_manage_org(actor, process.org)
    _require_stage(process, "tallies")
    candidates = list(process.candidates.select_related("member"))
    day, expected, present, seats = process.meeting.held_on, process.expected, process.present, process.seats
    for c in candidates:
        value = votes.get(c.pk)
        if value is None or isinstance(value, bool) or not isinstance(value, int):
            raise DomainError(f"请填写{c.member.name}的得票数", field=f"votes_{c.pk}", code="REQUIRED")
        if not 0 <= value <= present:
            raise DomainError(f"{c.member.name}的得票数应为0至{present}（实到会人数）之间的整数", field=f"votes_{c.pk}",
                              code="NUMBER")
    total = sum(votes[c.pk] for c in candidates)
    if total > present * seats:
        # ELE-06: a ballot naming more than the places is invalid, so the votes are at most present × seats.
        raise DomainError(f"得票合计{total}票，多于实到会{present}人×应选{seats}人（每张有效选票所选人数不多于应选人数）",
                          field=f"votes_{candidates[0].pk}", code="VOTE_COUNT")
    elected, tied = counting.count_votes([(c.pk, votes[c.pk]) for c in candidates], seats=seats, expected=expected,
                                         present=present, on=day)
    if tied:
        names = "、".join(c.member.name for c in candidates if c.pk in tied)
        raise DomainError(f"{names}得票相等，无法确定最后的当选人：应就票数相等的被选举人再次投票，按再次投票的结果登记",
                          code="ELE-07")
    if not elected:
        base, name = counting.majority_base(expected, present, day)
        raise DomainError(f"没有候选人得票超过{name}有选举权人数（{base}人）的一半，未选出委员，应另行选举",
                          code="ELE-07")
    before = _snapshot(process)
    for c in candidates:
        c.votes, c.elected = votes[c.pk], c.pk in elected
        c.save(update_fields=["votes", "elected"])
    process.election = services.record_election(
        actor=actor, org=process.org, held_on=day, term_years=process.term_years, expected=expected, present=present,
        seats=seats, candidates=len(candidates))
    process.save(update_fields=["election"])
    _log(actor, "election_process.tallies", process, before)
    return process


# ---- 6 the new committee ----

def committee_posts():
    """The posts the new committee may give its members (纪委书记 is elected by the 纪委, not here)."""
    return [(p, Post(p).label) for p in COMMITTEE_POSTS]


@transaction.atomic
def fill_committee(process, *, actor, posts):
    """委员分工: `posts` {candidate pk: post} for every elected candidate, one 书记 among them. The previous
    committee's posts still held on the eve of the election end that day; the new ones start on the election
    day (the committee's first meeting electing its 书记 and 副书记 is not recorded apart)."""
    require_manage_org(actor, process.org)
    _require_stage(process, "committee")
    elected = [c for c in process.candidates.select_related("member") if c.elected]
    allowed = {p for p, _ in committee_posts()}
    for c in elected:
        if posts.get(c.pk) not in allowed:
            raise DomainError(f"请为{c.member.name}选择职务", field=f"post_{c.pk}", code="REQUIRED")
    secretaries = [c for c in elected if posts[c.pk] == Post.SECRETARY]
    if len(secretaries) != 1:
        raise DomainError(f"新一届委员会应有且只有一名书记，现为{len(secretaries)}名", field="posts", code="POST_SECRETARY")
    day = process.election.held_on
    org = process.org
    later = CommitteePost.objects.filter(org=org, post__in=COMMITTEE_POSTS, started_on__gte=day).first()
    if later:
        raise DomainError(f"已登记{later.started_on}起的任职（{later}），请先核对班子成员记录", field="posts",
                          code="POST_CONFLICT")
    before = _snapshot(process)
    eve = day - datetime.timedelta(days=1)
    outgoing = (CommitteePost.objects.filter(org=org, post__in=COMMITTEE_POSTS, started_on__lte=eve)
                .exclude(ended_on__lt=day).select_related("member", "org"))
    for record in outgoing:
        services.end_post(record, actor=actor, ended_on=eve)
    for c in elected:
        c.post = posts[c.pk]
        c.post_record = services.create_post(actor=actor, org=org, member=c.member, post=c.post, started_on=day)
        c.save(update_fields=["post", "post_record"])
    _log(actor, "election_process.committee", process, before)
    return process
