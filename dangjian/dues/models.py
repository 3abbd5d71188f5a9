"""党费: what each member declared as the base of their dues (and in which category), and what they paid
for which month. What is due is computed from the rates in `rules.parameters` (DUES-*), never stored."""
from django.db import models


class BaseDeclaration(models.Model):
    """From `month` on, the member's dues are computed on `base` in `category` (the category the member had
    when declaring; `reduced` = an approved reduction or waiver). The latest declaration on or before a
    month applies to it."""

    member = models.ForeignKey("members.Member", models.PROTECT, related_name="dues_bases", verbose_name="党员")
    month = models.DateField("起始月份")  # the first day of the month
    base = models.DecimalField("缴费基数（元）", max_digits=10, decimal_places=2)
    category = models.CharField("党费类别", max_length=16)
    reduced = models.BooleanField("减免党费", default=False)
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "党费基数"
        ordering = ["member", "month"]
        constraints = [models.UniqueConstraint(fields=["member", "month"], name="dues_base_one_per_month",
                                               violation_error_message="该党员该月已申报缴费基数")]

    def __str__(self):
        return f"{self.member.name} {self.month:%Y-%m}起缴费基数"

    def snapshot(self):
        return {"member": self.member.name, "month": self.month.strftime("%Y-%m"), "base": str(self.base),
                "category": self.category, "reduced": self.reduced, "note": self.note}


class PaymentKind(models.TextChoices):
    REGULAR = "regular", "按月交纳"
    EXTRA = "extra", "自愿多交"


class Payment(models.Model):
    """A payment for one month (`month` = its first day). A month has at most one regular payment; a
    voluntary extra payment is recorded apart. `org` is the branch that collected it."""

    member = models.ForeignKey("members.Member", models.PROTECT, related_name="dues_payments", verbose_name="党员")
    month = models.DateField("所属月份")
    amount = models.DecimalField("实缴金额（元）", max_digits=10, decimal_places=2)
    paid_on = models.DateField("缴纳日期", null=True, blank=True)
    kind = models.CharField("类型", max_length=10, choices=PaymentKind.choices, default=PaymentKind.REGULAR)
    org = models.ForeignKey("organizations.Organization", models.PROTECT, related_name="+", verbose_name="收缴组织")
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "党费缴纳"
        ordering = ["member", "month", "id"]
        indexes = [models.Index(fields=["org", "month"]), models.Index(fields=["month"])]
        constraints = [models.UniqueConstraint(fields=["member", "month"], condition=models.Q(kind="regular"),
                                               name="dues_one_regular_payment_per_month",
                                               violation_error_message="该党员该月已登记党费")]

    def __str__(self):
        return f"{self.member.name} {self.month:%Y-%m}党费"

    def snapshot(self):
        return {"member": self.member.name, "month": self.month.strftime("%Y-%m"), "amount": str(self.amount),
                "paid_on": self.paid_on.isoformat() if self.paid_on else None, "kind": self.kind,
                "org": self.org.code, "note": self.note}
