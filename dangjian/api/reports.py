"""/api/stats, /api/reports, /api/appraisal: the annual report cycle, read only, scoped like the pages.

- `GET /api/stats?org=&as_of=`: the 党内统计 of a subtree on a day, the very object `dangjian stats --format json`
  prints (`statistics(...).as_dict()`).
- `GET /api/reports/{code}/{year}`: the 述职报告 as the report page shows it: the report kept, else the facts read
  now (nothing is saved), its figures with their records and the whole draft as Markdown.
- `GET /api/appraisal/{code}/{year}`: the 述职评议 round of the year with the tally per secretary
  (`appraisal.queries.tally`). Ballots are anonymous: only counts are answered, never a ballot or a voter key.

The pages behind these are for staff only (系统管理员, 党务管理员, 支部书记/组织委员). Here the organisation asked for
goes through `visible_orgs`, which is empty for a 党员 and for a user without a role, so they get the API's usual
404 (as for any organisation out of sight), never the figures. ID numbers are masked in every answer, free
text included (a problem's description may quote one)."""
import re
from decimal import Decimal
from typing import Any

from ninja import Field, Query, Router, Schema

from dangjian.appraisal.models import Rating, ReportForm, Round
from dangjian.appraisal.queries import tally
from dangjian.core.errors import DomainError
from dangjian.core.masking import mask_id_number
from dangjian.organizations.models import LEADERSHIP_TYPES
from dangjian.reports import services as report_services
from dangjian.reports.document import build_document
from dangjian.reports.figures import FIGURES, check_year
from dangjian.reports.models import ReportStatus
from dangjian.reports.render import render as render_report
from dangjian.stats.output import parse_as_of
from dangjian.stats.tables import statistics

from .errors import NotFound
from .schemas import Error
from .scope import actor, filter_org_or_404, org_or_404

router = Router(tags=["述职与统计"])

ERRORS = {400: Error, 401: Error, 404: Error}
NOT_KEPT = "none"
NOT_KEPT_LABEL = "未起草（按当前记录生成，未保存）"

# An 18-character resident ID (17 digits and a check digit) standing alone in a text.
ID_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")


def mask_ids(value):
    """`value` (a str, or lists and dicts of them) with every ID number in it masked."""
    if isinstance(value, str):
        return ID_IN_TEXT.sub(lambda m: mask_id_number(m.group()), value)
    if isinstance(value, list):
        return [mask_ids(v) for v in value]
    if isinstance(value, dict):
        return {k: mask_ids(v) for k, v in value.items()}
    return value


def dec(value: Decimal | None):
    return None if value is None else str(value)


# ---- 党内统计 ----

class StatsOrg(Schema):
    code: str
    name: str


class StatsRow(Schema):
    key: str
    label: str
    level: int = Field(description="0：本表的一行；1、2：上一行的“其中”，不计入合计")
    count: int


class StatsTable(Schema):
    title: str
    unit: str
    total: int
    note: str
    rows: list[StatsRow]


class StatsOut(Schema):
    org: StatsOrg
    as_of: str
    exists: bool = Field(description="该组织在截至日期是否存在（否则各表均为0）")
    members: int
    tables: dict[str, StatsTable]


@router.get("/stats", response={200: StatsOut, **ERRORS}, summary="党内统计")
def stats(
    request,
    org: str = Query(None, description="组织编码：统计该组织及其下级，必填"),
    as_of: str = Query(None, description="截至日期（YYYY-MM-DD），必填"),
):
    """与 `dangjian stats --org 编码 --as-of 日期 --format json` 输出的对象相同。"""
    user = actor(request)
    if not (org or "").strip():
        raise DomainError("请填写组织编码（org）", field="org", code="REQUIRED")
    day = parse_as_of(as_of)
    root = filter_org_or_404(user, org, field="org")
    return statistics(root, day).as_dict()


# ---- 述职报告 ----

def leadership_org(user, code, message):
    org = org_or_404(user, code)
    if org.org_type not in LEADERSHIP_TYPES:
        raise NotFound(message)
    return org


class RecordOut(Schema):
    label: str
    date: str | None
    kind: str = Field(description="记录类别：meeting、letter、case、problem、org、election、party_home、project、matter、finding")
    key: Any = Field(description="记录的标识（会议、问题等的 id，组织编码，或 [组织编码, 年度, id]、[组织编码, 规则编号]）")
    counts: bool = Field(description="是否计入该数字（不计入的在 detail 中说明原因）")
    detail: str


class FigureOut(Schema):
    code: str
    label: str
    unit: str
    value: str | None = Field(description="数字（文本）；null 表示记录不足以支撑该数字")
    missing: str = Field(description="数字缺失的原因；有数字时为空")
    records: list[RecordOut]


class LastYearProblemOut(Schema):
    pk: int
    number: str
    description: str
    status: str
    status_label: str
    status_text: str


class OpenProblemOut(Schema):
    pk: int
    number: str
    year: int
    description: str
    cause: str
    measures: str
    deadline: str
    owner: str
    source: str
    status_label: str


class ReportOut(Schema):
    org: str
    org_name: str
    year: int
    status: str = Field(description="none（未起草：按当前记录生成）、draft 草稿、submitted 已提交")
    status_label: str
    as_of: str
    secretary: str
    generated_at: str | None
    figures: list[FigureOut]
    last_year: list[LastYearProblemOut]
    open: list[OpenProblemOut]
    markdown: str = Field(description="整篇草稿（Markdown）")


def figures_of(facts):
    out = []
    for code, figure in FIGURES.items():
        data = facts["figures"].get(code)
        if data is None:
            continue
        out.append({"code": code, "label": figure.label, "unit": figure.unit, "value": data["value"],
                    "missing": data.get("missing", "") if data["value"] is None else "",
                    "records": [{"label": r["label"], "date": r.get("date"), "kind": r.get("kind", ""),
                                 "key": r.get("key"), "counts": r.get("counts", True), "detail": r.get("detail", "")}
                                for r in data.get("records", ())]})
    return out


@router.get("/reports/{code}/{year}", response={200: ReportOut, **ERRORS}, summary="述职报告")
def report(request, code: str, year: str):
    """述职报告草稿，与述职报告页面所示相同：已保存的报告，或尚未起草时按当前记录生成（不保存）。"""
    org = leadership_org(actor(request), code, "党小组不单独述职")
    year = check_year(year)
    kept, facts = report_services.report_and_facts(org, year)
    narrative, placement = (kept.narrative, kept.placement) if kept else ({}, {})
    document = build_document(facts, narrative, placement)
    return mask_ids({
        "org": org.code, "org_name": org.name, "year": year,
        "status": kept.status if kept else NOT_KEPT,
        "status_label": ReportStatus(kept.status).label if kept else NOT_KEPT_LABEL,
        "as_of": facts["as_of"], "secretary": facts.get("secretary", ""), "generated_at": facts.get("generated_at"),
        "figures": figures_of(facts), "last_year": facts.get("last_year", []), "open": facts.get("open", []),
        "markdown": render_report(document, ".md").decode("utf-8"),
    })


# ---- 述职评议 ----

class GradeOut(Schema):
    value: str
    label: str


class ReporterOut(Schema):
    org: str
    org_name: str
    member_name: str
    form: str
    form_label: str
    counts: dict[str, int] = Field(description="各等次的票数：好、较好、一般、差")
    valid: int = Field(description="有效票")
    good_share: str | None = Field(description="好票率（%）")
    good_or_fair_share: str | None = Field(description="好和较好票率（%）")
    rating_score: str | None = Field(description="评议得分")
    assessment: str | None = Field(description="考核得分（党建目标责任书）；未考核为 null")
    combined: str | None = Field(description="综合得分")
    grade: GradeOut | None = Field(description="综合评价；缺考核得分或评议票时为 null")


class RoundOut(Schema):
    id: int
    title: str
    held_on: str
    status: str = Field(description="open 计票中、closed 已结束计票")
    status_label: str
    closed_on: str | None
    ballots: int = Field(description="评议票张数（含网上评议）")
    reporters: list[ReporterOut]


class RatingOut(Schema):
    value: str
    label: str


class AppraisalOut(Schema):
    org: str
    org_name: str
    year: int
    ratings: list[RatingOut]
    rounds: list[RoundOut]


def appraisal_year(text):
    text = (text or "").strip()
    if not (text.isascii() and text.isdigit() and len(text) == 4 and int(text) >= 1900):
        raise DomainError(f"年度“{text}”不正确，应为四位数年份，如2018", field="year", code="YEAR")
    return int(text)


def reporter_out(t):
    r = t.reporter
    return {"org": r.org.code, "org_name": r.org.name, "member_name": r.member.name, "form": r.form,
            "form_label": ReportForm(r.form).label, "counts": {v: t.counts[v] for v in Rating.values},
            "valid": t.valid, "good_share": dec(t.good_share), "good_or_fair_share": dec(t.good_or_fair_share),
            "rating_score": dec(t.rating_score), "assessment": dec(t.assessment), "combined": dec(t.combined),
            "grade": {"value": t.grade, "label": Rating(t.grade).label} if t.grade else None}


@router.get("/appraisal/{code}/{year}", response={200: AppraisalOut, **ERRORS}, summary="述职评议计票结果")
def appraisal(request, code: str, year: str):
    """该组织该年度组织的述职评议及每名述职人的计票结果。评议票不记名：只有票数，没有评议人。"""
    org = leadership_org(actor(request), code, "党小组不组织述职评议")
    year = appraisal_year(year)
    rounds = []
    for round_ in Round.objects.filter(org=org, year=year).order_by("held_on", "id"):
        rounds.append({
            "id": round_.pk, "title": round_.title, "held_on": round_.held_on.isoformat(),
            "status": "closed" if round_.closed_on else "open",
            "status_label": "已结束计票" if round_.closed_on else "计票中",
            "closed_on": round_.closed_on.isoformat() if round_.closed_on else None,
            "ballots": round_.ballots.count(),
            "reporters": [reporter_out(t) for t in tally(round_)],
        })
    return {"org": org.code, "org_name": org.name, "year": year,
            "ratings": [{"value": v, "label": label} for v, label in Rating.choices], "rounds": rounds}
