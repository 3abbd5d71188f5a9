"""Who may see and change what: each user has one role on one organisation."""
import hashlib
import secrets

from django.conf import settings
from django.db import models


class RoleKind(models.TextChoices):
    ADMIN = "admin", "系统管理员"
    ORG_ADMIN = "org_admin", "党务管理员"
    BRANCH_OFFICER = "branch_officer", "支部书记/组织委员"
    MEMBER = "member", "党员"


class Role(models.Model):
    """系统管理员: everything. 党务管理员: the organisation's subtree. 支部书记/组织委员: that organisation
    (with its 党小组). 党员: their own record (`member`)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, models.CASCADE, related_name="role", verbose_name="用户")
    kind = models.CharField("角色", max_length=20, choices=RoleKind.choices)
    org = models.ForeignKey("organizations.Organization", models.PROTECT, null=True, blank=True,
                            related_name="roles", verbose_name="组织")
    member = models.ForeignKey("members.Member", models.PROTECT, null=True, blank=True, related_name="roles",
                               verbose_name="党员")

    class Meta:
        verbose_name = verbose_name_plural = "角色"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="admin") | models.Q(kind="member", member__isnull=False)
                | models.Q(kind__in=["org_admin", "branch_officer"], org__isnull=False),
                name="role_has_its_object",
                violation_error_message="党务管理员和支部书记须指定组织，党员须指定党员记录",
            ),
        ]

    def __str__(self):
        return f"{self.user.username}：{self.get_kind_display()}"


class LoginFailure(models.Model):
    """A failed login, kept to lock an account after repeated failures."""

    username = models.CharField(max_length=150, db_index=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True)


class ApiToken(models.Model):
    """A token for the REST API (`Authorization: Bearer <token>`). Only its SHA-256 is stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="api_tokens")
    name = models.CharField("名称", max_length=60, blank=True)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "接口令牌"

    @staticmethod
    def hash(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @classmethod
    def issue(cls, user, name=""):
        """Create a token and return (record, the token text shown once)."""
        token = secrets.token_urlsafe(32)
        return cls.objects.create(user=user, name=name, digest=cls.hash(token)), token
