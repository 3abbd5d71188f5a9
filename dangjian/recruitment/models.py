"""发展党员: one case per applicant from the application to confirmation (or discontinuation, or the
cancellation of probation), as the dated steps of `process.STEPS`. The case's stage and status, its next
step and when that falls due are computed from the steps, never stored."""
from django.db import models

from .process import BY_NO, RULE_VERSION, STAGES


class Case(models.Model):
    """The applicant is not a member yet: the person is kept here, keyed by the resident ID. The branch
    meeting that admits them creates the Member (members.services.create_member), linked as `member`."""

    id_number = models.CharField("身份证号", max_length=18, unique=True)
    name = models.CharField("姓名", max_length=40)
    sex = models.CharField("性别", max_length=1)
    birth_date = models.DateField("出生日期")
    org = models.ForeignKey("organizations.Organization", models.PROTECT, related_name="recruitment_cases",
                            verbose_name="所属党支部")
    rule_version = models.CharField("规则版本", max_length=10, default=RULE_VERSION)
    member = models.OneToOneField("members.Member", models.PROTECT, null=True, blank=True,
                                  related_name="recruitment_case", verbose_name="党员")
    discontinued_on = models.DateField("终止培养日期", null=True, blank=True)
    discontinued_reason = models.CharField("终止原因", max_length=200, blank=True)
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "发展党员"
        ordering = ["org", "id"]

    def __str__(self):
        return self.name

    def snapshot(self):
        return {"id_number": self.id_number, "name": self.name, "org": self.org.code,
                "rule_version": self.rule_version,
                "discontinued_on": self.discontinued_on.isoformat() if self.discontinued_on else None,
                "discontinued_reason": self.discontinued_reason}


class CaseStep(models.Model):
    """One step of a case, as it happened. What it records depends on the step (process.Step.records):
    people (`people`), a vote (`expected`, `present`, `yes`), a conclusion, a training (`ended_on`,
    `hours`), the months of an extension. `reason` is the recorded reason when a soft rule was set aside."""

    case = models.ForeignKey(Case, models.CASCADE, related_name="steps")
    step = models.PositiveSmallIntegerField("步骤")
    date = models.DateField("日期")
    people = models.ManyToManyField("members.Member", blank=True, related_name="+", verbose_name="人员")
    conclusion = models.CharField("结论", max_length=20, blank=True)
    ended_on = models.DateField("结束日期", null=True, blank=True)
    hours = models.DecimalField("学时", max_digits=6, decimal_places=1, null=True, blank=True)
    expected = models.PositiveIntegerField("应到人数", null=True, blank=True)
    present = models.PositiveIntegerField("实到人数", null=True, blank=True)
    yes = models.PositiveIntegerField("赞成票", null=True, blank=True)
    months = models.PositiveSmallIntegerField("延长月数", null=True, blank=True)
    meeting = models.ForeignKey("meetings.Meeting", models.SET_NULL, null=True, blank=True, related_name="+",
                                verbose_name="会议记录")
    note = models.CharField("说明", max_length=200, blank=True)
    reason = models.CharField("理由（软性规则未满足时）", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "发展党员步骤"
        ordering = ["case", "date", "step", "id"]
        indexes = [models.Index(fields=["step", "date"])]

    def __str__(self):
        return f"{self.date} {self.definition.title}"

    @property
    def definition(self):
        return BY_NO[self.step]

    @property
    def stage_label(self):
        return STAGES[self.definition.stage]
