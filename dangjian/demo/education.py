"""党员教育 for the demo group in 2018: every member's study hours, written a branch at a time through
record_trainings (checked and audited like a single row).

Each member's year starts from the 党课 they attended (the demo's meetings with attendance listed), then a
concentrated course on the 十九大 in the spring, a 专题辅导 in the autumn and the year's 网络学习 in December up to
their requirement and a little more (EDU-01: 32 学时; EDU-02: 56 for a branch 书记 or committee member in post
on 31 December). The committee members who took up a post in 2018 (the new city committees, the branches
founded or re-elected that year) sit the 新任班子成员轮训 the 述职报告 promised. A few members for the whole year
are planted short (PLANTED_COUNTS): some members below 32 (EDU-01), some branch committee members with 32 or
more but below 56 (EDU-02).

A random stream of its own (SEED + 21) keeps the rest of the demo as it was."""
import datetime
import random
from collections import defaultdict
from decimal import Decimal

from dangjian.education.models import TrainingKind
from dangjian.education.queries import light_events, standings
from dangjian.education.services import record_trainings
from dangjian.members.models import Member, Stage, compute_state
from dangjian.organizations.models import COMMITTEE_POSTS, CommitteePost, Post

D = datetime.date
YEAR = 2018
PLANTED_COUNTS = {"EDU-01": 5, "EDU-02": 3}
NEW_POSTS = COMMITTEE_POSTS + (Post.DISCIPLINE_SECRETARY,)
ROTATION = ("新任党组织班子成员轮训（学习贯彻党的十九大精神）", Decimal("40.0"))
SPRING = (D(YEAR, 3, 15), "学习贯彻党的十九大精神集中培训", Decimal("8.0"), TrainingKind.CONCENTRATED)
AUTUMN = (D(YEAR, 9, 20), "“两学一做”学习教育专题辅导", Decimal("4.0"), TrainingKind.SEMINAR)
COMMITTEE_COURSE = (D(YEAR, 5, 22), "基层党组织书记、委员集中培训", Decimal("16.0"), TrainingKind.CONCENTRATED)
ONLINE = (D(YEAR, 12, 20), "2018年度网络学习（共产党员网）")
SHORTFALL = {"EDU-01": Decimal("12.0"), "EDU-02": Decimal("10.0")}  # how far below the requirement


def _member_on(events, day):
    return compute_state(events, day)[0] in (Stage.PROBATIONARY, Stage.FULL)


def _new_committee_members():
    """{member pk: the first day of a post taken up in the year} (committee posts of any organisation, and 纪委书记)."""
    first = {}
    for member_id, started in CommitteePost.objects.filter(post__in=NEW_POSTS, started_on__year=YEAR).values_list(
            "member_id", "started_on"):
        first[member_id] = min(started, first.get(member_id, started))
    return first


def _choose_planted(found, new_posts, seed):
    """{member pk: rule} of the planted members: for the whole year, not new to a post (the 轮训 alone is 40
    学时), with few lectures. Chosen from what the study hours do not change (who is judged, by which rule,
    the lectures attended), so the choice reads the same before and after the rows are written."""
    rng = random.Random(seed)
    numbers = dict(Member.objects.values_list("pk", "id_number"))
    pool = {"EDU-01": [], "EDU-02": []}
    for s in found:
        if s.judged and s.member_id not in new_posts and s.hours.lecture_hours <= 8:
            pool[s.rule].append(s)
    planted = {}
    for rule, count in PLANTED_COUNTS.items():
        candidates = sorted(pool[rule], key=lambda s: numbers[s.member_id])
        rng.shuffle(candidates)
        planted.update((s.member_id, rule) for s in candidates[:count])
    return planted, rng


def plan_education(seed):
    """(rows by member pk, planted {member pk: rule}): the rows to write, from the database as the demo left it."""
    found = sorted(standings(YEAR), key=lambda s: s.member_id)
    events = light_events(None)
    new_posts = _new_committee_members()
    planted, rng = _choose_planted(found, new_posts, seed)
    rows = defaultdict(list)
    for s in found:
        member_events = events[s.member_id]
        add = rows[s.member_id].append

        def put(day, subject, hours, kind):
            if _member_on(member_events, day):
                add({"held_on": day, "subject": subject, "hours": hours, "kind": kind})

        if s.member_id in new_posts:
            day = max(new_posts[s.member_id] + datetime.timedelta(days=30), D(YEAR, 10, 15))
            put(min(day, D(YEAR, 12, 10)), ROTATION[0], ROTATION[1], TrainingKind.ROTATION)
        put(*SPRING)
        if s.committee:
            put(*COMMITTEE_COURSE)
        if s.member_id not in planted:
            put(*AUTUMN)
        so_far = s.hours.lecture_hours + sum((r["hours"] for r in rows[s.member_id]), Decimal("0.0"))
        if s.member_id in planted:
            target = s.required - SHORTFALL[planted[s.member_id]]
        else:
            target = s.required + rng.randint(0, 16) if s.judged else Decimal(rng.randint(8, 24))
        if target > so_far:
            put(ONLINE[0], ONLINE[1], Decimal(target - so_far).quantize(Decimal("0.1")), TrainingKind.ONLINE)
    return rows, planted


def write_education(orgs, people, out=None):
    """Write 2018's study hours through record_trainings, a branch at a time (`orgs` and `people` are the
    generator's; the rows are planned from the database it wrote). Returns {(rule, id_number, "2018")}, the
    findings the check must find."""
    from .generator import SEED

    out = out or (lambda message: None)
    rows, planted = plan_education(SEED + 21)
    members = Member.objects.select_related("org").in_bulk(list(rows))
    by_org = defaultdict(list)
    for pk in sorted(rows, key=lambda pk: members[pk].id_number):
        by_org[members[pk].org.path].extend((members[pk], values) for values in rows[pk])
    written = sum(record_trainings(batch, actor=None) for _, batch in sorted(by_org.items()) if batch)
    out(f"{YEAR}年学习培训：{written}条（{len(rows)}名党员，其中{len(planted)}名学时不足）")
    return _as_findings(planted)


def planted_education():
    """The EDU findings the demo planted, {(rule, id_number, "2018")}, chosen again from the database."""
    from .generator import SEED

    planted, _ = _choose_planted(sorted(standings(YEAR), key=lambda s: s.member_id), _new_committee_members(),
                                 SEED + 21)
    return _as_findings(planted)


def _as_findings(planted):
    numbers = dict(Member.objects.filter(pk__in=list(planted)).values_list("pk", "id_number"))
    return {(rule, numbers[pk], str(YEAR)) for pk, rule in planted.items()}
