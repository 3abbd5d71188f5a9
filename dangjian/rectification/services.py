"""问题整改: every change to a problem goes through these functions: check, save in a transaction, audit.
The pages, the ledger importer and the demo all call them.

The life of a problem is a transitions map (django-oscar's way): 整改中 → 已完成 → 已销号, and 已完成 → 整改中
when the higher level refuses the verification (退回整改). `set_state` is the one guarded function that
moves a problem: it refuses a move the map does not allow, or one the actor may not make, with a Chinese
DomainError; does nothing when the state is unchanged; and writes the history row and the audit entry.
Completion is for those who manage the responsible organisation; verification and closing (验收销号) only
for the level above it (`can_verify`).
"""
from dataclasses import dataclass

from django.db import transaction

from dangjian.accounts.access import can_manage_org, require_manage_org, role_of, visible_orgs
from dangjian.accounts.models import RoleKind
from dangjian.audit.services import changed_fields, log_action
from dangjian.core.dates import parse_date, today
from dangjian.core.errors import DomainError, PermissionDenied
from dangjian.core.text import check_lengths
from dangjian.members.models import Member
from dangjian.organizations.models import Organization

from .models import EventKind, Problem, ProblemEvent, ProblemSource, ProblemState

FIRST_YEAR = 1900
MAX_EVIDENCE_BYTES = 20 * 1024 * 1024  # as a meeting's attachments
PROBLEM_FIELDS = ("number", "org", "year", "source", "description", "cause", "measures", "owner", "deadline")

# Who may make a move: OWNER = whoever manages the responsible organisation (accounts.access); HIGHER =
# the level above it (can_verify).
OWNER, HIGHER = "owner", "higher"


@dataclass(frozen=True)
class Move:
    kind: str       # the history row it writes (EventKind)
    verb: str       # what it is called in the messages
    action: str     # the audit action code
    by: str         # OWNER or HIGHER
    date_label: str


TRANSITIONS = {
    ProblemState.OPEN: {
        ProblemState.COMPLETED: Move(EventKind.COMPLETED, "完成整改", "problem.complete", OWNER, "完成日期"),
    },
    ProblemState.COMPLETED: {
        ProblemState.CLOSED: Move(EventKind.CLOSED, "验收销号", "problem.close", HIGHER, "销号日期"),
        ProblemState.OPEN: Move(EventKind.RETURNED, "退回整改", "problem.return", HIGHER, "退回日期"),
    },
    ProblemState.CLOSED: {},
}
# Each target is reached by one move only: its verb, for refusing it from a state that does not allow it.
VERBS = {target: move.verb for moves in TRANSITIONS.values() for target, move in moves.items()}
STATE_TEXT = {ProblemState.OPEN: "尚在整改中", ProblemState.COMPLETED: "已完成整改、待上级验收",
              ProblemState.CLOSED: "已销号"}
HINTS = {(ProblemState.OPEN, ProblemState.CLOSED): "，须先完成整改",
         (ProblemState.CLOSED, ProblemState.OPEN): "，已销号的问题不再退回",
         (ProblemState.CLOSED, ProblemState.COMPLETED): "，已销号的问题不再变动"}


# ---- who may ----

def visible_problems(user):
    """Problems the user may see: those of the organisations the user may see (accounts.access)."""
    return Problem.objects.select_related("org", "owner").filter(org__in=visible_orgs(user))


def can_verify(user, org):
    """May the user verify and close (验收销号) a problem of `org`? Only the level above: a role on an
    organisation strictly above `org` that reaches it (a 党务管理员 of a committee above; a branch officer
    for a 党小组 of the branch). The system and 系统管理员 may for every organisation: the root's higher
    level is outside the system, and the 系统管理员 records its verification."""
    if user is None:
        return True
    role = role_of(user)
    if role is None or role.kind == RoleKind.MEMBER or org is None:
        return False
    if role.kind == RoleKind.ADMIN:
        return True
    return role.org_id != org.pk and org.path.startswith(role.org.path) and can_manage_org(user, org)


def require_verify(user, org):
    if not can_verify(user, org):
        raise PermissionDenied(f"验收销号须由上级党组织进行：{org.name}的整改，应由其上级党组织验收、销号或退回",
                               field="on")


def _require(actor, problem, by):
    if by == HIGHER:
        require_verify(actor, problem.org)
    else:
        require_manage_org(actor, problem.org)


# ---- reading what was typed ----

def _day(value, field, label, *, required=True):
    day = parse_date(value, field=field)
    if day is None and required:
        raise DomainError(f"请填写{label}", field=field, code="REQUIRED")
    return day


def _not_future(day, field, label):
    if day is not None and day > today():
        raise DomainError(f"{label}{day}晚于今天，不能登记尚未发生的事", field=field, code="DATE_FUTURE")


def _year(value):
    text = str(value if value is not None else "").strip()
    if not text:
        raise DomainError("请填写年度", field="year", code="REQUIRED")
    if not text.isascii() or not text.isdigit() or len(text) != 4:
        raise DomainError(f"年度“{text}”不正确，应为四位数年份，如2018", field="year", code="YEAR")
    year = int(text)
    if not FIRST_YEAR <= year <= today().year:
        raise DomainError(f"年度{year}不在{FIRST_YEAR}年至今年之间", field="year", code="YEAR")
    return year


def source_code(value):
    """A ProblemSource code from its code or its Chinese label."""
    text = str(value or "").strip()
    if text in ProblemSource.values:
        return text
    by_label = {label: code for code, label in ProblemSource.choices}
    if text in by_label:
        return by_label[text]
    if not text:
        raise DomainError("请选择问题来源", field="source", code="REQUIRED")
    raise DomainError(f"问题来源“{text}”不是可选值（{'、'.join(ProblemSource.labels)}）", field="source",
                      code="CHOICE")


def _text(value):
    return (value or "").strip()


def _check(data, *, problem=None):
    """The facts of a problem, as typed, refused when they cannot be or make no sense."""
    if not data["number"]:
        raise DomainError("请填写问题编号", field="number", code="REQUIRED")
    if any(c.isspace() for c in data["number"]):
        raise DomainError("问题编号不能含空格", field="number", code="NUMBER_FORMAT")
    if not data["description"]:
        raise DomainError("请填写问题描述", field="description", code="REQUIRED")
    check_lengths(Problem, {k: data[k] for k in ("number", "description", "cause", "measures")})
    org, year, deadline = data["org"], data["year"], data["deadline"]
    if not isinstance(org, Organization):
        raise DomainError("请选择责任组织", field="org", code="REQUIRED")
    if org.founded_on.year > year:
        raise DomainError(f"{org.name}成立于{org.founded_on}，{year}年尚未成立，不能有该年度的问题",
                          field="year", code="DATE_ORDER")
    if deadline.year < year:
        raise DomainError(f"整改时限{deadline}早于问题发现的年度（{year}年）", field="deadline", code="DATE_ORDER")
    owner = data["owner"]
    if owner is not None and not isinstance(owner, Member):
        raise DomainError("责任人应为党员名册中的党员", field="owner", code="MEMBER_NOT_FOUND")
    taken = Problem.objects.filter(number=data["number"])
    if problem is not None:
        taken = taken.exclude(pk=problem.pk)
    if taken.exists():
        raise DomainError(f"问题编号“{data['number']}”已被使用，请换一个编号", field="number", code="DUPLICATE")
    if problem is not None and problem.completed_on and problem.completed_on.year < year:
        raise DomainError(f"已于{problem.completed_on}完成整改，年度不能晚于完成的年份", field="year",
                          code="DATE_ORDER")


def _event(problem, kind, day, *, actor, text="", upload=None, from_state="", to_state=""):
    """The history row (its evidence file written now, the row at commit: no row, no file left)."""
    event = ProblemEvent(problem=problem, kind=kind, date=day, text=text, from_state=from_state, to_state=to_state,
                         actor=actor if actor is not None and actor.pk else None,
                         actor_name=actor.get_username() if actor is not None else "系统")
    if upload is None:
        event.save()
        return event
    if upload.size > MAX_EVIDENCE_BYTES:
        raise DomainError(f"佐证材料不能超过{MAX_EVIDENCE_BYTES // 1024 // 1024}MB", field="file",
                          code="FILE_TOO_LARGE")
    name = upload.name.replace("\\", "/").rsplit("/", 1)[-1][:200]
    event.file_name, event.file_size = name, upload.size
    event.file.save(name, upload, save=False)  # the file is written now, the row at commit
    try:
        event.save()
    except Exception:
        event.file.delete(save=False)
        raise
    return event


# ---- the problem ----

@transaction.atomic
def record_problem(*, actor, number, org, year, source, description, deadline, cause="", measures="", owner=None,
                   on=None, report_issue=""):
    """登记问题: put a problem on the list of `org`. `on` is the day it was put on the list (default today;
    within the year it was found, or later). `report_issue`: the 述职报告 pattern it comes from (list_issue)."""
    if isinstance(org, Organization):
        require_manage_org(actor, org)
    year = _year(year)
    data = dict(number=_text(number), org=org, year=year, source=source_code(source),
                description=_text(description), cause=_text(cause), measures=_text(measures), owner=owner,
                deadline=_day(deadline, "deadline", "整改时限"))
    _check(data)
    on = _day(on, "on", "登记日期", required=False) or today()
    _not_future(on, "on", "登记日期")
    if on.year < year:
        raise DomainError(f"登记日期{on}早于问题发现的年度（{year}年）", field="on", code="DATE_ORDER")
    problem = Problem.objects.create(**data, report_issue=report_issue)
    _event(problem, EventKind.CREATED, on, actor=actor,
           text=f"问题来源：{problem.get_source_display()}；整改时限：{problem.deadline}")
    log_action(actor=actor, action="problem.create", obj=problem, org=org, after=problem.snapshot())
    return problem


@transaction.atomic
def update_problem(problem, *, actor, **changes):
    """修改问题: correct what was recorded (not its dates of completion and closing: those are moves).
    A closed problem is history and is not changed. Returns True when something changed."""
    unknown = set(changes) - set(PROBLEM_FIELDS)
    if unknown:
        raise ValueError(f"not problem fields: {unknown}")
    require_manage_org(actor, problem.org)
    if problem.state == ProblemState.CLOSED:
        raise DomainError(f"问题{problem.number}已于{problem.closed_on}销号，不能再修改", field="number",
                          code="PROBLEM_CLOSED")
    if "org" in changes and changes["org"] is not None and changes["org"] != problem.org:
        require_manage_org(actor, changes["org"])
    data = {f: getattr(problem, f) for f in PROBLEM_FIELDS} | changes
    data["year"] = _year(data["year"])
    data["source"] = source_code(data["source"])
    for name in ("number", "description", "cause", "measures"):
        data[name] = _text(data[name])
    data["deadline"] = _day(data["deadline"], "deadline", "整改时限")
    _check(data, problem=problem)
    before = problem.snapshot()
    moved = (data["org"], data["year"]) != (problem.org, problem.year)
    for name, value in data.items():
        setattr(problem, name, value)
    old, new = changed_fields(before, problem.snapshot())
    if not new:
        return False
    if moved:  # another organisation's or year's problem: no longer the pattern of the report it came from
        problem.report_issue = ""
    problem.save()
    log_action(actor=actor, action="problem.update", obj=problem, org=problem.org, before=old, after=new)
    return True


@transaction.atomic
def add_progress(problem, *, actor, on, text, upload=None):
    """登记整改进展: what was done on `on`, with an optional evidence file (stored locally under MEDIA_ROOT,
    served only through a scoped view). Not after the problem is closed."""
    require_manage_org(actor, problem.org)
    if problem.state == ProblemState.CLOSED:
        raise DomainError(f"问题{problem.number}已于{problem.closed_on}销号，不能再登记整改进展", field="text",
                          code="PROBLEM_CLOSED")
    on = _day(on, "on", "日期")
    _not_future(on, "on", "日期")
    if on.year < problem.year:
        raise DomainError(f"日期{on}早于问题发现的年度（{problem.year}年）", field="on", code="DATE_ORDER")
    text = _text(text)
    if not text:
        raise DomainError("请填写整改进展情况", field="text", code="REQUIRED")
    check_lengths(ProblemEvent, {"text": text})
    event = _event(problem, EventKind.PROGRESS, on, actor=actor, text=text, upload=upload)
    log_action(actor=actor, action="problem.progress", obj=problem, org=problem.org,
               after={"date": on.isoformat(), "text": text[:200], "file": event.file_name or None},
               label=f"{problem.number} 整改进展")
    return event


# ---- the transitions ----

@transaction.atomic
def set_state(problem, target, *, actor, on, note="", upload=None):
    """Move `problem` to `target` on `on` by the transitions map: the history row and the audit entry, or a
    DomainError when the map does not allow the move, the actor may not make it, or the date cannot be.
    Returns the history row, or None when the problem is in `target` already (nothing is written)."""
    locked = Problem.objects.select_for_update().select_related("org").get(pk=problem.pk)
    current = locked.state
    if target == current:
        return None
    move = TRANSITIONS[current].get(target)
    if move is None:
        raise DomainError(f"问题{locked.number}{STATE_TEXT[current]}，不能{VERBS[target]}"
                          f"{HINTS.get((current, target), '')}", field="on", code="PROBLEM_STATE")
    _require(actor, locked, move.by)
    on = _day(on, "on", move.date_label)
    _not_future(on, "on", move.date_label)
    note = _text(note)
    check_lengths(ProblemEvent, {"text": note})
    if target == ProblemState.COMPLETED and on.year < locked.year:
        raise DomainError(f"完成日期{on}早于问题发现的年度（{locked.year}年）", field="on", code="DATE_ORDER")
    if current == ProblemState.COMPLETED and on < locked.completed_on:
        raise DomainError(f"{move.date_label}{on}早于完成日期{locked.completed_on}", field="on", code="DATE_ORDER")
    if move.kind == EventKind.RETURNED and not note:
        raise DomainError("请填写退回整改的原因（验收未通过的理由）", field="note", code="REQUIRED")
    before = locked.snapshot()
    if target == ProblemState.COMPLETED:
        locked.completed_on = on
    elif target == ProblemState.CLOSED:
        locked.closed_on = on
    else:  # 退回: the completion is withdrawn, the problem is open again (its deadline as it was)
        locked.completed_on = None
    locked.save(update_fields=["completed_on", "closed_on"])
    event = _event(locked, move.kind, on, actor=actor, text=note, upload=upload, from_state=current,
                   to_state=target)
    old, new = changed_fields(before, locked.snapshot())
    log_action(actor=actor, action=move.action, obj=locked, org=locked.org, before=old,
               after=new | ({"note": note[:200]} if note else {}))
    problem.completed_on, problem.closed_on = locked.completed_on, locked.closed_on
    return event


def complete_problem(problem, *, actor, on, note="", upload=None):
    """完成整改 (the responsible organisation), with what was done and an optional evidence file."""
    return set_state(problem, ProblemState.COMPLETED, actor=actor, on=on, note=note, upload=upload)


def close_problem(problem, *, actor, on, note=""):
    """验收销号 (the higher level): the verification passed; `note` is its 验收意见."""
    return set_state(problem, ProblemState.CLOSED, actor=actor, on=on, note=note)


def return_problem(problem, *, actor, on, reason):
    """退回整改 (the higher level): the verification did not pass; the problem is open again."""
    return set_state(problem, ProblemState.OPEN, actor=actor, on=on, note=reason)


def next_number(org, year):
    """A 问题编号 to offer: <组织编码>-<年度>-<nn>, the first not yet used."""
    taken = set(Problem.objects.filter(number__startswith=f"{org.code}-{year}-").values_list("number", flat=True))
    n = 1
    while f"{org.code}-{year}-{n:02d}" in taken:
        n += 1
    return f"{org.code}-{year}-{n:02d}"


__all__ = ["TRANSITIONS", "visible_problems", "can_verify", "record_problem", "update_problem", "add_progress",
           "set_state", "complete_problem", "close_problem", "return_problem", "next_number", "source_code"]
