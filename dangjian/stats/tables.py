"""党内统计 as of any date: the members and organisations of a subtree as it stood on the day, and the year's
changes up to that day.

Everything is read from dated facts only: the members' events (`compute_state`), the organisations' founding
and dissolution dates and their `ParentLink` history (`tree_on`). A later event is dated later, so it cannot
change an earlier day's figures: 2018-12-31 gives the same tables whenever it is asked.

Who counts on a day (RULES.md, the window): a member in good standing on that day, from the 入党日期 as 预备
and from the 转正日期 as 正式; not suspended, not left. An event counts from its own day on (`compute_state`
applies an event dated on the day), so a member admitted on the day counts, one who left on the day does not.
The member must be held by an organisation of the subtree as it stood that day, existing that day.

学历, 工作岗位, 民族 and 领导干部 have no dated history in the records: they are read as recorded now (a
correction made later shows in every date's tables; the counts of who was a member on the day do not move).
"""
import datetime
from bisect import bisect_right
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from dangjian.core.dates import age_on
from dangjian.members.models import Education, EventKind, Member, MemberEvent, PostCategory, Sex, Stage, compute_state
from dangjian.organizations.models import Organization, OrgType, ParentLink
from dangjian.organizations.queries import tree_on

COUNTED = (Stage.PROBATIONARY, Stage.FULL)
HAN = "汉族"
NOT_RECORDED = "未登记"

# ---- the bands, as data (one place) ----

# 年龄 on the as-of date in completed years (the birthday itself counts): the bands of the 党内统计年报's
# 党员基本情况 table (rulebook STAT-04). The published bulletin's "61岁及以上" (STAT-06) is the sum of the
# last three. (key, label, lowest, highest), both ends included, None = open.
AGE_BANDS = (
    ("le30", "30岁及以下", None, 30),
    ("31_35", "31—35岁", 31, 35),
    ("36_40", "36—40岁", 36, 40),
    ("41_45", "41—45岁", 41, 45),
    ("46_50", "46—50岁", 46, 50),
    ("51_55", "51—55岁", 51, 55),
    ("56_60", "56—60岁", 56, 60),
    ("61_65", "61—65岁", 61, 65),
    ("66_70", "66—70岁", 66, 70),
    ("ge71", "71岁及以上", 71, None),
)

# 党龄 counts from the 转正日期 (党章第七条 "党龄，从预备期满转为正式党员之日算起", rulebook DEV-19), in completed
# years on the as-of date. The rulebook names no bands; these step by ten years after the first five and end
# at 50 (the 光荣在党50年 mark). A 预备党员 has no 党龄 yet; an old 正式党员 record without 转正日期 has an
# unknown one: both get their own row, so the table still adds up to every member.
PARTY_AGE_BANDS = (
    ("lt5", "不满5年", None, 4),
    ("5_9", "5—9年", 5, 9),
    ("10_19", "10—19年", 10, 19),
    ("20_29", "20—29年", 20, 29),
    ("30_39", "30—39年", 30, 39),
    ("40_49", "40—49年", 40, 49),
    ("ge50", "50年及以上", 50, None),
)
PARTY_AGE_PROBATIONARY = ("probationary", "预备党员（不计党龄）")
PARTY_AGE_UNKNOWN = ("unknown", "正式党员（转正日期未登记）")

D = datetime.date
# 入党时间 by the 入党日期: the periods of the 年报's 党员入党时间情况 table (rulebook STAT-05, 2017 form).
# (key, label, first day, last day), both included, None = open.
JOINED_BANDS = (
    ("to_1937_07_06", "1937年7月6日及以前", None, D(1937, 7, 6)),
    ("to_1945_09_02", "1937年7月7日至1945年9月2日", D(1937, 7, 7), D(1945, 9, 2)),
    ("to_1949_09", "1945年9月3日至1949年9月", D(1945, 9, 3), D(1949, 9, 30)),
    ("to_1966_04", "1949年10月至1966年4月", D(1949, 10, 1), D(1966, 4, 30)),
    ("to_1976_10", "1966年5月至1976年10月", D(1966, 5, 1), D(1976, 10, 31)),
    ("to_1978_12", "1976年11月至1978年12月", D(1976, 11, 1), D(1978, 12, 31)),
    ("to_2002_10", "1979年1月至2002年10月", D(1979, 1, 1), D(2002, 10, 31)),
    ("to_2012_10", "2002年11月至2012年10月", D(2002, 11, 1), D(2012, 10, 31)),
    ("from_2012_11", "2012年11月以后", D(2012, 11, 1), None),
)

BRANCH_KINDS = (OrgType.BRANCH, OrgType.JOINT_BRANCH, OrgType.TEMPORARY_BRANCH)
# The ways off the roll the 出党 row sums (rulebook STAT-03: 出党, 死亡, 停止党籍 and 转出 are separate removals).
LEFT_KINDS = (EventKind.WITHDREW, EventKind.STRUCK_OFF, EventKind.EXPELLED, EventKind.PERSUADED)


def _in_band(value, low, high):
    return (low is None or value >= low) and (high is None or value <= high)


def band_of(bands, value):
    return next(key for key, _, low, high in bands if _in_band(value, low, high))


# ---- the tables ----

@dataclass
class Row:
    """One line of a table. `level` 1 (or 2) is a breakdown of the line above it ("其中"), not part of the
    table's total. `items` are what the count counts — member pks (with the event's date for the changes) or
    organisation pks — so every figure can be opened; None for a derived figure (应有数, 差额)."""

    key: str
    label: str
    count: int
    level: int = 0
    items: list | None = None


@dataclass
class Table:
    key: str
    title: str
    rows: list
    total: int
    unit: str = "人"
    subject: str = "member"   # what `items` are: "member" or "org"
    note: str = ""

    def row(self, key):
        return next(r for r in self.rows if r.key == key)

    def counts(self):
        return {r.key: r.count for r in self.rows}

    def as_dict(self):
        return {"title": self.title, "unit": self.unit, "total": self.total, "note": self.note,
                "rows": [{"key": r.key, "label": r.label, "level": r.level, "count": r.count} for r in self.rows]}


def _row(key, label, items, level=0):
    return Row(key, label, len(items), level, list(items))


def _table(key, title, rows, **kw):
    return Table(key, title, rows, sum(r.count for r in rows if r.level == 0), **kw)


@dataclass
class Statistics:
    root: Organization
    as_of: datetime.date
    exists: bool          # the root existed on the day (else every table is empty)
    members: int
    tables: list = field(default_factory=list)

    def table(self, key):
        return next(t for t in self.tables if t.key == key)

    def as_dict(self):
        """The JSON of `dangjian stats --format json`."""
        return {"org": {"code": self.root.code, "name": self.root.name}, "as_of": self.as_of.isoformat(),
                "exists": self.exists, "members": self.members,
                "tables": {t.key: t.as_dict() for t in self.tables}}


# ---- the tree and the members as they stood ----

class TreeHistory:
    """The subtree at `root` on any day, from `tree_on`. The tree only changes on a founding, dissolution or
    re-parenting day, so it is computed once per stretch between such days, however many days are asked."""

    def __init__(self, root):
        self.root = root
        days = set(ParentLink.objects.values_list("valid_from", flat=True))
        for founded, dissolved in Organization.objects.values_list("founded_on", "dissolved_on"):
            days.add(founded)
            if dissolved:
                days.add(dissolved)
        self.change_days = sorted(days)
        self._orgs = {}
        self._days = {}

    def orgs_on(self, day):
        """{pk: Organization} of the subtree on `day` (organisations existing that day)."""
        i = bisect_right(self.change_days, day)
        stretch = self.change_days[i - 1] if i else None
        if stretch not in self._orgs:
            self._orgs[stretch] = {org.pk: org for _, org in tree_on(day, root=self.root)} if stretch else {}
        return self._orgs[stretch]

    def days_between(self, start, end):
        """The days in (start, end] on which this subtree changed (a change elsewhere in the tree is skipped:
        it cannot move anyone into or out of the count). Asked once per member: kept."""
        if (start, end) in self._days:
            return self._days[start, end]
        days, before = [], set(self.orgs_on(start))
        for day in self.change_days:
            if start < day <= end:
                now = set(self.orgs_on(day))
                if now != before:
                    days.append(day)
                before = now
        self._days[start, end] = days
        return days


def _histories(org_ids):
    """[(member, events)] of every member with an event held by one of `org_ids` (admitted or transferred
    there): nobody else can have been held by them. Three queries; each event's organisation is attached from
    one in-memory map rather than joined into every event row (thousands of rows, a few hundred organisations)."""
    touching = MemberEvent.objects.filter(org_id__in=list(org_ids)).values("member_id")
    rows = list(MemberEvent.objects.filter(member_id__in=touching).only("id", "member_id", "kind", "date", "org_id"))
    orgs = Organization.objects.in_bulk({e.org_id for e in rows if e.org_id})
    events = defaultdict(list)
    org_field = MemberEvent._meta.get_field("org")
    for event in rows:
        org_field.set_cached_value(event, orgs.get(event.org_id))
        events[event.member_id].append(event)
    members = Member.objects.filter(pk__in=touching).order_by("pk")
    return [(m, events[m.pk]) for m in members]


def year_histories(tree, as_of):
    """The histories of everyone who may have counted for the subtree on a day from 上年底 to `as_of`."""
    start = year_start(as_of)
    orgs = set(tree.orgs_on(start)) | set(tree.orgs_on(as_of))
    for day in tree.days_between(start, as_of):
        orgs |= set(tree.orgs_on(day))
    return _histories(orgs)


def _counted(events, day, orgs):
    """(stage, org) when the member counts on `day` for the subtree `orgs`, else None."""
    stage, org = compute_state(events, day)
    if stage in COUNTED and org is not None and org.pk in orgs:
        return stage, org
    return None


@dataclass
class Counted:
    member: Member
    stage: str
    org: Organization
    events: list


def members_on(root, day, tree=None, histories=None):
    """The members counted for the subtree at `root` on `day`, in pk order. `histories`: a superset of the
    members' histories already loaded (`year_histories`), else those of the day's organisations."""
    tree = tree or TreeHistory(root)
    orgs = tree.orgs_on(day)
    out = []
    for member, events in (_histories(orgs) if histories is None else histories):
        state = _counted(events, day, orgs)
        if state:
            out.append(Counted(member, state[0], state[1], events))
    return out


def _event_date(counted, kind):
    """The date of the member's event of `kind` (None for a 转正 of an old record, entered without its date)."""
    return next((e.date for e in counted.events if e.kind == kind), None)


def member_tables(root, as_of, tree=None, population=None):
    """The tables of the members counted on `as_of`: each adds up to the member total."""
    people = members_on(root, as_of, tree) if population is None else population

    def party_age(c):
        if c.stage == Stage.PROBATIONARY:
            return PARTY_AGE_PROBATIONARY[0]
        confirmed = _event_date(c, EventKind.CONFIRMED)
        return PARTY_AGE_UNKNOWN[0] if confirmed is None else band_of(PARTY_AGE_BANDS, age_on(confirmed, as_of))

    def choice(field, choices):
        return lambda c: getattr(c.member, field) if getattr(c.member, field) in choices.values else "none"

    def lines(bands):
        return [(key, label) for key, label, *_ in bands]

    return [
        _classified("category", "党员类别", people, lambda c: c.stage,
                    [(Stage.FULL.value, Stage.FULL.label), (Stage.PROBATIONARY.value, Stage.PROBATIONARY.label)]),
        _classified("sex", "性别", people, lambda c: c.member.sex, Sex.choices),
        _ethnicity_table(people),
        _classified("age", "年龄", people, lambda c: band_of(AGE_BANDS, age_on(c.member.birth_date, as_of)),
                    lines(AGE_BANDS), note="按截至日期的周岁计算，生日当天满周岁"),
        _classified("education", "学历", people, choice("education", Education),
                    Education.choices + [("none", NOT_RECORDED)]),
        _classified("post", "工作岗位", people, choice("post_category", PostCategory),
                    PostCategory.choices + [("none", NOT_RECORDED)]),
        _classified("party_age", "党龄", people, party_age,
                    lines(PARTY_AGE_BANDS) + [PARTY_AGE_PROBATIONARY, PARTY_AGE_UNKNOWN],
                    note="党龄从转正日期（预备期满转为正式党员之日）算起，按截至日期的整年数计算"),
        _classified("joined", "入党时间", people,
                    lambda c: band_of(JOINED_BANDS, _event_date(c, EventKind.ADMITTED)), lines(JOINED_BANDS),
                    note="按入党日期（接收为预备党员的支部大会日期）"),
        _classified("leading", "领导干部", people, lambda c: "yes" if c.member.is_leading_cadre else "no",
                    [("yes", "党员领导干部"), ("no", "其他党员")]),
    ]


def _classified(key, title, people, classify, lines, **kw):
    """A table of `lines` [(key, label)]: each member goes to the one line `classify` names."""
    groups = defaultdict(list)
    for c in people:
        groups[classify(c)].append(c.member.pk)
    return _table(key, title, [_row(k, label, groups[k]) for k, label in lines], **kw)


def _ethnicity_table(people):
    """汉族, 少数民族 with each minority below it (most numerous first), and members with none recorded."""
    def name(c):
        return (c.member.ethnicity or "").strip()

    minorities = [c for c in people if name(c) not in ("", HAN)]
    each = Counter(name(c) for c in minorities)
    rows = [_row("han", HAN, [c.member.pk for c in people if name(c) == HAN]),
            _row("minority", "少数民族", [c.member.pk for c in minorities])]
    rows += [_row(f"minority:{n}", n, [c.member.pk for c in minorities if name(c) == n], level=1)
             for n, _ in sorted(each.items(), key=lambda kv: (-kv[1], kv[0]))]
    rows.append(_row("none", NOT_RECORDED, [c.member.pk for c in people if name(c) == ""]))
    return _table("ethnicity", "民族", rows)


def org_table(root, as_of, tree=None):
    """The organisations of the subtree existing on `as_of`, by type (the root itself included)."""
    orgs = list((tree or TreeHistory(root)).orgs_on(as_of).values())

    def of(*types):
        return [o.pk for o in orgs if o.org_type in types]

    rows = [_row("committee", OrgType.COMMITTEE.label, of(OrgType.COMMITTEE)),
            _row("general_branch", OrgType.GENERAL_BRANCH.label, of(OrgType.GENERAL_BRANCH)),
            _row("branches", "党支部（合计）", of(*BRANCH_KINDS))]
    rows += [_row(t.value, t.label, of(t), level=1) for t in BRANCH_KINDS]
    rows.append(_row("party_group", OrgType.PARTY_GROUP.label, of(OrgType.PARTY_GROUP)))
    return _table("organizations", "党组织", rows, unit="个", subject="org",
                  note="截至日期当天存在的党组织，按当天的隶属关系")


# ---- the year's changes ----

# The lines of 党员数量变化 (rulebook STAT-03): additions, then removals; `kind` of each walk step → its line.
ADDITIONS = (("recruited", "发展党员"), ("restored", "恢复党籍"), ("transferred_in", "转入组织关系"),
             ("unit_in", "整建制转入"), ("other_in", "其他增加（所在组织当日成立）"))
REMOVALS = (("left", "出党"), ("cancelled", "取消预备党员资格"), ("suspended", "停止党籍"), ("died", "死亡"),
            ("transferred_out", "转出组织关系"), ("unit_out", "整建制转出"),
            ("other_out", "其他减少（所在组织撤销）"))


def cn_date(day):
    return f"{day.year}年{day.month}月{day.day}日"


def year_start(as_of):
    """The day the year's changes start from: 31 December of the year before (上年底)."""
    return datetime.date(as_of.year - 1, 12, 31)


def _cause_in(kinds, org, day):
    if EventKind.ADMITTED in kinds:
        return "recruited"
    if EventKind.RESTORED in kinds:
        return "restored"
    if EventKind.TRANSFERRED in kinds:
        return "transferred_in"
    # No event of the member: the tree changed under them (their organisation moved in, or was founded).
    return "other_in" if org.founded_on == day else "unit_in"


def _cause_out(kinds, org, day):
    for kind in LEFT_KINDS:
        if kind in kinds:
            return kind.value
    for kind, cause in ((EventKind.CANCELLED, "cancelled"), (EventKind.DIED, "died"),
                        (EventKind.SUSPENDED, "suspended"), (EventKind.TRANSFERRED, "transferred_out")):
        if kind in kinds:
            return cause
    return "unit_out" if org is not None and org.exists_on(day) else "other_out"


def _walk(events, start, end, tree):
    """[(day, cause)] of each time the member came into or went out of the count in (start, end]: on each
    day the member's events or the tree changed, the count on that day is compared with the one before."""
    admitted = next((e.date for e in events if e.kind == EventKind.ADMITTED), None)
    own = {e.effective_date(admitted) for e in events}
    days = sorted({d for d in own if d and start < d <= end} | set(tree.days_between(start, end)))
    steps = []
    before = _counted(events, start, tree.orgs_on(start)) is not None
    for day in days:
        now = _counted(events, day, tree.orgs_on(day)) is not None
        if now != before:
            kinds = {e.kind for e in events if e.effective_date(admitted) == day}
            _, org = compute_state(events, day)
            steps.append((day, _cause_in(kinds, org, day) if now else _cause_out(kinds, org, day)))
        before = now
    return steps


def change_table(root, as_of, tree=None, histories=None, end_members=None):
    """党员数量变化 from 上年底 to `as_of`: 上年底数 + 本年增加 − 本年减少 = 应有数, set beside 实有数 (the members
    counted on `as_of`, computed on their own); the 差额 is zero when the records agree (tested)."""
    tree = tree or TreeHistory(root)
    start = year_start(as_of)
    if histories is None:
        histories = year_histories(tree, as_of)
    start_members = members_on(root, start, tree, histories)
    if end_members is None:
        end_members = members_on(root, as_of, tree, histories)
    moves = defaultdict(list)
    confirmed = []
    for member, events in histories:
        for day, cause in _walk(events, start, as_of, tree):
            moves[cause].append((member.pk, day))
        for e in events:  # 转正 within the count: a probationary member of the subtree became a full one
            if e.kind == EventKind.CONFIRMED and e.date and start < e.date <= as_of \
                    and _counted(events, e.date, tree.orgs_on(e.date)):
                confirmed.append((member.pk, e.date))
    for items in moves.values():
        items.sort(key=lambda item: (item[1], item[0]))

    added = [item for key, _ in ADDITIONS for item in moves[key]]
    left = [item for kind in LEFT_KINDS for item in moves[kind.value]]
    removed = left + [item for key, _ in REMOVALS if key != "left" for item in moves[key]]
    expected = len(start_members) + len(added) - len(removed)
    rows = [_row("start", f"上年底党员数（{cn_date(start)}）", [c.member.pk for c in start_members]),
            _row("added", "本年增加", added)]
    rows += [_row(key, label, moves[key], level=1) for key, label in ADDITIONS]
    rows.append(_row("removed", "本年减少", removed))
    for key, label in REMOVALS:
        rows.append(_row(key, label, left if key == "left" else moves[key], level=1))
        if key == "left":
            rows += [_row(kind.value, kind.label, moves[kind.value], level=2) for kind in LEFT_KINDS]
    rows += [Row("expected", "应有党员数（上年底数＋增加−减少）", expected),
             _row("end", f"实有党员数（截至{cn_date(as_of)}）", [c.member.pk for c in end_members]),
             Row("difference", "差额（实有数−应有数）", len(end_members) - expected),
             _row("confirmed", "本年预备党员转正", sorted(confirmed, key=lambda item: (item[1], item[0])))]
    return Table("changes", f"党员数量变化（{as_of.year}年1月1日至{as_of.month}月{as_of.day}日）", rows, len(end_members),
                 note="转入、转出只计本范围以外的组织关系转接；范围内部的转接不增不减")


def statistics(root, as_of):
    """All the tables of `dangjian stats` for the subtree at `root` on `as_of`."""
    tree = TreeHistory(root)
    histories = year_histories(tree, as_of)  # loaded once for every table
    people = members_on(root, as_of, tree, histories)
    tables = member_tables(root, as_of, tree, population=people)
    tables.append(org_table(root, as_of, tree))
    tables.append(change_table(root, as_of, tree, histories, end_members=people))
    exists = root.pk in tree.orgs_on(as_of)
    return Statistics(root, as_of, exists, len(people), tables)
