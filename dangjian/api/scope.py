"""The API's only ways to turn user input into objects: always through the user's visible querysets
(`accounts.access`), never a bare get. A path object out of sight is 404; an organisation named in a
request body out of sight is 403 (the same answer whether it exists or not, so nothing leaks)."""
from dangjian.accounts.access import is_admin, visible_members, visible_orgs
from dangjian.core.dates import parse_date
from dangjian.core.errors import DomainError, PermissionDenied

from .errors import NotFound


def actor(request):
    """The user the services act for (session or token)."""
    return request.auth


def org_or_404(user, code):
    org = visible_orgs(user).select_related("parent").filter(code=code).first()
    if org is None:
        raise NotFound(f"组织“{code}”不存在或不在您的查看范围内")
    return org


def filter_org_or_404(user, code, *, field):
    """An organisation named in a query filter."""
    org = visible_orgs(user).filter(code=(code or "").strip()).first()
    if org is None:
        raise NotFound(f"组织“{code}”不存在或不在您的查看范围内", field=field)
    return org


def member_or_404(user, member_id):
    member = visible_members(user).filter(pk=member_id).first()
    if member is None:
        raise NotFound("党员不存在或不在您的查看范围内")
    return member


def referenced_org(user, code, *, field):
    """An organisation named in a request body (parent, org, to_org, party_group)."""
    code = (code or "").strip()
    if not code:
        raise DomainError("请填写组织编码", field=field, code="REQUIRED")
    org = visible_orgs(user).filter(code=code).first()
    if org is not None:
        return org
    if is_admin(user):  # sees everything: it simply does not exist
        raise DomainError(f"组织编码“{code}”不存在", field=field, code="ORG_NOT_FOUND")
    raise PermissionDenied(f"无权操作：组织“{code}”不存在或不在您的管理范围内", field=field)


def date_in(value, *, field, required=False, label="日期"):
    day = parse_date(value, field=field)
    if day is None and required:
        raise DomainError(f"{label}不能为空", field=field, code="REQUIRED")
    return day


def check_choice(value, choices, *, field, label):
    """A choice value checked before the services see it (some build messages from the value)."""
    if value and value not in choices.values:
        raise DomainError(f"{label}“{value}”不是可选值（{'、'.join(f'{v} {lab}' for v, lab in choices.choices)}）",
                          field=field, code="CHOICE")


def page(queryset, limit, offset, serialize):
    return {"count": queryset.count(), "limit": limit, "offset": offset,
            "items": [serialize(obj) for obj in queryset[offset:offset + limit]]}
