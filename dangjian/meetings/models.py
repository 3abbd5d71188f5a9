"""Organisational life (组织生活): meetings of every type, who came, the votes taken, minutes and
attachments; and 党员之家, the rooms where it happens.

A meeting is recorded once and may count as several types (a 支部党员大会 held on the 主题党日 counts for
both): its types are rows of `MeetingKind`, so the rule checks find "a 主题党日 of this branch in this month"
with one indexed query for a whole subtree.
"""
from django.db import models
from django.db.models import Q

from dangjian.organizations.models import BRANCH_TYPES, OrgType


class MeetingType(models.TextChoices):
    BRANCH_GENERAL = "branch_general", "支部党员大会"
    BRANCH_COMMITTEE = "branch_committee", "支部委员会"
    GROUP = "group", "党小组会"
    LECTURE = "lecture", "党课"
    THEME_DAY = "theme_day", "主题党日"
    LIFE_MEETING = "life_meeting", "组织生活会"
    APPRAISAL = "appraisal", "民主评议党员"
    TALK = "talk", "谈心谈话"
    COMMITTEE = "committee", "党委会"
    COMMITTEE_EXTENDED = "committee_extended", "党委扩大会"
    SECRETARIES = "secretaries", "书记碰头会"
    WORK_CONFERENCE = "work_conference", "党建工作会议"
    DEMOCRATIC_LIFE = "democratic_life", "民主生活会"
    CONGRESS = "congress", "党员代表大会"


# Which organisations may hold which meetings (types not listed: any organisation). A 党小组 holds its
# 党小组会; the branch meetings belong to branch-level organisations and the 党总支 (which has a general
# meeting and a committee too); the committee meetings to a 党委.
MEETING_ORG_TYPES = {
    MeetingType.GROUP: (OrgType.PARTY_GROUP,),
    MeetingType.BRANCH_GENERAL: BRANCH_TYPES + (OrgType.GENERAL_BRANCH,),
    MeetingType.BRANCH_COMMITTEE: BRANCH_TYPES + (OrgType.GENERAL_BRANCH,),
    MeetingType.COMMITTEE: (OrgType.COMMITTEE,),
    MeetingType.COMMITTEE_EXTENDED: (OrgType.COMMITTEE,),
    MeetingType.DEMOCRATIC_LIFE: (OrgType.COMMITTEE, OrgType.GENERAL_BRANCH),
    MeetingType.CONGRESS: (OrgType.COMMITTEE,),
}


class Topic(models.TextChoices):
    PARTY_BUILDING = "party_building", "党建"
    MAJOR_MATTERS = "major_matters", "三重一大"
    RECRUITMENT = "recruitment", "发展党员"
    DUES = "dues", "党费"
    ELECTION = "election", "换届"
    APPRAISAL = "appraisal", "评议"
    RECTIFICATION = "rectification", "整改"
    STUDY = "study", "学习"
    OTHER = "other", "其他"


class Meeting(models.Model):
    """One meeting as it was held. `expected`/`present` are the head counts (应到/实到); when attendance
    is recorded person by person (`Attendance`), the services keep `present` equal to the people who came."""

    org = models.ForeignKey("organizations.Organization", models.PROTECT, related_name="meetings",
                            verbose_name="组织")
    held_on = models.DateField("日期")
    subject = models.CharField("主题", max_length=200)
    chair = models.ForeignKey("members.Member", models.PROTECT, null=True, blank=True, related_name="+",
                              verbose_name="主持人")
    lecturer = models.ForeignKey("members.Member", models.PROTECT, null=True, blank=True, related_name="+",
                                 verbose_name="讲课人")
    topics = models.JSONField("议题类别", default=list, blank=True)
    expected = models.PositiveIntegerField("应到人数")
    present = models.PositiveIntegerField("实到人数")
    location = models.CharField("地点", max_length=120, blank=True)
    minutes = models.TextField("会议记录", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "组织生活"
        ordering = ["org", "-held_on", "id"]
        indexes = [models.Index(fields=["org", "held_on"])]
        constraints = [
            models.CheckConstraint(condition=Q(present__lte=models.F("expected")), name="meeting_present_le_expected",
                                   violation_error_message="实到人数不能多于应到人数"),
        ]

    def __str__(self):
        return f"{self.held_on} {self.type_labels} {self.subject}"

    @property
    def types(self):
        """The type codes in the order of MeetingType (uses prefetched kinds when there are)."""
        codes = {k.kind for k in self.kinds.all()}
        return [t for t in MeetingType.values if t in codes]

    @property
    def type_labels(self):
        return "、".join(MeetingType(t).label for t in self.types)

    @property
    def topic_labels(self):
        return "、".join(Topic(t).label for t in self.topics if t in Topic.values)

    def snapshot(self):
        return {
            "org": self.org.code, "held_on": self.held_on.isoformat(), "subject": self.subject,
            "types": self.types, "chair": self.chair.name if self.chair_id else None,
            "lecturer": self.lecturer.name if self.lecturer_id else None, "topics": list(self.topics),
            "expected": self.expected, "present": self.present, "location": self.location,
            "minutes": self.minutes[:200],
        }


class MeetingKind(models.Model):
    """One type a meeting counts as. `org` and `held_on` repeat the meeting's so the rule checks read one
    table: "which types did each organisation of this subtree hold in which month"."""

    meeting = models.ForeignKey(Meeting, models.CASCADE, related_name="kinds")
    kind = models.CharField("会议类型", max_length=24, choices=MeetingType.choices)
    org = models.ForeignKey("organizations.Organization", models.PROTECT, related_name="+")
    held_on = models.DateField()

    class Meta:
        ordering = ["meeting", "kind"]
        indexes = [models.Index(fields=["held_on", "kind"])]
        constraints = [models.UniqueConstraint(fields=["meeting", "kind"], name="meetingkind_unique")]


class Attendance(models.Model):
    """A person who should attend, whether they came, and why not. A leading cadre attending their branch
    as an ordinary member is 双重组织生活 (MTG-14)."""

    meeting = models.ForeignKey(Meeting, models.CASCADE, related_name="attendance")
    member = models.ForeignKey("members.Member", models.PROTECT, related_name="attendance", verbose_name="党员")
    attended = models.BooleanField("出席", default=True)
    absence_reason = models.CharField("缺席原因", max_length=120, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "出席情况"
        ordering = ["meeting", "-attended", "member__name", "id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "member"], name="attendance_unique")]


class VoteResult(models.TextChoices):
    PASSED = "passed", "通过"
    REJECTED = "rejected", "未通过"
    NO_QUORUM = "no_quorum", "未达到法定人数，表决无效"


class Vote(models.Model):
    """A matter voted on and its tally. Only members with voting rights count: probationary members do
    not vote (党章 第七条). The result is computed by the services from the tally, never typed."""

    meeting = models.ForeignKey(Meeting, models.CASCADE, related_name="votes")
    matter = models.CharField("表决事项", max_length=200)
    expected_voters = models.PositiveIntegerField("应到有表决权人数")
    present_voters = models.PositiveIntegerField("实到有表决权人数")
    yes = models.PositiveIntegerField("赞成票")
    no = models.PositiveIntegerField("反对票", null=True, blank=True)
    abstain = models.PositiveIntegerField("弃权票", null=True, blank=True)
    result = models.CharField("表决结果", max_length=12, choices=VoteResult.choices)
    resolution = models.TextField("决议", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "表决"
        ordering = ["meeting", "id"]

    def __str__(self):
        return f"{self.matter}（{self.get_result_display()}）"

    def snapshot(self):
        return {"matter": self.matter, "expected_voters": self.expected_voters,
                "present_voters": self.present_voters, "yes": self.yes, "no": self.no, "abstain": self.abstain,
                "result": self.result, "resolution": self.resolution[:200]}


class Attachment(models.Model):
    """A file kept with a meeting (minutes scan, photos, sign-in sheet). Stored under MEDIA_ROOT and served
    only through a view that checks the reader may see the meeting."""

    meeting = models.ForeignKey(Meeting, models.CASCADE, related_name="attachments")
    file = models.FileField("文件", upload_to="meetings/%Y/%m/")
    name = models.CharField("文件名", max_length=200)
    size = models.PositiveIntegerField("大小", default=0)
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "附件"
        ordering = ["meeting", "id"]

    def __str__(self):
        return self.name


class Facility(models.TextChoices):
    RULES_ON_WALL = "rules_on_wall", "制度上墙"
    BOOKS = "books", "学习书籍"
    PERIODICALS = "periodicals", "党报党刊"
    AV_EQUIPMENT = "av_equipment", "电教设备"
    ACTIVITY_SPACE = "activity_space", "活动场地"
    OTHER = "other", "其他"


class PartyHome(models.Model):
    """党员之家: a room an organisation runs for its members' organisational life."""

    org = models.ForeignKey("organizations.Organization", models.PROTECT, related_name="party_homes",
                            verbose_name="组织")
    name = models.CharField("名称", max_length=120)
    opened_on = models.DateField("建成日期")
    facilities = models.JSONField("设施", default=list, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "党员之家"
        ordering = ["org", "name"]
        constraints = [models.UniqueConstraint(fields=["org", "name"], name="partyhome_unique",
                                               violation_error_message="该组织已有同名的党员之家")]

    def __str__(self):
        return self.name

    @property
    def facility_labels(self):
        return "、".join(Facility(f).label for f in self.facilities if f in Facility.values)

    def snapshot(self):
        return {"org": self.org.code, "name": self.name, "opened_on": self.opened_on.isoformat(),
                "facilities": list(self.facilities)}
