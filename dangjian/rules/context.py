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
        events = MemberEvent.objects.all()
        if self.root is not None:
            ever_here = self._of_orgs(MemberEvent.objects.order_by(), "org_id").values("member_id")
            events = events.filter(member_id__in=ever_here)
        by_member = defaultdict(list)
        rows = events.values_list("member_id", "id", "kind", "date", "org_id").order_by("member_id", "id")
        for member_id, pk, kind, date, org_id in rows.iterator(chunk_size=20000):
            by_member[member_id].append(_Event(pk, kind, date, org_id))
        counts = defaultdict(lambda: [0, 0])
        for member_events in by_member.values():
            stage, org_id = compute_state(member_events, self.as_of)
            if stage == Stage.FULL:
                counts[org_id][0] += 1
            elif stage == Stage.PROBATIONARY:
                counts[org_id][1] += 1
        return {org_id: tuple(c) for org_id, c in counts.items()}

    def full_members(self, org_id):
        return self.membership_on_as_of.get(org_id, (0, 0))[0]

    def all_members(self, org_id):
        return sum(self.membership_on_as_of.get(org_id, (0, 0)))

