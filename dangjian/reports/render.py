"""The formats of the 述职报告, all from one `Document`: HTML (each figure a link to the records it counts), Markdown,
Word (.docx, the copy handed in upward) and PDF.

The layout is the usual one of party documents (党政机关公文格式 GB/T 9704): A4, the title centred in a large
song-style face, 黑体 headings numbered 一、 and （一）, a 仿宋 body of 三号 (16 pt) on a 28 pt line with a first-line
indent of two characters, the page number centred in the footer. The fonts named are the ones offices have
(仿宋_GB2312, 黑体, 方正小标宋简体); where they are missing the reader falls back to Noto CJK, which the server
has, so the PDF never shows empty boxes.
"""
import io
import re

from django.utils.html import escape

from .document import Document

BODY_FONT, HEADING_FONT, TITLE_FONT = "仿宋_GB2312", "黑体", "方正小标宋简体"
# What each named font falls back to (Word/WPS read w:altName; the PDF's CSS lists them in order).
FALLBACK = {BODY_FONT: "Noto Serif CJK SC", HEADING_FONT: "Noto Sans CJK SC", TITLE_FONT: "Noto Serif CJK SC",
            "宋体": "Noto Serif CJK SC"}
FORMATS = {".docx": "Word 文档", ".pdf": "PDF", ".html": "网页", ".md": "Markdown"}


# ---- HTML ----

def runs_html(block, link=None):
    """The inner HTML of a block. `link(kind, key)` gives the URL of a figure ("figure", code) or of a record
    ("problem", pk); None or "" writes no link (the PDF)."""
    out = []
    for run in block.runs:
        text = escape(run.text)
        url = ""
        if link and run.figure:
            url = link("figure", run.figure)
        elif link and run.record:
            url = link(*run.record)
        css = ("missing" if run.missing else "figure" if run.figure else "narrative" if run.user
               else "prompt" if run.prompt else "record" if run.record else "")
        attrs = f' class="{css}"' if css else ""
        if run.figure:
            attrs += f' data-figure="{escape(run.figure)}"'
        if url:
            out.append(f'<a href="{escape(url)}"{attrs}>{text}</a>')
        elif attrs:
            out.append(f"<span{attrs}>{text}</span>")
        else:
            out.append(text)
    return "".join(out)


TAGS = {"title": ("h1", "doc-title"), "byline": ("p", "byline"), "h1": ("h2", "doc-h1"), "h2": ("h3", "doc-h2"),
        "p": ("p", "")}


def block_html(block, link=None):
    tag, css = TAGS[block.kind]
    return f'<{tag}{f" class={chr(34)}{css}{chr(34)}" if css else ""}>{runs_html(block, link)}</{tag}>'


def body_html(document, link=None):
    return "\n".join(block_html(b, link) for b in document.blocks if b.runs)


DOCUMENT_CSS = f"""
body {{ font-family: "{BODY_FONT}", "FangSong_GB2312", "仿宋", "FangSong", "{FALLBACK[BODY_FONT]}", serif;
       font-size: 16pt; line-height: 28pt; color: #000; max-width: 156mm; margin: 2em auto; }}
.doc-title {{ font-family: "{TITLE_FONT}", "{FALLBACK[TITLE_FONT]}", serif; font-size: 22pt; line-height: 1.5;
             text-align: center; font-weight: bold; margin: 0 0 0.5em; }}
.byline {{ text-align: center; margin: 0 0 1em; font-family: "楷体_GB2312", "KaiTi", "{FALLBACK[BODY_FONT]}", serif; }}
.doc-h1, .doc-h2 {{ font-family: "{HEADING_FONT}", "SimHei", "{FALLBACK[HEADING_FONT]}", sans-serif; font-size: 16pt;
                   font-weight: normal; margin: 0; text-indent: 2em; line-height: 28pt; }}
p {{ text-indent: 2em; margin: 0; text-align: justify; }}
a {{ color: inherit; }}
a.figure, span.figure {{ font-weight: bold; }}
.missing {{ color: #b00; }}
.prompt {{ color: #666; }}
"""
PRINT_CSS = """
@page { size: A4; margin: 37mm 26mm 35mm 28mm;
        @bottom-center { content: "— " counter(page) " —"; font-family: "宋体", "Noto Serif CJK SC", serif;
                         font-size: 14pt; } }
body { max-width: none; margin: 0; }
a { text-decoration: none; }
.missing, .prompt { color: #000; }
"""


def render_html(document: Document, link=None, *, print_css=False):
    """A whole HTML page of the report (what `--out FILE.html` writes and the PDF is printed from)."""
    css = DOCUMENT_CSS + (PRINT_CSS if print_css else "")
    return (f'<!doctype html>\n<html lang="zh-hans">\n<head>\n<meta charset="utf-8">\n<title>{escape(document.title)}'
            f"</title>\n<style>{css}</style>\n</head>\n<body>\n{body_html(document, link)}\n</body>\n</html>\n")


# ---- Markdown ----

def render_markdown(document: Document, link=None):
    """Markdown: the title as #, 一、 as ##, （一） as ###; figures as links when `link` is given."""
    marks = {"title": "# ", "h1": "## ", "h2": "### "}
    out = []
    for block in document.blocks:
        if not block.runs:
            continue
        parts = []
        for run in block.runs:
            text = _md_escape(run.text)
            url = link("figure", run.figure) if link and run.figure else ""
            parts.append(f"[{text}]({url})" if url else text)
        out.append(marks.get(block.kind, "") + "".join(parts))
    return "\n\n".join(out) + "\n"


def _md_escape(text):
    return re.sub(r"([\\`*_\[\]#<>|])", r"\\\1", text)


# ---- Word ----

def _fonts(element, east_asia, latin=None):
    """Name the fonts of a style or run (w:rFonts): East Asian text in `east_asia`, Latin in `latin`; the theme
    fonts of the template (which would win over a name) removed."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    rpr = element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(attr), None)
    latin = latin or east_asia
    rfonts.set(qn("w:ascii"), latin)
    rfonts.set(qn("w:hAnsi"), latin)
    rfonts.set(qn("w:eastAsia"), east_asia)
    rfonts.set(qn("w:cs"), latin)


def _font_table_fallbacks(doc):
    """Give each named font its Noto CJK fallback in word/fontTable.xml (w:altName), so Word and WPS on a machine
    without 仿宋_GB2312 or 黑体 show Noto rather than a Latin face."""
    from lxml import etree

    part = next((p for p in doc.part.package.iter_parts() if str(p.partname) == "/word/fontTable.xml"), None)
    if part is None:
        return
    ns = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    root = etree.fromstring(part.blob)
    for name, alt in FALLBACK.items():
        font = etree.SubElement(root, f"{{{ns}}}font")
        font.set(f"{{{ns}}}name", name)
        etree.SubElement(font, f"{{{ns}}}altName").set(f"{{{ns}}}val", alt)
        etree.SubElement(font, f"{{{ns}}}charset").set(f"{{{ns}}}val", "86")  # GB2312
        etree.SubElement(font, f"{{{ns}}}family").set(f"{{{ns}}}val", "auto")
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _page_number(paragraph):
    """— PAGE — centred: a PAGE field, so Word and WPS number every page."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    def run(text=None):
        r = paragraph.add_run(text or "")
        r.font.size = Pt(14)
        _fonts(r._element, "宋体", "Times New Roman")
        return r

    run("— ")
    for kind, instr in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        r = run()
        if kind:
            fld = OxmlElement("w:fldChar")
            fld.set(qn("w:fldCharType"), kind)
            r._element.append(fld)
        elif instr == " PAGE ":
            text = OxmlElement("w:instrText")
            text.set(qn("xml:space"), "preserve")
            text.text = instr
            r._element.append(text)
        else:
            r.text = instr
    run(" —")


def render_docx(document: Document) -> bytes:
    from docx import Document as Docx
    from docx.enum.style import WD_STYLE_TYPE
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.shared import Mm, Pt, RGBColor

    doc = Docx()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(20)

    def shape(style, *, font, size, bold=False, indent=True, align=None, latin="Times New Roman"):
        style.font.size = Pt(size)
        style.font.bold = bold
        style.font.italic = False
        style.font.color.rgb = RGBColor(0, 0, 0)
        _fonts(style.element, font, latin)
        pf = style.paragraph_format
        pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        pf.line_spacing = Pt(28)
        pf.space_before = pf.space_after = Pt(0)
        pf.first_line_indent = Pt(32) if indent else Pt(0)
        pf.keep_with_next = style.name.startswith("Heading")
        if align is not None:
            pf.alignment = align

    shape(doc.styles["Normal"], font=BODY_FONT, size=16, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    shape(doc.styles["Heading 1"], font=HEADING_FONT, size=16)
    shape(doc.styles["Heading 2"], font=HEADING_FONT, size=16)
    title = doc.styles.add_style("报告标题", WD_STYLE_TYPE.PARAGRAPH)
    title.base_style = doc.styles["Normal"]
    shape(title, font=TITLE_FONT, size=22, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)
    title.paragraph_format.line_spacing = Pt(36)
    byline = doc.styles.add_style("署名", WD_STYLE_TYPE.PARAGRAPH)
    byline.base_style = doc.styles["Normal"]
    shape(byline, font="楷体_GB2312", size=16, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)
    styles = {"title": "报告标题", "byline": "署名", "h1": "Heading 1", "h2": "Heading 2", "p": "Normal"}

    for block in document.blocks:
        if not block.runs:
            continue
        paragraph = doc.add_paragraph(style=styles[block.kind])
        for run in block.runs:
            r = paragraph.add_run(run.text)
            if run.figure and not run.missing and block.kind == "p":
                r.bold = True
    _page_number(section.footer.paragraphs[0])
    section.footer.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font_table_fallbacks(doc)
    doc.core_properties.title = document.title
    doc.core_properties.author = document.org_name
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


# ---- PDF ----

class PdfUnavailable(Exception):
    pass


def render_pdf(document: Document) -> bytes:
    """The PDF, printed by WeasyPrint from the HTML with the print styles (A4, page numbers)."""
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as error:  # OSError: pango missing on the machine
        raise PdfUnavailable(f"无法生成PDF（未安装WeasyPrint或系统缺少Pango）：{error}") from None
    return HTML(string=render_html(document, print_css=True)).write_pdf()


def render(document: Document, suffix, link=None) -> bytes:
    """The report in the format of `suffix` (.docx, .pdf, .html, .md) as bytes."""
    if suffix == ".docx":
        return render_docx(document)
    if suffix == ".pdf":
        return render_pdf(document)
    if suffix == ".html":
        return render_html(document, link).encode("utf-8")
    if suffix == ".md":
        return render_markdown(document, link).encode("utf-8")
    raise ValueError(suffix)
