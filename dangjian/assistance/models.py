"""帮扶 (对口帮扶、精准脱贫): the projects an organisation runs for a village or a household: first
secretaries stationed in a village (驻村第一书记), infrastructure, shares in and investments into village
enterprises with the money put in and the yearly dividend to the village collective, other funds."""
from django.db import models
from django.db.models import Q


class ProjectKind(models.TextChoices):
    FIRST_SECRETARY = "first_secretary", "驻村第一书记"
    INFRASTRUCTURE = "infrastructure", "基础设施"
    EQUITY = "equity", "产业入股"
    INVESTMENT = "investment", "产业投资"
    FUNDS = "funds", "资金"
    OTHER = "other", "其他"


class Project(models.Model):
    """One assistance project, keyed by its 项目编号. Money is in 万元 (as the reports write it); `member` is
    the member stationed there (required for a 驻村第一书记). `ended_on` empty: still running."""

    code = models.CharField("项目编号", max_length=32, unique=True)
    org = models.ForeignKey("organizations.Organization", models.PROTECT, related_name="assistance_projects",
                            verbose_name="组织")
    target = models.CharField("帮扶对象", max_length=120, help_text="村或户")
    kind = models.CharField("项目类型", max_length=20, choices=ProjectKind.choices)
    name = models.CharField("项目名称", max_length=200)
    started_on = models.DateField("开始日期")
    ended_on = models.DateField("结束日期", null=True, blank=True)
    invested = models.DecimalField("投入金额（万元）", max_digits=12, decimal_places=2, null=True, blank=True)
    annual_return = models.DecimalField("年收益（万元）", max_digits=12, decimal_places=2, null=True, blank=True)
    member = models.ForeignKey("members.Member", models.PROTECT, null=True, blank=True,
                               related_name="assistance_projects", verbose_name="人员")
    results = models.TextField("成效", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "帮扶项目"
        ordering = ["org", "started_on", "code"]
        constraints = [
            models.CheckConstraint(condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                                   name="project_end_after_start", violation_error_message="结束日期不能早于开始日期"),
            models.CheckConstraint(condition=~Q(kind="first_secretary") | Q(member__isnull=False),
                                   name="project_first_secretary_member",
                                   violation_error_message="驻村第一书记项目须填写人员"),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    def active_in(self, first, last):
        """Whether the project ran on some day from `first` to `last`."""
        return self.started_on <= last and (self.ended_on is None or self.ended_on >= first)

    def snapshot(self):
        return {"code": self.code, "org": self.org.code, "target": self.target, "kind": self.kind, "name": self.name,
                "started_on": self.started_on.isoformat(),
                "ended_on": self.ended_on.isoformat() if self.ended_on else None,
                "invested": None if self.invested is None else str(self.invested),
                "annual_return": None if self.annual_return is None else str(self.annual_return),
                "member": self.member.name if self.member_id else None, "results": self.results[:200]}
