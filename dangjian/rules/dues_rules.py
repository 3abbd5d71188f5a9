"""DUES-*: party dues, per member (`person` = the member's 身份证号, `org` = the organisation holding the
membership in the month concerned). The months judged are `CheckContext.dues_months`: the window's ended
months from the month of the 入党日期, while a member (not suspended, not left), in an organisation that kept
its dues ledger in the window; a finding is reported when its month's organisation lies in the subtree.
What is due is `dues.services` (DUES-02's rates)."""
from dangjian.core.dates import add_months
from dangjian.dues.services import SHORT, UNPAID, dues_status

from . import parameters
from .engine import ERROR, WARNING, Rule, register

SOURCE_DUES = "关于中国共产党党费收缴、使用和管理的规定（2008）"


def _runs(months):
    """The runs of consecutive unpaid months among a member's judged months: lists of _DuesMonth. A month
    not judged (suspended, left, before admission, outside the subtree) ends a run, as does a paid month
    or one with nothing due."""
    runs, current, previous = [], None, None
    for month in months:
        unpaid = dues_status(month.due, month.paid) == UNPAID
        # the window is one calendar year: the next month is the next month number
        follows = previous is not None and previous.period.start.month + 1 == month.period.start.month
        if unpaid and current is not None and follows:
            current.append(month)
        elif unpaid:
            current = [month]
            runs.append(current)
        else:
            current = None
        previous = month
    return runs


def _value(name, ctx):
    return parameters.value(name, ctx.as_of)


def _here(ctx, month):
    """Whether the month's organisation lies in the subtree checked (its findings are reported)."""
    return month.org_id in ctx.orgs_by_id


class _DuesRule(Rule):
    def _finding(self, ctx, member_id, month, message, records=()):
        return self.finding(ctx.orgs_by_id[month.org_id], message, period=month.period,
                            person=ctx.id_number(member_id), records=records)


class DuesUnderpaid(_DuesRule):
    id = "DUES-02"
    title = "少交党费"
    severity = WARNING
    source = f"{SOURCE_DUES} 第二条至第七条"
    regulation = ("在职党员以每月工资收入（税后）为计算基数：3000元以下（含3000元）交纳0.5%，3000元以上至5000元"
                  "（含5000元）交纳1%，5000元以上至10000元（含10000元）交纳1.5%，10000元以上交纳2%。离退休党员"
                  "5000元以下（含5000元）交纳0.5%，5000元以上交纳1%。农民党员每月交纳0.2元至1元；学生、下岗失业、"
                  "依靠抚恤或救济生活、领取最低生活保障金的党员每月交纳0.2元。经批准可以少交或免交。")
    parameters = ("dues_brackets.salaried", "dues_brackets.retired", "dues_flat_amount", "dues_farmer_max",
                  "dues_rounding")

    def check(self, ctx):
        for member_id, months in ctx.dues_months.items():
            for month in months:
                if _here(ctx, month) and dues_status(month.due, month.paid) == SHORT:
                    yield self._finding(ctx, member_id, month,
                                        f"{month.period.label}党费应交{month.due}元，实交{month.paid}元，"
                                        f"少交{month.due - month.paid}元", records=[("payment", month.payment_id)])


class DuesArrears(_DuesRule):
    id = "DUES-03"
    title = "连续未交党费"
    severity = WARNING
    source = f"{SOURCE_DUES}；地方做法（连续3个月未交纳党费的予以提醒）"
    regulation = ("党员应当增强党员意识，主动按月交纳党费。对不按规定交纳党费的党员，其所在党组织应及时对其进行"
                  "批评教育，限期改正。")
    parameters = ("dues_arrears_warning_months", "dues_arrears_months")

    def check(self, ctx):
        least, limit = _value("dues_arrears_warning_months", ctx), _value("dues_arrears_months", ctx)
        for member_id, months in ctx.dues_months.items():
            for run in _runs(months):
                if least <= len(run) < limit and _here(ctx, run[-1]):
                    yield self._finding(ctx, member_id, run[-1],
                                        f"自{run[0].period.label}起连续{len(run)}个月未交纳党费（至{run[-1].period.label}），"
                                        f"应批评教育、限期改正")


class DuesSixMonths(_DuesRule):
    id = "DUES-12"
    title = "连续6个月未交党费"
    severity = ERROR
    source = "党章 第九条；" + SOURCE_DUES
    regulation = ("党员如果没有正当理由，连续六个月不参加党的组织生活，或不交纳党费，或不做党所分配的工作，就被认为"
                  "是自行脱党。支部大会应当决定把这样的党员除名，并报上级党组织批准。")
    parameters = ("dues_arrears_months",)

    def check(self, ctx):
        limit = _value("dues_arrears_months", ctx)
        for member_id, months in ctx.dues_months.items():
            for run in _runs(months):
                if len(run) >= limit and _here(ctx, run[limit - 1]):
                    sixth = run[limit - 1]
                    longer = f"，至{run[-1].period.label}共{len(run)}个月" if len(run) > limit else ""
                    yield self._finding(ctx, member_id, sixth,
                                        f"自{run[0].period.label}起连续{limit}个月未交纳党费（至{sixth.period.label}"
                                        f"{longer}），应提交支部党员大会按自行脱党讨论处理（不自动除名）")


class DuesLateBackPayment(_DuesRule):
    id = "DUES-11"
    title = "补交党费超过6个月"
    severity = WARNING
    source = f"{SOURCE_DUES}（党费收缴）"
    regulation = "党员应当按月交纳党费；特殊情况下，经党支部同意，可以按季度交纳，也可以委托亲属或其他党员代交。" \
                 "补交党费一般不超过6个月。"
    parameters = ("dues_backpay_months",)

    def check(self, ctx):
        limits = {}  # {period: (months, the last day it may be paid)}
        for period in ctx.window.ended_periods("month"):
            lag = parameters.value("dues_backpay_months", period.start)
            limits[period] = (lag, add_months(period.end, lag))
        for member_id, months in ctx.dues_months.items():
            for month in months:
                if not _here(ctx, month) or month.paid is None or month.paid <= 0 or month.paid_on is None:
                    continue
                lag, limit = limits[month.period]
                if month.paid_on > limit:
                    yield self._finding(ctx, member_id, month,
                                        f"{month.period.label}党费于{month.paid_on}补交，超过该月结束后{lag}个月"
                                        f"（{limit}）", records=[("payment", month.payment_id)])


for rule in (DuesUnderpaid(), DuesArrears(), DuesSixMonths(), DuesLateBackPayment()):
    register(rule)
