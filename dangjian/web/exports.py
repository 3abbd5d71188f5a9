"""The roster workbook: rows only, masked, guarded against formula injection (pretix's exporter)."""
import io

from openpyxl import Workbook
from openpyxl.styles import Font

HEADERS = ("姓名", "性别", "身份证号", "出生日期", "民族", "学历", "工作岗位", "所属组织", "组织编码", "党小组",
           "人员类别", "入党日期", "转正日期", "领导干部", "党费类别", "手机号码")


def _safe(value):
    """A text cell starting with = + - @ would be run as a formula by Excel: prefix it with '."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def roster_rows(members):
    for m in members:
        yield (m.name, m.get_sex_display(), m.masked_id_number, m.masked_birth_date, m.ethnicity,
               m.get_education_display(), m.get_post_category_display(), m.org.name, m.org.code,
               m.party_group.name if m.party_group_id else "", m.get_stage_display(), m.admitted_on,
               m.confirmed_on, "是" if m.is_leading_cadre else "否", m.get_dues_category_display(), m.masked_phone)


def roster_workbook(members) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "党员名册"
    ws.append(HEADERS)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in roster_rows(members):
        ws.append([_safe(v) for v in row])
    for column, width in zip("ABCDEFGHIJKLMNOP", (10, 6, 22, 12, 8, 10, 12, 20, 10, 16, 10, 12, 12, 8, 10, 14)):
        ws.column_dimensions[column].width = width
    for row in ws.iter_rows(min_row=2):
        for cell in (row[3], row[11], row[12]):
            cell.number_format = "yyyy-mm-dd"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


FINDING_HEADERS = ("规则", "级别", "组织编码", "组织名称", "身份证号", "期间", "日期", "说明", "依据")


def findings_workbook(rows) -> bytes:
    """The compliance findings (合规检查) the page shows: `rows` are tuples in FINDING_HEADERS' order, the
    ID already masked or not by the view."""
    wb = Workbook()
    ws = wb.active
    ws.title = "检查结果"
    ws.append(FINDING_HEADERS)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append([_safe(v) for v in row])
    for column, width in zip("ABCDEFGHI", (10, 6, 12, 24, 22, 10, 12, 50, 36)):
        ws.column_dimensions[column].width = width
    for row in ws.iter_rows(min_row=2):
        row[6].number_format = "yyyy-mm-dd"
    ws.freeze_panes = "A2"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


# ---- 党费 (dues) ----

DUES_LINE_HEADERS = ("姓名", "身份证号", "月份", "党费类别", "减免党费", "缴费基数", "应交金额", "实交金额", "缴纳日期",
                     "自愿多交", "差额", "状态")
DUES_LINE_WIDTHS = (10, 22, 9, 9, 8, 11, 10, 10, 12, 10, 10, 9)


def _dues_sheet(ws, headers, rows, widths):
    """Rows under bold headers: amounts (Decimal) as numbers to the cent, dates as dates."""
    from decimal import Decimal

    ws.append(headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append([_safe(v) for v in row])
    for index, width in enumerate(widths):
        ws.column_dimensions[ws.cell(row=1, column=index + 1).column_letter].width = width
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, Decimal):
                cell.number_format = "0.00"
            elif hasattr(cell.value, "isoformat"):
                cell.number_format = "yyyy-mm-dd"
    ws.freeze_panes = "A2"


def tables_workbook(sheets) -> bytes:
    """A workbook of plain tables (党费 statements, the 述职评议 tally): `sheets` = [(title, headers, rows,
    widths)], the rows already in header order with the IDs masked or not by the view."""
    wb = Workbook()
    wb.remove(wb.active)
    for title, headers, rows, widths in sheets:
        _dues_sheet(wb.create_sheet(title), headers, rows, widths)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
