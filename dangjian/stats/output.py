"""The statistics as the command and the page hand them out: the as-of date read from user input, the text
tables, the xlsx workbook (one sheet per table)."""
import io
import unicodedata

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from dangjian.core.dates import parse_date
from dangjian.core.errors import DomainError
from dangjian.organizations.models import Organization, OrgType

from .tables import cn_date

FIRST_YEAR, LAST_YEAR = 1900, 9998  # as `dangjian check` accepts (rules.engine)
INDENT = "　"  # a full-width space per level: "其中" lines sit under their line in text and in Excel


def parse_as_of(text):
    """The as-of date typed by a user; a Chinese DomainError when it is empty, impossible or out of range."""
    if text is None or not str(text).strip():
        raise DomainError("请填写截至日期（YYYY-MM-DD），如2018-12-31", field="as_of", code="REQUIRED")
    day = parse_date(text, field="as_of")
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise DomainError(f"截至日期“{text}”超出可统计的范围（{FIRST_YEAR}年至{LAST_YEAR}年）", field="as_of",
                          code="DATE_RANGE")
    return day


def find_root(code):
    code = (code or "").strip()
    if not code:
        raise DomainError("请填写组织编码（--org）", field="org", code="REQUIRED")
    org = Organization.objects.filter(code=code).first()
    if org is None:
        raise DomainError(f"组织编码“{code}”不存在", field="org", code="ORG_NOT_FOUND")
    return org


def heading(stats):
    return f"{stats.root.name}（{stats.root.code}）党内统计　截至{cn_date(stats.as_of)}"


def absent_note(stats):
    """Why the tables are empty, when the records say so."""
    if not stats.exists:
        return f"该组织在{cn_date(stats.as_of)}尚未成立或已撤销，各表均为0"
    if stats.root.org_type == OrgType.PARTY_GROUP:
        return "党小组不单独管理党员的组织关系，党员按其所在党支部统计"
    return ""


def _width(text):
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text, width):
    return text + " " * max(width - _width(text), 0)


CHINESE_NUMERALS = "一二三四五六七八九十"


def render_text(stats):
    """The tables as plain text in Chinese, labels aligned (CJK characters are two columns wide)."""
    lines = [heading(stats), f"党员总数：{stats.members}人"]
    if absent_note(stats):
        lines.append(absent_note(stats))
    for n, table in enumerate(stats.tables):
        number = CHINESE_NUMERALS[n] if n < 10 else "十" + CHINESE_NUMERALS[n - 10]
        lines += ["", f"{number}、{table.title}（单位：{table.unit}）"]
        labels = [INDENT * (1 + r.level) + r.label for r in table.rows]
        width = max(_width(label) for label in labels) + 2
        for label, row in zip(labels, table.rows):
            lines.append(f"{_pad(label, width)}{row.count:>6}")
        if table.key != "changes":
            lines.append(f"{_pad(INDENT + '合计', width)}{table.total:>6}")
        if table.note:
            lines.append(f"{INDENT}注：{table.note}")
    return "\n".join(lines)


def _safe(value):
    """A text cell starting with = + - @ would run as a formula in Excel (a typed 民族 or name): prefix '."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def _safe_sheet_title(title):
    for ch in "[]:*?/\\":
        title = title.replace(ch, "")
    return title[:31]


def workbook(stats) -> bytes:
    """One sheet 说明 with the heading, then one sheet per table: 项目 and the count."""
    wb = Workbook()
    ws = wb.active
    ws.title = "说明"
    for row in (("统计组织", f"{stats.root.name}（{stats.root.code}）"), ("截至日期", stats.as_of),
                ("党员总数", stats.members), ("说明", absent_note(stats) or "按截至日期的组织关系和党员事件统计")):
        ws.append([_safe(v) for v in row])
    ws["B2"].number_format = "yyyy-mm-dd"
    ws["B2"].alignment = Alignment(horizontal="left")
    ws.column_dimensions["A"].width, ws.column_dimensions["B"].width = 12, 50
    for n, table in enumerate(stats.tables, 1):
        sheet = wb.create_sheet(_safe_sheet_title(f"{n}.{table.title.split('（')[0]}"))
        sheet.append([table.title])
        sheet["A1"].font = Font(bold=True)
        sheet.append(["项目", f"数量（{table.unit}）"])
        for cell in sheet[2]:
            cell.font = Font(bold=True)
        for row in table.rows:
            sheet.append([INDENT * row.level + _safe(row.label), row.count])
        if table.key != "changes":
            sheet.append(["合计", table.total])
        if table.note:
            sheet.append([f"注：{table.note}"])
        sheet.column_dimensions["A"].width, sheet.column_dimensions["B"].width = 40, 12
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
