"""/api/members: the roster, through members.services and accounts.access. ID and phone numbers are
masked in every answer; /reveal gives them in full to a role that may see them, and is audited."""
from django.http import HttpResponse
from ninja import Query, Router, Status

from dangjian.accounts.access import OrgNamer, role_of, visible_members
from dangjian.accounts.models import RoleKind
from dangjian.members import services
from dangjian.members.models import DuesCategory, Education, Member, PostCategory, Sex, Stage, ordered_events
from dangjian.organizations.models import under

from .schemas import (
    MAX_INT,
    ConfirmIn,
    Error,
    ExitIn,
    MemberCreateIn,
    MemberDetailOut,
    MemberPage,
    MemberPatchIn,
    RevealOut,
    TransferIn,
)
from .scope import actor, check_choice, date_in, filter_org_or_404, member_or_404, page, referenced_org

router = Router(tags=["党员"])

ERRORS = {400: Error, 401: Error, 403: Error, 404: Error}
CHOICES = (("sex", Sex, "性别"), ("education", Education, "学历"), ("post_category", PostCategory, "工作岗位"),
           ("dues_category", DuesCategory, "党费类别"))


def member_out(m):
    return {
        "id": m.pk, "name": m.name, "sex": m.sex, "sex_label": m.get_sex_display(), "ethnicity": m.ethnicity,
        "birth_date_masked": m.masked_birth_date, "education": m.education, "education_label": m.get_education_display(),
        "post_category": m.post_category, "post_category_label": m.get_post_category_display(),
        "is_leading_cadre": m.is_leading_cadre, "org": m.org.code, "org_name": m.org.name,
        "party_group": m.party_group.code if m.party_group_id else None,
        "party_group_name": m.party_group.name if m.party_group_id else None,
        "stage": m.stage, "stage_label": m.get_stage_display(), "admitted_on": m.admitted_on,
        "confirmed_on": m.confirmed_on, "dues_category": m.dues_category,
        "dues_category_label": m.get_dues_category_display(), "dues_reduced": m.dues_reduced,
        "id_number_masked": m.masked_id_number, "phone_masked": m.masked_phone,
    }


def member_detail(m, user):
    """The member with the timeline. Organisations of the history outside the user's reach (a branch in
    another subtree the member came from) are not named, as on the member's page."""
    data = member_out(m)
    events = ordered_events(list(m.events.select_related("org")))
    role = role_of(user)
    own = role is not None and role.kind == RoleKind.MEMBER and role.member_id == m.pk  # as on the member page
    namer = OrgNamer(user, also={e.org_id for e in events if own and e.org_id})
    data["events"] = [{
        "id": e.pk, "kind": e.kind, "kind_label": e.get_kind_display(), "date": e.date,
        "org": e.org.code if e.org_id and namer.shows(e.org) else None,
        "org_name": namer.name(e.org) if e.org_id else None, "note": e.note,
    } for e in events]
    return data


def fresh(member):
    """The member re-read after a write (already authorised: by pk, not user input)."""
    return Member.objects.select_related("org", "party_group").get(pk=member.pk)


@router.get("", response={200: MemberPage, 400: Error, 401: Error, 404: Error}, summary="党员列表")
def list_members(
    request,
    org: str = Query(None, description="组织编码：该组织及其下级（含党小组成员）"),
    stage: str = Query(None, description="人员类别：probationary、full、suspended、left"),
    q: str = Query(None, description="姓名包含"),
    leading_cadre: bool = Query(None, description="领导干部"),
    include_former: bool = Query(False, description="包括已出党的人员"),
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0, le=MAX_INT),
):
    user = actor(request)
    qs = visible_members(user)
    if org:
        at = filter_org_or_404(user, org, field="org")
        qs = qs.filter(under(at.path, "org__path") | under(at.path, "party_group__path"))
    if stage:
        check_choice(stage, Stage, field="stage", label="人员类别")
        qs = qs.filter(stage=stage)
    if q and q.strip():
        qs = qs.filter(name__icontains=q.strip())
    if leading_cadre is not None:
        qs = qs.filter(is_leading_cadre=leading_cadre)
    if not include_former and stage != Stage.LEFT:
        qs = qs.exclude(stage=Stage.LEFT)
    return page(qs.order_by("org__path", "name", "id"), limit, offset, member_out)


@router.get("/{int:member_id}", response={200: MemberDetailOut, 401: Error, 404: Error},
            summary="党员详情（含党籍事项时间线）")
def get_member(request, member_id: int):
    user = actor(request)
    return member_detail(member_or_404(user, member_id), user)


@router.post("/{int:member_id}/reveal", response={200: RevealOut, 401: Error, 403: Error, 404: Error},
             summary="查看完整身份证号、手机号码和出生日期（记入审计日志；POST：有副作用的操作不用GET）")
def reveal_member(request, member_id: int, response: HttpResponse):
    user = actor(request)
    member = member_or_404(user, member_id)
    full = services.reveal_member(member, actor=user)
    response["Cache-Control"] = "no-store"
    return {"id": member.pk, "name": member.name, **full}


@router.post("", response={201: MemberDetailOut, **ERRORS}, summary="接收党员（新建党员记录）")
def create_member(request, data: MemberCreateIn):
    user = actor(request)
    org = referenced_org(user, data.org, field="org")
    group = referenced_org(user, data.party_group, field="party_group") if data.party_group else None
    for field, choices, label in CHOICES:
        check_choice(getattr(data, field), choices, field=field, label=label)
    member = services.create_member(
        actor=user, id_number=data.id_number, name=data.name, org=org,
        admitted_on=date_in(data.admitted_on, field="admitted_on", required=True, label="入党日期"),
        confirmed_on=date_in(data.confirmed_on, field="confirmed_on"), full_member=data.full_member,
        sex=data.sex or None, birth_date=date_in(data.birth_date, field="birth_date"), ethnicity=data.ethnicity,
        education=data.education, post_category=data.post_category, is_leading_cadre=data.is_leading_cadre,
        party_group=group, dues_category=data.dues_category, dues_reduced=data.dues_reduced, phone=data.phone)
    return Status(201, member_detail(fresh(member), user))


@router.patch("/{int:member_id}", response={200: MemberDetailOut, **ERRORS}, summary="修改党员信息")
def update_member(request, member_id: int, data: MemberPatchIn):
    user = actor(request)
    member = member_or_404(user, member_id)
    changes = data.dict(exclude_unset=True)
    if "birth_date" in changes:
        changes["birth_date"] = date_in(changes["birth_date"], field="birth_date", required=True, label="出生日期")
    if "party_group" in changes:
        code = changes["party_group"]
        changes["party_group"] = referenced_org(user, code, field="party_group") if code else None
    for field, choices, label in CHOICES:
        if field in changes:
            check_choice(changes[field], choices, field=field, label=label)
    services.update_member(member, actor=user, **changes)
    return member_detail(fresh(member), user)


@router.post("/{int:member_id}/transfer", response={200: MemberDetailOut, **ERRORS}, summary="组织关系转接")
def transfer_member(request, member_id: int, data: TransferIn):
    user = actor(request)
    member = member_or_404(user, member_id)
    to_org = referenced_org(user, data.to_org, field="to_org")
    services.transfer_member(member, actor=user, to_org=to_org,
                             transferred_on=date_in(data.date, field="date", required=True, label="转接日期"),
                             note=data.note)
    return member_detail(fresh(member), user)


@router.post("/{int:member_id}/confirm", response={200: MemberDetailOut, **ERRORS}, summary="转为正式党员")
def confirm_member(request, member_id: int, data: ConfirmIn):
    user = actor(request)
    member = member_or_404(user, member_id)
    services.confirm_member(member, actor=user,
                            confirmed_on=date_in(data.date, field="date", required=True, label="转正日期"),
                            note=data.note)
    return member_detail(fresh(member), user)


@router.post("/{int:member_id}/exit", response={200: MemberDetailOut, **ERRORS}, summary="出党登记")
def exit_member(request, member_id: int, data: ExitIn):
    user = actor(request)
    member = member_or_404(user, member_id)
    services.record_exit(member, actor=user, kind=data.kind,
                         exited_on=date_in(data.date, field="date", required=True, label="日期"), note=data.note)
    return member_detail(fresh(member), user)
