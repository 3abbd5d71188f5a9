"""What the rules read, loaded once per check for a whole subtree and window.

Each property is loaded on first use with one or two queries over the subtree (an index range on the
materialized path) and kept, so twenty rules over ten thousand organisations cost a handful of queries.
"""
import datetime
from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property

from dangjian.members.models import MemberEvent, Stage, compute_state
from dangjian.organizations.models import CommitteePost, Election, Organization, under


@dataclass(frozen=True)
class _Event:
    """A MemberEvent as a light row, for `compute_state` over hundreds of thousands of members. `org`
    holds the organisation's pk."""

    id: int
    kind: str
    date: datetime.date | None
    org: int | None

    def effective_date(self, admitted_on):
        return self.date or admitted_on


@dataclass
class _CaseStep:
    """A recruitment CaseStep as a light row; `people` are member pks (培养联系人, 入党介绍人)."""

    id: int
    step: int
    date: datetime.date
    conclusion: str
    ended_on: datetime.date | None
    hours: object  # Decimal or None
    expected: int | None
    present: int | None
    yes: int | None
    months: int | None
    people: list


@dataclass
class _Case:
    """A recruitment Case with its steps dated on or before the as-of date, in date order."""

    id: int
    id_number: str
    name: str
    birth_date: datetime.date
    org_id: int
    discontinued_on: datetime.date | None
    steps: list

    def of_step(self, step):
        """The records of step number `step`, in date order."""
        return [s for s in self.steps if s.step == step]

    def first(self, step):
        """The first record of step number `step`, or None."""
        return next((s for s in self.steps if s.step == step), None)

    def date(self, step):
        """The date of the first record of step number `step`, or None."""
        found = self.first(step)
        return found.date if found else None


class CheckContext:
    def __init__(self, *, root, window):
        self.root = root
        self.window = window
        self.as_of = window.as_of

    def _in_subtree(self, field="path"):
        return under(self.root.path, field) if self.root is not None else None

    def _scoped(self, qs, field):
        condition = self._in_subtree(field)
        return qs.filter(condition) if condition is not None else qs

    # An IN list of the subtree's pks lets the database walk the org_id index (twenty times faster on
    # SQLite than joining organisations by path range); beyond this many, the path range is used.
    MAX_IN_LIST = 20000

    def _of_orgs(self, qs, org_field):
        """`qs` limited to rows whose `org_field` (a path to an Organization pk) lies in the subtree."""
        if self.root is None:
            return qs
        if len(self.orgs) > self.MAX_IN_LIST:
            return self._scoped(qs, org_field.removesuffix("_id") + "__path")
        return qs.filter(**{f"{org_field}__in": [o.pk for o in self.orgs]})

    # ---- organisations ----

    @cached_property
    def orgs(self):
        """Every organisation of the subtree, dissolved ones included, in tree order."""
        return list(self._scoped(Organization.objects.all(), "path").order_by("path"))

    @cached_property
    def orgs_by_id(self):
        return {o.pk: o for o in self.orgs}

    def existing_on_as_of(self, types):
        """Organisations of `types` that exist on the as-of date (founded on or before it, not dissolved
        on or before it): those the as-of rules (ORG-*, TERM-*) judge."""
        day = self.as_of
        return [o for o in self.orgs if o.org_type in types and o.founded_on <= day
                and (o.dissolved_on is None or o.dissolved_on > day)]

    @staticmethod
    def existed_through(org, period):
        """RULES.md: an organisation is checked for a period only if it existed for the whole period
        (founded on or before its first day, not dissolved before its last day)."""
        return org.founded_on <= period.start and (org.dissolved_on is None or org.dissolved_on >= period.end)

    # ---- meetings ----

    @cached_property
    def meeting_days(self):
        """{(org_id, meeting type): sorted dates} for meetings from the window's start to the as-of date."""
        from dangjian.meetings.models import MeetingKind

        qs = MeetingKind.objects.filter(held_on__gte=self.window.start, held_on__lte=self.as_of)
        qs = self._of_orgs(qs, "org_id").order_by()
        days = defaultdict(list)
        for org_id, kind, held_on in qs.values_list("org_id", "kind", "held_on").iterator(chunk_size=20000):
            days[(org_id, kind)].append(held_on)
        for values in days.values():
            values.sort()
        return days

    def held_in(self, org_id, kind, period):
        return any(period.contains(d) for d in self.meeting_days.get((org_id, kind), ()))

    def meeting_counts(self, kind):
        """[(meeting pk, org_id, held_on, expected, present)] of the meetings of `kind` in the window (from
        the window's start to the as-of date) in the subtree: plain rows, cheap for a hundred thousand."""
        from dangjian.meetings.models import Meeting

        qs = Meeting.objects.filter(kinds__kind=kind, held_on__gte=self.window.start, held_on__lte=self.as_of)
        return list(self._of_orgs(qs, "org_id").order_by("held_on", "id")
                    .values_list("pk", "org_id", "held_on", "expected", "present"))

    def votes(self, kind):
        """[(meeting pk, org_id, held_on, matter, 应到人数, 实到人数, yes)] for the votes taken at meetings of
        `kind` in the window: the meeting's head counts, as RULES.md's MTG-02 states the rule (the vote's own
        voter counts decide its recorded result on entry)."""
        from dangjian.meetings.models import Vote

        qs = Vote.objects.filter(meeting__kinds__kind=kind, meeting__held_on__gte=self.window.start,
                                 meeting__held_on__lte=self.as_of)
        return list(self._of_orgs(qs, "meeting__org_id").order_by("meeting__held_on", "meeting_id", "id")
                    .values_list("meeting_id", "meeting__org_id", "meeting__held_on", "matter", "meeting__expected",
                                 "meeting__present", "yes"))

    @cached_property
    def lecturers_by_year(self):
        """{(lecturer member_id, year)}: who gave a 党课 in the window (anywhere in the tree: a 党委
        secretary often lectures at a branch)."""
        from dangjian.meetings.models import Meeting, MeetingType

        qs = Meeting.objects.filter(kinds__kind=MeetingType.LECTURE, lecturer__isnull=False,
                                    held_on__gte=self.window.start, held_on__lte=self.as_of)
        return {(lecturer, held_on.year) for lecturer, held_on in qs.values_list("lecturer_id", "held_on")}

    # ---- posts and elections ----

    @cached_property
    def posts(self):
        """{org_id: [(post, member_id, started_on, ended_on, pk)]} for every post ever held in the subtree."""
        by_org = defaultdict(list)
        rows = self._of_orgs(CommitteePost.objects.order_by(), "org_id").values_list(
            "org_id", "post", "member_id", "started_on", "ended_on", "pk")
        for org_id, post, member_id, started_on, ended_on, pk in rows:
            by_org[org_id].append((post, member_id, started_on, ended_on, pk))
        return by_org

    def posts_held(self, org_id, day, posts=None):
        """The posts of `org_id` held on `day` (optionally only those in `posts`)."""
        return [p for p in self.posts.get(org_id, ())
                if p[2] <= day and (p[3] is None or p[3] >= day) and (posts is None or p[0] in posts)]

    @cached_property
    def last_elections(self):
        """{org_id: the last Election held on or before the as-of date}."""
        latest = {}
        qs = self._of_orgs(Election.objects.filter(held_on__lte=self.as_of), "org_id").order_by("org_id", "held_on")
        for election in qs:
            latest[election.org_id] = election
        return latest

    @cached_property
    def elections_in_window(self):
        """[Election] held from the window's first day to the as-of date in the subtree (ELE-*), by date."""
        qs = Election.objects.filter(held_on__gte=self.window.start, held_on__lte=self.as_of)
        return list(self._of_orgs(qs, "org_id").order_by("held_on", "id"))

    # ---- members ----

    @cached_property
    def id_numbers(self):
        """{member_id: 身份证号} for the people findings name (secretaries): loaded on demand."""
        return {}

    def id_number(self, member_id):
        if member_id not in self.id_numbers:
            from dangjian.members.models import Member

            self.id_numbers.update(Member.objects.filter(pk=member_id).values_list("pk", "id_number"))
        return self.id_numbers.get(member_id)

    def prefetch_id_numbers(self, member_ids):
        from dangjian.members.models import Member

        missing = [m for m in set(member_ids) if m not in self.id_numbers]
        for start in range(0, len(missing), 900):  # SQLite's limit on query parameters
            chunk = missing[start:start + 900]
            self.id_numbers.update(Member.objects.filter(pk__in=chunk).values_list("pk", "id_number"))

    @cached_property
    def membership_on_as_of(self):
        """{org_id: (full members, probationary members)} on the as-of date, from the event history: a
        member counts from the 入党日期 and as full from the 转正日期 (RULES.md)."""
        counts = defaultdict(lambda: [0, 0])
        for member_events in self.events_by_member.values():
            stage, org_id = compute_state(member_events, self.as_of)
            if stage == Stage.FULL:
                counts[org_id][0] += 1
            elif stage == Stage.PROBATIONARY:
                counts[org_id][1] += 1
        return {org_id: tuple(c) for org_id, c in counts.items()}

    def _members_ever_here(self):
        """The members whose membership an organisation of the subtree ever held, as a subquery (None for
        the whole tree: every member)."""
        if self.root is None:
            return None
        return self._of_orgs(MemberEvent.objects.order_by(), "org_id").values("member_id")

    @cached_property
    def events_by_member(self):
        """{member_id: [_Event]} of every member the subtree ever held (one query): what membership on the
        as-of date and the dues months are computed from."""
        events = MemberEvent.objects.all()
        ever_here = self._members_ever_here()
        if ever_here is not None:
            events = events.filter(member_id__in=ever_here)
        by_member = defaultdict(list)
        rows = events.values_list("member_id", "id", "kind", "date", "org_id").order_by("member_id", "id")
        for member_id, pk, kind, date, org_id in rows.iterator(chunk_size=20000):
            by_member[member_id].append(_Event(pk, kind, date, org_id))
        return by_member

    def full_members(self, org_id):
        return self.membership_on_as_of.get(org_id, (0, 0))[0]

    def all_members(self, org_id):
        return sum(self.membership_on_as_of.get(org_id, (0, 0)))

    # ---- recruitment ----

    @cached_property
    def recruitment_cases(self):
        """[_Case] of the subtree (by the case's branch) that have a step dated on or before the as-of date,
        each with those steps and the people they name: two queries (the steps with their case, the
        people), the second skipped when there is no step."""
        from dangjian.recruitment.models import CaseStep

        steps = self._of_orgs(CaseStep.objects.filter(date__lte=self.as_of), "case__org_id").order_by(
            "case_id", "date", "step", "id")
        rows = steps.values_list("case_id", "case__id_number", "case__name", "case__birth_date", "case__org_id",
                                 "case__discontinued_on", "pk", "step", "date", "conclusion", "ended_on", "hours",
                                 "expected", "present", "yes", "months")
        cases, by_step = {}, {}
        for (case_id, id_number, name, birth_date, org_id, discontinued_on, pk, step, date, conclusion, ended_on,
             hours, expected, present, yes, months) in rows.iterator(chunk_size=20000):
            case = cases.get(case_id)
            if case is None:
                case = cases[case_id] = _Case(case_id, id_number, name, birth_date, org_id, discontinued_on, [])
            row = _CaseStep(pk, step, date, conclusion, ended_on, hours, expected, present, yes, months, [])
            case.steps.append(row)
            by_step[pk] = row
        if by_step:
            people = self._recruitment_people().order_by("casestep_id", "member_id")
            for step_id, member_id in people.values_list("casestep_id", "member_id").iterator(chunk_size=20000):
                if step_id in by_step:
                    by_step[step_id].people.append(member_id)
        return list(cases.values())

    def _recruitment_people(self):
        """The (step, member) rows of the steps `recruitment_cases` loads, as a queryset."""
        from dangjian.recruitment.models import CaseStep

        through = CaseStep.people.through.objects.filter(casestep__date__lte=self.as_of)
        return self._of_orgs(through, "casestep__case__org_id")

    @cached_property
    def recruitment_people_events(self):
        """{member pk: [_Event]} for the people named in the steps of `recruitment_cases` (one query, none
        when no step names anybody)."""
        by_member = defaultdict(list)
        if not any(s.people for case in self.recruitment_cases for s in case.steps):
            return by_member
        people = self._recruitment_people().values("member_id")
        rows = MemberEvent.objects.filter(member_id__in=people).order_by("member_id", "id").values_list(
            "member_id", "id", "kind", "date", "org_id")
        for member_id, pk, kind, date, org_id in rows.iterator(chunk_size=20000):
            by_member[member_id].append(_Event(pk, kind, date, org_id))
        return by_member

    def is_full_member(self, member_id, day):
        """Whether a person named in a recruitment step was a full member on `day` (RULES.md: from the
        转正日期, or always for a 正式党员 with no 转正日期), from the event history."""
        return compute_state(self.recruitment_people_events.get(member_id, ()), day)[0] == Stage.FULL

    # ---- dues (DUES-*) ----

    @cached_property
    def dues_months(self):
        """{member_id: [_DuesMonth]} of the members the subtree ever held: the months the DUES rules judge, in
        order. A month is judged when it is an ended month of the window, the member was a member
        (probationary or full) on its last day (so from the month of the 入党日期; not while suspended nor
        after leaving), and the organisation holding the membership that day kept its dues ledger in the
        window (recorded a payment for a month of it). Months held by organisations outside the subtree are
        judged too, so a run across a transfer is the same run whatever `--org` says; the rules report only
        the findings whose organisation lies in the subtree. Each month carries what is due (None when it
        cannot be told: no base declared for a category computed on a base) and the regular payment. Four
        queries besides the events (the organisations keeping a ledger, the payments, the declared bases,
        the members' 身份证号 and categories); one when no organisation of the subtree kept a ledger."""
        from dangjian.dues.models import BaseDeclaration, Payment, PaymentKind
        from dangjian.dues.services import MEMBER_STAGES, DuesCalculator, latest_declaration, states_at_month_ends
        from dangjian.members.models import Member

        periods = self.window.ended_periods("month")
        if not periods:
            return {}
        first, last = periods[0].start, periods[-1].start
        ever_here = self._members_ever_here()

        def scoped(qs, field="member_id"):
            return qs if ever_here is None else qs.filter(**{f"{field}__in": ever_here})

        in_window = Payment.objects.filter(month__gte=first, month__lte=last).order_by()
        ledgers = in_window if ever_here is None else in_window.filter(
            org_id__in=MemberEvent.objects.filter(member_id__in=ever_here, org__isnull=False).values("org_id"))
        ledger_orgs = set(ledgers.values_list("org_id", flat=True).distinct())
        if not ledger_orgs & set(self.orgs_by_id):
            return {}
        regular = {}
        payments = scoped(in_window.filter(kind=PaymentKind.REGULAR))
        for pk, member_id, month, amount, paid_on in payments.values_list(
                "pk", "member_id", "month", "amount", "paid_on").iterator(chunk_size=20000):
            regular[(member_id, month)] = (amount, paid_on, pk)
        bases = defaultdict(list)
        rows = scoped(BaseDeclaration.objects.filter(month__lte=last)).order_by("member_id", "month")
        for member_id, month, base, category, reduced in rows.values_list(
                "member_id", "month", "base", "category", "reduced").iterator(chunk_size=20000):
            bases[member_id].append((month, base, category, reduced))
        people = {}
        for pk, id_number, category, reduced in scoped(Member.objects.order_by(), "pk").values_list(
                "pk", "id_number", "dues_category", "dues_reduced").iterator(chunk_size=20000):
            people[pk] = (category, reduced)
            self.id_numbers[pk] = id_number

        calculator = DuesCalculator()
        ends = [p.end for p in periods]
        out = {}
        for member_id, events in self.events_by_member.items():
            if member_id not in people:
                continue
            months = []
            for period, (stage, org_id) in zip(periods, states_at_month_ends(events, ends)):
                if stage not in MEMBER_STAGES or org_id not in ledger_orgs:
                    continue
                declaration = latest_declaration(bases.get(member_id, ()), period.start)
                if declaration is None:
                    base, (category, reduced) = None, people[member_id]
                else:
                    _, base, category, reduced = declaration
                due = calculator.due(base, category, reduced, period.start)
                paid, paid_on, payment_id = regular.get((member_id, period.start), (None, None, None))
                months.append(_DuesMonth(period, org_id, due, paid, paid_on, payment_id))
            if months:
                out[member_id] = months
        return out


@dataclass(frozen=True)
class _DuesMonth:
    """A month the DUES rules judge for a member: the engine's Period, the organisation holding the
    membership on its last day, what was due (Decimal, or None when it cannot be told), the regular payment
    (amount or None, its date, its pk)."""

    period: object
    org_id: int
    due: object
    paid: object
    paid_on: datetime.date | None
    payment_id: int | None
