"""党员教育: the study and training hours (学时) a member recorded, one row per session or course.

A member's hours in a year are computed, never stored (`education.queries`): these rows plus the 党课 the
member attended (meetings of type 党课 whose attendance was recorded person by person), each 党课 counted
at the `lecture_hours` parameter unless the member has a 培训 row of 形式 党课 that day (EDU-01, EDU-02)."""
from django.db import models
from django.db.models import Q


class TrainingKind(models.TextChoices):
    CONCENTRATED = "concentrated", "集中培训"
    LECTURE = "lecture", "党课"
    ONLINE = "online", "网络学习"
    SEMINAR = "seminar", "专题辅导"
    ROTATION = "rotation", "轮训"
    OTHER = "other", "其他"


class Training(models.Model):
    """A member studied `subject` on `held_on` for `hours` 学时 (one decimal). `kind` may be left empty, as
    the ledger's 形式 column may (未注明). A course spanning two years is entered as a row per year (EDU-05:
    hours do not carry over)."""

    member = models.ForeignKey("members.Member", models.PROTECT, related_name="trainings", verbose_name="党员")
    held_on = models.DateField("日期")
    subject = models.CharField("内容", max_length=200)
    hours = models.DecimalField("学时", max_digits=4, decimal_places=1)
    kind = models.CharField("形式", max_length=16, choices=TrainingKind.choices, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "学习培训"
        ordering = ["member", "held_on", "id"]
        indexes = [models.Index(fields=["held_on"])]
        constraints = [
            models.UniqueConstraint(fields=["member", "held_on", "subject"], name="training_unique_key",
                                    violation_error_message="该党员在该日期已登记同一内容的学习培训"),
            models.CheckConstraint(condition=Q(hours__gt=0), name="training_hours_positive",
                                   violation_error_message="学时应大于0"),
        ]

    def __str__(self):
        return f"{self.member.name} {self.held_on} {self.subject}"

    @property
    def kind_label(self):
        return TrainingKind(self.kind).label if self.kind in TrainingKind.values else "未注明"

    def snapshot(self):
        return {"member": self.member.name, "held_on": self.held_on.isoformat(), "subject": self.subject,
                "hours": str(self.hours), "kind": self.kind}
