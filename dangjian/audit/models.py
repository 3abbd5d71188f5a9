"""The audit log: who changed (or revealed) what, when, with the before and after (masked)."""
from django.conf import settings
from django.db import models


class AuditEntry(models.Model):
    """One audited action. `org_path` is the materialized path of the organisation concerned, so the
    audit page can be scoped to a subtree like everything else. `batch` groups the entries of one
    request or one import."""

    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                              related_name="+", verbose_name="操作人")
    actor_name = models.CharField("操作人", max_length=150)
    action = models.CharField("操作", max_length=60, db_index=True)
    object_type = models.CharField("对象类型", max_length=40)
    object_id = models.CharField("对象ID", max_length=40)
    object_label = models.CharField("对象", max_length=200)
    org_code = models.CharField("组织编码", max_length=32, blank=True)
    org_path = models.CharField(max_length=255, blank=True, db_index=True)
    before = models.JSONField("变更前", null=True, blank=True)
    after = models.JSONField("变更后", null=True, blank=True)
    batch = models.CharField("批次", max_length=36, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "审计日志"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.object_label}"
