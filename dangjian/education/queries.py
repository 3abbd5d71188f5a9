"""Study hours (学时) per member and year, and each member's standing against the yearly requirement, read
set-wise: the rule checks (EDU-01, EDU-02), the member's card and the organisation's list all call these.

A member's hours in a year = their 培训 rows dated in the year + each 党课 they attended that year (a meeting
of type 党课 whose attendance was recorded person by person, marked present), counted at `lecture_hours`.
A 党课 is not counted again when the member has a 培训 row of 形式 党课 on the same day: that row is the
ledger's record of it (with the hours it really took).

Standing (RULES.md, EDU-01/EDU-02): judged only for a member for the whole year (预备 or 正式 on every day of
it, from the event history: admitted on or before 1 January, not suspended or gone before 31 December), and
only once the year has ended. The requirement is judged on the year's last day: a 书记 or committee member
(书记, 副书记, 组织委员, 宣传委员, 纪检委员, 委员) of a branch (党支部, 联合党支部, 临时党支部) in post that day
needs `edu_committee_hours`, every other member `edu_member_hours`. The organisation is the one holding the
membership that day."""
import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q

from dangjian.meetings.models import Attendance, MeetingType
from dangjian.members.models import EventKind, MemberEvent, Stage, compute_state
from dangjian.organizations.models import BRANCH_TYPES, COMMITTEE_POSTS, CommitteePost, Post
from dangjian.rules import parameters

from .models import Training, TrainingKind

ZERO = Decimal("0.0")
MEMBER_STAGES = (Stage.PROBATIONARY, Stage.FULL)
TRAINING, LECTURE = "training", "lecture"


@dataclass(frozen=True)
class HoursLine:
    """One entry behind a total: a 培训 row (`source` TRAINING, `pk` the Training) or a 党课 attended
    (`source` LECTURE, `pk` the Meeting, `org_id` the organisation that held it)."""

    day: datetime.date
    subject: str
    kind: str          # a TrainingKind code ("" 未注明); TrainingKind.LECTURE for a 党课 attended
    hours: Decimal
    source: str
    pk: int
    org_id: int | None = None

    @property
    def kind_label(self):
        return TrainingKind(self.kind).label if self.kind in TrainingKind.values else "未注明"


@dataclass
class StudyHours:
    """A member's year: the lines in date order and their sums."""

    lines: list = field(default_factory=list)

    @property
    def total(self):
        return sum((line.hours for line in self.lines), ZERO)

    @property
    def training_hours(self):
        return sum((line.hours for line in self.lines if line.source == TRAINING), ZERO)

    @property
    def lecture_hours(self):
        return sum((line.hours for line in self.lines if line.source == LECTURE), ZERO)

    @property
    def lectures(self):
        return sum(1 for line in self.lines if line.source == LECTURE)


def _year_range(year):
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


def _filtered(qs, field, member_ids):
    return qs if member_ids is None else qs.filter(**{f"{field}__in": member_ids})


def study_hours(year, member_ids=None, *, until=None):
    """{member pk: StudyHours} for `year` (up to `until`, default the year's end), for `member_ids` (a list
    or a subquery of pks; None: every member). Two queries, whatever the number of members."""
    first, last = _year_range(year)
    if until is not None:
        last = min(last, until)
    out = defaultdict(StudyHours)
    if last < first:
        return out
    lecture_days = set()
    rows = _filtered(Training.objects.filter(held_on__gte=first, held_on__lte=last), "member_id", member_ids)
    for pk, member_id, day, subject, hours, kind in rows.order_by().values_list(
            "pk", "member_id", "held_on", "subject", "hours", "kind").iterator(chunk_size=20000):
        out[member_id].lines.append(HoursLine(day, subject, kind, hours, TRAINING, pk))
        if kind == TrainingKind.LECTURE:
            lecture_days.add((member_id, day))
    came = Attendance.objects.filter(attended=True, meeting__kinds__kind=MeetingType.LECTURE,
                                     meeting__held_on__gte=first, meeting__held_on__lte=last)
    counts = {}
    for member_id, meeting_id, day, subject, org_id in _filtered(came, "member_id", member_ids).order_by().values_list(
            "member_id", "meeting_id", "meeting__held_on", "meeting__subject", "meeting__org_id").iterator(
            chunk_size=20000):
        if (member_id, day) in lecture_days:
            continue  # the 培训 row of 形式 党课 that day is this lecture
        if day not in counts:
            counts[day] = Decimal(str(parameters.value("lecture_hours", day))).quantize(Decimal("0.1"))
        out[member_id].lines.append(HoursLine(day, subject, TrainingKind.LECTURE, counts[day], LECTURE, meeting_id,
                                              org_id))
    for hours in out.values():
        hours.lines.sort(key=lambda line: (line.day, line.source != LECTURE, line.subject, line.pk))
    return out


# ---- standing against the requirement ----

@dataclass
class Standing:
    """A member's year against the requirement. `judged`: a member for the whole year (RULES.md), so the
    rule applies once the year has ended; `committee`: the branch posts held on the year's last day (the
    day the role is judged) — EDU-02's 56 instead of EDU-01's 32."""

    member_id: int
    org_id: int | None
    year: int
    judged: bool
    posts: tuple
    required: Decimal
    hours: StudyHours

    @property
    def committee(self):
        return bool(self.posts)

    @property
    def rule(self):
        return "EDU-02" if self.committee else "EDU-01"

    @property
    def total(self):
        return self.hours.total

    @property
    def missing(self):
        return max(self.required - self.total, ZERO)

    @property
    def short(self):
        return self.judged and self.total < self.required

    @property
    def post_labels(self):
        return "、".join(Post(p).label for p in self.posts)


def ledger_kept(year):
    """Whether study hours are recorded at all for `year`: some 培训 row dated in it, anywhere. The rules
    judge a year only then (as the dues rules judge only a ledger that is kept): a database into which no
    study hours have been entered yet would otherwise report every member. Read on the whole database, so
    that `--org` only narrows the findings and never changes them."""
    first, last = _year_range(year)
    return Training.objects.filter(held_on__gte=first, held_on__lte=last).exists()


def whole_year(events, year):
    """Whether the member was a member (预备 or 正式) on every day of `year`: on 1 January and after each of
    their events dated in the year (the state only changes on those days)."""
    first, last = _year_range(year)
    admitted = next((e.date for e in events if e.kind == EventKind.ADMITTED), None)
    days = {first} | {d for d in (e.effective_date(admitted) for e in events) if d and first <= d <= last}
    return all(compute_state(events, day)[0] in MEMBER_STAGES for day in days)


def committee_posts(member_ids, day):
    """{member pk: (post codes)} of the branch committee posts (COMMITTEE_POSTS in BRANCH_TYPES) held on
    `day` by `member_ids` (a list or subquery; None: everyone): one query."""
    qs = CommitteePost.objects.filter(org__org_type__in=BRANCH_TYPES, post__in=COMMITTEE_POSTS, started_on__lte=day)
    qs = _filtered(qs.filter(Q(ended_on__isnull=True) | Q(ended_on__gte=day)), "member_id", member_ids)
    posts = defaultdict(set)
    for member_id, post in qs.order_by().values_list("member_id", "post"):
        posts[member_id].add(post)
    order = {p: i for i, p in enumerate(Post.values)}
    return {pk: tuple(sorted(found, key=order.get)) for pk, found in posts.items()}


def requirement(committee, on):
    """The yearly 学时 required (Decimal): EDU-02's for a branch 书记 or committee member, else EDU-01's, in
    force on `on`."""
    name = "edu_committee_hours" if committee else "edu_member_hours"
    return Decimal(str(parameters.value(name, on)))


def light_events(member_ids):
    """{member pk: [MemberEvent rows]} of `member_ids` (subquery or list; None: everyone), one query, as the
    rule context holds them (`org` is a pk)."""
    from dangjian.rules.context import _Event

    by_member = defaultdict(list)
    rows = _filtered(MemberEvent.objects.all(), "member_id", member_ids).order_by("member_id", "id")
    for member_id, pk, kind, date, org_id in rows.values_list("member_id", "id", "kind", "date",
                                                              "org_id").iterator(chunk_size=20000):
        by_member[member_id].append(_Event(pk, kind, date, org_id))
    return by_member


def standings(year, *, org_ids=None, member_ids=None, events_by_member=None, until=None):
    """[Standing] of the members held on the year's last day (or `until`, when earlier: a year still
    running) by an organisation in `org_ids` (None: any), among `member_ids` (a subquery or list of the
    members to consider; None: everyone) whose events are `events_by_member` (loaded when not given). Four
    queries at most: events, posts, 培训 rows, 党课 attendance."""
    first, last = _year_range(year)
    day = min(last, until) if until is not None else last
    if day < first:
        return []
    if events_by_member is None:
        events_by_member = light_events(member_ids)
    held = {}
    for member_id, events in events_by_member.items():
        stage, org_id = compute_state(events, day)
        if stage not in MEMBER_STAGES or (org_ids is not None and org_id not in org_ids):
            continue
        held[member_id] = (org_id, whole_year(events, year))
    if not held:
        return []
    posts = committee_posts(member_ids, day)
    hours = study_hours(year, member_ids, until=day)
    out = []
    for member_id, (org_id, judged) in held.items():
        held_posts = posts.get(member_id, ())
        out.append(Standing(member_id, org_id, year, judged, held_posts, requirement(bool(held_posts), first),
                            hours.get(member_id) or StudyHours()))
    return out


def member_standing(member, year, *, until=None):
    """The Standing of one member in `year` (whoever holds the membership), or None when not a member on the
    year's last day (or `until`)."""
    found = standings(year, member_ids=[member.pk], until=until)
    return found[0] if found else None
