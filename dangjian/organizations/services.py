"""Every change to organisations, posts and elections goes through these functions: check, save in a
transaction, audit. Views, the API, the importer, the commands and the demo all call them."""
import datetime
import re

from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr

from dangjian.accounts.access import require_manage_org, require_manage_tree, visible_members
from dangjian.audit.services import log_action, save_changes
from dangjian.core.dates import today
from dangjian.core.errors import DomainError, PermissionDenied
from dangjian.core.text import check_lengths
from dangjian.rules import parameters

from . import counting
from .models import (
    ALLOWED_PARENTS,
    LEADERSHIP_TYPES,
    MEMBERSHIP_TYPES,
    PATH_STEP,
    CommitteePost,
    Election,
    Organization,
    OrgType,
    ParentLink,
    Post,
    under,
)

CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")
# A head count above this is a typing error (and would overflow the database's integer).
MAX_HEADCOUNT = 1_000_000
ORG_FIELDS = ("name", "org_type", "founded_on", "dissolved_on", "unit_name", "unit_employees",
              "has_discipline_committee", "has_party_office", "party_staff_count")


def _path_for(org, parent):
    return (parent.path if parent else "") + f"{org.pk:0{PATH_STEP}d}"


def _check_parent(org_type, parent, *, field="parent"):
    if parent is None:
        if org_type != OrgType.COMMITTEE:
            raise DomainError("只有党委可以作为根组织，请填写上级组织", field=field, code="ORG_PARENT_REQUIRED")
        return
    allowed = ALLOWED_PARENTS[OrgType(org_type)]
    if parent.org_type not in allowed:
        names = "、".join(OrgType(t).label for t in allowed)
        raise DomainError(f"{OrgType(org_type).label}的上级组织应为{names}，而“{parent.name}”是"
                          f"{parent.get_org_type_display()}", field=field, code="ORG_PARENT_TYPE")


def _check_fields(data):
    check_lengths(Organization, data)
    if not data.get("name", "").strip():
        raise DomainError("组织名称不能为空", field="name", code="REQUIRED")
    if data.get("org_type") not in OrgType.values:
        raise DomainError("组织类别应为党委、党总支、党支部、联合党支部、临时党支部或党小组之一",
                          field="org_type", code="CHOICE")
    if not data.get("founded_on"):
        raise DomainError("成立日期不能为空", field="founded_on", code="REQUIRED")
    if data.get("dissolved_on") and data["dissolved_on"] < data["founded_on"]:
        raise DomainError("撤销日期不能早于成立日期", field="dissolved_on", code="DATE_ORDER")
    if data.get("has_discipline_committee") and data["org_type"] != OrgType.COMMITTEE:
        raise DomainError("只有党委可以设立纪委", field="has_discipline_committee", code="ORG_DISCIPLINE")
    for name in ("unit_employees", "party_staff_count"):
        if data.get(name) is not None and not 0 <= data[name] <= MAX_HEADCOUNT:
            raise DomainError(f"人数应在0至{MAX_HEADCOUNT}之间", field=name, code="NUMBER")


@transaction.atomic
def create_organization(*, actor, code, name, org_type, parent, founded_on, dissolved_on=None, unit_name="",
                        unit_employees=None, has_discipline_committee=False, has_party_office=False,
                        party_staff_count=None):
    """Found an organisation under `parent` (None: a root 党委, system administrators only)."""
    code = (code or "").strip()
    if not CODE_PATTERN.match(code):
        raise DomainError("组织编码只能由字母、数字、点、横线和下划线组成，最长32位", field="code", code="ORG_CODE")
    if Organization.objects.filter(code=code).exists():
        raise DomainError(f"组织编码“{code}”已存在", field="code", code="DUPLICATE")
    data = dict(name=(name or "").strip(), org_type=org_type, founded_on=founded_on, dissolved_on=dissolved_on,
                unit_name=unit_name or "", unit_employees=unit_employees,
                has_discipline_committee=bool(has_discipline_committee),
                has_party_office=bool(has_party_office), party_staff_count=party_staff_count)
    _check_fields(data)
    _check_parent(org_type, parent)
    if parent is None:
        from dangjian.accounts.access import is_admin
        if actor is not None and not is_admin(actor):
            raise DomainError("只有系统管理员可以建立根组织", field="parent", code="FORBIDDEN")
    else:
        require_manage_tree(actor, parent)
    org = Organization.objects.create(code=code, parent=parent, depth=parent.depth + 1 if parent else 0, **data)
    org.path = _path_for(org, parent)
    org.save(update_fields=["path"])
    ParentLink.objects.create(org=org, parent=parent, valid_from=founded_on, note="成立")
    log_action(actor=actor, action="organization.create", obj=org, org=org, after=org.snapshot())
    return org


@transaction.atomic
def update_organization(org, *, actor, **changes):
    """Change an organisation's own facts (not its parent: see `move_organization`). Retyping,
    dissolving or reopening changes the tree, so it needs the tree permission and, for a dissolution,
    an empty organisation. Returns True when something changed; an unchanged call writes nothing
    (re-imports are idempotent)."""
    unknown = set(changes) - set(ORG_FIELDS)
    if unknown:
        raise ValueError(f"not organisation fields: {unknown}")
    require_manage_org(actor, org)
    before = org.snapshot()
    data = {f: getattr(org, f) for f in ORG_FIELDS} | changes
    if "name" in changes:
        data["name"] = (changes["name"] or "").strip()
    _check_fields(data)
    if data["org_type"] != org.org_type or data["dissolved_on"] != org.dissolved_on:
        require_manage_tree(actor, org)
    if data["org_type"] != org.org_type:
        _check_retype(org, data["org_type"])
    dissolving = data["dissolved_on"] is not None and data["dissolved_on"] != org.dissolved_on
    if dissolving:
        _check_dissolution(org)
    for f in ORG_FIELDS:
        setattr(org, f, data[f])
    def action(new):
        return "organization.dissolve" if dissolving and set(new) == {"dissolved_on"} else "organization.update"

    return save_changes(org, actor=actor, action=action, org=org, before=before)


def _check_retype(org, org_type):
    _check_parent(org_type, org.parent, field="org_type")
    for child in org.children.all():
        if org_type not in ALLOWED_PARENTS[OrgType(child.org_type)]:
            raise DomainError(f"下级组织“{child.name}”不能隶属于{OrgType(org_type).label}",
                              field="org_type", code="ORG_PARENT_TYPE")
    if org_type not in MEMBERSHIP_TYPES and org.members.exists():
        raise DomainError(f"{OrgType(org_type).label}不能直接管理党员的组织关系，该组织仍有党员",
                          field="org_type", code="ORG_HAS_MEMBERS")


def _check_dissolution(org):
    """撤销 only an empty organisation: no current member held there or below or in its 党小组, and no
    organisation below still open."""
    from dangjian.members.models import Member

    current = Member.objects.current()
    if current.in_subtree(org).exists() or current.filter(under(org.path, "party_group__path")).exists():
        raise DomainError("该组织（或其下级组织）仍有党员，请先办理组织关系转接", field="dissolved_on",
                          code="ORG_HAS_MEMBERS")
    if org.children.filter(dissolved_on__isnull=True).exists():
        raise DomainError("请先撤销下级组织", field="dissolved_on", code="ORG_HAS_CHILDREN")


@transaction.atomic
def move_organization(org, *, actor, new_parent, moved_on, note=""):
    """隶属关系调整: from `moved_on` on, `org` (with its whole subtree) sits under `new_parent`."""
    if new_parent is None:
        raise DomainError("请选择新的上级组织", field="parent", code="REQUIRED")
    require_manage_tree(actor, org)
    require_manage_tree(actor, new_parent)
    if new_parent.pk == org.parent_id:
        raise DomainError("新的上级组织与当前上级组织相同", field="parent", code="ORG_MOVE_SAME")
    if new_parent.is_within(org):
        raise DomainError("不能把组织调整到它自己或它的下级组织之下", field="parent", code="ORG_MOVE_CYCLE")
    _check_parent(org.org_type, new_parent)
    if moved_on is None:
        raise DomainError("请填写调整日期", field="moved_on", code="REQUIRED")
    last = org.parent_links.order_by("-valid_from").first()
    if moved_on < org.founded_on or (last and moved_on <= last.valid_from):
        since = last.valid_from if last else org.founded_on
        raise DomainError(f"调整日期应晚于成立日期和上一次隶属关系调整（{since}）", field="moved_on",
                          code="DATE_ORDER")
    if not new_parent.exists_on(moved_on):
        raise DomainError(f"“{new_parent.name}”在{moved_on}尚未成立或已撤销", field="parent", code="ORG_PARENT_DATE")
    before = {"parent": org.parent.code if org.parent_id else None}
    old_path, new_path = org.path, _path_for(org, new_parent)
    delta = new_parent.depth + 1 - org.depth
    # One UPDATE re-roots the whole subtree: the paths below keep their tails.
    Organization.objects.filter(under(old_path)).update(
        path=Concat(Value(new_path), Substr("path", len(old_path) + 1)), depth=F("depth") + delta)
    Organization.objects.filter(pk=org.pk).update(parent=new_parent)
    org.refresh_from_db()
    ParentLink.objects.create(org=org, parent=new_parent, valid_from=moved_on, note=note or "隶属关系调整")
    log_action(actor=actor, action="organization.move", obj=org, org=org, before=before,
               after={"parent": new_parent.code, "moved_on": moved_on.isoformat(), "note": note})
    return org


def dissolve_organization(org, *, actor, dissolved_on):
    """撤销: the organisation ceases on `dissolved_on` (see update_organization for the checks)."""
    if dissolved_on is None:
        raise DomainError("请填写撤销日期", field="dissolved_on", code="REQUIRED")
    return update_organization(org, actor=actor, dissolved_on=dissolved_on)


# ---- committee posts (班子) ----

def _check_post(org, member, post, started_on, ended_on, admin_post=""):
    check_lengths(CommitteePost, {"admin_post": admin_post or ""})
    if post not in Post.values:
        raise DomainError("职务应为书记、副书记、组织委员、宣传委员、纪检委员、委员、纪委书记或组长之一",
                          field="post", code="CHOICE")
    if started_on is None:
        raise DomainError("任职日期不能为空", field="started_on", code="REQUIRED")
    if ended_on and ended_on < started_on:
        raise DomainError("离任日期不能早于任职日期", field="ended_on", code="DATE_ORDER")
    if post == Post.GROUP_LEADER and org.org_type != OrgType.PARTY_GROUP:
        raise DomainError("组长只设在党小组", field="post", code="POST_ORG_TYPE")
    if post != Post.GROUP_LEADER and org.org_type == OrgType.PARTY_GROUP:
        raise DomainError("党小组只设组长", field="post", code="POST_ORG_TYPE")
    if post == Post.DISCIPLINE_SECRETARY and not (org.org_type == OrgType.COMMITTEE and org.has_discipline_committee):
        raise DomainError("纪委书记只设在设立纪委的党委", field="post", code="POST_ORG_TYPE")
    stage, _ = member.state_on(started_on)
    if stage is None or stage == "left":
        raise DomainError(f"{member.name}在{started_on}不是党员，不能任职", field="member", code="POST_NOT_MEMBER")
    if post == Post.SECRETARY:
        clash = CommitteePost.objects.filter(org=org, post=Post.SECRETARY).exclude(member=member)
        clash = clash.filter(started_on__lte=ended_on or datetime.date.max).exclude(ended_on__lt=started_on)
        other = clash.select_related("member").first()
        if other:
            raise DomainError(f"该组织同期已有书记{other.member.name}（{other.started_on}起），"
                              "请先登记其离任日期", field="started_on", code="POST_SECRETARY_CLASH")


@transaction.atomic
def create_post(*, actor, org, member, post, started_on, ended_on=None, admin_post="", full_time=False):
    """任职: `member` holds `post` in `org`'s 班子 from `started_on`."""
    require_manage_org(actor, org)
    if not visible_members(actor).filter(pk=member.pk).exists():
        raise PermissionDenied("无权操作：该党员不在您的管理范围内", field="member")
    _check_post(org, member, post, started_on, ended_on, admin_post)
    if CommitteePost.objects.filter(org=org, member=member, post=post, started_on=started_on).exists():
        raise DomainError("该任职记录已存在", field="started_on", code="DUPLICATE")
    record = CommitteePost.objects.create(org=org, member=member, post=post, started_on=started_on,
                                          ended_on=ended_on, admin_post=(admin_post or "").strip(),
                                          full_time=bool(full_time))
    log_action(actor=actor, action="post.create", obj=record, org=org, after=record.snapshot())
    return record


@transaction.atomic
def update_post(record, *, actor, **changes):
    """Change a post (most often: record its end). Returns True when something changed."""
    require_manage_org(actor, record.org)
    allowed = {"ended_on", "admin_post", "full_time", "started_on", "post"}
    if set(changes) - allowed:
        raise ValueError(f"not post fields: {set(changes) - allowed}")
    before = record.snapshot()
    data = {f: getattr(record, f) for f in allowed} | changes
    _check_post(record.org, record.member, data["post"], data["started_on"], data["ended_on"], data["admin_post"])
    for f in allowed:
        setattr(record, f, data[f])
    record.admin_post = (record.admin_post or "").strip()
    return save_changes(record, actor=actor, action="post.update", org=record.org, before=before)


def end_post(record, *, actor, ended_on):
    return update_post(record, actor=actor, ended_on=ended_on)


# ---- elections (换届) ----

ELECTION_FIELDS = ("term_years", "expected", "present", "seats", "candidates", "postponed_to")


def default_term_years(org_type, on=None):
    key = {OrgType.COMMITTEE: "committee", OrgType.GENERAL_BRANCH: "general_branch"}.get(org_type, "branch")
    return parameters.value(f"term_years.{key}", on)


def _check_election(org, data):
    if org.org_type not in LEADERSHIP_TYPES:
        raise DomainError("党小组不进行换届选举", field="org", code="ELECTION_ORG_TYPE")
    if data["held_on"] is None:
        raise DomainError("选举日期不能为空", field="held_on", code="REQUIRED")
    if data["held_on"] > today():
        raise DomainError("选举日期不能晚于今天：换届登记的是已召开的选举大会", field="held_on", code="DATE_FUTURE")
    low, high = (parameters.value(f"term_years_{end}", data["held_on"]) for end in ("min", "max"))
    if not data.get("term_years") or not low <= data["term_years"] <= high:
        raise DomainError(f"任期年数应为{low}至{high}年", field="term_years", code="ELECTION_TERM")
    for f, label in (("expected", "应到人数"), ("present", "实到人数"), ("seats", "应选人数"), ("candidates", "候选人数")):
        if data.get(f) is None or not 0 <= data[f] <= MAX_HEADCOUNT:
            raise DomainError(f"{label}应为0至{MAX_HEADCOUNT}之间的整数", field=f, code="NUMBER")
    if data["present"] > data["expected"]:
        raise DomainError("实到人数不能多于应到人数", field="present", code="ELECTION_PRESENT")
    if data.get("postponed_to") and data["postponed_to"] <= data["held_on"]:
        raise DomainError("批准延期日期应晚于选举日期", field="postponed_to", code="DATE_ORDER")


def _check_election_rules(data):
    """ELE-02 and ELE-05 on entry: 差额选举 is a 必须 rule and an attendance of 4/5 or less makes the election
    invalid, so the pages refuse such an election, naming the rule (code = the rule id). The ledger importer
    (`history=True`) records history as it happened and reports the finding instead."""
    held_on = data["held_on"]
    message = counting.too_few_candidates(data["seats"], data["candidates"], held_on)
    if message:
        raise DomainError(message, field="candidates", code="ELE-02")
    message = counting.no_quorum(data["expected"], data["present"], held_on)
    if message:
        raise DomainError(message, field="present", code="ELE-05")


@transaction.atomic
def record_election(*, actor, org, held_on, term_years, expected, present, seats, candidates, postponed_to=None,
                    history=False):
    """登记换届: the election meeting that opens a new term. `history=True` (the importer, the demo): an
    election breaking ELE-02 or ELE-05 is recorded as it happened, for `dangjian check` to report."""
    require_manage_org(actor, org)
    data = dict(held_on=held_on, term_years=term_years, expected=expected, present=present, seats=seats,
                candidates=candidates, postponed_to=postponed_to)
    _check_election(org, data)
    if not history:
        _check_election_rules(data)
    if Election.objects.filter(org=org, held_on=held_on).exists():
        raise DomainError("该组织在该日期已有换届记录", field="held_on", code="DUPLICATE")
    election = Election.objects.create(org=org, **data)
    log_action(actor=actor, action="election.create", obj=election, org=org, after=election.snapshot())
    return election


@transaction.atomic
def update_election(election, *, actor, history=False, **changes):
    """Correct an election. The ELE rules are applied to changed counts only: a flaw already on record (an
    imported 等额选举) does not block recording its approved postponement."""
    require_manage_org(actor, election.org)
    if set(changes) - set(ELECTION_FIELDS):
        raise ValueError(f"not election fields: {set(changes) - set(ELECTION_FIELDS)}")
    before = election.snapshot()
    data = {f: getattr(election, f) for f in ELECTION_FIELDS} | changes | {"held_on": election.held_on}
    _check_election(election.org, data)
    counts = ("expected", "present", "seats", "candidates")
    if not history and any(data[f] != getattr(election, f) for f in counts):
        _check_election_rules(data)
    for f in ELECTION_FIELDS:
        setattr(election, f, data[f])
    return save_changes(election, actor=actor, action="election.update", org=election.org, before=before)
