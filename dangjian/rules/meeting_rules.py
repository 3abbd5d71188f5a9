"""MTG-*: organisational life. The "no meeting in a period" rules are one class with the meeting type,
the frequency (a parameter with its effective date) and the organisations it applies to as data; the vote
and quorum rules look at each meeting of the window."""
import datetime
from fractions import Fraction

from dangjian.meetings.models import MeetingType
from dangjian.organizations.models import BRANCH_TYPES, COMMITTEE_POSTS, LEADERSHIP_TYPES, OrgType, Post

from . import parameters
from .engine import ERROR, WARNING, Rule, period_containing, register


class MissingMeeting(Rule):
    """No meeting of `meeting_type` in a period (month, quarter or year, from the frequency parameter)
    for each organisation of `org_types` that existed for the whole period."""

    severity = WARNING

    def __init__(self, id, meeting_type, org_types, verb, source, regulation, frequency=None):
        self.id = id
        self.meeting_type = meeting_type
        self.org_types = org_types
        self.verb = verb  # 召开 / 开展 / 讲授
        self.source = source
        self.regulation = regulation
        self.frequency = frequency or f"meeting_frequency.{meeting_type}"
        self.parameters = (self.frequency,)
        self.title = f"未按期{verb}{MeetingType(meeting_type).label}"

    def applies(self, ctx, org, period):
        return True

    def _kind(self, ctx, day):
        return parameters.value(self.frequency, day)

    def check(self, ctx):
        kind = self._kind(ctx, ctx.window.start)
        orgs = [o for o in ctx.orgs if o.org_type in self.org_types]
        for period in ctx.window.ended_periods(kind):
            for org in orgs:
                if ctx.existed_through(org, period) and self.applies(ctx, org, period) \
                        and not ctx.held_in(org.pk, self.meeting_type, period):
                    yield self.finding(org, self._message(org, period), period=period)

    def _message(self, org, period):
        return f"{period.label}未{self.verb}{MeetingType(self.meeting_type).label}"

    def due(self, ctx, horizon):
        """Periods not yet ended on the as-of date that end by `horizon`, for organisations that have not
        had the meeting in them by the as-of date (a period ending on the as-of date is a finding already)."""
        out = []
        period = period_containing(ctx.as_of + datetime.timedelta(days=1), self._kind(ctx, ctx.as_of))
        while period.end <= horizon:
            for org in ctx.orgs:
                if org.org_type in self.org_types and ctx.existed_through(org, period) \
                        and self.applies(ctx, org, period) and not ctx.held_in(org.pk, self.meeting_type, period):
                    out.append(self.finding(org, f"{period.label}尚未{self.verb}{MeetingType(self.meeting_type).label}"
                                                 f"（{period.end}前）", period=period, date=period.end))
            period = period_containing(period.end + datetime.timedelta(days=1), period.kind)
        return out


class MissingCommitteeMeeting(MissingMeeting):
    """MTG-05 applies only to a branch that has a committee on the month's last day."""

    def applies(self, ctx, org, period):
        least = parameters.value("branch_committee_min_posts", period.end)
        return len(ctx.posts_held(org.pk, period.end, COMMITTEE_POSTS)) >= least


BRANCH_AND_GENERAL = BRANCH_TYPES + (OrgType.GENERAL_BRANCH,)

MISSING_MEETING_RULES = (
    MissingMeeting("MTG-01", MeetingType.BRANCH_GENERAL, BRANCH_AND_GENERAL, "召开", "支部工作条例 第十一条",
                   "支部党员大会是党支部的议事决策机构，由全体党员参加，一般每季度召开1次。"),
    MissingCommitteeMeeting("MTG-05", MeetingType.BRANCH_COMMITTEE, BRANCH_TYPES, "召开", "支部工作条例 第十二条",
                            "支部委员会会议一般每月召开1次，根据需要可以随时召开。"),
    MissingMeeting("MTG-06", MeetingType.GROUP, (OrgType.PARTY_GROUP,), "召开", "支部工作条例 第十三条",
                   "党小组会一般每月召开1次。"),
    MissingMeeting("MTG-08", MeetingType.LECTURE, BRANCH_TYPES, "开展", "支部工作条例 第十六条",
                   "党支部应当组织党员按期参加党课；党课一般每季度至少1次（地方通行做法）。"),
    MissingMeeting("MTG-09", MeetingType.THEME_DAY, BRANCH_TYPES, "开展", "支部工作条例 第十七条",
                   "党支部应当每月相对固定1天开展主题党日。"),
    MissingMeeting("MTG-10", MeetingType.LIFE_MEETING, BRANCH_TYPES, "召开", "支部工作条例 第十八条",
                   "组织生活会一般每年召开1次，根据需要可以随时召开。"),
    MissingMeeting("MTG-12", MeetingType.APPRAISAL, BRANCH_TYPES, "开展", "支部工作条例 第二十条",
                   "党支部一般每年开展1次民主评议党员。"),
    MissingMeeting("MTG-15", MeetingType.DEMOCRATIC_LIFE, (OrgType.COMMITTEE,), "召开", "关于新形势下党内政治生活的若干准则",
                   "党员领导干部民主生活会一般每年召开1次。"),
)


class SecretaryGaveNoLecture(Rule):
    id = "MTG-16"
    title = "书记未讲党课"
    severity = WARNING
    source = "支部工作条例 第十六条"
    regulation = "党员领导干部应当定期为基层党员讲党课，党委（党组）书记每年至少讲1次党课。"
    parameters = ("secretary_lectures_per_year",)

    def check(self, ctx):
        for period in ctx.window.ended_periods("year"):
            orgs = [o for o in ctx.orgs if o.org_type in LEADERSHIP_TYPES and ctx.existed_through(o, period)]
            secretaries = []
            for org in orgs:
                held = ctx.posts_held(org.pk, period.end, (Post.SECRETARY,))
                if held and (held[0][1], period.start.year) not in ctx.lecturers_by_year:
                    secretaries.append((org, held[0]))
            ctx.prefetch_id_numbers([post[1] for _, post in secretaries])
            for org, post in secretaries:
                yield self.finding(org, f"{period.label}{org.name}书记未讲党课", period=period,
                                   person=ctx.id_number(post[1]), records=[("post", post[4])])


def _at_most_share(count, total, share):
    """count ≤ total × share, exactly (the rules say "more than half": ×2 > 应到)."""
    return count <= total * Fraction(share)


class VoteInvalid(Rule):
    id = "MTG-02"
    title = "党员大会表决不足法定人数或票数"
    severity = ERROR
    source = "支部工作条例 第十一条"
    regulation = "支部党员大会进行表决，必须有半数以上有表决权的党员到会方可进行；赞成人数超过应到会有表决权的党员的半数为通过。"
    parameters = ("vote_quorum_share", "vote_pass_share")

    def check(self, ctx):
        problems = {}
        for meeting_id, org_id, held_on, matter, expected, present, yes in ctx.votes(MeetingType.BRANCH_GENERAL):
            quorum = parameters.value("vote_quorum_share", held_on)
            majority = parameters.value("vote_pass_share", held_on)
            if _at_most_share(present, expected, quorum):
                problem = f"“{matter}”表决时实到{present}人，未超过应到{expected}人的半数"
            elif _at_most_share(yes, expected, majority):
                problem = f"“{matter}”赞成{yes}票，未超过应到{expected}人的半数"
            else:
                continue
            problems.setdefault((meeting_id, org_id, held_on), []).append(problem)
        for (meeting_id, org_id, held_on), texts in problems.items():
            yield self.finding(ctx.orgs_by_id[org_id], f"{held_on}支部党员大会：" + "；".join(texts),
                               date=held_on, records=[("meeting", meeting_id)])


class CommitteeMeetingNoQuorum(Rule):
    id = "MTG-05Q"
    title = "支委会到会不足半数"
    severity = WARNING
    source = "支部工作条例 第十二条"
    regulation = "支部委员会会议须有半数以上委员到会方可进行。"
    parameters = ("committee_meeting_quorum_share",)

    def check(self, ctx):
        for meeting_id, org_id, held_on, expected, present in ctx.meeting_counts(MeetingType.BRANCH_COMMITTEE):
            if _at_most_share(present, expected, parameters.value("committee_meeting_quorum_share", held_on)):
                yield self.finding(ctx.orgs_by_id[org_id], f"{held_on}支部委员会实到{present}人，未超过应到{expected}人的半数",
                                   date=held_on, records=[("meeting", meeting_id)])


for rule in MISSING_MEETING_RULES + (SecretaryGaveNoLecture(), VoteInvalid(), CommitteeMeetingNoQuorum()):
    register(rule)
