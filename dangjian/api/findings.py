"""/api/findings: the rule engine's findings (RULES.md's JSON objects), scoped like the 合规检查 page.

The engine runs once for the subtree (`org`, else the user's own organisation; the whole tree for an
administrator) and only findings of organisations the user may see are answered: a branch secretary gets
their branch's and its 党小组's. `person` (身份证号) is masked, as every ID in the API's answers (docs/api.md):
the full number is only in /api/members/{id}/reveal, which is audited."""

from ninja import Query, Router, Schema

from dangjian.accounts.access import home_org, visible_orgs
from dangjian.core.errors import DomainError
from dangjian.core.masking import mask_id_number
from dangjian.organizations.models import under
from dangjian.rules.engine import SEVERITY_LABELS, all_rules, run_checks, window_from

from .schemas import Error
from .scope import actor, filter_org_or_404

router = Router(tags=["合规检查"])



class FindingOut(Schema):
    rule: str
    severity: str
    org: str
    person: str | None
    period: str | None
    date: str | None
    message: str
    source: str


def window_of(year, as_of):
    """RULES.md's window: year (as of 31 December), as_of, or as of today; not both."""
    if year and as_of:
        raise DomainError("year 与 as_of 只能指定一个", field="year", code="WINDOW")
    return window_from(year=year, as_of=as_of)


@router.get("", response={200: list[FindingOut], 400: Error, 401: Error, 404: Error}, summary="检查结果")
def list_findings(
    request,
    org: str = Query(None, description="组织编码：只检查该组织及其下级（默认：本人角色所辖范围）"),
    year: str = Query(None, description="检查该年度（截至当年12月31日），如 2018"),
    as_of: str = Query(None, description="截至该日期（YYYY-MM-DD），检查该日期所在年度；与 year 只能指定一个"),
    rule: str = Query(None, description="只列该规则编号的结果，如 MTG-09"),
    severity: str = Query(None, description="只列该级别：error 或 warning"),
):
    user = actor(request)
    window = window_of(year, as_of)
    if rule and rule not in {r.id for r in all_rules()}:
        raise DomainError(f"规则编号“{rule}”不存在", field="rule", code="CHOICE")
    if severity and severity not in SEVERITY_LABELS:
        raise DomainError(f"级别“{severity}”不是可选值（error 错误、warning 提醒）", field="severity", code="CHOICE")
    root = filter_org_or_404(user, org, field="org") if org else home_org(user)
    visible = visible_orgs(user)
    if root is not None:
        visible = visible.filter(under(root.path))
    seen = set(visible.values_list("pk", flat=True))
    if not seen:  # a member or a user without a role: nothing to check
        return []
    out = []
    for f in run_checks(root=root, window=window, rules=[rule] if rule else None):
        if f.org_id not in seen or (severity and f.severity != severity):
            continue
        data = f.as_dict()
        if data["person"]:
            data["person"] = mask_id_number(data["person"])
        out.append(data)
    return out
