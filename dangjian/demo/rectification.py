"""问题整改 for the demo group, as the seed's 2018 report tells it: the problems found in 2017 (the group's
巡视, the year-end 述职评议 and 民主生活会, the branches' own checks) were rectified and closed in 2018, and
the problems found in 2018 are partly done, partly open. A few of 2018's are past their deadline on
2018-12-31 with nothing completed: the planted RECT-01 findings (PLANTED_OVERDUE). One of 2018 was completed
after its deadline (逾期完成): no finding, it is completed. Everything goes through rectification.services
(registered, progress notes, completed by the organisation, closed by the system for the level above).

The plan (`plan_problems`) is data drawn from the organisations' codes with a random stream of its own
(SEED + 9), so the rest of the demo is as it was and the planted findings can be told again from the plan
(`planted_rectification`)."""
import datetime
import random
from dataclasses import dataclass, field

from dangjian.organizations.models import CommitteePost, Organization, OrgType, Post
from dangjian.rectification import services

D = datetime.date
YEAR = 2018
YEAR_END = D(YEAR, 12, 31)
ROOT = "JT"
DEMO_BRANCH = "JT0101"
# Branch-level organisations whose 2018 problem is left overdue (RECT-01 on 2018-12-31), with its deadline;
# the city committee JT05 has one as well. The logins' branch has one, so `shuji` sees it on the ledger.
PLANTED_OVERDUE = {DEMO_BRANCH: D(2018, 10, 31), "JT05": D(2018, 12, 15)}
RANDOM_OVERDUE = 3  # county branches drawn at random, each with one overdue problem

# (source, description, cause, measures): what the seed's kind of report says of such problems.
TEXTS = {
    "巡视巡察": ("党委前置研究讨论重大经营管理事项的程序执行不到位", "对“三重一大”决策制度学习不深",
             "修订党委会议事规则，明确前置研究事项清单"),
    "述职评议": ("基层党建工作责任落实层层递减，抓支部建设办法不多", "主体责任意识不强，考核传导压力不够",
             "签订党建目标责任书，开展书记抓党建述职评议"),
    "考核": ("“三会一课”记录不规范，部分会议记录缺少议题", "支部委员业务不熟，台账管理制度不健全",
           "开展组织生活台账专项检查，统一记录格式"),
    "组织生活会": ("党员理论学习流于形式，学用结合不紧", "学习计划针对性不强，督促检查不够",
              "制定年度学习计划，每月开展一次专题学习"),
    "民主生活会": ("班子成员深入基层调研不够，联系服务群众不经常", "重业务轻党建的思想仍然存在",
              "建立班子成员基层联系点制度，每季度至少调研一次"),
    "自查": ("党员活动室制度未上墙，党报党刊订阅不全", "阵地建设投入不足", "按标准化要求完善党员活动室"),
    "上级督查": ("发展党员工作向生产一线倾斜不够", "培养计划未结合一线实际", "制定一线青年骨干发展计划"),
}
# 2018's 述职评议 is held in January 2019 and raises its own problems (demo.appraisal): not among these.
SOURCES_2018 = tuple(source for source in TEXTS if source != "述职评议")


@dataclass
class PlannedProblem:
    org: str
    year: int
    source: str
    found_on: datetime.date
    deadline: datetime.date
    completed_on: datetime.date | None = None
    closed_on: datetime.date | None = None
    notes: list = field(default_factory=list)  # [(date, text)]

    @property
    def overdue_at_year_end(self):
        """RULES.md RECT-01 read on the plan: past the deadline on 2018-12-31, not completed on it."""
        return self.deadline < YEAR_END and (self.completed_on is None or self.completed_on > YEAR_END)


def _existing_in(orgs, year):
    """The organisations of the tree (not the local committees) that existed through `year`, by code."""
    return sorted(code for code, o in orgs.items()
                  if o.founded_on <= D(year, 1, 1) and (o.dissolved_on is None or o.dissolved_on > D(year + 1, 12, 31)))


def plan_problems(orgs, seed):
    """[PlannedProblem] for `orgs` ({code: Organization}): 2017's, rectified and closed in 2018; 2018's, in
    every state, the planted overdue ones among them."""
    rng = random.Random(seed)
    codes = set(orgs)
    branches = [c for c in _existing_in(orgs, 2017) if orgs[c].org_type in (OrgType.BRANCH, OrgType.GENERAL_BRANCH)]
    plan = []

    def add(org, year, source, found_on, deadline, completed=None, closed=None, notes=()):
        if org in codes:
            plan.append(PlannedProblem(org, year, source, found_on, deadline, completed, closed, list(notes)))

    # 2017: the group's 巡视 and 民主生活会, and the branches' problems; all rectified and closed in 2018.
    add(ROOT, 2017, "巡视巡察", D(2017, 9, 20), D(2018, 3, 31), D(2018, 3, 20), D(2018, 4, 25),
        [(D(2018, 1, 15), "党委会审议通过修订后的议事规则")])
    add(ROOT, 2017, "民主生活会", D(2017, 12, 28), D(2018, 6, 30), D(2018, 6, 15), D(2018, 7, 10))
    for index, code in enumerate(rng.sample(branches, min(6, len(branches)))):
        source = ("述职评议", "组织生活会", "自查", "考核")[index % 4]  # 2017's year-end 述职评议 among them
        found = D(2017, rng.randint(3, 12), rng.randint(1, 28))
        deadline = D(2018, rng.randint(3, 9), 30 if rng.random() < 0.5 else 15)
        # One in three done a little after its deadline (逾期完成 in 2018: no finding once completed).
        completed = deadline + datetime.timedelta(days=rng.randint(-40, -5) if rng.random() < 0.67 else
                                                  rng.randint(5, 30))
        closed = completed + datetime.timedelta(days=rng.randint(7, 30))
        add(code, 2017, source, found, deadline, completed, closed,
            [(found + (completed - found) // 2, "制定整改方案，明确责任人和时限")])  # halfway to completion

    # 2018: the group's own, the city committees', the branches'.
    add(ROOT, 2018, "上级督查", D(2018, 5, 10), D(2019, 3, 31), notes=[(D(2018, 9, 1), "已完成前置研究事项清单初稿")])
    add(ROOT, 2018, "民主生活会", D(2018, 1, 26), D(2018, 9, 30), D(2018, 9, 10), D(2018, 10, 20))
    cities = sorted(c for c in codes if len(c) == 4 and c.startswith("JT") and c[2:].isdigit())
    for code in cities:
        deadline = PLANTED_OVERDUE.get(code, D(2019, 6, 30))
        add(code, 2018, "考核", D(2018, 7, 20), deadline,
            notes=[(D(2018, 10, 10), "完成组织生活台账专项检查")])
    add(DEMO_BRANCH, 2018, "组织生活会", D(2018, 1, 30), PLANTED_OVERDUE[DEMO_BRANCH],
        notes=[(D(2018, 6, 5), "学习计划已印发，尚未按月落实")])
    add(DEMO_BRANCH, 2018, "自查", D(2018, 4, 12), D(2018, 11, 30), D(2018, 11, 20),
        notes=[(D(2018, 8, 1), "活动室制度已上墙")])  # completed, waiting for the level above
    add(DEMO_BRANCH, 2018, "上级督查", D(2018, 9, 15), D(2019, 6, 30))
    others = [c for c in branches if c != DEMO_BRANCH]
    chosen = rng.sample(others, min(8 + RANDOM_OVERDUE, len(others)))
    for index, code in enumerate(chosen):
        source = SOURCES_2018[index % len(SOURCES_2018)]
        found = D(2018, rng.randint(1, 6), rng.randint(1, 28))
        if index < RANDOM_OVERDUE:      # planted: past its deadline, nothing completed
            add(code, 2018, source, found, D(2018, rng.randint(8, 11), 30), notes=[(found + datetime.timedelta(30),
                                                                                     "已部署整改，进度滞后")])
        elif index % 3 == 0:            # completed on time and closed
            deadline = D(2018, rng.randint(9, 11), 30)
            completed = deadline - datetime.timedelta(days=rng.randint(3, 20))
            add(code, 2018, source, found, deadline, completed, completed + datetime.timedelta(days=10))
        elif index % 3 == 1:            # completed after the deadline (逾期完成), not closed yet
            deadline = D(2018, 8, 31)
            add(code, 2018, source, found, deadline, D(2018, 10, rng.randint(8, 25)))
        else:                           # still open, deadline next year
            add(code, 2018, source, found, D(2019, rng.randint(3, 6), 30))
    return plan


def _owner(org, day):
    """The secretary of `org` on `day` (who answers for its problems), or None."""
    post = (CommitteePost.objects.filter(org=org, post=Post.SECRETARY).held_on(day).select_related("member")
            .order_by("started_on").first())
    return post.member if post else None


def write_rectification(orgs, people, out=None):
    """Write the plan through the services; returns {(rule, org code, deadline)} the check must find."""
    from .generator import SEED

    out = out or (lambda message: None)
    plan = plan_problems(orgs, SEED + 9)
    for item in plan:
        org = orgs[item.org]
        description, cause, measures = TEXTS[item.source]
        problem = services.record_problem(
            actor=None, number=services.next_number(org, item.year), org=org, year=item.year, source=item.source,
            description=description, cause=cause, measures=measures, owner=_owner(org, item.found_on),
            deadline=item.deadline, on=item.found_on)
        for day, text in item.notes:
            services.add_progress(problem, actor=None, on=day, text=text)
        if item.completed_on:
            services.complete_problem(problem, actor=None, on=item.completed_on, note="按整改措施落实到位")
        if item.closed_on:
            services.close_problem(problem, actor=None, on=item.closed_on, note="上级党组织验收合格，予以销号")
    found = _planted(plan)
    out(f"问题整改：{len(plan)}项（{sum(1 for p in plan if p.year < YEAR)}项为{YEAR - 1}年问题），逾期未完成{len(found)}项")
    return found


def _planted(plan):
    return {("RECT-01", p.org, p.deadline.isoformat()) for p in plan if p.overdue_at_year_end}


def planted_rectification():
    """The RECT-01 findings the demo planted, told again from the plan over the organisations in the database."""
    from .generator import SEED

    orgs = {o.code: o for o in Organization.objects.all()}
    return _planted(plan_problems(orgs, SEED + 9))
