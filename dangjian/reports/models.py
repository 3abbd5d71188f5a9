"""述职报告: an organisation secretary's annual report (抓基层党建工作述职报告), drafted from the records.

A `Report` keeps what the user wrote (`narrative`: the text of each slot, never a figure) apart from what the
records said when it was last generated (`facts`: the figures with their records, the problems, the themes of
the findings). Regenerating replaces the facts and keeps the narrative. Submitting freezes a `ReportVersion`:
the document, its figures and its rendered text as they stood, kept and never changed by later regeneration.
"""
from django.conf import settings
from django.db import models


class ReportStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已提交"


class Report(models.Model):
    org = models.ForeignKey("organizations.Organization", models.PROTECT, related_name="reports",
                            verbose_name="党组织")
    year = models.PositiveSmallIntegerField("年度")
    status = models.CharField("状态", max_length=12, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    # {slot key: text}: only the slots the user wrote; the others show their defaults.
    narrative = models.JSONField("正文（用户撰写）", default=dict, blank=True)
    # {problem number: area code}: where the user placed a last year's problem (else placed by its words).
    placement = models.JSONField("上年问题所属部分", default=dict, blank=True)
    facts = models.JSONField("生成时的数据", default=dict, blank=True)
    generated_at = models.DateTimeField("生成时间", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "述职报告"
        ordering = ["org", "-year"]
        constraints = [models.UniqueConstraint(fields=["org", "year"], name="report_one_per_year",
                                               violation_error_message="该组织该年度已有述职报告")]

    def __str__(self):
        return f"{self.org.name}{self.year}年述职报告"

    def snapshot(self):
        return {"org": self.org.code, "year": self.year, "status": self.status,
                "slots": sorted(self.narrative), "placement": dict(self.placement)}


class ReportVersion(models.Model):
    """A submitted version, frozen: the document structure (from which every format is rendered again), the
    figures with their records, and the HTML and Markdown as they were rendered at that moment."""

    report = models.ForeignKey(Report, models.PROTECT, related_name="versions", verbose_name="述职报告")
    number = models.PositiveSmallIntegerField("版本")
    submitted_at = models.DateTimeField("提交时间", auto_now_add=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name="提交人")
    submitted_by_name = models.CharField("提交人", max_length=150)
    document = models.JSONField("文档")
    figures = models.JSONField("数字及其记录")
    html = models.TextField("HTML")
    markdown = models.TextField("Markdown")

    class Meta:
        verbose_name = verbose_name_plural = "述职报告提交版本"
        ordering = ["report", "-number"]
        constraints = [models.UniqueConstraint(fields=["report", "number"], name="report_version_unique")]

    def __str__(self):
        return f"{self.report}（第{self.number}版）"
