"""换届选举 pages: a branch walked through its re-election in the browser's way — the secretary reports the plan,
the higher 党委 approves it (the branch cannot), the candidates, the 支部党员大会 with its attendance, the
tallies, the new committee's posts (the previous committee's ended the day before) and the term they open;
each step's refusal on its field (ELE-02, ELE-05, ELE-07, a step out of order) and who may open and do what."""
import datetime

import pytest
from django.urls import reverse

from dangjian.audit.models import AuditEntry
from dangjian.core.dates import today
from dangjian.meetings.services import record_meeting
from dangjian.members.services import create_member
from dangjian.organizations import elections
from dangjian.organizations.models import CommitteePost, Election, ElectionProcess, Post
from dangjian.organizations.queries import committee_on, term_status

from .cast import person_id
from .test_web_access import STAFF_A0101, USERS, client_for

D = datetime.date
DAY = datetime.timedelta(days=1)


@pytest.fixture
def branch(cast):
    """A0101 with five full members (张建国 the secretary since 2016, 李秀英 and three more) and 王志强, still
    probationary; its 支部党员大会 held a week ago with 6 expected and 6 present."""
    cast.more = [create_member(actor=None, id_number=person_id(70 + i), name=name, org=cast.a0101,
                               admitted_on=D(2012, 7, 1), confirmed_on=D(2013, 7, 1))
                 for i, name in enumerate(("刘洋", "周敏", "郑伟"))]
    cast.election_day = today() - 7 * DAY
    cast.meeting = record_meeting(actor=None, org=cast.a0101, held_on=cast.election_day, subject="换届选举大会",
                                  types=["branch_general"], expected=6, present=6, topics=["election"])
    return cast


def plan(c, **over):
    data = dict(actor=None, org=c.a0101, seats=3, requested_on=today() - 30 * DAY) | over
    return elections.plan_election(**data)


def approved(c):
    return elections.approve_election_plan(plan(c), actor=None, approved_on=today() - 20 * DAY,
                                           approval_no="甲党委〔2026〕12号")


def nominated(c):
    process = approved(c)
    return elections.set_candidates(process, actor=None, members=[c.zhang, c.li] + c.more[:2])


def held(c, **counts):
    return elections.record_election_meeting(nominated(c), actor=None, meeting=c.meeting, **counts)


def step(client, process, key, data):
    return client.post(reverse("election_step", args=[process.pk, key]), {f"{key}-{k}": v for k, v in data.items()})


def errors_of(response):
    form = next(f["form"] for f in response.context["forms"] if f["form"].is_bound)
    return [e for errors in form.errors.values() for e in errors]


# ---- the whole walk ----

def test_it_walks_a_branch_through_its_election(client, branch):
    c = branch
    client.force_login(c.shuji)
    response = client.post(reverse("election_plan_create", args=["A0101"]), {
        "seats": "3", "term_years": "3", "requested_on": (today() - 30 * DAY).isoformat(), "planned_on": ""})
    process = ElectionProcess.objects.get(org=c.a0101)
    assert response.url == reverse("election_process", args=[process.pk])
    html = client.get(response.url).content.decode()
    assert "待上级批复" in html and "待上级党组织批复" in html
    assert reverse("election_step", args=[process.pk, "approve"]) not in html  # the branch does not approve

    client.force_login(c.a01admin)  # the higher 党委
    html = client.get(response.url).content.decode()
    assert "登记上级批复" in html
    approve = {"approved_on": (today() - 20 * DAY).isoformat(), "approval_no": "甲党委〔2026〕12号"}
    assert step(client, process, "approve", approve).status_code == 302

    client.force_login(c.shuji)
    candidates = [c.zhang, c.li, c.more[0], c.more[1]]
    page = client.get(response.url)
    offered = {m.pk for m in next(f["form"] for f in page.context["forms"]).fields["members"].queryset}
    assert c.wang.pk not in offered and {m.pk for m in candidates} <= offered  # full members only
    assert step(client, process, "candidates", {"members": [m.pk for m in candidates]}).status_code == 302
    assert step(client, process, "meeting", {"meeting": c.meeting.pk, "expected": "", "present": ""}).status_code == 302
    process.refresh_from_db()
    assert (process.expected, process.present) == (6, 6)

    ids = {m.pk: cand.pk for cand in process.candidates.all() for m in [cand.member]}
    votes = {c.zhang.pk: 6, c.li.pk: 5, c.more[0].pk: 4, c.more[1].pk: 3}  # more than half of 6: 4 or more
    assert step(client, process, "tallies", {f"votes_{ids[m]}": v for m, v in votes.items()}).status_code == 302
    election = Election.objects.get(org=c.a0101, held_on=c.election_day)
    assert (election.expected, election.present, election.seats, election.candidates) == (6, 6, 3, 4)
    assert {cand.member.name for cand in process.candidates.filter(elected=True)} == {"张建国", "李秀英", "刘洋"}

    posts = {c.zhang: "secretary", c.li: "organization_member", c.more[0]: "discipline_member"}
    assert step(client, process, "committee", {f"post_{ids[m.pk]}": p for m, p in posts.items()}).status_code == 302
    c.secretary_post.refresh_from_db()
    assert c.secretary_post.ended_on == c.election_day - DAY  # the previous committee ends the day before
    now = {(p.member.name, p.post, p.started_on) for p in committee_on(c.a0101, today())}
    assert now == {("张建国", Post.SECRETARY, c.election_day), ("李秀英", Post.ORGANIZATION_MEMBER, c.election_day),
                   ("刘洋", Post.DISCIPLINE_MEMBER, c.election_day)}
    status = term_status(c.a0101, today())
    assert status.state == "current" and status.last_election == election and status.ends_on.year == today().year + 3

    html = client.get(response.url).content.decode()
    assert "新一届委员会已产生" in html and "当选" in html and "纪检委员" in html and "登记委员分工" not in html
    entries = AuditEntry.objects.filter(object_type="electionprocess").order_by("id")
    actions = list(entries.values_list("action", flat=True))
    assert actions == ["election_process.create", "election_process.approve", "election_process.candidates",
                       "election_process.meeting", "election_process.tallies", "election_process.committee"]
    assert AuditEntry.objects.filter(action="election.create", object_id=str(election.pk)).exists()
    org_page = client.get(reverse("org_detail", args=["A0101"])).content.decode()
    assert reverse("election_process", args=[process.pk]) in org_page and "已完成" in org_page


# ---- who may do what ----

@pytest.mark.parametrize("who", USERS)
def test_it_answers_the_election_pages_by_role(client, branch, who):
    process = plan(branch)
    client = client_for(client, branch, who)
    for name, args in (("election_process", [process.pk]), ("election_plan_create", ["A0101"])):
        response = client.get(reverse(name, args=args))
        if who == "anonymous":
            assert response.status_code == 302 and response.url.startswith(reverse("login"))
        else:
            assert response.status_code == STAFF_A0101[who], f"{who} {name}"


def test_the_branch_cannot_approve_its_own_plan(client, branch):
    process = plan(branch)
    client.force_login(branch.shuji)
    before = AuditEntry.objects.count()
    response = step(client, process, "approve", {"approved_on": today().isoformat(), "approval_no": "自批〔2026〕1号"})
    assert response.status_code == 403
    process.refresh_from_db()
    assert process.approved_on is None and AuditEntry.objects.count() == before
    with pytest.raises(elections.PermissionDenied):
        elections.approve_election_plan(process, actor=branch.shuji, approved_on=today(), approval_no="1号")


@pytest.mark.parametrize("who,status", [("b01admin", 404), ("dangyuan", 403), ("outsider", 403)])
def test_it_refuses_every_step_out_of_reach(client, branch, who, status):
    process = approved(branch)
    client.force_login(getattr(branch, who))
    for key in ("approve", "candidates", "meeting", "tallies", "committee"):
        assert step(client, process, key, {}).status_code == status
    assert client.post(reverse("election_cancel", args=[process.pk])).status_code == status
    assert ElectionProcess.objects.filter(pk=process.pk, candidates__isnull=True).exists()


def test_the_higher_organisations_staff_may_also_prepare(client, branch):
    client.force_login(branch.a01admin)
    process = approved(branch)
    assert step(client, process, "candidates",
                {"members": [branch.zhang.pk, branch.li.pk] + [m.pk for m in branch.more[:2]]}).status_code == 302


# ---- refusals, on the field they are about ----

def test_it_refuses_too_few_candidates_naming_ele02(client, branch):
    process = approved(branch)  # 3 seats: 3.6 → at least 4
    client.force_login(branch.shuji)
    response = step(client, process, "candidates", {"members": [branch.zhang.pk, branch.li.pk, branch.more[0].pk]})
    assert response.status_code == 200
    assert any("（ELE-02）" in e and "候选人应不少于4人，现为3人" in e for e in errors_of(response))
    assert not process.candidates.exists()


def test_it_refuses_a_probationary_candidate(branch):
    process = approved(branch)
    with pytest.raises(elections.DomainError) as exc:
        elections.set_candidates(process, actor=None, members=[branch.zhang, branch.li, branch.more[0], branch.wang])
    assert exc.value.code == "CANDIDATE_NOT_ELIGIBLE" and "王志强" in exc.value.message


def test_it_refuses_a_meeting_with_four_fifths_present_naming_ele05(client, branch):
    process = nominated(branch)
    client.force_login(branch.shuji)
    response = step(client, process, "meeting", {"meeting": branch.meeting.pk, "expected": "5", "present": "4"})
    assert any("（ELE-05）" in e and "应到5人，实到4人" in e for e in errors_of(response))
    process.refresh_from_db()
    assert process.meeting_id is None
    response = step(client, process, "meeting", {"meeting": branch.meeting.pk, "expected": "6", "present": "5"})
    assert response.status_code == 302  # 5 of 6: more than four fifths


def test_it_refuses_a_meeting_of_another_kind_or_before_the_approval(branch):
    process = nominated(branch)
    committee = record_meeting(actor=None, org=branch.a0101, held_on=branch.election_day, subject="支委会",
                               types=["branch_committee"], expected=3, present=3)
    early = record_meeting(actor=None, org=branch.a0101, held_on=today() - 25 * DAY, subject="党员大会",
                           types=["branch_general"], expected=6, present=6)
    for meeting, code in ((committee, "ELECTION_MEETING"), (early, "DATE_ORDER")):
        with pytest.raises(elections.DomainError) as exc:
            elections.record_election_meeting(process, actor=None, meeting=meeting)
        assert exc.value.code == code
    assert early not in elections.meeting_choices(process) and branch.meeting in elections.meeting_choices(process)


def test_it_refuses_a_tie_at_the_last_place_and_too_many_votes(client, branch):
    process = held(branch)
    ids = {cand.member_id: cand.pk for cand in process.candidates.all()}
    client.force_login(branch.shuji)
    tie = {branch.zhang.pk: 5, branch.li.pk: 5, branch.more[0].pk: 4, branch.more[1].pk: 4}  # two for the last place
    response = step(client, process, "tallies", {f"votes_{ids[m]}": v for m, v in tie.items()})
    assert any("得票相等" in e and "再次投票" in e for e in errors_of(response))
    over = {branch.zhang.pk: 6, branch.li.pk: 6, branch.more[0].pk: 6, branch.more[1].pk: 1}  # 19 > 6 × 3
    response = step(client, process, "tallies", {f"votes_{ids[m]}": v for m, v in over.items()})
    assert any("多于实到会6人×应选3人" in e for e in errors_of(response))
    assert not Election.objects.filter(org=branch.a0101, held_on=branch.election_day).exists()


def test_nobody_with_half_the_votes_means_a_new_election(branch):
    process = held(branch)
    with pytest.raises(elections.DomainError) as exc:
        elections.record_tallies(process, actor=None, votes={c.pk: 3 for c in process.candidates.all()})
    assert exc.value.code == "ELE-07" and "应到会有选举权人数（6人）" in exc.value.message  # the 2020 rule


def test_fewer_elected_than_seats_leaves_the_rest_to_a_new_vote(branch):
    process = held(branch)
    votes = dict(zip((c.pk for c in process.candidates.order_by("id")), (5, 4, 3, 2)))
    elections.record_tallies(process, actor=None, votes=votes)
    assert process.candidates.filter(elected=True).count() == 2 and process.election.seats == 3


def test_the_committee_needs_one_secretary_and_a_post_for_each_elected(client, branch):
    process = held(branch)
    votes = dict(zip((c.pk for c in process.candidates.order_by("id")), (6, 5, 4, 1)))
    elections.record_tallies(process, actor=None, votes=votes)
    elected = list(process.candidates.filter(elected=True).order_by("id"))
    client.force_login(branch.shuji)
    response = step(client, process, "committee", {f"post_{c.pk}": "committee_member" for c in elected})
    assert any("应有且只有一名书记" in e for e in errors_of(response))
    response = step(client, process, "committee", {f"post_{elected[0].pk}": "secretary"})
    assert any("请为李秀英选择职务" in e for e in errors_of(response))
    assert CommitteePost.objects.filter(org=branch.a0101, started_on=branch.election_day).count() == 0


def test_a_step_out_of_order_is_refused(client, branch):
    process = plan(branch)
    with pytest.raises(elections.DomainError) as exc:
        elections.set_candidates(process, actor=None, members=[branch.zhang])
    assert exc.value.code == "ELECTION_STAGE" and "待上级批复" in exc.value.message
    with pytest.raises(elections.DomainError) as exc:  # a second open plan for the same branch
        plan(branch)
    assert exc.value.code == "ELECTION_OPEN"
    elections.approve_election_plan(process, actor=None, approved_on=today(), approval_no="1号")
    with pytest.raises(elections.DomainError) as exc:  # approved once
        elections.approve_election_plan(process, actor=None, approved_on=today(), approval_no="2号")
    assert exc.value.code == "ELECTION_STAGE"


def test_it_cancels_a_plan_not_yet_counted(client, branch):
    process = nominated(branch)
    client.force_login(branch.shuji)
    response = client.post(reverse("election_cancel", args=[process.pk]))
    assert response.url == reverse("org_detail", args=["A0101"]) + "#elections"
    assert not ElectionProcess.objects.exists()
    assert AuditEntry.objects.filter(action="election_process.delete").exists()


def test_the_plan_form_refuses_what_the_service_refuses(client, branch):
    client.force_login(branch.shuji)
    url = reverse("election_plan_create", args=["A0101"])
    base = {"seats": "3", "term_years": "3", "requested_on": today().isoformat(), "planned_on": ""}
    response = client.post(url, base | {"term_years": "6"})
    assert "任期年数应为2至5年" in response.content.decode()
    response = client.post(url, base | {"planned_on": (today() - DAY).isoformat()})
    assert "拟选举日期不能早于请示日期" in response.content.decode()
    assert not ElectionProcess.objects.exists()
    response = client.post(reverse("election_plan_create", args=["A0101G1"]), base)
    assert "党小组不进行换届选举" in response.content.decode()


def test_a_root_committees_approval_is_recorded_by_a_system_administrator(branch):
    process = elections.plan_election(actor=branch.zuzhibu, org=branch.jt, seats=7, requested_on=today())
    assert process.term_years == 5  # a 党委's default term
    with pytest.raises(elections.PermissionDenied):  # its higher organisation is outside the system
        elections.approve_election_plan(process, actor=branch.zuzhibu, approved_on=today(), approval_no="1号")
    elections.approve_election_plan(process, actor=branch.admin, approved_on=today(), approval_no="省委组织部〔2026〕1号")
    assert process.approver is None and elections.stage_of(process) == elections.APPROVED
