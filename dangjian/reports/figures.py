"""The figures of the 述职报告: one registry entry per "X" of the seed (REPORT.md's table), and the figures of
the patterns the year's findings show (存在问题's proposals).

A figure is computed for an organisation's subtree (as the tree stands now, like `dangjian check`) and a year,
up to the as-of date (31 December, or today for the running year). It gives its value and the records it counts,
so every number of the report opens the list behind it. `value` None means the records cannot support the
figure (the report says 【数据缺失：reason】); zero is a value like any other and is written 0.

Where a record leaves out what a figure needs (a 党建工作会议 without its 主持人, a 党委会 without its 议题类别),
the record is listed as not counted with the reason; only when no record of the kind keeps that fact at all is
the figure missing: counting them would invent it, and a 0 would say something the records do not.
"""
import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q

from dangjian.core.dates import today
from dangjian.core.errors import DomainError
from dangjian.organizations.models import BRANCH_TYPES, CommitteePost, Election, Organization, OrgType, Post, under

FIRST_YEAR = 1900
COMMITTEE_ONLY = (OrgType.COMMITTEE,)


@dataclass(frozen=True)
class Record:
    """One record behind a figure: what it is, its date, the page that shows it (`kind`, `key`: a meeting pk,
    an organisation code, …), whether it counts (a record listed but not counted says why in `detail`)."""

    label: str
    date: datetime.date | None = None
    kind: str = ""
    key: object = None
    counts: bool = True
    detail: str = ""

    def as_dict(self):
        return {"label": self.label, "date": self.date.isoformat() if self.date else None, "kind": self.kind,
                "key": self.key, "counts": self.counts, "detail": self.detail}

    @classmethod
    def from_dict(cls, d):
        return cls(label=d["label"], date=datetime.date.fromisoformat(d["date"]) if d.get("date") else None,
                   kind=d.get("kind", ""), key=d.get("key"), counts=d.get("counts", True), detail=d.get("detail", ""))


@dataclass
class Value:
    value: int | Decimal | None
    records: list = field(default_factory=list)
    missing: str = ""   # why the records cannot support the figure (value None)

    @property
    def is_missing(self):
        return self.value is None

    def as_dict(self):
        kind = "decimal" if isinstance(self.value, Decimal) else "int"
        return {"value": None if self.value is None else str(self.value), "type": kind, "missing": self.missing,
                "records": [r.as_dict() for r in self.records]}

    @classmethod
    def from_dict(cls, d):
        raw = d.get("value")
        value = None if raw is None else (Decimal(raw) if d.get("type") == "decimal" else int(raw))
        return cls(value, [Record.from_dict(r) for r in d.get("records", ())], d.get("missing", ""))


def format_value(value):
    """How a figure is written: an int as is, an amount without trailing zeros (12.50 → 12.5, 30.00 → 30)."""
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f")
        return text if text != "-0" else "0"
    return str(value)


@dataclass(frozen=True)
class Figure:
    code: str
    label: str          # what it counts, for its records page
    unit: str
    source: str         # REPORT.md's "counted from"
    compute: object     # (ctx) -> Value
    org_types: tuple = ()   # the organisations it is written for (empty: all)


class FigureContext:
    """What the figures of one report read: the organisation, the year up to the as-of date, the subtree
    (one query) and, once, the year's findings."""

    def __init__(self, org, year, as_of=None):
        self.org = org
        self.year = year
        self.first = datetime.date(year, 1, 1)
        self.last = as_of or as_of_for(year)
        self.orgs = list(Organization.objects.filter(under(org.path)).order_by("path"))
        self.by_id = {o.pk: o for o in self.orgs}
        self._findings = None

    @property
    def ids(self):
        return list(self.by_id)

    @property
    def below(self):
        """The subtree without the organisation itself: what it guided, founded, led."""
        return [o for o in self.orgs if o.pk != self.org.pk]

    def in_year(self, day):
        return day is not None and self.first <= day <= self.last

    @property
    def findings(self):
        if self._findings is None:
            from dangjian.rules.engine import Window, run_checks

            self._findings = run_checks(root=self.org, window=Window(self.last))
        return self._findings


def as_of_for(year):
    """A past year is read as of its 31 December, the running year as of today."""
    return min(datetime.date(year, 12, 31), today())


def check_year(value):
    """The report's year from what was typed: four digits, not after this year."""
    text = str(value if value is not None else "").strip()
    if not text.isascii() or not text.isdigit() or len(text) != 4:
        raise DomainError(f"年度“{text}”不正确，应为四位数年份，如2018", field="year", code="YEAR")
    year = int(text)
    if not FIRST_YEAR <= year <= today().year:
        raise DomainError(f"年度{year}不在{FIRST_YEAR}年至今年之间，不能起草该年度的述职报告", field="year", code="YEAR")
    return year


# ---- the seed's figures ----

def _meetings(ctx, types, orgs=None):
    """Meetings of `orgs` (default: the organisation itself) counting as any of `types`, in the year."""
    from dangjian.meetings.models import Meeting

    return list(Meeting.objects.filter(org__in=orgs or [ctx.org], kinds__kind__in=types,
                                       held_on__gte=ctx.first, held_on__lte=ctx.last)
                .distinct().select_related("org", "chair").prefetch_related("kinds").order_by("held_on", "id"))


def letters(ctx):
    from dangjian.responsibility.models import Letter

    rows = (Letter.objects.filter(from_org=ctx.org, year=ctx.year).select_related("to_org")
            .order_by("to_org__path"))
    return Value(len(rows), [Record(f"{x.to_org.name}：{x.title}", x.signed_on, "letter", x.pk) for x in rows])


def work_conferences(ctx):
    """党建工作会议 of the organisation chaired by whoever was its 书记 on the day."""
    from dangjian.meetings.models import MeetingType

    meetings = _meetings(ctx, [MeetingType.WORK_CONFERENCE])
    posts = list(CommitteePost.objects.filter(org=ctx.org, post=Post.SECRETARY, started_on__lte=ctx.last)
                 .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=ctx.first)))
    records = []
    for m in meetings:
        secretary = any(p.member_id == m.chair_id and p.is_held_on(m.held_on) for p in posts)
        detail = "" if secretary else ("未登记主持人" if not m.chair_id else f"主持人{m.chair.name}当日不是书记")
        records.append(Record(m.subject, m.held_on, "meeting", m.pk, secretary, detail))
    if not posts:
        return Value(None, records, "本年度没有书记任职记录，无法认定由书记主持的党建工作会议")
    if meetings and not any(m.chair_id for m in meetings):
        return Value(None, records, f"{len(meetings)}次党建工作会议均未登记主持人")
    return Value(sum(r.counts for r in records), records)


def committee_party_building(ctx):
    """党委会 of the organisation with 党建 among its 议题类别."""
    from dangjian.meetings.models import MeetingType, Topic

    meetings = _meetings(ctx, [MeetingType.COMMITTEE])
    records = [Record(m.subject, m.held_on, "meeting", m.pk, Topic.PARTY_BUILDING in m.topics,
                      "" if Topic.PARTY_BUILDING in m.topics else (f"议题：{m.topic_labels}" if m.topics else "未登记议题类别"))
               for m in meetings]
    if meetings and not any(m.topics for m in meetings):
        return Value(None, records, f"{len(meetings)}次党委会均未登记议题类别")
    return Value(sum(r.counts for r in records), records)


def party_offices(ctx):
    """The organisations directly below (the second level) with 设立党务工作机构 = 是, existing on the as-of date."""
    children = [o for o in ctx.orgs if o.parent_id == ctx.org.pk and o.org_type != OrgType.PARTY_GROUP
                and o.exists_on(ctx.last)]
    records = [Record(o.name, None, "org", o.code, o.has_party_office, "" if o.has_party_office else "未设立党务工作机构")
               for o in children]
    return Value(sum(r.counts for r in records), records)


def committee_meetings(ctx):
    """党委会, 书记碰头会 and 党委扩大会 of the organisation: one meeting counts once, whatever its types."""
    from dangjian.meetings.models import MeetingType

    meetings = _meetings(ctx, [MeetingType.COMMITTEE, MeetingType.SECRETARIES, MeetingType.COMMITTEE_EXTENDED])
    return Value(len(meetings), [Record(f"{m.type_labels}：{m.subject}", m.held_on, "meeting", m.pk) for m in meetings])


def major_matters(ctx):
    """三重一大 matters of the organisation (its 党委's register, governance app) whose 前置研究日期 falls in the year:
    what its committee studied first. A matter the 党委会 decided itself has no prior study and is not counted."""
    from dangjian.governance.models import Matter

    rows = (Matter.objects.filter(org=ctx.org, studied_on__gte=ctx.first, studied_on__lte=ctx.last)
            .select_related("org").order_by("studied_on", "number"))
    return Value(len(rows), [Record(f"{m.number} {m.name}", m.studied_on, "matter",
                                    [m.org.code, m.decided_on.year, m.pk], detail=f"{m.get_deciding_body_display()}{m.decided_on:%Y-%m-%d}决策")
                             for m in rows])


def party_homes(ctx):
    """党员之家 of the subtree opened on or before the as-of date."""
    from dangjian.meetings.models import PartyHome

    rows = (PartyHome.objects.filter(org__in=ctx.ids, opened_on__lte=ctx.last).select_related("org")
            .order_by("org__path", "name"))
    return Value(len(rows), [Record(f"{h.org.name}：{h.name}", h.opened_on, "party_home", h.org.code) for h in rows])


def new_branches(ctx):
    """党支部 (and 联合/临时党支部) below the organisation founded in the year."""
    rows = [o for o in ctx.below if o.org_type in BRANCH_TYPES and ctx.in_year(o.founded_on)]
    return Value(len(rows), [Record(o.name, o.founded_on, "org", o.code) for o in rows])


def elections(ctx):
    """Organisations below that held a 换届选举 in the year (the sentence counts organisations; each election
    is listed)."""
    below = [o.pk for o in ctx.below]
    rows = (Election.objects.filter(org__in=below, held_on__gte=ctx.first, held_on__lte=ctx.last)
            .select_related("org").order_by("held_on", "org__path"))
    return Value(len({e.org_id for e in rows}),
                 [Record(f"{e.org.name}换届选举", e.held_on, "election", e.org.code) for e in rows])


def _steps(ctx, step):
    """Cases of the subtree's branches with `step` dated in the year: one per case (the first record)."""
    from dangjian.recruitment.models import CaseStep

    rows = (CaseStep.objects.filter(step=step, case__org__in=ctx.ids, date__gte=ctx.first, date__lte=ctx.last)
            .select_related("case__org").order_by("date", "case__name", "id"))
    seen, records = set(), []
    for s in rows:
        if s.case_id in seen:
            continue
        seen.add(s.case_id)
        records.append(Record(f"{s.case.name}（{s.case.org.name}）", s.date, "case", s.case_id))
    return Value(len(records), records)


def activists(ctx):
    return _steps(ctx, 3)


def candidates(ctx):
    return _steps(ctx, 7)


def approved(ctx):
    return _steps(ctx, 17)


def _projects(ctx, kind):
    from dangjian.assistance.queries import projects_in

    return [p for p in projects_in(ctx.org, ctx.year) if p.kind == kind and p.started_on <= ctx.last]


def _project_record(p, detail=""):
    return Record(f"{p.code} {p.name}（{p.target}）", p.started_on, "project", p.org.code, detail=detail)


def first_secretaries(ctx):
    """The members stationed as 驻村第一书记 by projects running in the year (a person counts once)."""
    from dangjian.assistance.models import ProjectKind

    projects = _projects(ctx, ProjectKind.FIRST_SECRETARY)
    return Value(len({p.member_id for p in projects}),
                 [_project_record(p, p.member.name if p.member_id else "") for p in projects])


def _money(kind, attr, label):
    def compute(ctx):
        projects = _projects(ctx, kind)
        records = [_project_record(p, "未填写" + label if getattr(p, attr) is None
                                   else f"{label}{format_value(getattr(p, attr))}万元") for p in projects]
        unknown = [p.code for p in projects if getattr(p, attr) is None]
        if unknown:
            return Value(None, records, f"帮扶项目{'、'.join(unknown)}未填写{label}")
        return Value(sum((getattr(p, attr) for p in projects), Decimal("0.00")), records)
    return compute


def last_year_problems(ctx):
    """The problems the organisation found the year before (REPORT.md's 上年查摆出来的问题), with their status."""
    from dangjian.rectification.models import Problem

    rows = Problem.objects.filter(org=ctx.org, year=ctx.year - 1).order_by("number")
    return Value(len(rows), [Record(f"{p.number} {p.description[:60]}", p.deadline, "problem", p.pk,
                                    detail=p.status_label_on(ctx.last)) for p in rows])


def open_problems(ctx):
    """The organisation's problems of the year's ledger still open on the as-of date (整改中 or 逾期未完成)."""
    rows = open_problem_list(ctx)
    return Value(len(rows), [Record(f"{p.number} {p.description[:60]}", p.deadline, "problem", p.pk,
                                    detail=p.status_label_on(ctx.last)) for p in rows])


def open_problem_list(ctx):
    from dangjian.rectification.models import OVERDUE, ProblemState
    from dangjian.rectification.queries import problems_for_year

    rows = problems_for_year(Organization.objects.filter(pk=ctx.org.pk), ctx.year).order_by("year", "number")
    return [p for p in rows if p.status_on(ctx.last) in (ProblemState.OPEN, OVERDUE)]


SEED_FIGURES = (
    Figure("letters", "签订的党建目标责任书", "份", "本组织下达的本年度党建目标责任书", letters, COMMITTEE_ONLY + (OrgType.GENERAL_BRANCH,)),
    Figure("work_conferences", "书记主持召开的党建工作会议", "次", "本组织由书记主持的党建工作会议", work_conferences),
    Figure("committee_party_building", "研究党建议题的党委会", "次", "本组织议题类别含“党建”的党委会", committee_party_building,
           COMMITTEE_ONLY),
    Figure("party_offices", "设立党务工作机构的下级组织", "个", "直属下级组织中“设立党务工作机构”为是的", party_offices, COMMITTEE_ONLY),
    Figure("committee_meetings", "党委会、书记碰头会、党委扩大会", "次", "本组织的党委会、书记碰头会和党委扩大会", committee_meetings,
           COMMITTEE_ONLY),
    Figure("major_matters", "前置研究的“三重一大”事项", "项", "前置研究日期在本年度的三重一大事项", major_matters, COMMITTEE_ONLY),
    Figure("party_homes", "党员之家", "家", "下属各级组织的党员之家", party_homes),
    Figure("new_branches", "新建的党支部", "个", "本年度成立的下级党支部", new_branches),
    Figure("elections", "换届的党组织", "个", "本年度进行换届选举的下级党组织", elections),
    Figure("activists", "确定的入党积极分子", "名", "本年度“确定入党积极分子”（第3步）", activists),
    Figure("candidates", "确定的发展对象", "名", "本年度“确定发展对象”（第7步）", candidates),
    Figure("approved", "批准的预备党员", "名", "本年度“上级党委审批”（第17步）", approved),
    Figure("first_secretaries", "驻村第一书记", "名", "本年度实施的驻村第一书记帮扶项目", first_secretaries),
    Figure("equity_invested", "产业入股投入", "万元", "本年度实施的产业入股项目的投入金额",
           _money("equity", "invested", "投入金额")),
    Figure("equity_return", "产业入股年分红", "万元", "本年度实施的产业入股项目的年收益", _money("equity", "annual_return", "年收益")),
    Figure("investment_invested", "产业投资投入", "万元", "本年度实施的产业投资项目的投入金额",
           _money("investment", "invested", "投入金额")),
    Figure("last_year_problems", "上年度查摆的问题", "项", "本组织上一年度的整改问题及其整改情况", last_year_problems),
    Figure("open_problems", "尚未完成整改的问题", "项", "本组织本年度整改台账中尚未完成整改的问题", open_problems),
)


# ---- the patterns of the year's findings (存在问题's proposals) ----

@dataclass(frozen=True)
class Pattern:
    """A pattern the year's findings may show: the rules it gathers, the theme (问题) it belongs to and its
    sentence, with `{code_orgs}` (distinct organisations, or people for per-person rules) and `{code_count}`
    (findings: months, quarters, meetings…)."""

    code: str
    rules: tuple
    theme: str
    sentence: str
    by_person: bool = False   # count the people concerned instead of the organisations


THEMES = {
    "life": "基层组织生活还不够规范",
    "organisation": "基层组织建设还有薄弱环节",
    "recruitment": "发展党员工作程序还不够严格",
    "dues": "党费收缴管理还不够严格",
    "education": "党员教育培训还不到位",
    "governance": "“三重一大”事项前置研究落实不到位",
    "rectification": "问题整改落实还不够及时",
}

PATTERNS = (
    Pattern("theme_day", ("MTG-09",), "life", "{theme_day_orgs:个}党支部有{theme_day_count:个}月未开展主题党日"),
    Pattern("branch_general", ("MTG-01",), "life",
            "{branch_general_orgs:个}党支部（党总支）有{branch_general_count:个}季度未召开支部党员大会"),
    Pattern("branch_committee", ("MTG-05",), "life",
            "{branch_committee_orgs:个}党支部有{branch_committee_count:个}月未召开支部委员会"),
    Pattern("group", ("MTG-06",), "life", "{group_orgs:个}党小组有{group_count:个}月未召开党小组会"),
    Pattern("lecture", ("MTG-08",), "life", "{lecture_orgs:个}党支部有{lecture_count:个}季度未上党课"),
    Pattern("life_meeting", ("MTG-10",), "life", "{life_meeting_orgs:个}党支部全年未召开组织生活会"),
    Pattern("appraisal", ("MTG-12",), "life", "{appraisal_orgs:个}党支部全年未开展民主评议党员"),
    Pattern("democratic_life", ("MTG-15",), "life", "{democratic_life_orgs:个}党委全年未召开民主生活会"),
    Pattern("secretary_lecture", ("MTG-16",), "life", "{secretary_lecture_orgs:名}书记全年未讲党课", by_person=True),
    Pattern("votes", ("MTG-02", "MTG-05Q"), "life", "{votes_count:次}会议的到会人数或表决不符合规定"),
    Pattern("terms", ("TERM-02",), "organisation", "{terms_orgs:个}党组织应换未换"),
    Pattern("vacancy", ("TERM-04",), "organisation", "{vacancy_orgs:个}党组织书记空缺"),
    Pattern("structure", ("ORG-01", "ORG-02", "ORG-05", "ORG-09"), "organisation",
            "{structure_orgs:个}党组织的设置或班子配备不符合规定"),
    Pattern("election_rules", ("ELE-02", "ELE-05"), "organisation", "{election_rules_count:次}换届选举不符合差额或到会人数规定"),
    Pattern("recruitment", ("DEV-",), "recruitment", "{recruitment_orgs:名}入党申请人的发展程序有{recruitment_count:处}不符合规定",
            by_person=True),
    Pattern("dues", ("DUES-",), "dues", "{dues_orgs:名}党员有{dues_count:处}党费交纳问题", by_person=True),
    Pattern("education", ("EDU-",), "education", "{education_orgs:名}党员全年学习培训学时不足", by_person=True),
    Pattern("prior_study", ("SOE-03",), "governance", "{prior_study_count:项}“三重一大”事项未按规定前置研究"),
    Pattern("overdue", ("RECT-01",), "rectification", "{overdue_count:项}整改问题逾期未完成"),
)


def _matches(pattern, rule):
    return any(rule == r or (r.endswith("-") and rule.startswith(r)) for r in pattern.rules)


def pattern_findings(ctx, pattern):
    return [f for f in ctx.findings if _matches(pattern, f.rule)]


def _finding_record(ctx, f):
    org = ctx.by_id.get(f.org_id)
    when = f.period or (f.date.isoformat() if f.date else "")
    return Record(f"{f.rule} {org.name if org else f.org}{('（' + when + '）') if when else ''}：{f.message}", f.date,
                  "finding", [f.org, f.rule])


def _pattern_orgs(pattern):
    def compute(ctx):
        found = pattern_findings(ctx, pattern)
        seen, records = set(), []
        for f in found:
            key = (f.person or f.org) if pattern.by_person else f.org_id
            if key in seen:
                continue
            seen.add(key)
            records.append(_finding_record(ctx, f))
        return Value(len(seen), records)
    return compute


def _pattern_count(pattern):
    def compute(ctx):
        found = pattern_findings(ctx, pattern)
        return Value(len(found), [_finding_record(ctx, f) for f in found])
    return compute


PATTERN_FIGURES = tuple(
    fig for p in PATTERNS for fig in (
        Figure(f"{p.code}_orgs", ("涉及的人员" if p.by_person else "涉及的党组织") + f"（{'、'.join(p.rules)}）",
               "名" if p.by_person else "个", f"本年度检查结果 {'、'.join(p.rules)}", _pattern_orgs(p)),
        Figure(f"{p.code}_count", f"检查结果（{'、'.join(p.rules)}）", "条", f"本年度检查结果 {'、'.join(p.rules)}",
               _pattern_count(p)),
    )
)

FIGURES = {f.code: f for f in SEED_FIGURES + PATTERN_FIGURES}


def compute_figures(ctx, codes=None):
    """{code: Value} for the registry (or `codes`), in its order."""
    return {code: FIGURES[code].compute(ctx) for code in (codes or FIGURES)}
