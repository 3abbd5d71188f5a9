"""述职评议 for the demo group: on 2019-01-15 the 集团党委 hears the 2018 reports of the city 党委 secretaries;
60 paper ballots from its four rater groups and a few online votes by the demo logins' branch are tallied
with the 考核 scores of the责任书; two problems the 评议 raised go to the rectification ledger."""
import datetime
import random

from dangjian.appraisal.models import RaterGroup
from dangjian.appraisal.services import add_reporter, create_round, raise_problem, record_paper_ballot
from dangjian.organizations.models import OrgType

YEAR = 2018
HELD_ON = datetime.date(YEAR + 1, 1, 15)
BALLOTS = ((RaterGroup.LEADERS, 9), (RaterGroup.SECRETARIES, 14), (RaterGroup.MEMBERS, 25), (RaterGroup.EMPLOYEES, 12))
PROBLEMS = (("党支部“三会一课”记录不规范，部分会议记录缺少议题和表决情况", "开展组织生活台账专项检查，统一记录格式"),
            ("发展党员工作向生产一线倾斜不够", "制定一线青年骨干发展计划，每季度分析一次"))


def write_appraisal(orgs, out=None, *, root_code="JT", seed=0):
    out = out or (lambda message: None)
    rng = random.Random(seed)
    round_ = create_round(actor=None, org=orgs[root_code], year=YEAR, held_on=HELD_ON)
    # The city 党委 secretaries report (the cascade of SHU-01: group ← second-level committees).
    cities = sorted((o for o in orgs.values() if o.parent_id == round_.org_id and o.org_type == OrgType.COMMITTEE
                     and not o.dissolved_on), key=lambda o: o.path)
    reporters = [add_reporter(round_, actor=None, org=city) for city in cities]
    # Each secretary's standing with the raters: most are rated 好 or 较好, one or two less well.
    standing = {r.pk: rng.choice((0.75, 0.65, 0.55, 0.4)) for r in reporters}
    ballots = 0
    for group, count in BALLOTS:
        for _ in range(count):
            marks = {}
            for r in reporters:
                draw = rng.random()
                good = standing[r.pk]
                marks[r] = ("好" if draw < good else "较好" if draw < good + 0.2 else "一般" if draw < 0.97 else "差")
            record_paper_ballot(round_, actor=None, group=group, marks=marks)
            ballots += 1
    weakest = sorted(reporters, key=lambda r: (standing[r.pk], r.order))[:len(PROBLEMS)]
    for reporter, (description, measures) in zip(weakest, PROBLEMS):
        raise_problem(reporter, actor=None, description=description, measures=measures,
                      deadline=datetime.date(YEAR + 1, 6, 30))
    out(f"述职评议：述职人{len(reporters)}名，评议票{ballots}张，列入整改{len(weakest)}项")
