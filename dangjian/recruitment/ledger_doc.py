"""The printable 发展党员工作纪实 of one case (docx, python-docx): the person, the 25 steps by stage (each with
its timing rule and papers) with their dates and what each recorded, and the notes (soft rules set aside
with their reasons, the discontinuation).

A4 portrait. East Asian text is set in 宋体 (the headings in 黑体) through `w:eastAsia` on every run's
rFonts, Latin text and digits in Times New Roman. The font table declares both Chinese fonts with the
GB2312 charset and Noto CJK as their alternate name, so Word or LibreOffice on a machine without 宋体
(an intranet Linux desk) substitutes a Chinese font instead of showing boxes.

The caller decides what may be shown: `reveal` gives the full 身份证号 (and birth date); otherwise both are
masked as everywhere else."""
import io
from decimal import Decimal

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt
from lxml import etree

from dangjian.core.dates import today
from dangjian.core.masking import mask_birth_date, mask_id_number

from .process import CONCLUSION, MONTHS, PEOPLE, STAGES, STEPS, TRAINING, VOTE
from .queries import STATUS_LABELS, timeline_key, timing_text, vote_passes

BODY_FONT, HEADING_FONT, LATIN_FONT = "宋体", "黑体", "Times New Roman"
# The font table's entries for the Chinese fonts: GB2312 charset (86), Noto CJK as the alternate name.
FONT_TABLE = {BODY_FONT: ("Noto Serif CJK SC", "02010600030101010101"),
              HEADING_FONT: ("Noto Sans CJK SC", "02010609060101010101")}
PEOPLE_LABELS = {5: "培养联系人", 9: "入党介绍人"}
CONCLUSION_LABELS = {10: "政审结论", 23: "转正结果"}
SEX_LABELS = {"M": "男", "F": "女"}


def _hours(value):
    return f"{Decimal(value).normalize():f}"


def step_details(record):
    """[(label, text)] of what a step recorded besides its date: people by name, the vote tally with its
    outcome, the conclusion, the training, the months of an extension, the linked meeting, the note and
    the reason recorded when a soft rule was set aside. Shared by the case page and the ledger."""
    definition = record.definition
    out = []
    if PEOPLE in definition.records:
        names = "、".join(p.name for p in record.people.all())
        out.append((PEOPLE_LABELS.get(definition.no, "人员"), names or "（未填写）"))
    if VOTE in definition.records and record.expected is not None:
        passed = vote_passes(record)
        out.append(("表决", f"应到{record.expected}人，实到{record.present}人，赞成{record.yes}票"
                            f"{'，通过' if passed else '，未通过' if passed is False else ''}"))
    if CONCLUSION in definition.records and record.conclusion:
        text = record.conclusion
        if MONTHS in definition.records and record.months:
            text += f"{record.months}个月"
        out.append((CONCLUSION_LABELS.get(definition.no, "结论"), text))
    if TRAINING in definition.records:
        text = f"{record.date:%Y-%m-%d}至{record.ended_on:%Y-%m-%d}" if record.ended_on else f"{record.date:%Y-%m-%d}"
        if record.hours is not None:
            text += f"，{_hours(record.hours)}学时"
        out.append(("培训", text))
    if record.meeting_id:
        out.append(("会议记录", f"{record.meeting.held_on:%Y-%m-%d} {record.meeting.subject}"))
    if record.note:
        out.append(("说明", record.note))
    if record.reason:
        out.append(("理由", record.reason))
    return out


# ---- fonts ----

def _set_fonts(rpr_owner, east_asia, latin=LATIN_FONT):
    """rFonts with the East Asian font on a run or a style (python-docx's font.name sets only Latin)."""
    fonts = rpr_owner.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attr), latin)
    fonts.set(qn("w:eastAsia"), east_asia)
    fonts.set(qn("w:hint"), "eastAsia")


def _declare_fonts(document):
    """Add the Chinese fonts to word/fontTable.xml with their charset and Noto CJK alternate name."""
    part = document.part.part_related_by(RT.FONT_TABLE)
    root = etree.fromstring(part.blob)
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    for name, (alternate, panose) in FONT_TABLE.items():
        font = etree.SubElement(root, f"{{{w}}}font", {f"{{{w}}}name": name})
        for tag, value in (("altName", alternate), ("panose1", panose), ("charset", "86"), ("family", "auto"),
                           ("pitch", "variable")):
            etree.SubElement(font, f"{{{w}}}{tag}", {f"{{{w}}}val": value})
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _style_fonts(document):
    styles = document.styles
    normal = styles["Normal"]
    normal.font.size = Pt(10.5)  # 五号
    _set_fonts(normal.element, BODY_FONT)
    for name in ("Title", "Heading 1", "Heading 2", "Table Grid"):
        if name in [s.name for s in styles]:
            _set_fonts(styles[name].element, HEADING_FONT if name != "Table Grid" else BODY_FONT)


def _run(paragraph, text, *, bold=False, size=None, font=BODY_FONT):
    run = paragraph.add_run(text)
    run.bold = bold
    if size:
        run.font.size = Pt(size)
    _set_fonts(run._element, font)
    return run


def _cell(cell, text, *, bold=False, align=None, size=None):
    cell.text = ""
    lines = str(text).split("\n")
    paragraph = cell.paragraphs[0]
    for i, line in enumerate(lines):
        if i:
            paragraph = cell.add_paragraph()
        paragraph.paragraph_format.space_after = Pt(0)
        if align is not None:
            paragraph.alignment = align
        _run(paragraph, line, bold=bold, size=size)


def _shade(cell, fill="F2E6E4"):
    shading = parse_xml(f'<w:shd {nsdecls("w")} w:val="clear" w:color="auto" w:fill="{fill}"/>')
    cell._tc.get_or_add_tcPr().append(shading)


def _heading(document, text, size=14):
    paragraph = document.add_paragraph()
    paragraph.paragraph_format.space_before = Pt(10)
    paragraph.paragraph_format.space_after = Pt(4)
    _run(paragraph, text, bold=True, size=size, font=HEADING_FONT)
    return paragraph


# ---- the document ----

def _a4(document):
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = section.bottom_margin = Mm(25)
    section.left_margin, section.right_margin = Mm(25), Mm(20)


def _d(day):
    return f"{day:%Y-%m-%d}" if day else "—"


def case_ledger(case, records, state, *, reveal=False):
    """The 发展党员工作纪实 of `case` as docx bytes. `records`: its steps (with people and meetings
    prefetched); `state`: queries.case_state of the case; `reveal`: the full ID and birth date."""
    records = sorted(records, key=timeline_key)
    document = Document()
    _a4(document)
    _style_fonts(document)
    _declare_fonts(document)

    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(title, "发展党员工作纪实", bold=True, size=22, font=HEADING_FONT)
    sub = document.add_paragraph()
    sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(sub, f"{case.org.name}　　规则版本：发展党员工作细则（{case.rule_version}）", size=10.5)

    _heading(document, "一、基本情况")
    applied = min((r.date for r in records if r.step == 1), default=None)
    roster = state.roster
    facts = [
        ("姓名", case.name, "性别", SEX_LABELS.get(case.sex, case.sex or "—")),
        ("身份证号", case.id_number if reveal else mask_id_number(case.id_number),
         "出生日期", _d(case.birth_date) if reveal else mask_birth_date(case.birth_date)),
        ("所属党组织", case.org.name, "当前状态", f"{STATUS_LABELS[state.status]}（{STAGES[state.stage]}）"),
        ("申请日期", _d(applied), "入党日期", _d(roster.admitted_on)),
        ("预备期满", _d(roster.probation_ends) if roster.admitted_on else "—",
         "转正日期", _d(roster.confirmed_on)),
    ]
    if case.discontinued_on:
        facts.append(("终止培养日期", _d(case.discontinued_on), "终止原因", case.discontinued_reason))
    table = document.add_table(rows=len(facts), cols=4)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for row, values in zip(table.rows, facts):
        for i, value in enumerate(values):
            _cell(row.cells[i], value, bold=i % 2 == 0)
            if i % 2 == 0:
                _shade(row.cells[i], "F7F3F2")
    for row in table.rows:
        for i, width in enumerate((Mm(28), Mm(55), Mm(28), Mm(54))):
            row.cells[i].width = width

    _heading(document, "二、发展党员程序（五个阶段、二十五个步骤）")
    by_step = {}
    for r in records:
        by_step.setdefault(r.step, []).append(r)
    table = document.add_table(rows=1, cols=5)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    widths = (Mm(12), Mm(42), Mm(24), Mm(24), Mm(63))
    for i, label in enumerate(("序号", "步骤", "办理主体", "日期", "登记内容")):
        _cell(table.rows[0].cells[i], label, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
        _shade(table.rows[0].cells[i], "EADCDA")
    for stage, label in STAGES.items():
        row = table.add_row()
        merged = row.cells[0].merge(row.cells[4])
        _cell(merged, f"第{'一二三四五'[stage - 1]}阶段　{label}", bold=True)
        _shade(merged)
        for step in (s for s in STEPS if s.stage == stage):
            done = by_step.get(step.no, [])
            row = table.add_row().cells
            _cell(row[0], str(step.no), align=WD_ALIGN_PARAGRAPH.CENTER)
            about = [step.title + ("（可选）" if step.optional else "")]
            if step.timing:
                about.append(f"时限：{timing_text(step, state.on)}")
            if step.documents:
                about.append(f"材料：{'、'.join(step.documents)}")
            _cell(row[1], "\n".join(about))
            _cell(row[2], step.actor)
            _cell(row[3], "\n".join(_d(r.date) for r in done) or "")
            lines = []
            for r in done:
                details = "；".join(f"{label}：{text}" for label, text in step_details(r))
                if details:
                    lines.append(f"{_d(r.date)} {details}" if len(done) > 1 else details)
            _cell(row[4], "\n".join(lines))
    for row in table.rows:
        for i, width in enumerate(widths):
            row.cells[i].width = width

    _heading(document, "三、说明")
    notes = []
    if state.next_step is not None:
        due = ""
        if state.due_on:
            due = f"，{'最迟' if state.due_kind == 'deadline' else '最早'}{_d(state.due_on)}"
            if state.overdue:
                due += "（已逾期）"
        notes.append(f"下一步：{state.next_step.no} {state.next_step.title}{due}。")
    for r in records:
        if r.reason:
            notes.append(f"{_d(r.date)} {r.definition.title}：未满足软性规则，登记理由为“{r.reason}”。")
    if case.discontinued_on:
        notes.append(f"{_d(case.discontinued_on)} 终止培养，原因：{case.discontinued_reason}。")
    if not reveal:
        notes.append("身份证号和出生日期已脱敏。")
    for note in notes or ["无。"]:
        paragraph = document.add_paragraph(style="List Bullet" if notes else None)
        _run(paragraph, note)

    sign = document.add_paragraph()
    sign.paragraph_format.space_before = Pt(24)
    _run(sign, "党支部书记（签字）：__________　　党支部（盖章）　　　　年　　月　　日")
    made = document.add_paragraph()
    made.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _run(made, f"制表日期：{today():%Y年%m月%d日}", size=9)

    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
