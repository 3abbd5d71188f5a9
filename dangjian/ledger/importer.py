"""Import of the ledger workbook (LEDGER.md): all or nothing, every error listed.

    result = run_import("台账.xlsx", actor=user, dry_run=True)

Phase 1 reads every known sheet: headers, then each cell (a cell that cannot be read is an error on its
own). Phase 2 replays the good rows through the services inside one transaction, each row in a savepoint:
a DomainError refuses that row only, so every problem is found in one run. If anything was refused, or
this is a dry run, the transaction is rolled back at the end: nothing is written."""
import logging

from django.db import DataError, IntegrityError, transaction
from django.db.models import Count

from dangjian.accounts.access import home_org
from dangjian.audit.services import log_action, new_batch
from dangjian.core.dates import today
from dangjian.core.errors import DomainError
from dangjian.members.models import Member
from dangjian.organizations.models import BRANCH_TYPES, Organization
from dangjian.rules import parameters

from .cells import CellError, is_empty
from .handlers import Context, Row
from .result import ImportResult
from .sheets import BY_NAME, HELP_SHEET, LATER_SHEETS, MEMBERS, SHEETS

log = logging.getLogger(__name__)


def run_import(source, *, actor, dry_run=False, progress=None) -> ImportResult:
    """Import `source` (a path or a binary file object) as `actor` (None: the system)."""
    result = ImportResult(dry_run=dry_run)
    tables = _read_workbook(source, result)
    if tables is None:
        return result
    parsed = {sheet.name: _parse_sheet(sheet, table, result) for sheet, table in tables}
    ctx = Context(actor=actor, result=result, today=today(), rows={k: v for k, v in parsed.items() if v})
    total = sum(len(rows) for rows in parsed.values())
    tick = _ticker(progress, total)
    new_batch()
    with transaction.atomic():
        for sheet, _ in tables:
            _process_sheet(ctx, sheet, parsed[sheet.name], tick)
        _warn_soft_rules(ctx)
        result.applied = result.ok and not dry_run
        if result.applied and result.changed:
            _log_import(actor, result)
        if not result.applied:
            transaction.set_rollback(True)
    return result


def _ticker(progress, total):
    state = {"done": 0}

    def tick():
        state["done"] += 1
        if progress:
            progress(state["done"], total)

    if progress:
        progress(0, total)
    return tick


# ---- phase 1: read ----

def _read_workbook(source, result):
    """[(Sheet, rows of cell values)] in LEDGER.md's order, or None when the file is no workbook."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(source, read_only=True, data_only=True)
    except Exception:  # zip, XML or format errors: the message matters, not which library refused it
        result.error("", None, "", "FILE_INVALID", "无法读取该文件：请上传Excel工作簿（.xlsx格式，可用Excel“另存为”转换）")
        return None
    try:
        found = {}
        for ws in book.worksheets:
            name = ws.title.strip()
            if name in BY_NAME:
                found[name] = [list(r) for r in ws.iter_rows(values_only=True)]
            elif name in LATER_SHEETS:
                result.warn(name, None, "", "SHEET_NOT_IMPORTED", f"工作表“{name}”本版本暂不导入，已忽略")
            elif name != HELP_SHEET:
                result.warn(name, None, "", "UNKNOWN_SHEET", f"工作表“{name}”不是台账工作表，已忽略")
    finally:
        book.close()
    return [(sheet, found[sheet.name]) for sheet in SHEETS if sheet.name in found]


def _header_map(sheet, header, result):
    """Column index → Column, or None when a required column is missing (the sheet cannot be read)."""
    by_header = {c.header: c for c in sheet.columns}
    mapping, seen = {}, set()
    for index, cell in enumerate(header):
        if is_empty(cell):
            continue
        title = str(cell).strip().rstrip("*＊").strip()
        if title in seen:
            result.error(sheet.name, 1, title, "DUPLICATE_COLUMN", f"列“{title}”出现了两次")
        elif title not in by_header:
            result.error(sheet.name, 1, title, "UNKNOWN_COLUMN",
                         f"未知的列“{title}”（可用的列：{'、'.join(sheet.headers)}）")
        else:
            mapping[index] = by_header[title]
        seen.add(title)
    missing = [c.header for c in sheet.columns if c.required and c.header not in seen]
    for title in missing:
        result.error(sheet.name, 1, title, "MISSING_COLUMN", f"缺少必填列“{title}”")
    return None if missing else mapping


def _parse_sheet(sheet, table, result):
    """The rows whose every cell could be read; errors for the others. Duplicated keys are errors."""
    if not table or all(is_empty(v) for v in table[0]):
        return []  # an empty sheet is a sheet left out (every sheet is optional)
    mapping = _header_map(sheet, table[0], result)
    if mapping is None:
        return []
    present = frozenset(c.field for c in mapping.values())
    rows, keys = [], {}
    for number, cells in enumerate(table[1:], start=2):
        row = _parse_row(sheet, number, cells, mapping, present, result)
        if row is None:
            continue
        if row.key in keys:
            result.error(sheet.name, number, sheet.column_for(sheet.key[0]), "DUPLICATE_ROW",
                         f"与第{keys[row.key]}行重复（{'、'.join(_key_headers(sheet))}相同）")
            continue
        keys[row.key] = number
        rows.append(row)
    return rows


def _key_headers(sheet):
    return [c.header for c in sheet.columns if c.field in sheet.key]


def _parse_row(sheet, number, cells, mapping, present, result):
    if all(is_empty(v) for v in cells):
        return None  # blank rows (often left at the bottom of a sheet) are not rows
    values, ok = {}, True
    for index, column in mapping.items():
        raw = cells[index] if index < len(cells) else None
        try:
            values[column.field] = column.parse(raw, column.header)
        except DomainError as error:  # CellError, or the ID check of core.idcard
            result.error(sheet.name, number, column.header, error.code, error.message)
            ok = False
            continue
        if column.required and values[column.field] is None:
            result.error(sheet.name, number, column.header, "REQUIRED", f"{column.header}不能为空")
            ok = False
    return Row(sheet, number, values, present) if ok else None


# ---- phase 2: apply ----

def _process_sheet(ctx, sheet, rows, tick):
    changes = ctx.result.sheet(sheet.name)
    ordered = sheet.order(rows, ctx) if sheet.order else rows
    for row in ordered:
        outcome = _apply_row(ctx, sheet, row)
        if outcome:
            changes.add(*outcome)
        tick()
    if sheet.finish:
        sheet.finish(ctx)


def _apply_row(ctx, sheet, row):
    """One row in its own savepoint: a refused row is rolled back alone and the import goes on."""
    try:
        with transaction.atomic():
            return sheet.handler(ctx, row)
    except DomainError as error:
        ctx.error_on(row, error)
    except (IntegrityError, DataError) as error:
        # The services check first; this is the database's last word (e.g. a race with another user).
        log.warning("ledger import: integrity error on %s!%s: %s", sheet.name, row.number, error)
        ctx.result.error(sheet.name, row.number, sheet.fallback_column, "DB_CONSTRAINT",
                         "与数据库中已有的记录冲突，请检查本行")
    ctx.failed.setdefault(sheet.name, set()).add(row.key)
    return None


def _warn_soft_rules(ctx):
    """Soft rules do not block the import (LEDGER.md); the rule checks report them again as findings."""
    codes = {row["org"] for row in ctx.rows.get(MEMBERS.name, ())}
    if not codes:
        return
    limit = parameters.value("branch_max_members", ctx.today)
    crowded = (Member.objects.current().filter(org__code__in=codes, org__org_type__in=BRANCH_TYPES)
               .values("org__code", "org__name").annotate(n=Count("id")).filter(n__gt=limit).order_by("org__code"))
    for org in crowded:
        ctx.result.warn(MEMBERS.name, None, "所属组织编码", "BRANCH_TOO_LARGE",
                        f"{org['org__name']}（{org['org__code']}）有{org['n']}名党员，超过{limit}人，宜分设支部")


def _log_import(actor, result):
    org = home_org(actor) or Organization.objects.filter(parent=None).order_by("path").first()
    if org is None:
        return
    summary = {name: {"created": c.created, "updated": c.updated} for name, c in result.changes.items()}
    log_action(actor=actor, action="ledger.import", obj=org, org=org, after=summary,
               label=f"导入台账：{result.changed}项变更")


__all__ = ["run_import", "ImportResult", "CellError"]
