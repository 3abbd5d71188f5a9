"""Site-wide template context: demo flag, the navigation the role may use, the current scope."""
from django.conf import settings
from django.urls import reverse

from dangjian.accounts.access import role_of
from dangjian.accounts.models import RoleKind

from .scope import STAFF_KINDS, TREE_KINDS, current_scope


def _url(name, *args):
    return reverse(name, args=args)


def navigation(user):
    role = role_of(user)
    if role is None:
        return []
    if role.kind == RoleKind.MEMBER:
        return [("member", "我的档案", _url("member_detail", role.member_id))]
    items = [("dashboard", "工作台", _url("dashboard")), ("org", "组织", _url("org_tree")),
             ("member", "党员", _url("roster")), ("recruitment", "发展党员", _url("recruitment_board")),
             ("dues", "党费", _url("dues_overview")), ("rectification", "整改", _url("rectification_ledger"))]
    items.append(("stats", "统计", _url("stats")))  # 党内统计: every staff role, for what it may see
    if role.kind in TREE_KINDS:  # the ledger carries full IDs: only roles that may reveal them
        items.append(("ledger", "导入导出", _url("ledger_import")))
    return items + [("audit", "审计", _url("audit"))]


# Which navigation item a page belongs to, by the prefix of its URL name.
SECTIONS = (("dashboard", "dashboard"), ("org", "org"), ("post", "org"), ("election", "org"), ("set_scope", "org"),
            ("meeting", "org"), ("vote", "org"), ("attachment", "org"), ("party_home", "org"),
            ("roster", "member"), ("member", "member"), ("audit", "audit"), ("ledger", "ledger"),
            ("recruitment", "recruitment"), ("dues", "dues"), ("rectification", "rectification"),
            ("governance", "org"), ("stats", "stats"))


def section_of(request):
    match = getattr(request, "resolver_match", None)
    name = match.url_name if match else ""
    return next((section for prefix, section in SECTIONS if name and name.startswith(prefix)), "")


def site(request):
    data = {"DEMO_MODE": settings.DEMO_MODE}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        role = role_of(user)
        data["nav"] = navigation(user)
        data["active"] = section_of(request)
        data["role_label"] = role.get_kind_display() if role else "未分配角色"
        data["scope_org"] = current_scope(request) if role and role.kind in STAFF_KINDS else None
    return data
