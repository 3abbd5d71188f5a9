"""The demonstration group: built once for the module (twice, to prove it is deterministic), small."""
import datetime
import io
import json
from decimal import Decimal
from io import StringIO
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import models, transaction
from django.test.utils import override_settings

from dangjian.audit.models import AuditEntry
from dangjian.core.dates import today
from dangjian.core.idcard import validate_id_number
from dangjian.demo import generator
from dangjian.core.dates import add_months
from dangjian.meetings.models import Attendance, Meeting, MeetingKind, MeetingType, PartyHome, Vote, VoteResult
from dangjian.members.models import EXIT_KINDS, Member, MemberEvent, Stage
from dangjian.organizations.models import (
    BRANCH_TYPES,
    LEADERSHIP_TYPES,
    CommitteePost,
    Election,
    Organization,
    OrgType,
    ParentLink,
    Post,
    under,
)
from dangjian.organizations.queries import secretary_on, term_status, term_statuses, tree_on
from dangjian.assistance.models import Project, ProjectKind
from dangjian.demo.education import planted_education
from dangjian.demo.governance import CITY_MATTERS, ROOT, planted_governance
from dangjian.demo.rectification import PLANTED_OVERDUE, RANDOM_OVERDUE, planted_rectification
from dangjian.education.models import Training, TrainingKind
from dangjian.education.queries import standings
from dangjian.governance.models import Matter, PriorStudyList, StudyStatus
from dangjian.governance.queries import list_entry, list_versions
from dangjian.rectification.models import OVERDUE, EventKind, Problem, ProblemSource, ProblemState
from dangjian.rectification.queries import problems_for_year
from dangjian.rules.engine import Window, run_checks

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
    from dangjian.recruitment.models import Case

    # The planned members, and those the demo's cases admitted through the branch meetings.
    assert Member.objects.count() == MEMBERS + Case.objects.filter(member__isnull=False).count()


def test_it_builds_only_through_the_services(demo, db):
    # Every organisation and member has the audit entry its service writes, by the system (actor None).
    created = AuditEntry.objects.filter(actor__isnull=True, actor_name="系统")
    assert created.filter(action="member.create").count() == Member.objects.count() > MEMBERS  # cases admit too
    from dangjian.dues.models import BaseDeclaration, Payment
    from dangjian.recruitment.models import Case, CaseStep

    assert created.filter(action="case.create").count() == Case.objects.count() > 0
    assert created.filter(action="case.step").count() == CaseStep.objects.count() - Case.objects.count()
    assert created.filter(action="dues.base").count() == BaseDeclaration.objects.count() > 0
    assert created.filter(action="dues.payment").count() == Payment.objects.count() > 0
    assert created.filter(action="organization.create").count() == Organization.objects.count()
    assert created.filter(action="meeting.create").count() == Meeting.objects.count() > 0
    assert created.filter(action="vote.create").count() == Vote.objects.count() > 0
    assert created.filter(action="party_home.create").count() == PartyHome.objects.count() > 0


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


# ---- 2018: organisational life and the planted gaps

YEAR_END = datetime.date(2018, 12, 31)
GAP_KINDS = {"MTG-01": MeetingType.BRANCH_GENERAL, "MTG-05": MeetingType.BRANCH_COMMITTEE, "MTG-06": MeetingType.GROUP,
             "MTG-08": MeetingType.LECTURE, "MTG-09": MeetingType.THEME_DAY, "MTG-10": MeetingType.LIFE_MEETING,
             "MTG-12": MeetingType.APPRAISAL, "MTG-15": MeetingType.DEMOCRATIC_LIFE}


@pytest.fixture(scope="module")
def plan(demo):
    """The plan the demo fixture wrote (same size, same day)."""
    return generator.make_plan(MEMBERS)


def _period(period):
    """(first, last) day of "2018", "2018-Q3" or "2018-07"."""
    year = int(period[:4])
    if len(period) == 4:
        return datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    first = datetime.date(year, 3 * int(period[6]) - 2, 1) if "Q" in period else datetime.date(year, int(period[5:]), 1)
    return first, add_months(first, 3 if "Q" in period else 1) - datetime.timedelta(days=1)


def test_the_default_demo_plants_exactly_the_listed_gaps():
    # The plan of the default demo, read with RULES.md: the planted gaps and nothing else for those rules.
    plan = generator.make_plan()
    assert plan.findings == sorted(generator.PLANTED_2018)
    listed = generator.plan_year.__doc__
    for rule, org, _ in generator.PLANTED_2018:
        assert rule in listed and org in listed


def test_it_holds_a_year_of_organisational_life_in_2018(demo, db):
    assert {d.month for d in Meeting.objects.filter(held_on__year=2018).dates("held_on", "month")} == set(range(1, 13))
    branches = list(Organization.objects.filter(org_type__in=BRANCH_TYPES, founded_on__lte=datetime.date(2018, 1, 1)))
    months = {}
    for org_id, day in MeetingKind.objects.filter(kind=MeetingType.THEME_DAY, held_on__year=2018).values_list(
            "org_id", "held_on"):
        months.setdefault(org_id, set()).add(day.month)
    every_month = [b for b in branches if months.get(b.pk) == set(range(1, 13))]
    assert len(every_month) >= 0.9 * len(branches)
    # The kinds copy their meeting's organisation and date; a meeting may count as several types.
    assert not MeetingKind.objects.exclude(org=models.F("meeting__org")).exists()
    assert not MeetingKind.objects.exclude(held_on=models.F("meeting__held_on")).exists()
    combined = Meeting.objects.filter(kinds__kind=MeetingType.LIFE_MEETING).filter(kinds__kind=MeetingType.APPRAISAL)
    assert combined.filter(kinds__kind=MeetingType.BRANCH_GENERAL).exists()
    used = set(MeetingKind.objects.values_list("kind", flat=True))
    assert {MeetingType.THEME_DAY, MeetingType.BRANCH_GENERAL, MeetingType.LECTURE, MeetingType.LIFE_MEETING,
            MeetingType.APPRAISAL, MeetingType.COMMITTEE, MeetingType.DEMOCRATIC_LIFE} <= used
    # Attendance person by person for some meetings (with the reasons of the absent), head counts for the rest.
    listed = Meeting.objects.filter(attendance__isnull=False).distinct()
    assert 0 < listed.count() < Meeting.objects.count()
    assert set(Attendance.objects.filter(attended=False).values_list("absence_reason", flat=True)) == {
        "出差", "病假", "外出学习"}
    for m in listed.filter(org__code=generator.DEMO_BRANCH):
        assert m.present == m.attendance.filter(attended=True).count()
    assert Meeting.objects.exclude(minutes="").exists()
    # 党员之家: one or two in each city committee's subtree.
    for city in Organization.objects.filter(parent__code=generator.ROOT_CODE, org_type=OrgType.COMMITTEE):
        homes = PartyHome.objects.filter(under(city.path, "org__path")).count()
        assert 1 <= homes <= 2


def test_every_secretary_gives_a_lecture_but_the_planted_one(demo, db, plan):
    silent = {org for rule, org, _ in plan.findings if rule == "MTG-16"}
    assert silent == {generator.SILENT_SECRETARY}
    shuji = get_user_model().objects.get(username="shuji").member
    assert Meeting.objects.filter(lecturer=shuji, held_on__year=2018, kinds__kind=MeetingType.LECTURE).exists()
    for org in Organization.objects.filter(org_type__in=LEADERSHIP_TYPES, founded_on__lte=datetime.date(2018, 1, 1)):
        post = secretary_on(org, YEAR_END)
        if post and org.code not in silent:
            assert Meeting.objects.filter(lecturer=post.member, held_on__year=2018).exists(), org.code


def test_the_planted_gaps_are_in_the_database(demo, db, plan):
    found = set(plan.findings)
    assert found <= set(generator.PLANTED_2018)
    # What a small demo plants too (the committee gaps need branches of 7 or more members).
    assert {("MTG-09", "JT0304", "2018-07"), ("MTG-09", "JT0304", "2018-08"), ("MTG-02", "JT0500", "2018-06-22"),
            ("MTG-15", "JT", "2018"), ("MTG-16", "JT1206", "2018"), ("TERM-02", "JT", "2018-12-20"),
            ("TERM-02", "JT0704", "2018-03-20"), ("TERM-04", "JT1010", "2018-08-11"),
            ("ELE-02", "JT0306", "2018-05-18"), ("ELE-05", "JT0603", "2018-09-14")} <= found
    for rule, code, period in plan.findings:
        org = Organization.objects.get(code=code)
        if rule in GAP_KINDS:
            first, last = _period(period)
            assert org.founded_on <= first
            assert not MeetingKind.objects.filter(org=org, kind=GAP_KINDS[rule], held_on__range=(first, last)).exists()
        elif rule == "MTG-02":
            meeting = Meeting.objects.get(org=org, held_on=datetime.date.fromisoformat(period), votes__isnull=False)
            assert meeting.present * 2 <= meeting.expected
            assert [v.result for v in meeting.votes.all()] == [VoteResult.NO_QUORUM]
        elif rule == "MTG-05Q":
            first, last = _period(period)
            meetings = Meeting.objects.filter(org=org, held_on__range=(first, last),
                                              kinds__kind=MeetingType.BRANCH_COMMITTEE)
            assert any(m.present * 2 <= m.expected and m.attendance.exists() for m in meetings)
        elif rule == "MTG-16":
            post = secretary_on(org, YEAR_END)
            assert post and not Meeting.objects.filter(lecturer=post.member, held_on__year=2018).exists()
            assert Meeting.objects.filter(org=org, held_on__year=2018, kinds__kind=MeetingType.LECTURE).count() == 4
        elif rule == "TERM-02":
            status = term_status(org, YEAR_END)
            assert status.state == "overdue" and status.ends_on.isoformat() == period
        elif rule == "TERM-04":
            assert secretary_on(org, YEAR_END) is None
            left = CommitteePost.objects.filter(org=org, post=Post.SECRETARY, ended_on__lt=YEAR_END).latest("ended_on")
            assert (left.ended_on + datetime.timedelta(days=1)).isoformat() == period
        elif rule in ("ELE-02", "ELE-05"):
            e = Election.objects.get(org=org, held_on=datetime.date.fromisoformat(period))
            assert e.candidates < e.seats * 6 / 5 if rule == "ELE-02" else e.present * 5 <= e.expected * 4
        else:
            raise AssertionError(rule)
    # The one vote without quorum; every other vote passed.
    assert Vote.objects.get(result=VoteResult.NO_QUORUM).meeting.org.code == "JT0500"
    others = Vote.objects.exclude(result=VoteResult.NO_QUORUM)
    assert set(others.values_list("result", flat=True)) == {VoteResult.PASSED}


def test_the_check_finds_exactly_the_planted_elections(demo, db, plan):
    # Every other election of the demo had its 20% margin and more than four fifths present, in any year.
    expected = {f for f in plan.findings if f[0].startswith("ELE-")}
    assert {(f.rule, f.org, f.date.isoformat()) for f in _check("ELE-")} == expected
    from dangjian.organizations import counting

    flawed = [e for e in Election.objects.all() if e.candidates < counting.min_candidates(e.seats, e.held_on)
              or not counting.quorum_met(e.expected, e.present, e.held_on)]
    assert {(e.org.code, e.held_on.isoformat()) for e in flawed} == {(org, day) for _, org, day in expected}


def test_2018_has_secretaries_and_terms_but_the_planted_ones(demo, db, plan):
    orgs = [o for o in Organization.objects.all() if o.exists_on(YEAR_END)]
    vacant = {o.code for o in orgs if o.org_type in LEADERSHIP_TYPES and secretary_on(o, YEAR_END) is None}
    assert vacant == {org for rule, org, _ in plan.findings if rule == "TERM-04"} == {"JT1010"}
    overdue = {t.org.code for t in term_statuses(orgs, YEAR_END) if t.state == "overdue"}
    assert overdue == {org for rule, org, _ in plan.findings if rule == "TERM-02"} == {"JT", "JT0704"}


# ---- 2018: 发展党员 and 党费

def _check(rules):
    from dangjian.rules.engine import Window, run_checks

    return [f for f in run_checks(window=Window(YEAR_END)) if f.rule.startswith(rules)]


def test_the_default_demo_plants_each_overdue_case_once():
    cases = generator.recruitment_cases(generator.make_plan())
    planted = [(c.rule, c.org) for c in cases if c.rule]
    assert sorted(rule for rule, _ in planted) == ["DEV-02", "DEV-14", "DEV-15", "DEV-18"]
    assert len({org for _, org in planted}) == 4 and generator.DEMO_BRANCH not in {org for _, org in planted}
    # A third of the county branches train applicants; none of them has a planted meeting gap.
    assert len({c.org for c in cases}) >= 20
    assert not {c.org for c in cases} & generator.GAP_ORGS


def test_the_logins_branch_has_a_case_in_every_stage(demo, db):
    from dangjian.recruitment.models import Case
    from dangjian.recruitment.queries import case_state

    cases = list(Case.objects.filter(org__code=generator.DEMO_BRANCH))
    states = [case_state(c, YEAR_END) for c in cases]
    assert {s.stage for s in states} == {1, 2, 3, 4, 5}
    assert any(c.discontinued_on for c in cases)
    # Admitted through the services: the branch meeting is linked, and the member is on the roster.
    admitted = [c for c in cases if c.member_id]
    assert admitted and all(c.steps.get(step=15).meeting.org.code == generator.DEMO_BRANCH for c in admitted)
    assert all(Member.objects.get(pk=c.member_id).admitted_on == c.steps.get(step=15).date for c in admitted)
    assert any(Member.objects.get(pk=c.member_id).stage == Stage.FULL for c in admitted)


def test_the_check_finds_exactly_the_planted_cases(demo, db, plan):
    from dangjian.demo.recruitment import planted_findings

    expected = planted_findings(generator.recruitment_cases(plan))
    assert {(f.rule, f.person) for f in _check("DEV-")} == expected


def test_2018_dues_are_collected_but_for_the_planted_arrears(demo, db):
    from dangjian.demo.dues import planted_dues
    from dangjian.dues.models import BaseDeclaration, Payment

    found = {(f.rule, f.person, f.period) for f in _check("DUES-")}
    planted = planted_dues()
    assert found == planted
    assert {rule for rule, _, _ in planted} == {"DUES-02", "DUES-03", "DUES-12"}
    assert Payment.objects.filter(month__year=2018).count() > 10 * Member.objects.count()
    assert BaseDeclaration.objects.filter(month=datetime.date(2018, 7, 1)).exists()  # raises in July
    assert Payment.objects.filter(kind="extra").exists()


def test_the_group_signs_letters_with_each_city_and_scores_all_but_one(demo, db):
    from dangjian.responsibility.models import Duty, Letter, Responsibility
    from dangjian.responsibility.queries import ranking

    cities = Organization.objects.filter(parent__code=generator.ROOT_CODE, org_type=OrgType.COMMITTEE,
                                         dissolved_on__isnull=True)
    letters = Letter.objects.filter(from_org__code=generator.ROOT_CODE, year=2018)
    assert set(letters.values_list("to_org", flat=True)) == set(cities.values_list("pk", flat=True))
    ranked = ranking(Organization.objects.get(code=generator.ROOT_CODE), 2018)
    assert [r.unscored for _, r in ranked].count(3) == 1  # the one city still to be scored
    assert Responsibility.objects.filter(org__code=generator.ROOT_CODE, year=2018, duty=Duty.FIRST).count() == 1


def test_the_2018_appraisal_round_is_tallied(demo, db):
    from dangjian.appraisal.models import Ballot, Round
    from dangjian.appraisal.queries import tally
    from dangjian.rectification.models import Problem

    round_ = Round.objects.get(org__code=generator.ROOT_CODE, year=2018)
    tallies = tally(round_)
    assert tallies and all(t.valid == Ballot.objects.filter(round=round_).count() == 60 for t in tallies)
    graded = [t for t in tallies if t.grade]
    assert len(graded) == len(tallies) - 1  # the city whose letter is still to be scored has no grade yet
    assert Problem.objects.filter(source="appraisal", year=2018).count() == 2


# ---- The demo's 党员教育 and 帮扶: a 200-member demo built once for the module. The check finds exactly the


def test_the_check_finds_exactly_the_planted_study_hours(demo, db):
    planted = planted_education()
    found = {(f.rule, f.person, f.period) for f in run_checks(window=Window(YEAR_END), rules=["EDU-01", "EDU-02"])}
    assert found == planted
    assert {rule for rule, _, _ in planted} == {"EDU-01", "EDU-02"}
    assert len(planted) >= 4


def test_every_other_member_reaches_the_requirement_and_committee_members_56(demo, db):
    year = standings(2018)
    judged = [s for s in year if s.judged]
    assert len(judged) > 0.8 * len(year)
    short = {s.member_id for s in judged if s.short}
    assert len(short) == len(planted_education())
    committee = [s for s in judged if s.committee and s.member_id not in short]
    assert committee and all(s.total >= 56 for s in committee)
    assert all(s.total >= 32 for s in judged if s.member_id not in short)
    # The 党课 attended count too (the demo lists attendance at some meetings).
    assert any(s.hours.lectures for s in judged)


def test_the_new_committee_members_sat_the_rotation_training(demo, db):
    new = set(CommitteePost.objects.filter(started_on__year=2018).values_list("member_id", flat=True))
    rotated = set(Training.objects.filter(kind=TrainingKind.ROTATION, held_on__year=2018)
                  .values_list("member_id", flat=True))
    assert new and rotated <= new
    assert len(rotated) >= 0.9 * len(new)


def test_the_rows_are_written_through_the_service(demo, db):
    assert Training.objects.count() > 2 * MEMBERS
    assert AuditEntry.objects.filter(action="training.create", actor__isnull=True).count() == Training.objects.count()
    assert not Training.objects.exclude(held_on__year=2018).exists()


def test_the_seeds_assistance_projects_are_there(demo, db):
    projects = list(Project.objects.select_related("org", "member"))
    kinds = [p.kind for p in projects]
    assert all(p.org.code == generator.ROOT_CODE for p in projects)
    # 两名驻村第一书记, young full members of the group stationed in 2018
    secretaries = [p for p in projects if p.kind == ProjectKind.FIRST_SECRETARY]
    assert len(secretaries) == 2 and len({p.member_id for p in secretaries}) == 2
    assert len({p.target for p in secretaries}) == 2
    assert all(p.member.birth_date.year >= 1983 and p.started_on.year == 2018 for p in secretaries)
    # 两个贫困村的基础设施; 黑猪养殖场入股 with its yearly dividend; 两个黄牛养殖场
    assert kinds.count(ProjectKind.INFRASTRUCTURE) == 2
    pig = next(p for p in projects if "黑猪" in p.name)
    assert pig.kind == ProjectKind.EQUITY and pig.invested > 0 and pig.annual_return > 0
    cattle = [p for p in projects if "黄牛" in p.name]
    assert len(cattle) == 2 and all(p.kind == ProjectKind.INVESTMENT and p.invested > 0 for p in cattle)
    assert sum(p.invested or Decimal(0) for p in projects) > 0
    assert AuditEntry.objects.filter(action="assistance.create").count() == len(projects) == 7


# ---- 三重一大 in the demo group (built once for the module, small): the group's and some city 党委s' 2018 matters, most


def test_the_check_finds_exactly_the_planted_matters(demo, db):
    found = {(f.rule, f.org, f.date.isoformat()) for f in run_checks(window=Window(YEAR_END), rules=["SOE-03"])}
    planted = planted_governance()
    assert found == planted
    # The group's two (no study; the board a week before the 党委会) and one of each in two cities.
    assert len(planted) == 4 and sum(1 for _, org, _ in planted if org == ROOT) == 2
    assert {day for _, org, day in planted if org == ROOT} == {"2018-08-20", "2018-09-27"}
    out = io.StringIO()
    call_command("check", "--year", "2018", "--format", "json", stdout=out)
    assert {(f["rule"], f["org"], f["date"]) for f in json.loads(out.getvalue()) if f["rule"] == "SOE-03"} == planted


def test_most_matters_were_studied_first_at_a_committee_meeting_the_demo_holds(demo, db):
    matters = list(Matter.objects.select_related("org", "study_meeting"))
    statuses = [m.study_status for m in matters]
    assert statuses.count(StudyStatus.DONE) > len(matters) // 2
    assert {StudyStatus.DONE, StudyStatus.MISSING, StudyStatus.LATE, StudyStatus.COMMITTEE} == set(statuses)
    for m in matters:
        assert m.decided_on.year == 2018
        if m.study_meeting:
            assert m.study_meeting.org == m.org and m.study_meeting.held_on == m.studied_on
            assert MeetingType.COMMITTEE in m.study_meeting.types
    # No 党委会 was added for them: every one is a monthly 党委会 of the group or a city (from July).
    studied = {m.study_meeting for m in matters if m.study_meeting}
    assert studied and all("月党委会" in s.subject for s in studied)
    cities = {m.org.code for m in matters} - {ROOT}
    assert 1 <= len(cities) <= CITY_MATTERS
    assert all(Organization.objects.get(code=c).parent.code == ROOT for c in cities)
    assert any(m.study_status == StudyStatus.DONE and m.studied_on == m.decided_on for m in matters)  # same day


def test_the_group_revised_its_prior_study_list_in_2018(demo, db):
    root = Organization.objects.get(code=ROOT)
    versions = list_versions(root)
    assert [v.valid_from for v in versions] == [datetime.date(2018, 7, 1), datetime.date(2017, 1, 1)]
    assert PriorStudyList.objects.exclude(org=root).count() >= 1
    matters = Matter.objects.filter(org=root)
    assert all(list_entry(m, versions).listed is not None for m in matters)


# ---- 问题整改 in the demo group (built once for the module, small): 2017's problems rectified and closed in 2018 and


def test_the_check_finds_exactly_the_planted_overdue_problems(demo, db):
    found = {(f.rule, f.org, f.date.isoformat()) for f in run_checks(window=Window(YEAR_END), rules=["RECT-01"])}
    planted = planted_rectification()
    assert found == planted
    assert len(planted) == len(PLANTED_OVERDUE) + RANDOM_OVERDUE
    assert {(org, day.isoformat()) for org, day in PLANTED_OVERDUE.items()} <= {(o, d) for _, o, d in planted}
    out = io.StringIO()
    call_command("check", "--year", "2018", "--format", "json", stdout=out)
    assert {(f["rule"], f["org"], f["date"]) for f in json.loads(out.getvalue()) if f["rule"] == "RECT-01"} == planted


def test_2017s_problems_were_rectified_and_closed_in_2018_and_carried_into_its_ledger(demo, db):
    old = list(Problem.objects.filter(year=2017))
    assert len(old) >= 5
    assert all(p.completed_on.year == 2018 and p.closed_on.year == 2018 for p in old)
    ledger_2018 = set(problems_for_year(None, 2018).values_list("number", flat=True))
    assert {p.number for p in old} <= ledger_2018
    assert any(p.completed_late for p in old)  # 逾期完成: no finding, it is completed


def test_2018s_problems_are_in_every_state_from_every_source(demo, db):
    new = list(Problem.objects.filter(year=2018))
    assert {p.status_on(YEAR_END) for p in new} == {ProblemState.OPEN, OVERDUE, ProblemState.COMPLETED,
                                                   ProblemState.CLOSED}
    assert {p.source for p in Problem.objects.all()} == set(ProblemSource.values)
    # Each one went through the services: a registration row, and a row for each step it took.
    for p in Problem.objects.prefetch_related("events"):
        kinds = [e.kind for e in p.events.all()]
        assert kinds[0] == EventKind.CREATED
        assert (EventKind.COMPLETED in kinds) == (p.completed_on is not None)
        assert (EventKind.CLOSED in kinds) == (p.closed_on is not None)


def test_the_logins_branch_has_an_overdue_problem_and_one_waiting_for_the_level_above(demo, db):
    branch = Organization.objects.get(code=generator.DEMO_BRANCH)
    states = {p.status_on(YEAR_END) for p in Problem.objects.filter(org=branch)}
    assert {OVERDUE, ProblemState.COMPLETED} <= states
    assert all(p.owner is not None for p in Problem.objects.filter(org=branch))


# ---- The demo's 2018 述职报告 ----

def test_the_group_secretarys_2018_report_reads_like_the_seed_with_true_figures(demo, db):
    from dangjian.reports.models import Report
    from dangjian.reports.render import render_markdown
    from dangjian.reports.services import document_of, figure_link, live_document, regenerate_report

    report = Report.objects.get(org__code=generator.ROOT_CODE, year=2018)
    text = document_of(report).plain_text()
    for heading in ("一、履职情况和成绩", "二、存在问题和原因分析", "（二）存在上述问题的主要原因", "三、下一步整改方向和措施"):
        assert heading in text
    assert "X" not in text and "待填写" not in text  # every figure from the records, every cause written
    themes = [t["code"] for t in report.facts["themes"]]
    assert themes and all(f"cause:t:{code}" in report.narrative for code in themes)
    assert report.narrative["measures_more"].count("\n\n") == len(themes) - 1  # a measure for each theme
    # the figures are the records' own: drafted again today, nothing changes, and the secretary's text stays
    assert regenerate_report(report, actor=None) == []
    assert document_of(report).plain_text() == live_document(report.org, 2018).plain_text() == text
    markdown = render_markdown(document_of(report), figure_link(generator.ROOT_CODE, 2018))
    assert markdown.count(f"](/reports/figures/{generator.ROOT_CODE}/2018/") > 20  # each figure to its records
