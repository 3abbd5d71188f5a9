"""党建工作责任制 for the demo group in 2018: the 集团党委 and each city 党委 fill their responsibilities from
their 班子, the 集团党委 signs a 党建目标责任书 with each city 党委 (the standard indicators: the computed ones
read the year's records) and scores the hand-scored ones with their evidence, all but one city whose scoring
is left to do, so the ranking page has both."""
import datetime
import random

from dangjian.organizations.models import OrgType
from dangjian.responsibility.services import assign_from_committee, create_letter, score_indicator

YEAR = 2018
EVIDENCE = ("查阅年度党建工作述职报告和述职评议记录", "查阅“三重一大”事项清单和党委会会议记录",
            "查阅问题整改台账和党风廉政建设责任书")


def write_responsibility(orgs, out=None, *, root_code="JT", seed=0):
    out = out or (lambda message: None)
    rng = random.Random(seed)
    root = orgs[root_code]
    committees = [root] + sorted((o for o in orgs.values() if o.parent_id == root.pk and o.org_type == OrgType.COMMITTEE
                                  and o.founded_on.year <= YEAR and not o.dissolved_on), key=lambda o: o.path)
    duties = sum(len(assign_from_committee(actor=None, org=org, year=YEAR)) for org in committees)
    # The group signs with its city 党委s (the departments' branches answer to its offices, not by letter).
    letters = [create_letter(actor=None, from_org=root, to_org=city, year=YEAR, signed_on=datetime.date(YEAR, 7, 10))
               for city in committees[1:]]
    scored = 0
    for letter in letters[:-1]:  # the last city is still to be scored
        for indicator, evidence in zip(letter.indicators.filter(metric="").order_by("order"), EVIDENCE):
            points = indicator.points
            score = points - rng.choice((0, 0, 1, 1, 2, 3)) * points / 15
            score_indicator(indicator, actor=None, score=f"{score:.1f}", evidence=evidence,
                            scored_on=datetime.date(YEAR + 1, 1, 18))
            scored += 1
    out(f"党建工作责任制：责任分工{duties}项，责任书{len(letters)}份，手工评分{scored}项")
