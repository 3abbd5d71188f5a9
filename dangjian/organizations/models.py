"""The organisation tree (党组织), its history, committee posts (班子) and elections (换届)."""
import datetime

from django.db import models
from django.db.models import Q

from dangjian.core.dates import add_years


class OrgType(models.TextChoices):
    COMMITTEE = "committee", "党委"
    GENERAL_BRANCH = "general_branch", "党总支"
    BRANCH = "branch", "党支部"
    JOINT_BRANCH = "joint_branch", "联合党支部"
    TEMPORARY_BRANCH = "temporary_branch", "临时党支部"
    PARTY_GROUP = "party_group", "党小组"


# Branch-level types: where members hold their membership and branch rules apply (RULES.md).
BRANCH_TYPES = (OrgType.BRANCH, OrgType.JOINT_BRANCH, OrgType.TEMPORARY_BRANCH)
# Organisations that may hold members' formal membership (党小组 is inside a branch, not a holder).
MEMBERSHIP_TYPES = BRANCH_TYPES + (OrgType.GENERAL_BRANCH, OrgType.COMMITTEE)
# Organisations that have a secretary and terms.
LEADERSHIP_TYPES = (OrgType.COMMITTEE, OrgType.GENERAL_BRANCH) + BRANCH_TYPES
# Which types may sit under which: a 党小组 only under a branch-level organisation or 党总支.
ALLOWED_PARENTS = {
    OrgType.COMMITTEE: (OrgType.COMMITTEE,),
    OrgType.GENERAL_BRANCH: (OrgType.COMMITTEE,),
    OrgType.BRANCH: (OrgType.COMMITTEE, OrgType.GENERAL_BRANCH),
    OrgType.JOINT_BRANCH: (OrgType.COMMITTEE, OrgType.GENERAL_BRANCH),
    OrgType.TEMPORARY_BRANCH: (OrgType.COMMITTEE, OrgType.GENERAL_BRANCH),
    OrgType.PARTY_GROUP: BRANCH_TYPES + (OrgType.GENERAL_BRANCH,),
}

PATH_STEP = 8  # each level of the materialized path is the pk as 8 digits: "00000001" "00000007" …


def under(path, field="path"):
    """Rows whose materialized `field` lies in the subtree at `path` (itself included).

    A path is only digits in fixed-width levels, so the subtree is the range [path, path + 1) read as a
    number of the same width: an index range on SQLite and PostgreSQL alike (a LIKE 'prefix%' is not
    on SQLite), and digits sort the same in every collation, "C" or zh_CN alike."""
    upper = str(int(path) + 1).zfill(len(path))
    return Q(**{f"{field}__gte": path, f"{field}__lt": upper})


class OrganizationQuerySet(models.QuerySet):
    def subtree(self, org):
        """The organisation and everything below it, by materialized path (one indexed LIKE)."""
        return self.filter(under(org.path))

    def existing_on(self, day):
        return self.filter(founded_on__lte=day).filter(Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=day))


class Organization(models.Model):
    """A party organisation. `parent` and `path` are the current position in the tree; every position
    it has held is in `ParentLink`, so the tree can be shown as it was on any date."""

    code = models.CharField("组织编码", max_length=32, unique=True)
    name = models.CharField("组织名称", max_length=120)
    org_type = models.CharField("组织类别", max_length=20, choices=OrgType.choices)
    parent = models.ForeignKey("self", models.PROTECT, null=True, blank=True, related_name="children",
                               verbose_name="上级组织")
    # Materialized path "0000000100000007": ancestors' pks then its own, 8 digits each. Kept by the
    # services only.
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    founded_on = models.DateField("成立日期")
    dissolved_on = models.DateField("撤销日期", null=True, blank=True)
    unit_name = models.CharField("所在单位", max_length=120, blank=True)
    unit_employees = models.PositiveIntegerField("单位职工人数", null=True, blank=True)
    has_discipline_committee = models.BooleanField("设立纪委", default=False)
    has_party_office = models.BooleanField("设立党务工作机构", default=False)
    party_staff_count = models.PositiveIntegerField("专职党务人员数", null=True, blank=True)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "党组织"
        ordering = ["path"]
        constraints = [
            models.CheckConstraint(
                condition=Q(dissolved_on__isnull=True) | Q(dissolved_on__gte=models.F("founded_on")),
                name="org_dissolved_after_founded",
                violation_error_message="撤销日期不能早于成立日期",
            ),
        ]

    def __str__(self):
        return f"{self.name}（{self.code}）"

    @property
    def is_branch(self):
        return self.org_type in BRANCH_TYPES

    def exists_on(self, day):
        return self.founded_on <= day and (self.dissolved_on is None or self.dissolved_on > day)

    def is_within(self, other):
        """True when self is `other` or below it."""
        return self.path.startswith(other.path)

    def ancestors(self):
        levels = [self.path[i:i + PATH_STEP] for i in range(0, len(self.path), PATH_STEP)]
        pks = [int(level) for level in levels[:-1]]
        by_pk = Organization.objects.in_bulk(pks)
        return [by_pk[pk] for pk in pks if pk in by_pk]

    def snapshot(self):
        return {
            "code": self.code, "name": self.name, "org_type": self.org_type,
            "parent": self.parent.code if self.parent_id else None,
            "founded_on": _iso(self.founded_on), "dissolved_on": _iso(self.dissolved_on),
            "unit_name": self.unit_name, "unit_employees": self.unit_employees,
            "has_discipline_committee": self.has_discipline_committee,
            "has_party_office": self.has_party_office, "party_staff_count": self.party_staff_count,
        }


class ParentLink(models.Model):
    """From `valid_from` on, `org` sat under `parent` (None = a root). The first link is the founding
    position; each later one is a 隶属关系调整."""

    org = models.ForeignKey(Organization, models.CASCADE, related_name="parent_links", verbose_name="组织")
    parent = models.ForeignKey(Organization, models.PROTECT, null=True, blank=True, related_name="+",
                               verbose_name="上级组织")
    valid_from = models.DateField("起始日期")
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "隶属关系"
        ordering = ["org", "valid_from", "id"]
        constraints = [models.UniqueConstraint(fields=["org", "valid_from"], name="parentlink_one_per_day",
                                               violation_error_message="同一天只能调整一次隶属关系")]


class Post(models.TextChoices):
    SECRETARY = "secretary", "书记"
    DEPUTY_SECRETARY = "deputy_secretary", "副书记"
    ORGANIZATION_MEMBER = "organization_member", "组织委员"
    PUBLICITY_MEMBER = "publicity_member", "宣传委员"
    DISCIPLINE_MEMBER = "discipline_member", "纪检委员"
    COMMITTEE_MEMBER = "committee_member", "委员"
    DISCIPLINE_SECRETARY = "discipline_secretary", "纪委书记"
    GROUP_LEADER = "group_leader", "组长"


# Posts that make up a branch committee (ORG-05's sense).
COMMITTEE_POSTS = (Post.SECRETARY, Post.DEPUTY_SECRETARY, Post.ORGANIZATION_MEMBER, Post.PUBLICITY_MEMBER,
                   Post.DISCIPLINE_MEMBER, Post.COMMITTEE_MEMBER)


class CommitteePostQuerySet(models.QuerySet):
    def held_on(self, day):
        return self.filter(started_on__lte=day).filter(Q(ended_on__isnull=True) | Q(ended_on__gte=day))

    def by_rank(self):
        """Posts still held first, then in the order of the posts (书记, 副书记, 组织委员, …), the same on
        every database (NULL ordering differs between SQLite and PostgreSQL, so it is spelled out)."""
        rank = models.Case(*[models.When(post=p, then=models.Value(i)) for i, p in enumerate(Post.values)],
                           output_field=models.IntegerField())
        return self.annotate(rank=rank).order_by(models.F("ended_on").desc(nulls_first=True), "rank", "-started_on")


class CommitteePost(models.Model):
    """A member holding a post in an organisation's 班子 from a date to a date (inclusive)."""

    org = models.ForeignKey(Organization, models.PROTECT, related_name="posts", verbose_name="组织")
    member = models.ForeignKey("members.Member", models.PROTECT, related_name="posts", verbose_name="任职人")
    post = models.CharField("职务", max_length=24, choices=Post.choices)
    started_on = models.DateField("任职日期")
    ended_on = models.DateField("离任日期", null=True, blank=True)
    admin_post = models.CharField("兼任行政职务", max_length=60, blank=True,
                                  help_text="如董事长、总经理（一肩挑、双向进入交叉任职）")
    full_time = models.BooleanField("专职", default=False)

    objects = CommitteePostQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "班子成员"
        ordering = ["org", "started_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["org", "member", "post", "started_on"], name="post_unique_key",
                                    violation_error_message="该成员在该组织的同一职务、同一任职日期已有记录"),
            models.CheckConstraint(condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                                   name="post_end_after_start", violation_error_message="离任日期不能早于任职日期"),
        ]

    def __str__(self):
        return f"{self.org.name} {self.get_post_display()} {self.member.name}"

    def is_held_on(self, day):
        return self.started_on <= day and (self.ended_on is None or self.ended_on >= day)

    @property
    def is_one_shoulder(self):
        """一肩挑: the secretary is also the chairman or general manager."""
        return self.post == Post.SECRETARY and any(t in self.admin_post for t in ("董事长", "总经理"))

    def snapshot(self):
        return {"org": self.org.code, "member": self.member.name, "post": self.post,
                "started_on": _iso(self.started_on), "ended_on": _iso(self.ended_on),
                "admin_post": self.admin_post, "full_time": self.full_time}


class Election(models.Model):
    """A 换届选举 meeting. The term it opens ends `term_years` later unless a postponement is approved."""

    org = models.ForeignKey(Organization, models.PROTECT, related_name="elections", verbose_name="组织")
    held_on = models.DateField("选举日期")
    term_years = models.PositiveSmallIntegerField("任期年数")
    expected = models.PositiveIntegerField("应到人数")
    present = models.PositiveIntegerField("实到人数")
    seats = models.PositiveIntegerField("应选人数")
    candidates = models.PositiveIntegerField("候选人数")
    postponed_to = models.DateField("批准延期至", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "换届选举"
        ordering = ["org", "held_on"]
        constraints = [
            models.UniqueConstraint(fields=["org", "held_on"], name="election_unique_key",
                                    violation_error_message="该组织在该日期已有换届记录"),
            models.CheckConstraint(condition=Q(present__lte=models.F("expected")), name="election_present_le_expected",
                                   violation_error_message="实到人数不能多于应到人数"),
        ]

    def __str__(self):
        return f"{self.org.name} {self.held_on} 换届"

    @property
    def term_ends_on(self) -> datetime.date:
        return add_years(self.held_on, self.term_years)

    @property
    def due_on(self) -> datetime.date:
        """When the next election is due: the term's end, or the approved postponement."""
        return max(self.term_ends_on, self.postponed_to) if self.postponed_to else self.term_ends_on

    def snapshot(self):
        return {"org": self.org.code, "held_on": _iso(self.held_on), "term_years": self.term_years,
                "expected": self.expected, "present": self.present, "seats": self.seats,
                "candidates": self.candidates, "postponed_to": _iso(self.postponed_to)}


class ElectionProcess(models.Model):
    """换届选举工作: one organisation's re-election walked step by step (organizations/elections.py): the plan
    the higher organisation approves (批复), the candidates, the election meeting with its attendance, the
    tallies and the committee they produce. Facts only: the stage is computed (`stage`); the tallies open the
    term as an `Election`, the record every rule and the workbook read."""

    org = models.ForeignKey(Organization, models.PROTECT, related_name="election_processes", verbose_name="组织")
    seats = models.PositiveIntegerField("应选人数")
    term_years = models.PositiveSmallIntegerField("任期年数")
    requested_on = models.DateField("请示日期", help_text="向上级党组织报送换届选举请示（工作方案）的日期")
    planned_on = models.DateField("拟选举日期", null=True, blank=True)
    approved_on = models.DateField("批复日期", null=True, blank=True)
    approval_no = models.CharField("批复文号", max_length=60, blank=True)
    # The higher organisation that approved, as it stood that day (the tree may change later).
    approver = models.ForeignKey(Organization, models.PROTECT, null=True, blank=True, related_name="+",
                                 verbose_name="批复机关")
    # A meeting deleted later leaves the election's own record (its counts) standing.
    meeting = models.ForeignKey("meetings.Meeting", models.SET_NULL, null=True, blank=True, related_name="+",
                                verbose_name="选举大会")
    expected = models.PositiveIntegerField("应到会有选举权人数", null=True, blank=True)
    present = models.PositiveIntegerField("实到会有选举权人数", null=True, blank=True)
    election = models.OneToOneField(Election, models.PROTECT, null=True, blank=True, related_name="process",
                                    verbose_name="换届记录")

    class Meta:
        verbose_name = verbose_name_plural = "换届选举工作"
        ordering = ["org", "-requested_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(present__lte=models.F("expected")), name="process_present_le_expected",
                                   violation_error_message="实到会人数不能多于应到会人数"),
        ]

    def __str__(self):
        return f"{self.org.name} 换届选举（{self.requested_on}请示）"

    @property
    def held_on(self):
        """The election day: the election record's, else the linked meeting's."""
        if self.election_id:
            return self.election.held_on
        return self.meeting.held_on if self.meeting_id else None

    def snapshot(self):
        return {"org": self.org.code, "seats": self.seats, "term_years": self.term_years,
                "requested_on": _iso(self.requested_on), "planned_on": _iso(self.planned_on),
                "approved_on": _iso(self.approved_on), "approval_no": self.approval_no,
                "approver": self.approver.code if self.approver_id else None,
                "meeting": self.meeting_id, "expected": self.expected, "present": self.present,
                "election": self.election_id}


class ElectionCandidate(models.Model):
    """A candidate (候选人) of an election, the votes they received and, when elected, the post the new
    committee gave them (the `CommitteePost` created from it)."""

    process = models.ForeignKey(ElectionProcess, models.CASCADE, related_name="candidates", verbose_name="换届选举")
    member = models.ForeignKey("members.Member", models.PROTECT, related_name="+", verbose_name="候选人")
    votes = models.PositiveIntegerField("得票数", null=True, blank=True)
    elected = models.BooleanField("当选", default=False)  # computed from the tallies by the service
    post = models.CharField("职务", max_length=24, choices=Post.choices, blank=True)
    post_record = models.ForeignKey(CommitteePost, models.SET_NULL, null=True, blank=True, related_name="+",
                                    verbose_name="任职记录")

    class Meta:
        verbose_name = verbose_name_plural = "候选人"
        ordering = ["process", "-elected", "-votes", "id"]
        constraints = [models.UniqueConstraint(fields=["process", "member"], name="candidate_once",
                                               violation_error_message="候选人不能重复")]

    def __str__(self):
        return f"{self.process.org.name} 候选人{self.member.name}"


def _iso(d):
    return d.isoformat() if d else None
