"""三重一大 for the demo group in 2018: the group 党委's matters and those of a few city 党委s, each studied first at
the 党委会 the demo already holds (the group's monthly 党委会, each city's from July), then decided by the board or
management; a few appointments decided by the 党委会 itself; and the planted SOE-03 findings: a matter the group's
management decided with no prior study, a project the group's board decided a week before the 党委会 studied it,
and the same two faults in two city 党委s (PLANTED_MISSING, PLANTED_LATE).

The group's 前置研究事项清单 of 2017 was revised on 2018-07-01 (the 2017 巡视 found the procedure not followed: see
demo.rectification), the city 党委s adopted theirs when founded. Everything goes through governance.services.

The plan is a pure function of the 党委会 the demo holds (`plan_matters`), so the planted findings can be told again
from the database (`planted_governance`). No meeting is recorded here: every study falls on a 党委会 already there;
a city without a 党委会 in 2018 (a small demo leaves some committees unstaffed) gets no matters."""
import datetime
from dataclasses import dataclass, replace

from dangjian.governance import services
from dangjian.meetings.models import Meeting, MeetingType
from dangjian.organizations.models import Organization, OrgType

D = datetime.date
YEAR = 2018
ROOT = "JT"
CITY_MATTERS = 4  # city 党委s with matters: the first that held 党委会s in 2018
# Of those cities (by position): one whose management decided a matter without a prior study, one whose board
# decided before the study.
PLANTED_MISSING, PLANTED_LATE = 1, 2


@dataclass(frozen=True)
class PlannedMatter:
    org: str
    number: str
    name: str
    category: str
    body: str
    decided_on: datetime.date
    study: object = None          # the Meeting that studied it, or None
    amount: str | None = None
    note: str = ""

    @property
    def finding(self):
        """RULES.md SOE-03 read on the plan: (rule, org, 决策日期) or None."""
        if self.body == "党委会":
            return None
        if self.study is None or self.study.held_on > self.decided_on:
            return ("SOE-03", self.org, self.decided_on.isoformat())
        return None


def _weekday(day, step=1):
    """`day`, or the next (step 1) or previous (step -1) Monday to Friday."""
    while day.weekday() >= 5:
        day += datetime.timedelta(days=step)
    return day


def _after(meeting, days):
    """A workday `days` after the meeting, not after the year's end."""
    return min(_weekday(meeting.held_on + datetime.timedelta(days=days)), D(YEAR, 12, 31))


def committee_meetings():
    """{org code: [the 党委会 it held in 2018, by date]} for the group and the city 党委s."""
    found = {}
    qs = (Meeting.objects.filter(held_on__year=YEAR, kinds__kind=MeetingType.COMMITTEE,
                                 org__org_type=OrgType.COMMITTEE).select_related("org__parent").distinct()
          .order_by("org__code", "held_on", "id"))
    for m in qs:
        if m.org.code == ROOT or m.org.parent_id and m.org.parent.code == ROOT:
            found.setdefault(m.org.code, []).append(m)
    return found


def _city_name(org):
    """邕城市分公司 from 桂江文化传媒集团有限公司邕城市分公司."""
    return (org.unit_name or org.name).split("有限公司")[-1]


def plan_matters(meetings, orgs):
    """[PlannedMatter] from `meetings` ({code: [Meeting]}, `committee_meetings`) and `orgs` ({code: Organization})."""
    plan = []
    root = {m.held_on.month: m for m in reversed(meetings.get(ROOT, ()))}  # the first 党委会 of each month

    def add(org, name, category, body, decided_on, study, amount=None, note=""):
        plan.append(PlannedMatter(org, "", name, category, body, decided_on, study, amount, note))

    def root_matter(month, days, name, category, body="董事会", amount=None, note=""):
        study = root.get(month)
        if study is not None:
            add(ROOT, name, category, body, _after(study, days), study, amount, note)

    root_matter(1, 7, "2018年度经营计划和财务预算", "重大决策", note="集团第三届董事会第十一次会议决议")
    root_matter(2, 5, "市分公司设立党委及机构调整方案", "重大决策", note="集团第三届董事会第十二次会议决议")
    if 3 in root:  # 党管干部: the 党委会 itself decides the appointments of middle-level cadres
        add(ROOT, "集团中层干部调整", "重要人事任免", "党委会", root[3].held_on, None)
    root_matter(4, 0, "2018年度预算调整（追加网络建设资金）", "大额资金运作", amount="3200",
                note="同日召开董事会临时会议审议")  # studied and decided the same day: in time
    root_matter(5, 10, "桂江文化产业园二期项目", "重大项目安排", amount="8600", note="集团第三届董事会第十四次会议决议")
    root_matter(9, 3, "市分公司经理层成员聘任", "重要人事任免", note="集团第三届董事会第十六次会议决议")
    root_matter(11, 2, "精准扶贫专项资金（产业入股）", "大额资金运作", body="经理层", amount="300",
                note="总经理办公会议纪要〔2018〕21号")
    root_matter(12, 12, "2019年度投资计划", "重大决策", amount="25000", note="集团第三届董事会第十八次会议决议")
    # Planted: management decided a rule change with no prior study; the board decided a project before the National
    # Day holiday, and the October 党委会 (held from the 8th) studied it only afterwards.
    add(ROOT, "集团内部审计管理办法修订", "重大决策", "经理层", D(YEAR, 8, 20), None,
        note="总经理办公会议纪要〔2018〕15号")
    if 10 in root:
        add(ROOT, "数字出版平台建设项目", "重大项目安排", "董事会", D(YEAR, 9, 27), root[10], "1200",
            "集团第三届董事会第十七次会议决议")

    cities = sorted(code for code in meetings if code != ROOT)[:CITY_MATTERS]
    for index, code in enumerate(cities):
        held = meetings[code]
        city = _city_name(orgs[code])
        first, last = held[0], held[-1]
        if index == PLANTED_LATE:    # the board decided before the 党委会 studied it
            add(code, f"{city}网络改造工程", "重大项目安排", "董事会", _weekday(first.held_on - datetime.timedelta(3), -1),
                first, "620", "市分公司董事会决议")
        else:
            add(code, f"{city}网络改造工程", "重大项目安排", "经理层", _after(first, 3), first, "620", "总经理办公会议纪要")
        add(code, f"{city}领导班子成员分工调整", "重要人事任免", "党委会", last.held_on, None)
        if index == PLANTED_MISSING:  # management decided with no prior study
            add(code, f"{city}年度营销费用追加", "大额资金运作", "经理层", _after(last, 1), None, "150", "总经理办公会议纪要")
        elif len(held) > 1:
            add(code, f"{city}年度营销费用追加", "大额资金运作", "经理层", _after(last, 1), last, "150", "总经理办公会议纪要")
    # 事项编号 in the order of the decisions, per 党委.
    numbered, counters = [], {}
    for p in sorted(plan, key=lambda p: (p.org, p.decided_on)):
        counters[p.org] = counters.get(p.org, 0) + 1
        numbered.append(replace(p, number=f"{p.org}-{YEAR}-{counters[p.org]:02d}"))
    return numbered


LISTS = {
    # (施行日期, 名称, [(category, 事项, 金额起点)])
    ROOT: [
        (D(2017, 1, 1), "集团党委前置研究讨论重大经营管理事项清单（试行）",
         [("重大决策", "发展战略、中长期规划、年度经营计划和财务预算，重要改革方案，重要规章制度的制定和修改", None),
          ("重要人事任免", "董事会聘任的经理层成员，推荐的子公司董事、监事", None),
          ("重大项目安排", "固定资产投资、对外投资和产业项目", "1000"),
          ("大额资金运作", "年度预算外资金调动和使用、对外捐赠和帮扶资金", "500")]),
        (D(2018, 7, 1), "集团党委前置研究讨论重大经营管理事项清单（2018年修订）",
         [("重大决策", "发展战略、中长期规划、年度经营计划和财务预算，重要改革方案，重要规章制度的制定和修改", None),
          ("重要人事任免", "董事会聘任的经理层成员，推荐的子公司董事、监事", None),
          ("重大项目安排", "固定资产投资、对外投资和产业项目", "500"),
          ("大额资金运作", "年度预算外资金调动和使用、对外捐赠和帮扶资金", "300")]),
    ],
}
CITY_LIST = [("重大决策", "市分公司年度经营计划、重要规章制度", None),
             ("重大项目安排", "网络建设和改造工程、营业网点建设", "200"),
             ("大额资金运作", "预算外资金使用", "100")]


def write_governance(orgs, out=None):
    """Write the lists and the plan through the services; returns {(rule, org code, 决策日期)} the check must find."""
    out = out or (lambda message: None)
    for code, versions in LISTS.items():
        if code in orgs:
            for valid_from, title, items in versions:
                services.adopt_prior_study_list(actor=None, org=orgs[code], valid_from=valid_from, title=title,
                                                items=items, note="党委会审议通过")
    plan = plan_matters(committee_meetings(), orgs)
    for code in sorted({p.org for p in plan} - {ROOT}):
        org = orgs[code]
        services.adopt_prior_study_list(actor=None, org=org, valid_from=max(org.founded_on, D(YEAR, 7, 1)),
                                        title=f"{_city_name(org)}党委前置研究讨论重大经营管理事项清单",
                                        items=CITY_LIST, note="党委第一次会议审议通过")
    for p in plan:
        services.record_matter(actor=None, org=orgs[p.org], number=p.number, name=p.name, category=p.category,
                               deciding_body=p.body, decided_on=p.decided_on, study_meeting=p.study, amount=p.amount,
                               decision_note=p.note)
    found = _planted(plan)
    out(f"三重一大：{len(plan)}项（{len({p.org for p in plan})}个党委），未经前置研究或研究晚于决策{len(found)}项")
    return found


def _planted(plan):
    return {p.finding for p in plan if p.finding}


def planted_governance():
    """The SOE-03 findings the demo planted, told again from the plan over the 党委会 in the database."""
    orgs = {o.code: o for o in Organization.objects.all()}
    return _planted(plan_matters(committee_meetings(), orgs))
