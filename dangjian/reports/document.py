"""The draft of the 述职报告 as one document structure, in the seed's shape, from which every format is rendered.

    一、履职情况和成绩        the areas (一)…(五): last year's problems of the area and their status (the records),
                              the user's account of the area, and the seed's own sentences with the figures
    二、存在问题和原因分析    (一) 问题 一是/二是…: the year's open problems, then the patterns of the year's findings,
                              then what the user adds; (二) 原因, numbered the same way
    三、下一步整改方向和措施  (一)(二)…: the open problems' measures and deadlines, then what the user adds

The user's text lives in named slots (`Slot`), kept apart from the figures: a figure is never pasted into the
user's text, so rebuilding the document with new facts changes every number and keeps every sentence the user
wrote. A slot never edited shows its default; a slot the user emptied stays empty.
"""
import datetime
import hashlib
import re
from dataclasses import asdict, dataclass, field

from dangjian.organizations.models import OrgType

from .facts import chinese_date
from .figures import FIGURES, PATTERNS, Value, format_value

MISSING = "【数据缺失：{}】"
PROMPT = "【待填写：{}】"
BODY = {OrgType.COMMITTEE: "党委", OrgType.GENERAL_BRANCH: "党总支"}  # else 党支部
ALL = ()
COMMITTEES = (OrgType.COMMITTEE,)
LEADING = (OrgType.COMMITTEE, OrgType.GENERAL_BRANCH)


@dataclass
class Run:
    """A piece of text: plain, a figure's number (or its missing marker), the user's words, or a prompt."""

    text: str
    figure: str = ""
    missing: bool = False
    user: bool = False
    prompt: bool = False
    record: tuple = ()    # (kind, key) of a record the text names (a problem), for a link


@dataclass
class Block:
    kind: str             # title · byline · h1 · h2 · p
    runs: list = field(default_factory=list)
    slot: str = ""        # the user's slot this block shows
    edit: bool = False    # the page puts the slot's form under this block (its first block)

    @property
    def text(self):
        return "".join(r.text for r in self.runs)


@dataclass
class Slot:
    key: str
    label: str
    default: str
    text: str
    custom: bool          # the user wrote it (else the default shows)
    lines: bool = False   # each line (or paragraph) becomes a numbered item


@dataclass
class Document:
    title: str
    org_code: str
    org_name: str
    year: int
    as_of: str
    blocks: list
    slots: dict

    def as_dict(self):
        return {"title": self.title, "org_code": self.org_code, "org_name": self.org_name, "year": self.year,
                "as_of": self.as_of,
                "blocks": [{**asdict(b), "runs": [{**asdict(r), "record": list(r.record)} for r in b.runs]}
                           for b in self.blocks],
                "slots": {k: asdict(s) for k, s in self.slots.items()}}

    @classmethod
    def from_dict(cls, d):
        blocks = [Block(b["kind"], [Run(**{**r, "record": tuple(r.get("record") or ())}) for r in b["runs"]],
                        b.get("slot", ""), b.get("edit", False)) for b in d["blocks"]]
        return cls(d["title"], d["org_code"], d["org_name"], d["year"], d["as_of"], blocks,
                   {k: Slot(**s) for k, s in d.get("slots", {}).items()})

    def plain_text(self):
        return "\n".join(b.text for b in self.blocks if b.runs)

    @property
    def figure_codes(self):
        return sorted({r.figure for b in self.blocks for r in b.runs if r.figure})


# ---- the seed's areas and sentences ----

@dataclass(frozen=True)
class Sentence:
    template: str         # "{code:unit}" is a figure followed by its unit; {year} and {body} are words
    org_types: tuple = ALL


@dataclass(frozen=True)
class Area:
    code: str
    title: str
    keywords: tuple       # words of a problem's description that place it in this area
    narrative: str        # the default of the user's account of the area
    sentences: tuple
    org_types: tuple = ALL


AREAS = (
    Area("responsibility", "认真落实党建工作责任制，严格履行第一责任人职责", ("责任", "考核", "认识", "重视"),
         "{body}班子把“党要管党、从严治党”作为首要职责，全面落实党建工作责任制。作为{body}书记，我认真履行第一责任人的职责，"
         "把党建工作当成主责主业，组织班子认真履行党建主体责任，指导督促班子其他成员履行好“一岗双责”，确保任务清、责任明、措施实。",
         (Sentence("与{letters:个}下级党组织负责人签订党建目标责任书，明确党建工作任务、考核指标并强化督查考核，促进责任落实。", LEADING),
          Sentence("主持召开{work_conferences:次}党建工作会，研究部署党建工作。"),
          Sentence("党委会有{committee_party_building:次}研究党建议题。", COMMITTEES))),
    Area("governance", "健全党委议事决策机制，把党的领导融入公司治理",
         ("三重一大", "议事", "决策", "治理", "章程", "党委会", "前置", "组织架构"),
         "把加强党的领导和完善公司治理统一起来，严格执行党委会议事规则和“三重一大”决策制度，明确党委研究讨论是董事会、经理层决策"
         "重大问题的前置程序，发挥党委把方向、管大局、保落实的作用。",
         (Sentence("在{party_offices:个}下级党组织相应成立了党务工作机构。", COMMITTEES),
          Sentence("{year}年以来，组织召开党委会、书记碰头会、党委扩大会{committee_meetings:次}，研究“三重一大”事项{major_matters:项}。",
                   COMMITTEES)),
         COMMITTEES),
    Area("life", "融入日常抓在经常，推进“两学一做”常态化制度化",
         ("组织生活", "三会一课", "两学一做", "学习", "党员之家", "主题党日", "党课", "教育", "培训"),
         "认真落实“三会一课”等组织生活制度，要求班子成员以普通党员的身份参加双重组织生活会，推动“两学一做”学习教育融入日常、"
         "抓在经常，形成常态、形成制度。",
         (Sentence("统一创建了{party_homes:家}“党员之家”，使党员开展学习有场所、组织活动有阵地。"),)),
    Area("organisation", "加强基层组织建设，发挥战斗堡垒作用",
         ("换届", "支部", "发展党员", "软弱涣散", "书记", "隶属", "管理体制", "应建未建", "应换未换", "应配未配", "党员"),
         "扎实推进基层党组织标准化、规范化建设，为基层党组织配强书记。严格政治标准、严把发展程序、严肃工作纪律，注重把生产一线"
         "的业务骨干发展入党。",
         (Sentence("新建{new_branches:个}党支部，指导{elections:个}党组织换届。", LEADING),
          Sentence("全年确定入党积极分子{activists:名}，发展对象{candidates:名}，批准预备党员{approved:名}。"))),
    Area("assistance", "全力配合主动作为，扎实推进联系点脱贫攻坚工作", ("帮扶", "扶贫", "脱贫", "驻村"),
         "全力做好对口帮扶精准脱贫工作，支持驻村第一书记全脱产驻村抓基层党建和扶贫，大力发展村级集体经济。",
         (Sentence("派出{first_secretaries:名}同志担任驻村第一书记。"),
          Sentence("投入{equity_invested:万元}入股帮扶产业，每年分红{equity_return:万元}；"
                   "投资{investment_invested:万元}建设帮扶项目，为村集体长期稳定收入提供保障。"))),
)
AREA_BY_CODE = {a.code: a for a in AREAS}
# A problem is placed in the first area whose words its description contains, in this order (the assistance
# and governance words are the most telling; "组织生活" before "支部"); none: the responsibility area.
PLACING_ORDER = ("assistance", "governance", "life", "organisation", "responsibility")

INTRO = ("{year}年，本人认真学习贯彻习近平新时代中国特色社会主义思想和党的十九大精神，深入贯彻新时代党的建设总要求，"
         "认真履行党建第一责任人职责，围绕落实国企党建重点任务，扎实抓好党的建设和各项工作，推动全面从严治党向纵深发展，"
         "推动党建工作与生产经营深度融合。现将个人履职情况报告如下。")
MEASURES_INTRO = ("下一步，我将继续认真履行党建第一责任人职责，带领{body}班子深入贯彻新时代党的建设总要求，进一步加强和改进"
                  "党的建设，针对查摆出来的问题逐项整改，为企业健康发展提供坚实的政治保障。")

TOKEN = re.compile(r"\{(\w+)(?::([^}]*))?\}")
ORDINAL_PREFIX = re.compile(r"^\s*(?:[一二三四五六七八九十]+是|[（(][一二三四五六七八九十]+[)）]|[一二三四五六七八九十]+、)\s*")


def numeral(n):
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十 (the numbering of the seed's headings and items)."""
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else digits[tens]) + "十" + (digits[ones] if ones else "")


def place(description, placement=None, number=""):
    """The area a last year's problem opens: the user's placement, else by the words of its description."""
    if placement and placement.get(number) in AREA_BY_CODE:
        return placement[number]
    for code in PLACING_ORDER:
        if any(word in description for word in AREA_BY_CODE[code].keywords):
            return code
    return "responsibility"


def applies(org_types, org_type):
    return not org_types or org_type in org_types


def _clean(text):
    return (text or "").strip().rstrip("。；;，,")


def _quote(text):
    """“text”, its own quotation marks turned to the inner ones (‘’), as nested quotations are written."""
    return "“" + text.replace("“", "‘").replace("”", "’") + "”"


def _sentence(text):
    """A text as a sentence of a numbered item: ending with a full stop unless it ends with punctuation already."""
    text = text.strip()
    return text if not text or text[-1] in "。！？；”）)" else text + "。"


def _short(text, limit=24):
    text = _clean(text)
    head = re.split(r"[，。；,;]", text)[0]
    return head if len(head) <= limit else head[:limit] + "…"


class Builder:
    """Builds the document from the facts, the user's slots and placements."""

    def __init__(self, facts, narrative=None, placement=None):
        self.facts = facts
        self.narrative = narrative or {}
        self.placement = placement or {}
        self.org_type = facts["org"]["org_type"]
        self.words = {"year": str(facts["year"]), "body": BODY.get(self.org_type, "党支部")}
        self.values = {code: Value.from_dict(d) for code, d in facts["figures"].items()}
        self.blocks = []
        self.slots = {}

    # -- pieces --

    def words_in(self, text):
        return TOKEN.sub(lambda m: self.words.get(m[1], m[0]) if m[2] is None else m[0], text)

    def figure_runs(self, template):
        """Runs of a sentence template: words, and each {code:unit} as the figure's number and its unit (the
        unit is left out when the figure is missing: the marker says why instead)."""
        runs, pos = [], 0
        for m in TOKEN.finditer(template):
            if m.start() > pos:
                runs.append(Run(template[pos:m.start()]))
            code, unit = m[1], m[2]
            if unit is None:
                runs.append(Run(self.words.get(code, m[0])))
            else:
                value = self.values.get(code)
                if value is None:  # not computed for this organisation type
                    runs.append(Run(MISSING.format("本组织不统计此项"), figure="", missing=True))
                elif value.is_missing:
                    runs.append(Run(MISSING.format(value.missing), figure=code, missing=True))
                else:
                    runs.append(Run(format_value(value.value), figure=code))
                    runs.append(Run(unit))
            pos = m.end()
        if pos < len(template):
            runs.append(Run(template[pos:]))
        return runs

    def slot(self, key, label, default="", *, lines=False):
        default = self.words_in(default)
        custom = key in self.narrative
        text = self.narrative[key] if custom else default
        self.slots[key] = Slot(key, label, default, text, custom, lines)
        return text

    def add(self, kind, runs, slot="", edit=False):
        block = Block(kind, list(runs), slot, edit)
        self.blocks.append(block)
        return block

    def user_paragraphs(self, key, text, before=()):
        """The slot's text as paragraphs (one per line), the first joined to `before` (system runs). The form
        goes under the first; an empty slot still gets a block for its form."""
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        if not lines:
            self.add("p", before, key, True)
            return
        for i, line in enumerate(lines):
            self.add("p", (list(before) if i == 0 else []) + [Run(line, user=True)], key, i == 0)

    def item_lines(self, key, label):
        """The numbered items a user adds in a slot, one per line (added_lines)."""
        return added_lines(self.slot(key, label, lines=True))

    # -- the document --

    def build(self):
        f = self.facts
        title = f"{f['year']}年抓基层党建工作述职报告"
        self.add("title", [Run(title)])
        byline = f["org"]["name"] + (f"书记　{f['secretary']}" if f.get("secretary") else "")
        self.add("byline", [Run(byline)])
        self.user_paragraphs("intro", self.slot("intro", "开头", INTRO))
        self.performance()
        self.problems_and_causes()
        self.measures()
        return Document(title, f["org"]["code"], f["org"]["name"], f["year"], f["as_of"], self.blocks, self.slots)

    def performance(self):
        self.add("h1", [Run("一、履职情况和成绩")])
        areas = [a for a in AREAS if applies(a.org_types, self.org_type)]
        by_area = {}
        for p in self.facts["last_year"]:
            by_area.setdefault(place(p["description"], self.placement, p["number"]), []).append(p)
        for n, area in enumerate(areas, 1):
            title = self.slot(f"title:{area.code}", f"第{numeral(n)}部分标题", area.title)
            self.add("h2", [Run(f"（{numeral(n)}）"), Run(title, user=True)], f"title:{area.code}", True)
            opening = self.opening(by_area.get(area.code, []))
            self.user_paragraphs(f"area:{area.code}", self.slot(f"area:{area.code}", f"第{numeral(n)}部分正文",
                                                                area.narrative), before=opening)
            runs = []
            for sentence in area.sentences:
                if applies(sentence.org_types, self.org_type):
                    runs += self.figure_runs(sentence.template)
            if runs:
                self.add("p", runs)
        # A problem placed in an area this organisation's report does not have: opened in the first one.
        shown = {a.code for a in areas}
        orphans = [p for code, ps in by_area.items() if code not in shown for p in ps]
        if orphans:
            first = next(i for i, b in enumerate(self.blocks) if b.slot == f"area:{areas[0].code}" and b.edit)
            self.blocks[first].runs[0:0] = self.opening(orphans)

    def opening(self, problems):
        """针对上年查摆出来的“…”问题，<its status>；“…”问题，<its status>。"""
        runs = []
        for i, p in enumerate(problems):
            runs.append(Run("针对上年查摆出来的" if i == 0 else "；"))
            runs.append(Run(f"{_quote(_clean(p['description']))}问题", record=("problem", p["pk"])))
            runs.append(Run(f"，{p['status_text']}"))
        if runs:
            runs.append(Run("。"))
        return runs

    def problems_and_causes(self):
        self.add("h1", [Run("二、存在问题和原因分析")])
        self.add("h2", [Run("（一）基层党建工作存在的主要问题")])
        items = []   # (key, runs, default cause)
        for p in self.facts["open"]:
            found = f"{p['year']}年" if p["year"] != self.facts["year"] else ""
            runs = [Run(_clean(p["description"]), record=("problem", p["pk"])),
                    Run(f"（{found}{p['source']}查摆，{p['status_label']}，整改时限{chinese_date(_date(p['deadline']))}）。")]
            items.append((f"p:{p['number']}", runs, p["cause"], p["description"]))
        for theme in self.facts["themes"]:
            runs = [Run(f"{theme['headline']}。")]
            sentences = {x.code: x.sentence for x in PATTERNS}
            parts = [self.figure_runs(sentences[code]) for code in theme["patterns"]]
            for i, part in enumerate(parts):
                runs += ([Run("，")] if i else []) + part
            runs.append(Run("。"))
            items.append((f"t:{theme['code']}", runs, "", theme["headline"]))
        n = 0
        for key, runs, _, _ in items:
            n += 1
            extra = self.slot(f"issue:{key}", f"问题{numeral(n)}的补充")
            self.add("p", [Run(f"{numeral(n)}是")] + runs + ([Run(extra, user=True)] if extra.strip() else []),
                     f"issue:{key}", True)
        for line in self.item_lines("issues_more", "补充的问题（每行一条）"):
            n += 1
            self.add("p", [Run(f"{numeral(n)}是"), Run(_sentence(line), user=True)])
        self.add("p", [], "issues_more", True)
        if n == 0:
            self.blocks.insert(len(self.blocks) - 1, Block("p", [Run(PROMPT.format("本年度存在的主要问题"), prompt=True)]))
        self.add("h2", [Run("（二）存在上述问题的主要原因")])
        n = 0
        for key, _, cause, description in items:
            n += 1
            text = self.slot(f"cause:{key}", f"原因{numeral(n)}", cause or "")
            if text.strip():
                runs = [Run(f"{numeral(n)}是"), Run(_sentence(text), user=True)]
            else:
                runs = [Run(f"{numeral(n)}是"),
                        Run(PROMPT.format(f"{_quote(_short(description))}的原因分析"), prompt=True)]
            self.add("p", runs, f"cause:{key}", True)
        for line in self.item_lines("causes_more", "补充的原因（每行一条）"):
            n += 1
            self.add("p", [Run(f"{numeral(n)}是"), Run(_sentence(line), user=True)])
        self.add("p", [], "causes_more", True)

    def measures(self):
        self.add("h1", [Run("三、下一步整改方向和措施")])
        self.user_paragraphs("measures_intro", self.slot("measures_intro", "第三部分开头", MEASURES_INTRO))
        n = 0
        for p in self.facts["open"]:
            n += 1
            key = f"measure_title:{p['number']}"
            title = self.slot(key, f"措施{numeral(n)}标题", f"抓好{_quote(_short(p['description']))}问题的整改")
            self.add("h2", [Run(f"（{numeral(n)}）"), Run(title, user=True)], key, True)
            measures = _clean(p["measures"])
            runs = ([Run(measures + "。", record=("problem", p["pk"]))] if measures else
                    [Run(MISSING.format(f"问题{p['number']}未填写整改措施"), missing=True)])
            due = [f"责任人：{p['owner']}"] if p["owner"] else []
            due.append(f"整改时限：{chinese_date(_date(p['deadline']))}前")
            runs.append(Run(f"（{'；'.join(due)}）"))
            self.add("p", runs)
        text = self.slot("measures_more", "补充的措施（每条之间空一行，第一行为标题）", lines=True)
        for chunk in re.split(r"\n\s*\n", text.strip()):
            lines = [ORDINAL_PREFIX.sub("", line).strip() for line in chunk.splitlines() if line.strip()]
            if not lines:
                continue
            n += 1
            self.add("h2", [Run(f"（{numeral(n)}）"), Run(lines[0], user=True)])
            for line in lines[1:]:
                self.add("p", [Run(line, user=True)])
        self.add("p", [], "measures_more", True)


def _date(text):
    return datetime.date.fromisoformat(text)


def added_lines(text):
    """The items typed in a slot, one per line; a leading 一是 / （一） typed is dropped (the numbering is the
    document's), and a line that was nothing else is no item."""
    return [item for item in (_item(line) for line in (text or "").splitlines()) if item]


def _item(line):
    return ORDINAL_PREFIX.sub("", line).strip()


def added_line_key(item):
    """The key of an added line in listable_issues: from its words, so a page opened before the list changed
    cannot list another line."""
    return "x:" + hashlib.sha1(item.encode("utf-8")).hexdigest()[:12]


def without_added_line(text, key):
    """`text` without the first line whose item has `key` (the user's other lines as they typed them)."""
    lines = (text or "").splitlines()
    for i, line in enumerate(lines):
        if _item(line) and added_line_key(_item(line)) == key:
            return "\n".join(lines[:i] + lines[i + 1:]).strip("\n")
    return text


@dataclass(frozen=True)
class Issue:
    """A problem the report admits that is not a rectification item yet."""

    key: str          # t:<theme> (a pattern of the year's findings) or x:<hash of its words> (a line added)
    description: str  # as the report writes it, figures included
    cause: str        # what the user wrote as its cause (a pattern's), else ""


def listable_issues(document):
    """The problems of 二、存在问题 that can be listed as rectification items (列入整改台账): the patterns of the
    findings and the lines the user added. The year's open problems are rectification items already."""
    issues = []
    for block in document.blocks:
        if block.slot.startswith("issue:t:") and block.edit:
            key = block.slot.removeprefix("issue:")
            text = "".join(r.text for r in block.runs[1:]).rstrip("。")  # runs[0] is the number (一是)
            cause = document.slots.get(f"cause:{key}")
            issues.append(Issue(key, text, cause.text.strip() if cause else ""))
    more = document.slots.get("issues_more")
    for item in added_lines(more.text if more else ""):
        issues.append(Issue(added_line_key(item), item.rstrip("。"), ""))
    return issues


def build_document(facts, narrative=None, placement=None):
    return Builder(facts, narrative, placement).build()


def slot_keys(facts, placement=None):
    """The slots a document of these facts has (what a user may write in)."""
    return set(build_document(facts, {}, placement).slots)


def figure_label(code):
    return FIGURES[code].label if code in FIGURES else code
