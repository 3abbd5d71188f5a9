"""SOE-*: 三重一大 and the party committee's prior study, judged per matter of the register (governance.Matter):
`org` = the enterprise's 党委, `person` null, `period` null (a one-off fact, like ELE-* and MTG-02), `date` =
the 决策日期, the record `("matter", pk)`.

RULES.md, read literally: a matter decided by the 董事会 or 经理层 is a finding when it has no 前置研究日期 or
one later than the 决策日期 — a study on the day of the decision is in time (the 党委会 in the morning, the
board in the afternoon is how many enterprises do it). The window: the matters decided from the window's
first day to the as-of date, as the elections are judged; a matter of an earlier year is that year's finding,
one decided after the as-of date has not been decided yet. A study dated after the as-of date has not happened
on it, and it is later than the decision anyway, so the finding is the same whichever way it is read.

The enterprise's 前置研究事项清单 does not narrow the rule: RULES.md defines it on every 三重一大 matter, and
the register is where the list's matters are kept (governance.models)."""
from dangjian.governance.models import Matter

from . import parameters
from .engine import ERROR, Rule, register


class PriorStudyMissing(Rule):
    id = "SOE-03"
    title = "三重一大事项未经党委前置研究"
    severity = ERROR
    source = "国有企业基层组织工作条例（试行）第十三条、第十五条；“三重一大”决策制度意见（2010）"
    regulation = ("党组织研究讨论是董事会、经理层决策重大问题的前置程序：重大经营管理事项须经党委研究讨论后，"
                  "再由董事会或者经理层作出决定。重大决策、重要人事任免、重大项目安排和大额度资金运作事项"
                  "（“三重一大”）必须由领导班子集体作出决定。")
    parameters = ("soe_prior_study_bodies",)

    def problem(self, matter):
        """What is wrong with `matter`, or None: the one question the check, the importer and the page ask."""
        if matter.deciding_body not in parameters.value("soe_prior_study_bodies", matter.decided_on):
            return None
        body = matter.get_deciding_body_display()
        head = f"三重一大事项{matter.number}“{matter.name}”（{matter.get_category_display()}）于{matter.decided_on}由{body}决策"
        if matter.studied_on is None:
            return f"{head}，未经党委前置研究"
        if matter.studied_on > matter.decided_on:
            return f"{head}，党委前置研究日期{matter.studied_on}晚于决策日期"
        return None

    def check(self, ctx):
        # One query for the whole subtree (CheckContext's IN list or path range), whatever its size.
        qs = Matter.objects.filter(decided_on__gte=ctx.window.start, decided_on__lte=ctx.as_of)
        for matter in ctx._of_orgs(qs, "org_id").order_by("decided_on", "number"):
            message = self.problem(matter)
            if message:
                yield self.finding(ctx.orgs_by_id[matter.org_id], message, date=matter.decided_on,
                                   records=[("matter", matter.pk)])


register(PriorStudyMissing())
