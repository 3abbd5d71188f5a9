"""ELE-*: elections. Each election held in the window (from the window's first day to the as-of date) is
judged once, like MTG-02 judges a meeting: a one-off fact, `period` null, `date` = the election's date.
The counting (the 20% margin rounded up, the four fifths) is organizations.counting's, with the parameters
in force on the election's date: the same functions refuse such an election when it is entered on a page."""
from dangjian.organizations import counting

from .engine import ERROR, Rule, register


class ElectionRule(Rule):
    """A rule judging each election of the window: `problem(election)` says what is wrong, or None. The
    ledger importer asks the same question of the rows it imported (of any year)."""

    severity = ERROR

    def problem(self, election):
        raise NotImplementedError

    def check(self, ctx):
        for election in ctx.elections_in_window:
            message = self.problem(election)
            if message:
                yield self.finding(ctx.orgs_by_id[election.org_id], message, date=election.held_on,
                                   records=[("election", election.pk)])


class TooFewCandidates(ElectionRule):
    id = "ELE-02"
    title = "未实行差额选举（候选人差额不足20%）"
    source = "基层组织选举工作条例 第十三条"
    regulation = "委员候选人的差额不少于应选人数的20%（应选人数×1.2，有小数的进为整数）。"
    parameters = ("election_candidate_margin",)

    def problem(self, election):
        least = counting.min_candidates(election.seats, election.held_on)
        if election.candidates >= least:
            return None
        return (f"{election.held_on}换届选举应选{election.seats}人，候选人{election.candidates}人，"
                f"少于应选人数多20%的{least}人")


class NoElectionQuorum(ElectionRule):
    id = "ELE-05"
    title = "选举到会人数未超过应到会人数五分之四"
    source = "基层组织选举工作条例；基层组织选举工作暂行条例 1990"
    regulation = "进行选举时，有选举权的到会人数超过应到会人数的五分之四，会议有效。"
    parameters = ("election_quorum_share",)

    def problem(self, election):
        if counting.quorum_met(election.expected, election.present, election.held_on):
            return None
        return (f"{election.held_on}换届选举应到{election.expected}人，实到{election.present}人，"
                f"未超过应到人数的五分之四，选举无效")


for rule in (TooFewCandidates(), NoElectionQuorum()):
    register(rule)
