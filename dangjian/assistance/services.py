"""帮扶: every change to the assistance projects goes through these functions: check, save in a transaction,
audit. The pages, the importer and the demo all call them.

The organisation running a project must be in the actor's reach, and so must the member stationed there
(a 驻村第一书记 usually belongs to a branch of the organisation that sends them). Money is 万元, two decimals at
most, never negative."""
from decimal import Decimal

from django.db import transaction

from dangjian.accounts.access import require_manage_org, visible_members
from dangjian.audit.services import log_action, save_changes
from dangjian.core.dates import parse_date
from dangjian.core import amounts
from dangjian.core.errors import DomainError, PermissionDenied
from dangjian.core.text import check_lengths
from dangjian.members.models import Stage, compute_state

from .models import Project, ProjectKind

PROJECT_FIELDS = ("org", "target", "kind", "name", "started_on", "ended_on", "invested", "annual_return", "member",
                  "results")
# 100亿元: more in one project is a typing error (the column holds up to 9,999,999,999.99 万元).
MAX_WAN = Decimal("1000000")
LABELS = {"invested": "投入金额", "annual_return": "年收益"}


def to_wan(value, *, field):
    """An amount in 万元 (core.amounts.to_wan) of at most MAX_WAN, labelled by its column."""
    return amounts.to_wan(value, field=field, label=LABELS.get(field, "金额"), maximum=MAX_WAN)


def kind_code(value, *, field="kind"):
    text = str(value or "").strip()
    if text in ProjectKind.values:
        return text
    by_label = {label: code for code, label in ProjectKind.choices}
    if text in by_label:
        return by_label[text]
    if not text:
        raise DomainError("请选择项目类型", field=field, code="REQUIRED")
    raise DomainError(f"项目类型“{value}”不是可选值（{'、'.join(ProjectKind.labels)}）", field=field, code="CHOICE")


def _check(actor, data):
    """The checked fields (`data` holds every PROJECT_FIELDS name)."""
    org, member = data["org"], data["member"]
    if org is None:
        raise DomainError("请选择组织", field="org", code="REQUIRED")
    require_manage_org(actor, org)
    out = {"org": org, "member": member}
    for name, label in (("target", "帮扶对象"), ("name", "项目名称")):
        out[name] = (data[name] or "").strip()
        if not out[name]:
            raise DomainError(f"{label}不能为空", field=name, code="REQUIRED")
    out["results"] = (data["results"] or "").strip()
    check_lengths(Project, {k: out[k] for k in ("target", "name")})
    out["kind"] = kind_code(data["kind"])
    out["started_on"] = parse_date(data["started_on"], field="started_on")
    out["ended_on"] = parse_date(data["ended_on"], field="ended_on")
    if out["started_on"] is None:
        raise DomainError("开始日期不能为空", field="started_on", code="REQUIRED")
    if out["ended_on"] and out["ended_on"] < out["started_on"]:
        raise DomainError("结束日期不能早于开始日期", field="ended_on", code="DATE_ORDER")
    if out["started_on"] < org.founded_on or (org.dissolved_on and out["started_on"] > org.dissolved_on):
        raise DomainError(f"开始日期{out['started_on']}时“{org.name}”尚未成立或已撤销", field="started_on",
                          code="PROJECT_ORG_DATE")
    for name in ("invested", "annual_return"):
        out[name] = to_wan(data[name], field=name)
    if out["kind"] == ProjectKind.FIRST_SECRETARY and member is None:
        raise DomainError("驻村第一书记项目须填写驻村的党员（人员身份证号）", field="member", code="REQUIRED")
    if member is not None:
        if actor is not None and not visible_members(actor).filter(pk=member.pk).exists():
            raise PermissionDenied("无权操作：该党员不在您的管理范围内", field="member")
        stage, _ = compute_state(list(member.events.all()), out["started_on"])
        if stage not in (Stage.PROBATIONARY, Stage.FULL):
            raise DomainError(f"{member.name}在{out['started_on']}不是党员", field="member", code="PROJECT_NOT_MEMBER")
    return out


def _check_code(code):
    code = (code or "").strip()
    if not code:
        raise DomainError("项目编号不能为空", field="code", code="REQUIRED")
    check_lengths(Project, {"code": code})
    return code


@transaction.atomic
def create_project(*, actor, code, org, target, kind, name, started_on, ended_on=None, invested=None,
                   annual_return=None, member=None, results=""):
    """登记帮扶项目 `code` run by `org` for `target` (a village or a household)."""
    code = _check_code(code)
    data = _check(actor, {"org": org, "target": target, "kind": kind, "name": name, "started_on": started_on,
                          "ended_on": ended_on, "invested": invested, "annual_return": annual_return,
                          "member": member, "results": results})
    if Project.objects.filter(code=code).exists():
        raise DomainError(f"项目编号“{code}”已存在", field="code", code="DUPLICATE")
    project = Project.objects.create(code=code, **data)
    log_action(actor=actor, action="assistance.create", obj=project, org=org, after=project.snapshot())
    return project


@transaction.atomic
def update_project(project, *, actor, **changes):
    """Correct a project (any of PROJECT_FIELDS; the 项目编号 is its key and stays). Moving it to another
    organisation needs both in the actor's reach. True when something changed."""
    unknown = set(changes) - set(PROJECT_FIELDS)
    if unknown:
        raise ValueError(f"not project fields: {unknown}")
    require_manage_org(actor, project.org)
    before = project.snapshot()
    data = _check(actor, {name: changes.get(name, getattr(project, name)) for name in PROJECT_FIELDS})
    for name, value in data.items():
        setattr(project, name, value)
    return save_changes(project, actor=actor, action="assistance.update", org=project.org, before=before)


@transaction.atomic
def delete_project(project, *, actor):
    """Delete a project entered by mistake; the audit keeps what it was."""
    require_manage_org(actor, project.org)
    log_action(actor=actor, action="assistance.delete", obj=project, org=project.org, before=project.snapshot())
    project.delete()

