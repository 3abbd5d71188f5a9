"""The 述职报告 as handed in: the .docx opened with python-docx (its text, heading styles, fonts, A4, the page number
field), the PDF turned into an image of page 1 with poppler's pdftoppm (text rows dark with glyphs) and read back
with pdftotext (the Chinese title, so no tofu), and the HTML's figures linked to their records."""
import datetime
import io
import shutil
import subprocess

import pytest
from docx import Document as Docx
from docx.oxml.ns import qn

from dangjian.meetings.services import record_meeting
from dangjian.reports.document import build_document
from dangjian.reports.facts import gather
from dangjian.reports.render import render_docx, render_html, render_markdown, render_pdf

D = datetime.date
TITLE = "2018年抓基层党建工作述职报告"


@pytest.fixture
def document(cast):
    record_meeting(actor=None, org=cast.jt, held_on=D(2018, 3, 1), subject="党委会", types=["committee"], expected=5,
                   present=5, topics=["party_building"])
    return build_document(gather(cast.jt, 2018), {"area:life": "在集团及各分公司统一制度上墙。"})


def east_asia_font(style):
    rfonts = style.element.rPr.find(qn("w:rFonts"))
    return rfonts.get(qn("w:eastAsia"))


def test_the_docx_has_the_text_and_the_official_layout(document):
    doc = Docx(io.BytesIO(render_docx(document)))
    paragraphs = [(p.style.name, p.text) for p in doc.paragraphs if p.text]
    assert paragraphs[0] == ("报告标题", TITLE)
    assert ("Heading 1", "一、履职情况和成绩") in paragraphs
    assert ("Heading 1", "二、存在问题和原因分析") in paragraphs
    assert ("Heading 1", "三、下一步整改方向和措施") in paragraphs
    assert ("Heading 2", "（一）认真落实党建工作责任制，严格履行第一责任人职责") in paragraphs
    assert ("Heading 2", "（二）存在上述问题的主要原因") in paragraphs
    text = "\n".join(t for _, t in paragraphs)
    assert "党委会有1次研究党建议题" in text
    assert "在集团及各分公司统一制度上墙。" in text
    assert "X" not in text.replace("XX", "")
    styles = doc.styles
    assert east_asia_font(styles["Heading 1"]) == "黑体" and east_asia_font(styles["Heading 2"]) == "黑体"
    assert east_asia_font(styles["Normal"]) == "仿宋_GB2312"
    assert styles["Heading 1"].font.color.rgb == (0, 0, 0)
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)  # A4 (stored in twips)
    footer = section.footer.paragraphs[0]._element.xml
    assert "PAGE" in footer and "fldChar" in footer
    font_table = next(p for p in doc.part.package.iter_parts() if str(p.partname) == "/word/fontTable.xml").blob
    assert "Noto Serif CJK SC".encode() in font_table and "仿宋_GB2312".encode() in font_table


def test_the_html_links_each_figure_to_its_records_and_the_markdown_reads_the_same(document):
    link = lambda kind, key: f"/reports/figures/JT/2018/{key}/" if kind == "figure" else ""  # noqa: E731
    html = render_html(document, link)
    assert '<a href="/reports/figures/JT/2018/committee_party_building/" class="figure"' in html
    assert 'class="missing"' in html  # JT has no secretary: the conferences cannot be attributed
    md = render_markdown(document)
    assert md.startswith(f"# {TITLE}\n") and "## 一、履职情况和成绩" in md and "### （一）" in md


def _tool(name):
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"未安装 {name}（Debian poppler-utils，make browsers 会安装）：无法把 PDF 转成图片检查")
    return path


def _pgm(data):
    """Width, height and pixel rows of a binary PGM (P5, 8 bit), as pdftoppm -gray writes it."""
    parts, pos = [], 0
    while len(parts) < 4:
        while data[pos:pos + 1].isspace():
            pos += 1
        if data[pos:pos + 1] == b"#":
            pos = data.index(b"\n", pos) + 1
            continue
        end = pos
        while not data[end:end + 1].isspace():
            end += 1
        parts.append(data[pos:end])
        pos = end
    assert parts[0] == b"P5" and parts[3] == b"255"
    width, height = int(parts[1]), int(parts[2])
    pixels = data[pos + 1:pos + 1 + width * height]
    return width, height, [pixels[y * width:(y + 1) * width] for y in range(height)]


def test_the_pdf_shows_chinese_glyphs_on_page_one(document, tmp_path):
    pdftoppm, pdftotext = _tool("pdftoppm"), _tool("pdftotext")
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(render_pdf(document))
    subprocess.run([pdftoppm, "-gray", "-r", "60", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")],
                   check=True)
    image = next(tmp_path.glob("page*.pgm"))
    width, height, rows = _pgm(image.read_bytes())
    assert abs(width / height - 210 / 297) < 0.01  # A4
    dark = [sum(1 for v in row if v < 128) for row in rows]
    text_rows = [d for d in dark if d > 10]
    assert sum(dark) > 5000, "page 1 is almost empty"
    assert len(text_rows) > height // 5, "too few rows carry text"
    # An empty box (tofu) is a thin outline: real glyphs fill far more of a text row than four strokes would.
    assert max(dark) > width // 10
    text = subprocess.run([pdftotext, "-f", "1", "-l", "1", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert TITLE in text and "一、履职情况和成绩" in text
    pdffonts = shutil.which("pdffonts")
    if pdffonts:  # the fonts embedded are CJK ones: the glyphs exist
        fonts = subprocess.run([pdffonts, str(pdf)], capture_output=True, text=True, check=True).stdout
        assert "CJK" in fonts or "Fang" in fonts or "Hei" in fonts
    last = subprocess.run([pdftotext, str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "—1—" in last.replace(" ", "") and "—2—" in last.replace(" ", "")  # page numbers in the footer
