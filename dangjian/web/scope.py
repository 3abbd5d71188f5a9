"""The current subtree (当前范围) a user picked in the organisation tree, and the scoped querysets every
list starts from. The scope only narrows: it is always intersected with what the role may see
(accounts.access), so a forged session value can never widen a view."""
from dangjian.accounts.access import OrgNamer, role_of, visible_audit, visible_members, visible_orgs  # noqa: F401
from dangjian.accounts.models import RoleKind
from dangjian.organizations.models import under

SESSION_KEY = "scope_org_id"


def current_scope(request):
    """The chosen organisation, or None (the role's whole reach). Cached on the request."""
    if not hasattr(request, "_scope_org"):
        pk = request.session.get(SESSION_KEY)
        org = visible_orgs(request.user).filter(pk=pk).first() if pk else None
        if pk and org is None:  # the role changed or the organisation went out of reach
            request.session.pop(SESSION_KEY, None)
        request._scope_org = org
    return request._scope_org


def set_scope(request, org):
    request.session[SESSION_KEY] = org.pk if org else None
    request._scope_org = org


def scoped_orgs(request):
    qs = visible_orgs(request.user)
    scope = current_scope(request)
    return qs.filter(under(scope.path)) if scope else qs


def scoped_members(request):
    qs = visible_members(request.user)
    scope = current_scope(request)
    return qs.filter(under(scope.path, "org__path")) if scope else qs


def scoped_audit(request):
    qs = visible_audit(request.user)
    scope = current_scope(request)
    return qs.filter(under(scope.path, "org_path")) if scope else qs


def kind_of(user):
    role = role_of(user)
    return role.kind if role else None


STAFF_KINDS = (RoleKind.ADMIN, RoleKind.ORG_ADMIN, RoleKind.BRANCH_OFFICER)
TREE_KINDS = (RoleKind.ADMIN, RoleKind.ORG_ADMIN)
