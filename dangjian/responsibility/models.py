"""党建工作责任制: who carries which responsibility in an organisation for a year, and the annual 党建目标责任书
an organisation signs with each organisation below it, with its indicators and their scores.

An indicator is either computed from the records (`metric`, see metrics.py: the value is never stored, it is
read again whenever the letter is shown) or scored by hand with the evidence kept beside the score."""
from django.db import models


class Duty(models.TextChoices):
    PRINCIPAL = "principal", "主体责任"          # the committee as a body
    FIRST = "first", "第一责任人"                # the secretary
    DIRECT = "direct", "直接责任"                # the full-time deputy secretary
    DUAL = "dual", "一岗双责"                    # each committee member, for their areas of work


class Responsibility(models.Model):
    """One responsibility of `org` in `year`: the committee's 主体责任 (no member), or a member's duty with the
    areas of work it covers."""

    org = models.ForeignKey("organizations.Organization", models.PROTECT, related_name="responsibilities",
                            verbose_name="组织")
    year = models.PositiveSmallIntegerField("年度")
    duty = models.CharField("责任", max_length=16, choices=Duty.choices)
    member = models.ForeignKey("members.Member", models.PROTECT, null=True, blank=True, related_name="+",
                               verbose_name="责任人")
    areas = models.CharField("分管领域/责任内容", max_length=300, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "党建工作责任"
        ordering = ["org", "year", "duty", "id"]
        constraints = [
            models.UniqueConstraint(fields=["org", "year", "duty", "member"], name="responsibility_unique"),
            models.UniqueConstraint(fields=["org", "year", "duty"], condition=models.Q(member__isnull=True),
                                    name="responsibility_principal_once"),
        ]

    def __str__(self):
        who = self.member.name if self.member_id else "党组织"
        return f"{self.org.name}{self.year}年{self.get_duty_display()}：{who}"

    def snapshot(self):
        return {"org": self.org.code, "year": self.year, "duty": self.duty,
                "member": self.member.id_number if self.member_id else None, "areas": self.areas}


class Letter(models.Model):
    """党建目标责任书: `from_org` sets `to_org` (an organisation below it) its targets for `year`."""

    from_org = models.ForeignKey("organizations.Organization", models.PROTECT, related_name="letters_given",
                                 verbose_name="下达组织")
    to_org = models.ForeignKey("organizations.Organization", models.PROTECT, related_name="letters_received",
                               verbose_name="责任组织")
    year = models.PositiveSmallIntegerField("年度")
    title = models.CharField("标题", max_length=200)
    signed_on = models.DateField("签订日期", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "党建目标责任书"
        ordering = ["from_org", "year", "to_org"]
        constraints = [models.UniqueConstraint(fields=["from_org", "to_org", "year"], name="letter_unique")]

    def __str__(self):
        return self.title

    def snapshot(self):
        return {"from_org": self.from_org.code, "to_org": self.to_org.code, "year": self.year, "title": self.title,
                "signed_on": self.signed_on.isoformat() if self.signed_on else None}


class Direction(models.TextChoices):
    HIGHER = "higher", "越高越好"
    LOWER = "lower", "越低越好"


class Indicator(models.Model):
    """One indicator of a letter, worth `points`. Computed (`metric` set): scored from the value the records
    give against `target` (metrics.score). By hand (`metric` empty): `score` with its `evidence`."""

    letter = models.ForeignKey(Letter, models.CASCADE, related_name="indicators")
    order = models.PositiveSmallIntegerField("序号", default=0)
    name = models.CharField("指标", max_length=200)
    points = models.DecimalField("分值", max_digits=5, decimal_places=1)
    metric = models.CharField("自动计算", max_length=32, blank=True)
    target = models.DecimalField("目标值", max_digits=12, decimal_places=2, null=True, blank=True)
    direction = models.CharField("方向", max_length=8, choices=Direction.choices, default=Direction.HIGHER)
    score = models.DecimalField("得分", max_digits=5, decimal_places=1, null=True, blank=True)
    evidence = models.TextField("评分依据", blank=True)
    evidence_file = models.FileField("佐证材料", upload_to="responsibility/%Y/", blank=True)
    scored_on = models.DateField("评分日期", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "考核指标"
        ordering = ["letter", "order", "id"]
        constraints = [models.CheckConstraint(condition=models.Q(points__gt=0), name="indicator_points_positive")]

    def __str__(self):
        return self.name

    @property
    def computed(self):
        return bool(self.metric)

    def snapshot(self):
        return {"name": self.name, "points": str(self.points), "metric": self.metric,
                "target": None if self.target is None else str(self.target), "direction": self.direction,
                "score": None if self.score is None else str(self.score), "evidence": self.evidence,
                "evidence_file": self.evidence_file.name or None,
                "scored_on": self.scored_on.isoformat() if self.scored_on else None}
