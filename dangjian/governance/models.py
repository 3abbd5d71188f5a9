"""三重一大 and the party committee's prior study (前置研究讨论).

An enterprise's 党委 keeps a register of its major matters (三重一大事项台账): each matter with its category,
amount, the body that decided it and when, and the date of the 党委会 that studied it first, linked to that
meeting's record. Facts are stored, the status is computed (`Matter.study_status`): a matter decided by the
董事会 or 经理层 needs a prior study dated on or before the decision (RULES.md SOE-03); one decided by the
党委会 itself needs none.

The enterprise's own list of the matters that go to the 党委 first (前置研究讨论重大经营管理事项清单) is a
document the 党委 adopts and revises: `PriorStudyList` is one version of it, in force from its 施行日期 until the
next version, with one `PriorStudyItem` per 三重一大 category it lists (what falls under it and, where money is
involved, the amount from which a matter is listed). Party workers keep it that way: 《…清单（2018年修订）》,
施行日期 2018-07-01, 重大项目安排：……300万元以上. The list tells which matters belong in the register; SOE-03
judges every matter of the register as RULES.md defines it (the list does not exempt a registered matter).
"""
from django.db import models
from django.db.models import Q


class MatterCategory(models.TextChoices):
    """The four kinds of 三重一大 (LEDGER.md's 事项类别)."""

    DECISION = "decision", "重大决策"
    APPOINTMENT = "appointment", "重要人事任免"
    PROJECT = "project", "重大项目安排"
    FUNDS = "funds", "大额资金运作"


class DecidingBody(models.TextChoices):
    BOARD = "board", "董事会"
    MANAGEMENT = "management", "经理层"
    COMMITTEE = "committee", "党委会"


# The bodies whose decisions need the party committee's prior study (SOE-03).
NEEDS_PRIOR_STUDY = (DecidingBody.BOARD, DecidingBody.MANAGEMENT)


class StudyStatus(models.TextChoices):
    """A matter's status as the page shows it, computed from its dates (`Matter.study_status`)."""

    DONE = "done", "已前置研究"
    MISSING = "missing", "未经前置研究"
    LATE = "late", "研究晚于决策"
    COMMITTEE = "committee", "党委会决策"


class Matter(models.Model):
    """One 三重一大 matter of an enterprise, keyed by its 事项编号. `org` is the enterprise's 党委; `studied_on`
    the date of the 党委会 (or 党委扩大会) that studied it before the decision, `study_meeting` that meeting's
    record when the system holds it; `decision_note` names the board or management meeting and its resolution."""

    number = models.CharField("事项编号", max_length=40, unique=True)
    org = models.ForeignKey("organizations.Organization", models.PROTECT, related_name="matters",
                            verbose_name="党委")
    name = models.CharField("事项名称", max_length=200)
    category = models.CharField("事项类别", max_length=12, choices=MatterCategory.choices)
    amount = models.DecimalField("金额（万元）", max_digits=12, decimal_places=2, null=True, blank=True)
    deciding_body = models.CharField("决策机构", max_length=12, choices=DecidingBody.choices)
    decided_on = models.DateField("决策日期")
    studied_on = models.DateField("前置研究日期", null=True, blank=True)
    # A meeting deleted as entered by mistake leaves the date (the fact) and drops the link, as recruitment does.
    study_meeting = models.ForeignKey("meetings.Meeting", models.SET_NULL, null=True, blank=True,
                                      related_name="studied_matters", verbose_name="前置研究会议")
    decision_note = models.CharField("决策情况", max_length=300, blank=True,
                                     help_text="董事会、经理层的会议及决议文号")
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "三重一大事项"
        ordering = ["org", "decided_on", "number"]
        indexes = [models.Index(fields=["org", "decided_on"])]
        constraints = [
            models.CheckConstraint(condition=Q(study_meeting__isnull=True) | Q(studied_on__isnull=False),
                                   name="matter_meeting_has_date",
                                   violation_error_message="关联了前置研究会议，须有前置研究日期"),
        ]

    def __str__(self):
        return f"{self.number} {self.name}"

    @property
    def needs_prior_study(self):
        return self.deciding_body in NEEDS_PRIOR_STUDY

    @property
    def study_status(self):
        """RULES.md SOE-03 read on the dates: a study on the day of the decision is in time (not later)."""
        if not self.needs_prior_study:
            return StudyStatus.COMMITTEE
        if self.studied_on is None:
            return StudyStatus.MISSING
        if self.studied_on > self.decided_on:
            return StudyStatus.LATE
        return StudyStatus.DONE

    @property
    def study_status_label(self):
        return StudyStatus(self.study_status).label

    def snapshot(self):
        return {"number": self.number, "org": self.org.code, "name": self.name, "category": self.category,
                "amount": None if self.amount is None else str(self.amount), "deciding_body": self.deciding_body,
                "decided_on": self.decided_on.isoformat(), "studied_on": _iso(self.studied_on),
                "study_meeting": str(self.study_meeting) if self.study_meeting_id else None,
                "decision_note": self.decision_note}


class PriorStudyList(models.Model):
    """One version of an enterprise's 前置研究事项清单, in force from `valid_from` until the next version's."""

    org = models.ForeignKey("organizations.Organization", models.PROTECT, related_name="prior_study_lists",
                            verbose_name="党委")
    valid_from = models.DateField("施行日期")
    title = models.CharField("清单名称", max_length=200)
    note = models.CharField("说明", max_length=500, blank=True, help_text="如审议通过的会议、文号")

    class Meta:
        verbose_name = verbose_name_plural = "前置研究事项清单"
        ordering = ["org", "-valid_from"]
        constraints = [models.UniqueConstraint(fields=["org", "valid_from"], name="prior_study_list_unique",
                                               violation_error_message="该党委在这一施行日期已有一版清单")]

    def __str__(self):
        return self.title

    def snapshot(self):
        return {"org": self.org.code, "valid_from": self.valid_from.isoformat(), "title": self.title,
                "note": self.note,
                "items": [f"{i.get_category_display()}：{i.description}"
                          + (f"（{i.amount_floor}万元以上）" if i.amount_floor is not None else "")
                          for i in self.items.all()]}


class PriorStudyItem(models.Model):
    """A category the list covers: what falls under it, and for money the amount from which it is listed."""

    list = models.ForeignKey(PriorStudyList, models.CASCADE, related_name="items", verbose_name="清单")
    category = models.CharField("事项类别", max_length=12, choices=MatterCategory.choices)
    description = models.CharField("事项内容", max_length=500)
    amount_floor = models.DecimalField("金额起点（万元）", max_digits=12, decimal_places=2, null=True, blank=True,
                                       help_text="达到此金额的列入清单；不填则不论金额")

    class Meta:
        verbose_name = verbose_name_plural = "清单事项"
        ordering = ["list", "id"]
        constraints = [models.UniqueConstraint(fields=["list", "category"], name="prior_study_item_unique",
                                               violation_error_message="同一版清单中每类事项只登记一项")]

    def __str__(self):
        return f"{self.get_category_display()}：{self.description}"


def _iso(day):
    return day.isoformat() if day else None
