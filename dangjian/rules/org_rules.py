"""ORG-* and TERM-*: organisations and terms, judged on the as-of date (`period` null). An organisation
dissolved on or before the as-of date is not judged by them."""
import datetime

from dangjian.core.dates import add_months
from dangjian.organizations.models import BRANCH_TYPES, COMMITTEE_POSTS, LEADERSHIP_TYPES, OrgType, Post

from . import parameters
from .engine import ERROR, WARNING, Rule, register


def _value(name, ctx):
    return parameters.value(name, ctx.as_of)


class BranchTooSmall(Rule):
    id = "ORG-01"
    title = "党支部正式党员不足3人"
    severity = WARNING
    source = "支部工作条例 第四条；党章 第三十条"
    regulation = "凡是有正式党员3人以上的，都应当成立党支部。正式党员不足3人的单位，应当与邻近单位成立联合党支部。"
    parameters = ("branch_min_full_members",)

    def check(self, ctx):
        least = _value("branch_min_full_members", ctx)
        for org in ctx.existing_on_as_of(BRANCH_TYPES):
            full = ctx.full_members(org.pk)
            if full < least:
                yield self.finding(org, f"{org.name}正式党员{full}名，少于{least}名")


class BranchTooLarge(Rule):
    id = "ORG-02"
    title = "党支部党员超过50人"
    severity = WARNING
    source = "支部工作条例 第四条"
    regulation = "党员人数一般不超过50人。"
    parameters = ("branch_max_members",)

    def check(self, ctx):
        most = _value("branch_max_members", ctx)
        for org in ctx.existing_on_as_of(BRANCH_TYPES):
            members = ctx.all_members(org.pk)
            if members > most:
                yield self.finding(org, f"{org.name}有党员{members}名（含预备党员），超过{most}名，宜分设党支部")


class BranchCommitteeMissing(Rule):
    id = "ORG-05"
    title = "应设支委会未设"
    severity = ERROR
    source = "支部工作条例 第六章（支部委员会建设）"
    regulation = "正式党员7人以上的党支部，应当设立党支部委员会。支部委员会由3至5人组成，一般不超过7人。"
    parameters = ("branch_committee_threshold", "branch_committee_min_posts")

    def check(self, ctx):
        threshold = _value("branch_committee_threshold", ctx)
        least = _value("branch_committee_min_posts", ctx)
        for org in ctx.existing_on_as_of(BRANCH_TYPES):
            full = ctx.full_members(org.pk)
            held = ctx.posts_held(org.pk, ctx.as_of, COMMITTEE_POSTS)
            if full >= threshold and len(held) < least:
                yield self.finding(org, f"{org.name}有正式党员{full}名，应设支部委员会，现仅有委员职务{len(held)}个",
                                   records=[("post", p[4]) for p in held])


class DisciplineBodyMissing(Rule):
    id = "ORG-09"
    title = "未设纪委或纪检委员"
    severity = WARNING
    source = "党章 第八章；支部工作条例 第六章"
    regulation = "党的基层委员会设立纪律检查委员会或者纪律检查委员；党总支、支部委员会设纪检委员。"
    parameters = ("branch_committee_min_posts",)

    def check(self, ctx):
        least = _value("branch_committee_min_posts", ctx)
        for org in ctx.existing_on_as_of((OrgType.COMMITTEE,)):
            held = ctx.posts_held(org.pk, ctx.as_of, (Post.DISCIPLINE_MEMBER, Post.DISCIPLINE_SECRETARY))
            if not org.has_discipline_committee and not held:
                yield self.finding(org, f"{org.name}既未设立纪委，也无在任的纪检委员或纪委书记")
        for org in ctx.existing_on_as_of(BRANCH_TYPES):
            committee = ctx.posts_held(org.pk, ctx.as_of, COMMITTEE_POSTS)
            if len(committee) >= least and not any(p[0] == Post.DISCIPLINE_MEMBER for p in committee):
                yield self.finding(org, f"{org.name}设有支部委员会，但无在任的纪检委员")


def term_end(election, ctx):
    """(end of the term, whether an approved postponement is beyond the limit). The end is the approved
    postponement when there is one within the limit (TERM-02: at most 12 months)."""
    ends = election.term_ends_on
    if not election.postponed_to or election.postponed_to <= ends:
        return ends, False
    limit = add_months(ends, parameters.value("term_max_shift_months", ctx.as_of))
    if election.postponed_to > limit:
        return ends, True
    return election.postponed_to, False


class TermOverdue(Rule):
    id = "TERM-02"
    title = "应换未换"
    severity = ERROR
    source = "基层组织选举工作条例 第三条"
    regulation = "党的基层委员会、总支部委员会、支部委员会任期届满应当按期进行换届选举。如需延期或提前进行换届选举，" \
                 "应当报上级党组织批准，延长或者提前期限一般不超过1年。"
    parameters = ("term_max_shift_months",)

    def check(self, ctx):
        for org in ctx.existing_on_as_of(LEADERSHIP_TYPES):
            election = ctx.last_elections.get(org.pk)
            if election is None:
                continue
            ends, beyond_limit = term_end(election, ctx)
            records = [("election", election.pk)]
            if beyond_limit:
                yield self.finding(org, f"{org.name}批准延期至{election.postponed_to}，超过任期届满（{election.term_ends_on}）"
                                        f"后12个月的期限", date=election.term_ends_on, records=records)
            elif ends < ctx.as_of:
                yield self.finding(org, f"{org.name}任期已于{ends}届满，尚未换届", date=election.term_ends_on,
                                   records=records)


class TermEnding(Rule):
    id = "TERM-03"
    title = "任期即将届满"
    severity = WARNING
    source = "支部工作条例 第六章；12371 党建问答（任期届满前6个月提醒）"
    regulation = "上级党组织一般在党组织任期届满前6个月，以发函或电话等方式提醒做好换届准备。"
    parameters = ("term_reminder_months",)

    def check(self, ctx):
        lead = _value("term_reminder_months", ctx)
        yield from self._ending(ctx, add_months(ctx.as_of, lead))

    def _ending(self, ctx, until):
        for org in ctx.existing_on_as_of(LEADERSHIP_TYPES):
            election = ctx.last_elections.get(org.pk)
            if election is None:
                continue
            ends, beyond_limit = term_end(election, ctx)
            if ctx.as_of <= ends <= until:  # beyond the limit, `ends` is the term's own end
                yield self.finding(org, f"{org.name}任期将于{ends}届满，请做好换届准备", date=ends,
                                   records=[("election", election.pk)])

    def due(self, ctx, horizon):
        return list(self._ending(ctx, horizon))


class SecretaryVacant(Rule):
    id = "TERM-04"
    title = "书记应配未配"
    severity = ERROR
    source = "支部工作条例 第六章（及时补选）；地方软弱涣散认定标准（书记空缺超过3个月）"
    regulation = "书记、副书记和委员出缺，应当及时补选。书记空缺超过3个月的，列为软弱涣散党组织。"
    parameters = ("secretary_vacancy_days",)

    def check(self, ctx):
        limit = _value("secretary_vacancy_days", ctx)
        for org in ctx.existing_on_as_of(LEADERSHIP_TYPES):
            if ctx.posts_held(org.pk, ctx.as_of, (Post.SECRETARY,)):
                continue
            since, last = vacant_since(ctx, org)
            days = (ctx.as_of - since).days + 1  # the first day without a secretary is day 1
            severity = ERROR if days > limit else WARNING
            message = f"{org.name}自{since}起无书记，已{days}天" + (f"，超过{limit}天" if days > limit else "")
            yield self.finding(org, message, date=since, severity=severity,
                               records=[("post", last[4])] if last else [])


def vacant_since(ctx, org):
    """(the first day without a secretary, the last secretary's post) up to the as-of date: the day after
    the last secretary left, or the founding day when there never was one."""
    ended = [p for p in ctx.posts.get(org.pk, ()) if p[0] == Post.SECRETARY and p[3] is not None and p[3] < ctx.as_of
             and p[2] <= ctx.as_of]
    if not ended:
        return org.founded_on, None
    last = max(ended, key=lambda p: p[3])
    return max(last[3] + datetime.timedelta(days=1), org.founded_on), last


for rule in (BranchTooSmall(), BranchTooLarge(), BranchCommitteeMissing(), DisciplineBodyMissing(),
             TermOverdue(), TermEnding(), SecretaryVacant()):
    register(rule)
