"""/api/organizations: the organisation tree, through organizations.services and accounts.access."""
from django.db import transaction
from django.db.models import Q
from ninja import Query, Router, Status

from dangjian.accounts.access import require_manage_tree, visible_orgs
from dangjian.core.dates import today
from dangjian.organizations import services
from dangjian.organizations.models import LEADERSHIP_TYPES, Organization, OrgType
from dangjian.organizations.queries import committee_on, term_status

from .schemas import MAX_INT, Error, OrgCreateIn, OrgDetailOut, OrgMoveIn, OrgPage, OrgPatchIn
from .scope import actor, check_choice, date_in, filter_org_or_404, org_or_404, page, referenced_org

router = Router(tags=["组织"])

ERRORS = {400: Error, 401: Error, 403: Error, 404: Error}


def org_out(org):
    return {
        "code": org.code, "name": org.name, "org_type": org.org_type, "org_type_label": org.get_org_type_display(),
        "parent": org.parent.code if org.parent_id else None,
        "parent_name": org.parent.name if org.parent_id else None,
        "depth": org.depth, "founded_on": org.founded_on, "dissolved_on": org.dissolved_on,
        "unit_name": org.unit_name, "unit_employees": org.unit_employees,
        "has_discipline_committee": org.has_discipline_committee, "has_party_office": org.has_party_office,
        "party_staff_count": org.party_staff_count,
    }


def fresh(org):
    """The organisation re-read after a write (already authorised: by pk, not user input)."""
    return Organization.objects.select_related("parent").get(pk=org.pk)


def org_detail(org):
    day = today()
    data = org_out(org)
    data["committee"] = [{
        "post": p.post, "post_label": p.get_post_display(), "member_id": p.member_id, "member_name": p.member.name,
        "started_on": p.started_on, "ended_on": p.ended_on, "admin_post": p.admin_post, "full_time": p.full_time,
        "one_shoulder": p.is_one_shoulder,
    } for p in committee_on(org, day)]
    status = term_status(org, day) if org.org_type in LEADERSHIP_TYPES else None
    last = status.last_election if status else None
    data["last_election"] = None if last is None else {
        "held_on": last.held_on, "term_years": last.term_years, "expected": last.expected, "present": last.present,
        "seats": last.seats, "candidates": last.candidates, "postponed_to": last.postponed_to,
        "term_ends_on": last.term_ends_on, "due_on": last.due_on,
    }
    data["term"] = None if status is None else {
        "state": status.state, "label": status.label, "ends_on": status.ends_on, "due_on": status.due_on,
    }
    return data


@router.get("", response={200: OrgPage, 400: Error, 401: Error, 404: Error}, summary="组织列表")
def list_organizations(
    request,
    type: str = Query(None, description="组织类别，如 committee、branch、party_group"),
    parent: str = Query(None, description="上级组织编码：只列其直接下级"),
    subtree: str = Query(None, description="组织编码：该组织及其全部下级"),
    q: str = Query(None, description="名称或编码包含"),
    include_dissolved: bool = Query(False, description="包括已撤销的组织"),
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0, le=MAX_INT),
):
    user = actor(request)
    qs = visible_orgs(user).select_related("parent")
    if type:
        check_choice(type, OrgType, field="type", label="组织类别")
        qs = qs.filter(org_type=type)
    if parent:
        qs = qs.filter(parent=filter_org_or_404(user, parent, field="parent"))
    if subtree:
        qs = qs.subtree(filter_org_or_404(user, subtree, field="subtree"))
    if q and q.strip():
        qs = qs.filter(Q(name__icontains=q.strip()) | Q(code__icontains=q.strip()))
    if not include_dissolved:
        qs = qs.filter(Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=today()))
    return page(qs.order_by("path"), limit, offset, org_out)


@router.get("/{code}", response={200: OrgDetailOut, 401: Error, 404: Error}, summary="组织详情（班子、换届、任期状态）")
def get_organization(request, code: str):
    return org_detail(org_or_404(actor(request), code))


@router.post("", response={201: OrgDetailOut, **ERRORS}, summary="新建组织")
def create_organization(request, data: OrgCreateIn):
    user = actor(request)
    parent = referenced_org(user, data.parent, field="parent") if data.parent else None
    check_choice(data.org_type, OrgType, field="org_type", label="组织类别")
    org = services.create_organization(
        actor=user, code=data.code, name=data.name, org_type=data.org_type, parent=parent,
        founded_on=date_in(data.founded_on, field="founded_on", required=True, label="成立日期"),
        dissolved_on=date_in(data.dissolved_on, field="dissolved_on"), unit_name=data.unit_name,
        unit_employees=data.unit_employees, has_discipline_committee=data.has_discipline_committee,
        has_party_office=data.has_party_office, party_staff_count=data.party_staff_count)
    return Status(201, org_detail(fresh(org)))


@router.patch("/{code}", response={200: OrgDetailOut, **ERRORS}, summary="修改组织信息（含撤销）")
def update_organization(request, code: str, data: OrgPatchIn):
    user = actor(request)
    org = org_or_404(user, code)
    changes = data.dict(exclude_unset=True)
    for name in ("founded_on", "dissolved_on"):
        if name in changes:
            changes[name] = date_in(changes[name], field=name, required=name == "founded_on", label="成立日期")
    if "org_type" in changes:
        check_choice(changes["org_type"], OrgType, field="org_type", label="组织类别")
    dissolving = changes.get("dissolved_on") is not None and changes["dissolved_on"] != org.dissolved_on
    with transaction.atomic():
        if dissolving:
            # 撤销 is a change of the tree (not for branch officers: access.can_manage_tree), and goes
            # through its service: refused while members or open sub-organisations remain.
            require_manage_tree(user, org)
            services.dissolve_organization(org, actor=user, dissolved_on=changes.pop("dissolved_on"))
        if changes:
            services.update_organization(org, actor=user, **changes)
    return org_detail(fresh(org))


@router.post("/{code}/move", response={200: OrgDetailOut, **ERRORS}, summary="隶属关系调整")
def move_organization(request, code: str, data: OrgMoveIn):
    user = actor(request)
    org = org_or_404(user, code)
    new_parent = referenced_org(user, data.parent, field="parent")
    services.move_organization(org, actor=user, new_parent=new_parent,
                               moved_on=date_in(data.moved_on, field="moved_on", required=True, label="调整日期"),
                               note=data.note)
    return org_detail(fresh(org))

