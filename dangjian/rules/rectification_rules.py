"""RECT-*: the problem list and its rectification (问题清单/整改台账), judged per problem: `org` = the
responsible organisation, `person` null (RULES.md names a person only where it says so; the 责任人 is in
the message), `period` null (a one-off fact: a problem of an earlier year still open is judged as well),
`date` = the 整改时限.

RULES.md, read literally: a problem is overdue on the as-of date when its deadline is before that date and
it has no 完成日期 on or before it. A problem completed late is no finding once completed (as of a later
date); as of a day before its completion it was overdue, and the check says so. Closing (销号) does not
matter to RECT-01: the owner's completion does."""
import datetime

from dangjian.rectification.models import Problem

from .engine import WARNING, Rule, register

SOURCE_RECT = "党委（党组）书记抓基层党建工作述职评议考核（问题清单、整改清单、责任清单）；地方做法"


class RectificationOverdue(Rule):
    id = "RECT-01"
    title = "整改逾期未完成"
    severity = WARNING
    source = SOURCE_RECT
    regulation = ("对述职评议、巡视巡察、考核、组织生活会、民主生活会和自查中查找出的问题，建立问题清单、整改清单、"
                  "责任清单，逐项明确整改措施、责任人和整改时限，按期整改到位；整改完成后由上级党组织验收销号，"
                  "整改情况在下一年度述职中报告。")

    def _problems(self, ctx, qs):
        # One query for the whole subtree (CheckContext's IN list or path range), whatever its size.
        return ctx._of_orgs(qs, "org_id").select_related("owner").order_by("deadline", "number")

    def check(self, ctx):
        for problem in self._problems(ctx, Problem.objects.overdue_on(ctx.as_of)):
            org = ctx.orgs_by_id[problem.org_id]
            days = (ctx.as_of - problem.deadline).days
            owner = f"，责任人{problem.owner.name}" if problem.owner_id else ""
            yield self.finding(org, _message(problem, ctx.as_of, days, owner), date=problem.deadline,
                               records=[("problem", problem.pk)])

    def due(self, ctx, horizon):
        """Open problems whose deadline falls from the as-of date to `horizon` (a deadline today is not
        missed yet): the 工作台's 近期到期事项."""
        qs = Problem.objects.open_on(ctx.as_of).filter(deadline__gte=ctx.as_of, deadline__lte=horizon)
        items = []
        for problem in self._problems(ctx, qs):
            org = ctx.orgs_by_id[problem.org_id]
            items.append(self.finding(org, f"问题{problem.number}整改时限{problem.deadline}将到，尚未完成整改",
                                      date=problem.deadline, records=[("problem", problem.pk)]))
        return items


def _message(problem, as_of: datetime.date, days, owner):
    return (f"问题{problem.number}（{problem.year}年{problem.get_source_display()}发现）整改时限{problem.deadline}"
            f"已过，截至{as_of}未完成整改，逾期{days}天{owner}：{_short(problem.description)}")


def _short(text, limit=40):
    return text if len(text) <= limit else text[:limit] + "…"


register(RectificationOverdue())
