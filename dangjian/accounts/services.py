"""Users, roles, login lockout."""
import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from dangjian.audit.services import log_action
from dangjian.core.errors import DomainError

from .models import LoginFailure, Role, RoleKind


@transaction.atomic
def create_user(*, actor, username, password, kind, org=None, member=None, check_password=True):
    """A login with its role. The demo passes check_password=False for its published demo password."""
    User = get_user_model()
    if User.objects.filter(username=username).exists():
        raise DomainError(f"用户名“{username}”已存在", field="username", code="DUPLICATE")
    if kind not in RoleKind.values:
        raise DomainError("角色不正确", field="kind", code="CHOICE")
    if kind in (RoleKind.ORG_ADMIN, RoleKind.BRANCH_OFFICER) and org is None:
        raise DomainError("党务管理员和支部书记须指定组织", field="org", code="REQUIRED")
    if kind == RoleKind.MEMBER and member is None:
        raise DomainError("党员角色须指定党员记录", field="member", code="REQUIRED")
    user = User(username=username)
    if check_password:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise DomainError("；".join(exc.messages), field="password", code="PASSWORD") from None
    user.set_password(password)
    user.save()
    role = Role.objects.create(user=user, kind=kind, org=org, member=member)
    if member is not None and member.user_id is None:
        member.user = user
        member.save(update_fields=["user"])
    log_action(actor=actor, action="role.assign", obj=role, org=org or (member.org if member else None),
               after={"username": username, "kind": kind, "org": org.code if org else None})
    return user


@transaction.atomic
def change_password(user, *, actor, old_password, new_password):
    """修改密码: the user's own, proving the old one; the new one must pass the password rules."""
    if actor is not None and actor.pk != user.pk:
        raise DomainError("只能修改自己的密码", field="old_password", code="FORBIDDEN")
    if not user.check_password(old_password or ""):
        raise DomainError("原密码不正确", field="old_password", code="PASSWORD_WRONG")
    try:
        validate_password(new_password, user)
    except ValidationError as exc:
        raise DomainError("；".join(exc.messages), field="new_password", code="PASSWORD") from None
    user.set_password(new_password)
    user.save(update_fields=["password"])
    log_action(actor=actor, action="auth.password_change", obj=user, label=user.get_username())


def _window_start():
    return timezone.now() - datetime.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)


def is_locked(username):
    """Locked after LOGIN_FAILURE_LIMIT failures within the last LOGIN_LOCKOUT_MINUTES."""
    recent = LoginFailure.objects.filter(username=username, at__gte=_window_start()).count()
    return recent >= settings.LOGIN_FAILURE_LIMIT


def record_login_failure(username, ip=None):
    """Count a failed login; the failure that locks the account is audited (who tried, from where)."""
    failure = LoginFailure.objects.create(username=username[:150], ip=ip)
    recent = LoginFailure.objects.filter(username=failure.username, at__gte=_window_start()).count()
    if recent == settings.LOGIN_FAILURE_LIMIT:
        log_action(actor=None, action="auth.lockout", obj=failure, label=failure.username,
                   after={"username": failure.username, "ip": ip, "minutes": settings.LOGIN_LOCKOUT_MINUTES})


def clear_login_failures(username):
    LoginFailure.objects.filter(username=username).delete()
