"""How a 换届选举 is counted: the 差额 the candidates must have (ELE-02), the attendance that makes the
election valid (ELE-05) and who is elected (ELE-07). Exact fractions, with the parameters in force on the
election's date (the 1990 暂行条例 until 2020-07-13, the 2020 条例 after). The check (rules/election_rules.py),
the services and the election page all count with these functions, so they cannot disagree."""
import math
import re
from fractions import Fraction

from dangjian.rules import parameters


def min_candidates(seats, on):
    """ELE-02: the fewest candidates for `seats` places: seats × 1.2 rounded up (5 → 6, 7 → 9, 3 → 4)."""
    margin = Fraction(parameters.value("election_candidate_margin", on))
    return math.ceil(seats * (1 + margin))


def quorum_met(expected, present, on):
    """ELE-05: the election is valid only when those present with electoral rights are more than 4/5 of
    those who should attend (present × 5 > expected × 4; exactly 4/5 is not enough)."""
    return present > expected * Fraction(parameters.value("election_quorum_share", on))


def min_present(expected, on):
    """The fewest present that make the election valid (for the messages)."""
    return math.floor(expected * Fraction(parameters.value("election_quorum_share", on))) + 1


def majority_base(expected, present, on):
    """(the number the yes votes are measured against, its name): 实到会 under the 1990 暂行条例 (第二十二条),
    应到会 under the 2020 条例 (rulebook ELE-07)."""
    if parameters.value("election_majority_base", on) == "present":
        return present, "实到会"
    return expected, "应到会"


def count_votes(tallies, *, seats, expected, present, on):
    """ELE-07 on `tallies` [(key, votes)]: (elected keys in order of votes, tied keys). A nominee is elected
    with yes votes more than half of the base; when more pass than there are places, in order of votes until
    the places are filled. Nominees tied at the cut-off cannot be told apart: they are returned as `tied`
    (a new vote among them is needed) and nobody of that tie is elected."""
    base, _ = majority_base(expected, present, on)
    share = Fraction(parameters.value("election_majority_share", on))
    passed = sorted(((votes, key) for key, votes in tallies if votes > base * share), key=lambda p: -p[0])
    if len(passed) <= seats:
        return [key for _, key in passed], []
    cut = passed[seats - 1][0] if seats else None
    if seats and passed[seats][0] == cut:
        tied = [key for votes, key in passed if votes == cut]
        return [key for votes, key in passed if votes > cut], tied
    return [key for _, key in passed[:seats]], []


def regulation(name, on):
    """The regulation and article of parameter `name` in force on `on`, as the messages cite it:
    "《基层组织选举工作条例》第十三条"."""
    text = re.split("[（；]", parameters.parameter(name, on).source)[0].strip()
    title, *rest = text.split()
    article = next((part for part in rest if part.startswith("第")), "")
    return f"《{title}》{article}"


def too_few_candidates(seats, candidates, on):
    """The ELE-02 refusal for a count of candidates, or None when there are enough."""
    least = min_candidates(seats, on)
    if candidates >= least:
        return None
    return (f"按{regulation('election_candidate_margin', on)}（ELE-02），委员候选人的差额不少于应选人数的20%："
            f"应选{seats}人，候选人应不少于{least}人，现为{candidates}人")


def no_quorum(expected, present, on):
    """The ELE-05 refusal for an attendance, or None when the election is valid."""
    if quorum_met(expected, present, on):
        return None
    return (f"按{regulation('election_quorum_share', on)}（ELE-05），有选举权的到会人数须超过应到会人数的五分之四，"
            f"选举方为有效：应到{expected}人，实到{present}人，至少应到会{min_present(expected, on)}人")
