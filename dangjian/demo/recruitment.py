"""发展党员 for the demo group: cases in every stage in a third of the county branches (all of them in the logins'
branch), each step written through recruitment.services with its rules checked, as a branch secretary would
record them. The branch meetings that admit or confirm are recorded first through meetings.services and the
step links to them. Four cases are left overdue on purpose (PLANTED_CASES); every other case is on time as
of 2018-12-31, so `dangjian check --year 2018` finds exactly those DEV-* findings.

A random stream of its own (SEED + 4) keeps the group and its year of meetings as they were."""
import datetime
import random
from dataclasses import dataclass, field

from dangjian.core.dates import add_months
from dangjian.core.idcard import make_id_number
from dangjian.meetings.models import MeetingType, Topic
from dangjian.meetings.services import record_meeting, record_vote
from dangjian.organizations.models import BRANCH_TYPES
from dangjian.recruitment.process import Conclusion
from dangjian.recruitment.services import discontinue_case, open_case, record_step

D = datetime.date

# The kinds of case, by how far they have gone (the last step recorded) as of 2018-12-31.
CLEAN_KINDS = ("applied", "talked", "activist", "candidate", "reviewed", "admitted", "extended", "confirmed",
               "stopped")
# Overdue on purpose: the rule each one breaks as of 2018-12-31.
PLANTED_CASES = (("DEV-02", "no_talk"), ("DEV-14", "no_approval"), ("DEV-15", "no_confirmation"),
                 ("DEV-18", "no_confirmation_approval"))
# The days (give or take the anchor's few days) the cases' 支部党员大会 vote.
VOTING_DAYS = (D(2017, 6, 21), D(2017, 12, 20), D(2018, 6, 20), D(2018, 7, 1))
GIVEN = "伟芳军娜杰敏磊静勇丽涛艳明娟超霞斌燕刚玲"
SURNAMES = "黄韦李陈梁覃刘莫陆蒙王张杨林何罗周吴赵谭"


@dataclass
class CasePlan:
    org: str
    kind: str
    name: str
    id_number: str
    sex: str
    birth: datetime.date
    rule: str | None = None         # the DEV-* rule it is planted for, if any
    steps: list = field(default_factory=list)  # (step code, date, details)


def _steps(kind, anchor):
    """[(step code, date, details)] of a case of `kind`; `anchor` shifts the dates a few days per case so
    that the branches' cases do not all fall on one day. Every interval is inside the 2014 rules."""
    a = datetime.timedelta(days=anchor)

    def at(y, m, d):
        return D(y, m, d) + a

    early = [("application", at(2016, 3, 1), {}), ("talk", at(2016, 3, 15), {}), ("activist", at(2016, 9, 5), {}),
             ("contacts", at(2016, 9, 5), {"people": 2}), ("activist_assessment", at(2017, 3, 6), {}),
             ("candidate", at(2017, 9, 11), {}), ("candidate_filing", at(2017, 9, 20), {}),
             ("sponsors", at(2017, 9, 11), {"people": 2}),
             ("review", at(2017, 11, 6), {"conclusion": Conclusion.REVIEW_PASSED}),
             ("training", at(2017, 11, 13), {"ended_on": at(2017, 11, 15), "hours": 24}),
             ("committee_review", at(2017, 12, 4), {}), ("prereview", at(2017, 12, 11), {})]
    # Six months earlier: admitted in June 2017, their probation ending in June 2018.
    earlier = [(code, day - datetime.timedelta(days=189), {k: (v - datetime.timedelta(days=189)
                                                               if isinstance(v, D) else v) for k, v in d.items()})
               for code, day, d in early]
    admitted_2017 = early + [("admission_meeting", at(2017, 12, 20), {"vote": True}),
                             ("higher_talk", at(2018, 1, 8), {}), ("approval", at(2018, 1, 15), {}),
                             ("oath", at(2018, 1, 29), {})]
    late = [("application", at(2017, 1, 9), {}), ("talk", at(2017, 1, 23), {}), ("activist", at(2017, 4, 10), {}),
            ("contacts", at(2017, 4, 10), {"people": 1}), ("activist_assessment", at(2017, 10, 9), {}),
            ("candidate", at(2018, 4, 16), {}), ("sponsors", at(2018, 4, 16), {"people": 2}),
            ("review", at(2018, 5, 14), {"conclusion": Conclusion.REVIEW_PASSED}),
            ("training", at(2018, 5, 21), {"ended_on": at(2018, 5, 23), "hours": 24})]
    admitted_2018 = late + [("committee_review", at(2018, 6, 4), {}), ("prereview", at(2018, 6, 11), {}),
                            ("admission_meeting", at(2018, 6, 27), {"vote": True})]
    return {
        "applied": [("application", at(2018, 12, 5), {})],
        "talked": [("application", at(2018, 8, 6), {}), ("talk", at(2018, 8, 20), {})],
        "activist": [("application", at(2017, 9, 4), {}), ("talk", at(2017, 9, 18), {}),
                     ("activist", at(2018, 1, 8), {}), ("activist_filing", at(2018, 1, 15), {}),
                     ("contacts", at(2018, 1, 8), {"people": 2}), ("activist_assessment", at(2018, 7, 9), {})],
        "candidate": late,
        "reviewed": late + [("committee_review", at(2018, 11, 5), {}), ("prereview", at(2018, 11, 19), {}),
                            ("form", at(2018, 11, 26), {})],
        "admitted": admitted_2018 + [("higher_talk", at(2018, 7, 9), {}), ("approval", at(2018, 7, 23), {}),
                                     ("oath", at(2018, 8, 6), {})],
        "extended": earlier + [
            ("admission_meeting", at(2017, 6, 21), {"vote": True}), ("higher_talk", at(2017, 7, 3), {}),
            ("approval", at(2017, 7, 17), {}), ("oath", at(2017, 7, 31), {}),
            ("confirmation_application", at(2018, 6, 4), {}),
            ("confirmation_meeting", at(2018, 6, 20), {"vote": True, "conclusion": Conclusion.EXTENDED,
                                                       "months": 6}),
            ("confirmation_approval", at(2018, 7, 16), {})],
        "confirmed": earlier + [
            ("admission_meeting", at(2017, 6, 21), {"vote": True}), ("higher_talk", at(2017, 7, 3), {}),
            ("approval", at(2017, 7, 17), {}), ("oath", at(2017, 7, 31), {}),
            ("confirmation_application", at(2018, 6, 4), {}),
            ("confirmation_meeting", at(2018, 6, 21), {"vote": True, "conclusion": Conclusion.CONFIRMED}),
            ("confirmation_approval", at(2018, 7, 16), {})],
        "stopped": [("application", at(2017, 5, 8), {}), ("talk", at(2017, 5, 22), {}),
                    ("activist", at(2017, 9, 4), {}), ("contacts", at(2017, 9, 4), {"people": 1}),
                    ("stop", at(2018, 3, 5), {"reason": "本人工作调离本单位，终止培养"})],
        # Planted: no talk more than a month after the application (DEV-02) …
        "no_talk": [("application", at(2018, 10, 15), {})],
        # … admitted in June, no approval by the higher committee after three months (DEV-14) …
        "no_approval": admitted_2018,
        # … probation ended on 2018-12-20 with no 支部大会 on the confirmation (DEV-15) …
        "no_confirmation": admitted_2017 + [("confirmation_application", at(2018, 11, 26), {})],
        # … the 转正 meeting in June, no approval after three months (DEV-18).
        "no_confirmation_approval": earlier + [
            ("admission_meeting", at(2017, 6, 21), {"vote": True}), ("higher_talk", at(2017, 7, 3), {}),
            ("approval", at(2017, 7, 17), {}), ("oath", at(2017, 7, 31), {}),
            ("confirmation_application", at(2018, 6, 4), {}),
            ("confirmation_meeting", at(2018, 6, 21), {"vote": True, "conclusion": Conclusion.CONFIRMED})],
    }[kind]


def _branches(plan, demo_branch, skip):
    """The county branches that train applicants: every third one founded before 2016 whose full members
    are a clear majority on the days the cases' branch meetings vote (so that a vote passes with the
    applicants counted among those who should attend), and always the logins' branch when it qualifies;
    none of those whose planted gaps a new meeting would fill."""
    from .generator import _full_on, _org_on

    def sound(code):
        for day in VOTING_DAYS:
            roster = [p for p in plan.people if _org_on(p, day) == code]
            full = sum(1 for p in roster if _full_on(p, day))
            if full < 2 or full * 2 <= len(roster) + 2:  # up to two applicants admitted before that day
                return False
        return True

    eligible = [o.code for o in plan.orgs if o.org_type in BRANCH_TYPES and o.kind == "county"
                and o.founded_on < D(2016, 1, 1) and o.code not in skip and sound(o.code)]
    return [code for i, code in enumerate(eligible) if i % 3 == 0 or code == demo_branch]


def plan_cases(plan, *, seed, demo_branch, skip):
    """[CasePlan]: the logins' branch has one case of each clean kind; the other chosen branches one or two
    clean ones, and the first four of them one planted case each."""
    rng = random.Random(seed)
    ids = {p.id_number for p in plan.people}
    cases = []
    branches = _branches(plan, demo_branch, skip)
    others = [b for b in branches if b != demo_branch]
    for index, code in enumerate(branches):
        kinds = list(CLEAN_KINDS) if code == demo_branch else rng.sample(CLEAN_KINDS, rng.choice((1, 2)))
        planted = [PLANTED_CASES[others.index(code)]] if code in others[:len(PLANTED_CASES)] else []
        for kind, rule in [(k, None) for k in kinds] + [(k, r) for r, k in planted]:
            sex = "M" if rng.random() < 0.55 else "F"
            birth = D(rng.randint(1986, 1995), rng.randint(1, 12), rng.randint(1, 28))  # 18 before 2015
            sequence = rng.randint(100, 900)
            while True:
                id_number = make_id_number("450103", birth, sequence, sex)
                if id_number not in ids:
                    break
                sequence += 1
            ids.add(id_number)
            name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
            case = CasePlan(code, kind, name, id_number, sex, birth, rule)
            case.steps = _steps(kind, anchor=(index * 3 + len(cases)) % 5)
            cases.append(case)
    return cases


class _Writer:
    """Writes the planned cases, picking the 培养联系人 and 入党介绍人 among the branch's full members on the
    day and counting each branch meeting's voters from the roster."""

    def __init__(self, cases, plan, orgs, people):
        from .generator import _full_on, _org_on  # the plan's own reading of who held what, when

        self.orgs, self.people = orgs, people
        self.full_on, self.org_on = _full_on, _org_on
        self.plan_people = sorted(plan.people, key=lambda p: p.n)
        self.admitted = {}  # org code -> [(admitted_on, confirmed_on or None)] of the cases' new members
        for case in cases:
            days = {code: day for code, day, _ in case.steps}
            if "admission_meeting" in days:  # the meeting that passes admits (recruitment.queries.roster_effects)
                # 按期转正: a full member from the end of probation (12 months after the admitting meeting).
                confirmed = add_months(days["admission_meeting"], 12) if case.kind == "confirmed" else None
                self.admitted.setdefault(case.org, []).append((days["admission_meeting"], confirmed))

    def full_members(self, code, day):
        return [self.people[p.n] for p in self.plan_people
                if self.org_on(p, day) == code and self.full_on(p, day) and p.stable]

    def heads(self, code, day):
        """(expected, present, voters expected, voters present) of a 支部党员大会 on `day`."""
        roster = [p for p in self.plan_people if self.org_on(p, day) == code]
        full = sum(1 for p in roster if self.full_on(p, day))
        for admitted_on, confirmed_on in self.admitted.get(code, ()):
            if admitted_on < day:  # the applicant a meeting admits is not yet among those who should attend
                roster.append(None)
                full += bool(confirmed_on and confirmed_on <= day)
        absent = 1 if full >= 6 else 0
        return len(roster), len(roster) - absent, full, full - absent

    def meeting(self, case, day, matter, resolution):
        """The 支部党员大会 that decides, with its vote; the step links to it."""
        org = self.orgs[case.org]
        expected, present, voters, came = self.heads(case.org, day)
        if came * 2 <= expected:  # the plan chose branches where this cannot happen (_branches)
            raise AssertionError(f"{case.org} {day}: {came} of {expected} cannot pass a vote")
        meeting = record_meeting(actor=None, org=org, held_on=day, subject=f"支部党员大会：{matter}",
                                 types=[MeetingType.BRANCH_GENERAL], expected=expected, present=present,
                                 topics=(Topic.RECRUITMENT,), location="党员活动室")
        record_vote(meeting, actor=None, matter=matter, yes=came, no=0, abstain=0, expected_voters=voters,
                    present_voters=came, resolution=resolution)
        return meeting, voters, came

    def write(self, case):
        org = self.orgs[case.org]
        steps = iter(case.steps)
        _, applied_on, _ = next(steps)
        record = open_case(actor=None, id_number=case.id_number, name=case.name, org=org, applied_on=applied_on,
                           sex=case.sex, birth_date=case.birth)
        for code, day, details in steps:
            if code == "stop":
                discontinue_case(record, actor=None, on=day, reason=details["reason"])
                continue
            kwargs = {k: v for k, v in details.items() if k in ("conclusion", "ended_on", "hours", "months")}
            if "people" in details:  # a different pair for each applicant, from the digits of the ID
                full = self.full_members(case.org, day)
                start = int(case.id_number[14:17]) % len(full)
                kwargs["people"] = (full[start:] + full[:start])[:details["people"]]
            if details.get("vote"):
                confirming = code == "confirmation_meeting"
                matter = (f"{case.name}同志{'按期转为中共正式党员' if details.get('conclusion') == Conclusion.CONFIRMED else '延长预备期'}"
                          if confirming else f"接收{case.name}同志为中共预备党员")
                meeting, voters, came = self.meeting(case, day, matter, "同意，报上级党组织审批。")
                kwargs |= {"meeting": meeting, "expected": voters, "present": came, "yes": came}
            record_step(record, actor=None, step=code, date=day, **kwargs)
        return record


def write_cases(cases, plan, orgs, people):
    """Write the planned cases in date order of their first step; returns the number written."""
    writer = _Writer(cases, plan, orgs, people)
    for case in sorted(cases, key=lambda c: (c.steps[0][1], c.id_number)):
        writer.write(case)
    return len(cases)


def planted_findings(cases):
    """{(rule, id_number)} that `dangjian check --year 2018` must find among DEV-* (and nothing else)."""
    return {(c.rule, c.id_number) for c in cases if c.rule}
