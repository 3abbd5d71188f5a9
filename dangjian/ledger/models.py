"""A ledger job started from the web: an import (the uploaded file, its preview, its result) or an export
(the workbook being written); who started it and where it stands, so the page can show progress."""
from django.conf import settings
from django.db import models


class LedgerJob(models.Model):
    class Kind(models.TextChoices):
        IMPORT = "import", "导入"
        EXPORT = "export", "导出"

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "处理中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    kind = models.CharField("类型", max_length=10, choices=Kind.choices, default=Kind.IMPORT)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+", verbose_name="用户")
    org = models.ForeignKey("organizations.Organization", models.CASCADE, null=True, blank=True, related_name="+",
                            verbose_name="导出范围", help_text="导出：该组织及其下级；空为用户可见的全部")
    file = models.CharField("文件", max_length=255, help_text="相对于MEDIA_ROOT的路径")
    original_name = models.CharField("原文件名", max_length=255, blank=True)
    dry_run = models.BooleanField("仅预览", default=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.QUEUED)
    done = models.PositiveIntegerField("已处理行数", default=0)
    total = models.PositiveIntegerField("总行数", default=0)
    result = models.JSONField("结果", null=True, blank=True)
    created_at = models.DateTimeField("上传时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "台账导入导出任务"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.original_name}（{self.get_status_display()}）"

    @property
    def finished(self):
        return self.status in (self.Status.DONE, self.Status.FAILED)
