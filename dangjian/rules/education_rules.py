"""EDU-*: yearly study hours (学时), per member (`person` = the member's 身份证号, `org` = the organisation
holding the membership on the year's last day, `period` = the year). Judged only for a completed calendar year
of the window and only for a member for the whole year; a branch 书记 or committee member in post on the
year's last day is judged by EDU-02 instead of EDU-01. A year is judged only when study hours are recorded
for it at all (`ledger_kept`: some 培训 row dated in it). What counts and who is judged is
`education.queries.standings`, the same the member's card and the organisation's list show."""
from dangjian.education.queries import ledger_kept, standings

from .engine import WARNING, Rule, register

SOURCE_PLAN = "2014—2018年全国党员教育培训工作规划"


def _standings(ctx):
    """The standings of the window's year for the members the subtree held on the year's last day, computed
    once per check (EDU-01 and EDU-02 share them). Empty while the year is still running."""
    cached = getattr(ctx, "_education_standings", None)
    if cached is None:
        years = ctx.window.ended_periods("year")
        cached = []
        if years and ledger_kept(years[0].start.year):
            org_ids = set(ctx.orgs_by_id) if ctx.root is not None else None
            cached = [(years[0], s) for s in standings(years[0].start.year, org_ids=org_ids,
                                                       member_ids=ctx._members_ever_here(),
                                                       events_by_member=ctx.events_by_member)]
            ctx.prefetch_id_numbers([s.member_id for _, s in cached if s.short])
        ctx._education_standings = cached
    return cached


class _HoursRule(Rule):
    severity = WARNING
    parameters = ("edu_member_hours", "edu_committee_hours", "lecture_hours")

    def check(self, ctx):
        for period, s in _standings(ctx):
            if s.rule != self.id or not s.short or s.org_id not in ctx.orgs_by_id:
                continue
            parts = f"培训{s.hours.training_hours}学时、党课{s.hours.lectures}次{s.hours.lecture_hours}学时"
            who = f"{s.post_labels}，" if s.committee else ""
            yield self.finding(ctx.orgs_by_id[s.org_id],
                               f"{who}{period.label}学习培训{s.total}学时（{parts}），少于{s.required}学时，"
                               f"尚差{s.missing}学时", period=period, person=ctx.id_number(s.member_id))


class MemberHours(_HoursRule):
    id = "EDU-01"
    title = "党员年度学习培训不足32学时"
    source = f"{SOURCE_PLAN}（党员每年集中学习培训不少于32学时）"
    regulation = "党员每年参加集中学习培训的时间一般不少于32学时。学时在当年累计，不跨年结转。"


class CommitteeHours(_HoursRule):
    id = "EDU-02"
    title = "支部书记和委员年度学习培训不足56学时"
    source = f"{SOURCE_PLAN}（基层党组织书记和班子成员每年不少于56学时）"
    regulation = ("基层党组织书记和班子成员每年参加集中培训和集体学习的时间不少于56学时，其中至少参加1次集中培训。"
                  "（本规则按RULES.md只检查学时。）")


for rule in (MemberHours(), CommitteeHours()):
    register(rule)
