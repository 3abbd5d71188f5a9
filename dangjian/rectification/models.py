"""问题清单与整改台账: the problems an organisation was found to have (in the 述职评议, a 巡视巡察, an
assessment, its own 组织生活会 …), what it does about them, and the higher level's verification and closing
(验收销号).

Facts are stored, status is computed: a problem stores the dates that happened (整改时限, 完成日期, 销号日期)
and its status on any day is read from them (`status_on`). Every step of its history is a `ProblemEvent`
row written by the one guarded transition in `services.py`.
"""
import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q


class ProblemSource(models.TextChoices):
    """Where the problem was found (LEDGER.md's 问题来源)."""

    APPRAISAL = "appraisal", "述职评议"
    INSPECTION = "inspection", "巡视巡察"
    ASSESSMENT = "assessment", "考核"
    LIFE_MEETING = "life_meeting", "组织生活会"
    DEMOCRATIC_LIFE = "democratic_life", "民主生活会"
    SELF_CHECK = "self_check", "自查"
    SUPERVISION = "supervision", "上级督查"


class ProblemState(models.TextChoices):
    """The states of the transitions map (`services.TRANSITIONS`): what the dates say has happened."""

    OPEN = "open", "整改中"
    COMPLETED = "completed", "已完成"
    CLOSED = "closed", "已销号"


# The status shown on a day: the state, with an open problem past its deadline told apart (RECT-01).
OVERDUE = "overdue"
STATUS_LABELS = {ProblemState.OPEN: "整改中", OVERDUE: "逾期未完成", ProblemState.COMPLETED: "已完成待销号",
                 ProblemState.CLOSED: "已销号"}


class ProblemQuerySet(models.QuerySet):
    def open_on(self, day):
        """Not completed on `day` (no 完成日期, or one after it): what RECT-01 looks at."""
        return self.filter(Q(completed_on__isnull=True) | Q(completed_on__gt=day))

    def overdue_on(self, day):
        """Past the deadline and not completed on `day` (RULES.md RECT-01, read literally)."""
        return self.open_on(day).filter(deadline__lt=day)


class Problem(models.Model):
    """One item of the problem list (问题清单) with its rectification (整改). `org` is the organisation
    that answers for it; the organisation above it verifies and closes it."""

    number = models.CharField("问题编号", max_length=40, unique=True)
    org = models.ForeignKey("organizations.Organization", models.PROTECT, related_name="problems",
                            verbose_name="责任组织")
    year = models.PositiveSmallIntegerField("年度")
    source = models.CharField("问题来源", max_length=20, choices=ProblemSource.choices)
    description = models.CharField("问题描述", max_length=2000)
    cause = models.CharField("原因分析", max_length=2000, blank=True)
    measures = models.CharField("整改措施", max_length=2000, blank=True)
    owner = models.ForeignKey("members.Member", models.PROTECT, null=True, blank=True, related_name="problems",
                              verbose_name="责任人")
    deadline = models.DateField("整改时限")
    completed_on = models.DateField("完成日期", null=True, blank=True)
    closed_on = models.DateField("销号日期", null=True, blank=True)
    # The 述职报告's pattern it was listed from (t:<theme>, reports.services.list_issue): that year's report
    # then shows it among the problems being rectified, not a second time as a pattern of the findings.
    report_issue = models.CharField("述职报告中的问题", max_length=40, blank=True)
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    objects = ProblemQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "整改问题"
        ordering = ["org", "year", "number"]
        indexes = [models.Index(fields=["deadline"]), models.Index(fields=["org", "year"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True)
                | Q(completed_on__isnull=False, closed_on__gte=models.F("completed_on")),
                name="problem_closed_after_completed",
                violation_error_message="销号须在完成整改之后：销号日期不能早于完成日期",
            ),
        ]

    def __str__(self):
        return f"{self.number} {self.description[:30]}"

    @property
    def state(self):
        """The state as the recorded dates stand (the transitions map works on it)."""
        if self.closed_on:
            return ProblemState.CLOSED
        if self.completed_on:
            return ProblemState.COMPLETED
        return ProblemState.OPEN

    def status_on(self, day: datetime.date):
        """The status on `day` from the dates alone: 已销号, 已完成, 逾期未完成 (past the deadline, not
        completed on that day) or 整改中. A date after `day` has not happened yet on it."""
        if self.closed_on and self.closed_on <= day:
            return ProblemState.CLOSED
        if self.completed_on and self.completed_on <= day:
            return ProblemState.COMPLETED
        if self.deadline < day:
            return OVERDUE
        return ProblemState.OPEN

    def status_label_on(self, day):
        return STATUS_LABELS[self.status_on(day)]

    @property
    def completed_late(self):
        """Completed, but after the deadline (逾期完成): no finding once done, still worth showing."""
        return self.completed_on is not None and self.completed_on > self.deadline

    def snapshot(self):
        return {"number": self.number, "org": self.org.code, "year": self.year, "source": self.source,
                "description": self.description[:200], "cause": self.cause[:200], "measures": self.measures[:200],
                "owner": self.owner.name if self.owner_id else None, "deadline": self.deadline.isoformat(),
                "completed_on": _iso(self.completed_on), "closed_on": _iso(self.closed_on)}


class EventKind(models.TextChoices):
    CREATED = "created", "登记问题"
    PROGRESS = "progress", "整改进展"
    COMPLETED = "completed", "完成整改"
    RETURNED = "returned", "验收未通过，退回整改"
    CLOSED = "closed", "验收通过，予以销号"


class ProblemEvent(models.Model):
    """One step of a problem's history, as the problem's page lists it: its registration, each progress
    note (with its evidence file), the completion, a verification refused (退回) and the closing. `date` is
    the day it happened; who recorded it and when are kept beside it."""

    problem = models.ForeignKey(Problem, models.CASCADE, related_name="events", verbose_name="问题")
    kind = models.CharField("类型", max_length=12, choices=EventKind.choices)
    date = models.DateField("日期")
    text = models.CharField("内容", max_length=2000, blank=True)
    file = models.FileField("佐证材料", upload_to="rectification/%Y/%m/", blank=True)
    file_name = models.CharField("文件名", max_length=200, blank=True)
    file_size = models.PositiveIntegerField("大小", default=0)
    from_state = models.CharField("原状态", max_length=12, choices=ProblemState.choices, blank=True)
    to_state = models.CharField("新状态", max_length=12, choices=ProblemState.choices, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+",
                              verbose_name="操作人")
    actor_name = models.CharField("操作人", max_length=150)
    recorded_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "整改记录"
        ordering = ["problem", "date", "id"]

    def __str__(self):
        return f"{self.date} {self.get_kind_display()}"


def _iso(day):
    return day.isoformat() if day else None
