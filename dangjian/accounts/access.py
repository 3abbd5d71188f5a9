"""Every read that serves a user goes through these helpers (NetBox's `restrict`, Zulip's `access_*`).

`actor=None` means the system itself (a management command run by the operator, the demo generator):
it may see and change everything.
"""
from django.db.models import Q

from dangjian.core.errors import PermissionDenied
from dangjian.organizations.models import Organization, OrgType, under

from .models import Role, RoleKind


def role_of(user):
    """The user's Role, or None (an anonymous user or one without a role sees nothing)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    try:
        return user.role
    except Role.DoesNotExist:
        return None


def is_admin(user):
    role = role_of(user)
    return role is not None and role.kind == RoleKind.ADMIN


def visible_orgs(user):
    """Organisations the user may see."""
    qs = Organization.objects.all()
    if user is None:
        return qs
    role = role_of(user)
    if role is None or role.kind == RoleKind.MEMBER:
        return qs.none()
    if role.kind == RoleKind.ADMIN:
        return qs
    if role.kind == RoleKind.ORG_ADMIN:
        return qs.filter(under(role.org.path))
    # 支部书记/组织委员: the branch itself and the 党小组 inside it.
    return qs.filter(Q(pk=role.org_id) | Q(parent_id=role.org_id, org_type=OrgType.PARTY_GROUP))


def visible_members(user):
    """Members the user may see (the roster's one and only base queryset)."""
    from dangjian.members.models import Member

    qs = Member.objects.select_related("org", "party_group")
    if user is None:
        return qs
    role = role_of(user)
    if role is None:
        return qs.none()
    if role.kind == RoleKind.ADMIN:
        return qs
    if role.kind == RoleKind.ORG_ADMIN:
        return qs.filter(under(role.org.path, "org__path"))
    if role.kind == RoleKind.BRANCH_OFFICER:
        return qs.filter(org_id=role.org_id)
    return qs.filter(pk=role.member_id)


def visible_audit(user):
    from dangjian.audit.models import AuditEntry

    qs = AuditEntry.objects.all()
    role = role_of(user)
    if role is None or role.kind == RoleKind.MEMBER:
        return qs.none()
    if role.kind == RoleKind.ADMIN:
        return qs
    # 党务管理员: the subtree; 支部书记: the branch and its 党小组 (also a path prefix).
    return qs.filter(under(role.org.path, "org_path"))


def can_manage_org(user, org):
    """May the user change `org` (its data, posts, elections, the members it holds)?"""
    if user is None:
        return True
    role = role_of(user)
    if role is None or role.kind == RoleKind.MEMBER or org is None:
        return False
    if role.kind == RoleKind.ADMIN:
        return True
    if role.kind == RoleKind.ORG_ADMIN:
        return org.path.startswith(role.org.path)
    return org.pk == role.org_id or (org.parent_id == role.org_id and org.org_type == OrgType.PARTY_GROUP)


def can_manage_tree(user, org):
    """May the user create, move or dissolve organisations under/at `org`? (not branch officers)"""
    role = role_of(user)
    if user is None:
        return True
    return role is not None and role.kind in (RoleKind.ADMIN, RoleKind.ORG_ADMIN) and can_manage_org(user, org)


def can_reveal(user, member):
    """Full ID and phone: administrators within their scope, and members for their own record."""
    if user is None:
        return True
    role = role_of(user)
    if role is None:
        return False
    if role.kind == RoleKind.ADMIN:
        return True
    if role.kind == RoleKind.ORG_ADMIN:
        return member.org.path.startswith(role.org.path)
    return role.kind == RoleKind.MEMBER and role.member_id == member.pk


def require_manage_org(user, org, message=None):
    if not can_manage_org(user, org):
        raise PermissionDenied(message or f"无权操作：{org.name if org else '该组织'}不在您的管理范围内")


def require_manage_tree(user, org, message=None):
    if not can_manage_tree(user, org):
        raise PermissionDenied(message or f"无权调整组织：{org.name if org else '根组织'}不在您的管理范围内")


def home_org(user):
    """The organisation a user's views start from (None for an admin: the whole tree)."""
    role = role_of(user)
    if role is None or role.kind == RoleKind.ADMIN:
        return None
    if role.kind == RoleKind.MEMBER:
        return role.member.org
    return role.org


class OrgNamer:
    """Names of organisations as a user may see them. Outside the user's reach only the chain above the
    user's own organisation is named (it is no secret whom one reports to); any other organisation — a
    sibling subtree met in a history — is shown as 范围外组织, so nothing leaks across subtrees."""

    HIDDEN = "（范围外组织）"

    def __init__(self, user, also=()):
        """`also`: organisations to name although out of reach (a member's own history)."""
        self.all = user is None or is_admin(user)
        self.visible = set() if self.all else set(visible_orgs(user).values_list("pk", flat=True))
        self.also = set(also)
        home = None if self.all else home_org(user)
        self.home_path = home.path if home else ""

    def shows(self, org):
        return org is not None and (self.all or org.pk in self.visible or org.pk in self.also
                                    or (self.home_path and self.home_path.startswith(org.path)))

    def linkable(self, org):
        """Only an organisation whose page the user may open gets a link."""
        return org is not None and (self.all or org.pk in self.visible)

    def name(self, org):
        if org is None:
            return "—"
        return org.name if self.shows(org) else self.HIDDEN
