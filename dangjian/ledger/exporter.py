"""Export of the ledger workbook: the same sheets the importer reads, so export → import is a round trip.

The workbook holds full resident IDs and phone numbers (it must round-trip), so only roles that may see
them in full may export it: the system, 系统管理员, and 党务管理员 within their subtree."""
import datetime
import io

from django.db.models import Prefetch
from openpyxl import Workbook
from openpyxl.styles import Font

from dangjian.accounts.access import home_org, role_of, visible_members, visible_orgs
from dangjian.accounts.models import RoleKind
from dangjian.assistance.models import Project
from dangjian.audit.services import log_action
from dangjian.core.errors import PermissionDenied
from dangjian.dues.models import BaseDeclaration, Payment, PaymentKind
from dangjian.dues.services import latest_declaration
from dangjian.education.models import Training
from dangjian.governance.models import Matter
from dangjian.meetings.models import Attendance, Meeting, PartyHome, Vote
from dangjian.members.models import EventKind, ordered_events
from dangjian.organizations.models import CommitteePost, Election, Organization, ParentLink
from dangjian.recruitment.models import Case, CaseStep
from dangjian.recruitment.queries import decisions, timeline_key
from dangjian.rectification.models import Problem

from . import cells
from .cells import JOINER
from .handlers import CASE_STEPS, EARLIER_DECISION, LATEST_DECISION
from .sheets import EVENT, HELP_SHEET, SHEETS

DATE_FORMAT = "yyyy-mm-dd"
EVENT_LABELS = {value: label for value, label in EVENT.choices}
EXPORT_ROLES = (RoleKind.ADMIN, RoleKind.ORG_ADMIN)
MONEY_COLUMNS = ("缴费基数", "实缴金额", "投入金额(万元)", "年收益(万元)", "金额(万元)")  # yuan (万元), shown to the cent


def run_export(target, *, actor, org=None, progress=None):
    """Write the ledger of `org`'s subtree (default: all the actor may see) to `target` (a path or a
    binary file object). Raises PermissionDenied for roles that may not see full IDs."""
    scope = _scope(actor, org)
    org_qs = _orgs(actor, scope)
    member_qs = _members(actor, scope)
    orgs, members = list(org_qs.select_related("parent")), list(member_qs)
    sheets = _sheet_rows(orgs, members, org_qs.values("pk"), member_qs.values("pk"))
    total, done = sum(len(rows) for _, rows in sheets), 0
    book = Workbook()
    book.remove(book.active)
    for sheet, rows in sheets:
        ws = _new_sheet(book, sheet)
        for values in rows:
            _append(ws, sheet, values)
            done += 1
            if progress:
                progress(done, total)
    book.save(target)
    root = scope or Organization.objects.filter(parent=None).order_by("path").first()
    if root is not None:
        log_action(actor=actor, action="ledger.export", obj=root, org=root,
                   after={"organizations": len(orgs), "members": len(members)}, label=f"导出台账：{root.name}")
    return total


def _scope(actor, org):
    """The organisation whose subtree is exported (None = everything), after the permission check."""
    if actor is not None:
        role = role_of(actor)
        if role is None or role.kind not in EXPORT_ROLES:
            raise PermissionDenied("您的角色不能导出台账（台账含完整身份证号）")
        if org is None:
            return home_org(actor)
        if not visible_orgs(actor).filter(pk=org.pk).exists():
            raise PermissionDenied(f"无权导出：{org.name}不在您的管理范围内")
    return org


def _orgs(actor, scope):
    qs = visible_orgs(actor)
    return qs.subtree(scope) if scope else qs


def _members(actor, scope):
    qs = visible_members(actor).prefetch_related("events__org")
    return qs.in_subtree(scope) if scope else qs


def _sheet_rows(orgs, members, org_qs, member_qs):
    # org_qs as a subquery, not a list of pks: thousands of bound parameters would break SQLite.
    links = (ParentLink.objects.filter(org__in=org_qs).select_related("org", "parent")
             .order_by("org__path", "valid_from"))
    # Only posts held by members the actor may see: the sheet carries full IDs. A post held by someone
    # outside the scope (a secretary whose membership is kept higher up) is left to the level above.
    posts = (CommitteePost.objects.filter(org__in=org_qs, member__in=members).select_related("org", "member")
             .order_by("org__path", "started_on", "id"))
    elections = Election.objects.filter(org__in=org_qs).select_related("org").order_by("org__path", "held_on")
    homes = PartyHome.objects.filter(org__in=org_qs).select_related("org").order_by("org__path", "name")
    rows = {
        "组织": [_org_row(o) for o in orgs],
        "隶属关系": [_link_row(link) for link in links],
        "党员": [_member_row(m) for m in members],
        "党员变动": [row for m in members for row in _event_rows(m)],
        "班子": [_post_row(p) for p in posts],
        "换届": [_election_row(e) for e in elections],
        "组织生活": _meeting_rows(org_qs, members),
        "发展党员": _case_rows(org_qs, members),
        "党费": _payment_rows(member_qs),
        "三重一大": _matter_rows(org_qs),
        "问题整改": _problem_rows(org_qs, members),
        "培训": _training_rows(member_qs),
        "帮扶": _project_rows(org_qs, members),
        "党员之家": [_home_row(h) for h in homes],
    }
    return [(sheet, rows[sheet.name]) for sheet in SHEETS]


def _org_row(o):
    return {"code": o.code, "name": o.name, "org_type": o.org_type, "parent": o.parent.code if o.parent_id else None,
            "founded_on": o.founded_on, "unit_name": o.unit_name, "unit_employees": o.unit_employees,
            "has_discipline_committee": o.has_discipline_committee, "has_party_office": o.has_party_office,
            "party_staff_count": o.party_staff_count, "dissolved_on": o.dissolved_on}


def _link_row(link):
    return {"code": link.org.code, "parent": link.parent.code if link.parent_id else None,
            "valid_from": link.valid_from, "note": link.note}


def _member_row(m):
    confirmed = any(e.kind == EventKind.CONFIRMED for e in m.events.all())
    return {"id_number": m.id_number, "name": m.name, "sex": m.sex, "ethnicity": m.ethnicity,
            "birth_date": m.birth_date, "education": m.education, "category": "full" if confirmed else "probationary",
            "admitted_on": m.admitted_on, "confirmed_on": m.confirmed_on, "org": m.org.code,
            "party_group": m.party_group.code if m.party_group_id else None, "post_category": m.post_category,
            "is_leading_cadre": m.is_leading_cadre, "phone": m.phone, "dues_category": m.dues_category,
            "dues_reduced": m.dues_reduced}


def _event_rows(m):
    """党员变动: every event but 入党 and 转正 (those are columns of 党员); 转接 with where it came from."""
    rows, org = [], None
    for e in ordered_events(list(m.events.all())):
        if e.kind in (EventKind.ADMITTED, EventKind.TRANSFERRED):
            if e.kind == EventKind.TRANSFERRED:
                rows.append({"id_number": m.id_number, "kind": e.kind, "date": e.date, "org": e.org.code,
                             "from_org": org.code if org else None, "note": e.note})
            org = e.org
        elif e.kind in EVENT_LABELS:
            rows.append({"id_number": m.id_number, "kind": e.kind, "date": e.date, "org": None, "from_org": None,
                         "note": e.note})
    return rows


def _post_row(p):
    return {"org": p.org.code, "id_number": p.member.id_number, "post": p.post, "started_on": p.started_on,
            "ended_on": p.ended_on, "admin_post": p.admin_post, "full_time": p.full_time}


def _election_row(e):
    return {"org": e.org.code, "held_on": e.held_on, "term_years": e.term_years, "expected": e.expected,
            "present": e.present, "seats": e.seats, "candidates": e.candidates, "postponed_to": e.postponed_to}


def _meeting_rows(org_qs, members):
    """组织生活: one row per meeting, with its first vote (the ledger holds one). Like 班子, a meeting that
    names someone (主持人, 讲课人, 出席人) who is not among the exported members is left to the level above:
    the sheet carries full IDs, and a row without them would not import back as it was."""
    exported = {m.pk for m in members}
    qs = (Meeting.objects.filter(org__in=org_qs).select_related("org", "chair", "lecturer")
          .prefetch_related("kinds",
                            Prefetch("attendance", Attendance.objects.filter(attended=True).select_related("member"),
                                     to_attr="came"),
                            Prefetch("votes", Vote.objects.order_by("id"), to_attr="vote_list"))
          .order_by("org__path", "held_on", "id"))
    rows = []
    for m in qs:
        people = [m.chair_id, m.lecturer_id] + [a.member_id for a in m.came]
        if any(pk is not None and pk not in exported for pk in people):
            continue
        vote = m.vote_list[0] if m.vote_list else None
        rows.append({"org": m.org.code, "types": m.types, "held_on": m.held_on, "subject": m.subject,
                     "chair": m.chair.id_number if m.chair_id else None,
                     "lecturer": m.lecturer.id_number if m.lecturer_id else None,
                     "expected": m.expected, "present": m.present,
                     "attendance": sorted(a.member.id_number for a in m.came), "topics": list(m.topics),
                     "matter": vote.matter if vote else None, "yes": vote.yes if vote else None,
                     "location": m.location, "minutes": m.minutes})
    return rows


def _case_rows(org_qs, members):
    """发展党员: one row per case of the organisations exported, in tree order and by application date.
    Steps not in the ledger (filings, assessments, the form, placement, archiving) are left out; 23 and
    24 are the latest 转正 decision and the one before it (前次…). Like 组织生活, a case naming a 培养联系人
    or 入党介绍人 who is not among the exported members is left to the level above."""
    exported = {m.pk for m in members}
    steps = Prefetch("steps", CaseStep.objects.prefetch_related("people"))
    cases = Case.objects.filter(org__in=org_qs).select_related("org").prefetch_related(steps)
    rows = []
    for case in cases:
        records = sorted(case.steps.all(), key=timeline_key)
        if any(p.pk not in exported for r in records for p in r.people.all()):
            continue
        row = {"id_number": case.id_number, "name": case.name, "birth_date": case.birth_date, "sex": case.sex,
               "org": case.org.code, "discontinued_on": case.discontinued_on,
               "discontinued_reason": case.discontinued_reason}
        first = {}
        for record in records:
            first.setdefault(record.step, record)
        for spec in CASE_STEPS:
            if spec.no not in (23, 24):
                _put_step(row, spec, first.get(spec.no))
        pairs = decisions(records)
        for chosen, specs in ((pairs[-1:], LATEST_DECISION), (pairs[-2:-1], EARLIER_DECISION)):
            for record, spec in zip(chosen[0] if chosen else (None, None), specs):
                _put_step(row, spec, record)
        applied = first[1].date if 1 in first else datetime.date.min
        rows.append(((case.org.path, applied, case.id_number), row))
    return [row for _, row in sorted(rows, key=lambda item: item[0])]


def _put_step(row, spec, record):
    if record is None:
        return
    if spec.people:
        row[spec.people] = sorted(p.id_number for p in record.people.all())
    else:
        row[spec.date] = record.date
    for service_field, row_field in spec.fields:
        row[row_field] = getattr(record, service_field)


def _payment_rows(member_qs):
    """党费: one row per regular payment of the exported members, with the base in force that month."""
    bases = {}
    for d in BaseDeclaration.objects.filter(member__in=member_qs).order_by("member_id", "month"):
        bases.setdefault(d.member_id, []).append((d.month, d.base))
    payments = (Payment.objects.filter(member__in=member_qs, kind=PaymentKind.REGULAR).select_related("member")
                .order_by("member__org__path", "member__name", "member__id_number", "month"))
    rows = []
    for p in payments:
        declared = latest_declaration(bases.get(p.member_id, []), p.month)
        rows.append({"id_number": p.member.id_number, "month": p.month, "base": declared[1] if declared else None,
                     "amount": p.amount, "paid_on": p.paid_on})
    return rows


def _training_rows(member_qs):
    """培训: every study and training row of the exported members, by member and date."""
    rows = (Training.objects.filter(member__in=member_qs).select_related("member")
            .order_by("member__org__path", "member__name", "member__id_number", "held_on", "subject"))
    return [{"id_number": t.member.id_number, "held_on": t.held_on, "subject": t.subject, "hours": t.hours,
             "kind": t.kind or None} for t in rows]


def _project_rows(org_qs, members):
    """帮扶: the projects of the organisations exported. Like 班子, a project naming a member who is not among
    the exported members (a first secretary whose membership is kept elsewhere) is left to the level above."""
    exported = {m.pk for m in members}
    projects = (Project.objects.filter(org__in=org_qs).select_related("org", "member")
                .order_by("org__path", "started_on", "code"))
    return [{"code": p.code, "org": p.org.code, "target": p.target, "kind": p.kind, "name": p.name,
             "started_on": p.started_on, "invested": p.invested, "annual_return": p.annual_return,
             "member": p.member.id_number if p.member_id else None, "ended_on": p.ended_on, "results": p.results}
            for p in projects if p.member_id is None or p.member_id in exported]


def _problem_rows(org_qs, members):
    """问题整改: the problems of the organisations exported, in tree order, by year and number. Like 组织生活,
    a problem whose 责任人 is not among the exported members is left to the level above (the sheet carries
    full IDs, and a row without one would not import back as it was)."""
    exported = {m.pk for m in members}
    problems = (Problem.objects.filter(org__in=org_qs).select_related("org", "owner")
                .order_by("org__path", "year", "number"))
    return [{"number": p.number, "org": p.org.code, "year": p.year, "source": p.source,
             "description": p.description, "cause": p.cause, "measures": p.measures,
             "owner": p.owner.id_number if p.owner_id else None, "deadline": p.deadline,
             "completed_on": p.completed_on, "closed_on": p.closed_on}
            for p in problems if p.owner_id is None or p.owner_id in exported]


def _matter_rows(org_qs):
    """三重一大: the matters of the 党委s exported, in tree order and by decision date. The 前置研究 meeting is
    not a column: the importer links it again by its date from the 组织生活 sheet."""
    matters = Matter.objects.filter(org__in=org_qs).select_related("org").order_by("org__path", "decided_on", "number")
    return [{"number": m.number, "org": m.org.code, "name": m.name, "category": m.category,
             "studied_on": m.studied_on, "deciding_body": m.deciding_body, "decided_on": m.decided_on,
             "amount": m.amount, "decision_note": m.decision_note} for m in matters]


def _home_row(h):
    return {"org": h.org.code, "name": h.name, "opened_on": h.opened_on, "facilities": list(h.facilities)}


# ---- writing cells ----

def _is_text(column):
    """Columns Excel must keep as text: IDs (one or several), phone numbers, months (Excel would make a
    date of 2019-03)."""
    return column.header.endswith("身份证号") or column.header == "手机号码" or column.parse is cells.month


def _new_sheet(book, sheet):
    ws = book.create_sheet(sheet.name)
    ws.append(sheet.headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for index, column in enumerate(sheet.columns, start=1):
        ws.column_dimensions[ws.cell(1, index).column_letter].width = max(12, 2 * len(column.header) + 4)
    ws.freeze_panes = "A2"
    return ws


def _append(ws, sheet, values):
    ws.append([_cell_value(c, values.get(c.field)) for c in sheet.columns])
    for cell, column in zip(ws[ws.max_row], sheet.columns):
        if _is_text(column):
            cell.number_format = "@"  # text: Excel must never turn an ID into 4.5E+17
        elif isinstance(cell.value, datetime.date):
            cell.number_format = DATE_FORMAT
        elif column.header in MONEY_COLUMNS and cell.value is not None:
            cell.number_format = "0.00"


def _cell_value(column, value):
    """The model value as the workbook writes it: Chinese labels, 是/否, dates as date cells."""
    if value is None or value == "":
        return None
    if column.parse is cells.month:
        return f"{value:%Y-%m}"
    if isinstance(value, bool):
        return "是" if value else "否"
    labels = getattr(column.parse, "labels", None)
    if isinstance(value, (list, tuple)):  # a multi-value cell, in the order given (choices: the model's)
        return JOINER.join(str(labels.get(v, v) if labels else v) for v in value) or None
    if labels is not None:
        return labels.get(value, value)
    if _is_text(column):
        return str(value)
    return value


# ---- the empty template ----

def template_workbook() -> bytes:
    """An empty workbook with the header row of every sheet, and a 说明 sheet describing the columns."""
    book = Workbook()
    help_ws = book.active
    help_ws.title = HELP_SHEET
    help_ws.append(["工作表", "列", "必填", "说明"])
    for cell in help_ws[1]:
        cell.font = Font(bold=True)
    for sheet in SHEETS:
        ws = _new_sheet(book, sheet)
        for index, column in enumerate(sheet.columns, start=1):
            if _is_text(column):
                letter = ws.cell(1, index).column_letter
                for row in range(2, 501):  # pre-format the entry area as text
                    ws[f"{letter}{row}"].number_format = "@"
            help_ws.append([sheet.name, column.header, "是" if column.required else "", _column_help(column)])
        help_ws.append([sheet.name, "", "", sheet.note])
    for letter, width in zip("ABCD", (12, 16, 6, 70)):
        help_ws.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _column_help(column):
    parts = [column.note] if column.note else []
    if column.parse.__name__ == "date":
        parts.append("日期：日期单元格或YYYY-MM-DD")
    if getattr(column.parse, "multi", False):
        parts.append("可填多个，用“;”“；”或“、”分隔")
    return "；".join(parts)

