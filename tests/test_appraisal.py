"""述职评议: the round and its reporters, paper and online ballots (anonymous, one online vote each), the
tally per secretary and the combined grade with the 考核 score of the responsibility letter."""
import datetime
from decimal import Decimal as M

import pytest

from dangjian.appraisal.models import Ballot, Mark, OnlineVote, RaterGroup
from dangjian.appraisal.queries import grade_of, tally
from dangjian.appraisal.services import (
    add_reporter,
    add_reporters_from_children,
    cast_online_ballot,
    close_round,
    create_round,
    online_group,
    record_paper_ballot,
)
from dangjian.audit.models import AuditEntry
from dangjian.core.errors import DomainError, PermissionDenied
from dangjian.organizations.services import create_post

D = datetime.date
HELD = D(2019, 1, 15)


def refused(code, fn, *args, **kwargs):
    with pytest.raises(DomainError) as info:
        fn(*args, **kwargs)
    assert info.value.code == code, info.value.message
    return info.value


@pytest.fixture
def round_(cast):
    create_post(actor=None, org=cast.a0102, member=cast.zhao, post="secretary", started_on=D(2017, 1, 1))
    r = create_round(actor=cast.a01admin, org=cast.a01, year=2018, held_on=HELD)
    add_reporters_from_children(r, actor=cast.a01admin)
    return r


def reporters(r):
    return {x.org.code: x for x in r.reporters.all()}


def test_the_secretaries_below_report(cast, round_):
    assert [(x.org.code, x.member) for x in round_.reporters.all()] == [("A0101", cast.zhang), ("A0102", cast.zhao)]
    assert add_reporters_from_children(round_, actor=cast.a01admin) == []
    refused("NOT_BELOW", add_reporter, round_, actor=cast.a01admin, org=cast.b0101)
    refused("DUPLICATE", create_round, actor=cast.a01admin, org=cast.a01, year=2018, held_on=HELD)
    refused("DATE_RANGE", create_round, actor=cast.a01admin, org=cast.a01, year=2016, held_on=HELD)
    with pytest.raises(PermissionDenied):
        create_round(actor=cast.shuji, org=cast.a01, year=2019, held_on=D(2019, 12, 20))


def test_a_branch_without_a_secretary_on_the_day_is_named_with_its_reporter(cast):
    r = create_round(actor=None, org=cast.jt, year=2018, held_on=HELD)
    refused("NO_SECRETARY", add_reporter, r, actor=None, org=cast.b01)
    assert add_reporter(r, actor=None, org=cast.b01, member=cast.chen).member == cast.chen


def test_paper_ballots_are_tallied_per_secretary(cast, round_):
    rep = reporters(round_)
    ballots = [("好", "较好"), ("好", "好"), ("较好", "一般"), ("一般", ""), ("差", "好")]
    for zhang, zhao in ballots:
        record_paper_ballot(round_, actor=cast.a01admin, group=RaterGroup.MEMBERS,
                            marks={rep["A0101"]: zhang, rep["A0102"]: zhao})
    by_org = {t.reporter.org.code: t for t in tally(round_)}
    a = by_org["A0101"]
    assert a.counts == {"好": 2, "较好": 1, "一般": 1, "差": 1} and a.valid == 5
    assert (a.good_share, a.good_or_fair_share) == (M("40.0"), M("60.0"))
    assert a.rating_score == M("68.0")  # (2×100 + 80 + 60 + 0) / 5
    b = by_org["A0102"]
    assert b.valid == 4 and b.counts["好"] == 2  # the blank is no mark
    assert b.combined is None and b.grade is None  # no letter: no 考核 score, no grade invented


def test_a_ballot_that_says_nothing_or_what_cannot_be_read_is_refused(cast, round_):
    rep = reporters(round_)
    refused("BLANK_BALLOT", record_paper_ballot, round_, actor=cast.a01admin, group="members",
            marks={rep["A0101"]: "", rep["A0102"]: " "})
    refused("CHOICE", record_paper_ballot, round_, actor=cast.a01admin, group="members", marks={rep["A0101"]: "优"})
    refused("CHOICE", record_paper_ballot, round_, actor=cast.a01admin, group="nobody", marks={rep["A0101"]: "好"})
    other = create_round(actor=None, org=cast.jt, year=2018, held_on=HELD)
    stranger = add_reporter(other, actor=None, org=cast.a01, member=cast.zhang)
    refused("NOT_REPORTER", record_paper_ballot, round_, actor=cast.a01admin, group="members",
            marks={stranger: "好"})
    with pytest.raises(PermissionDenied):
        record_paper_ballot(round_, actor=cast.shuji, group="members", marks={rep["A0101"]: "好"})
    assert not Ballot.objects.exists()


def test_an_online_rater_votes_once_and_the_ballot_does_not_name_them(cast, round_):
    rep = reporters(round_)
    assert cast_online_ballot(round_, user=cast.dangyuan, marks={rep["A0101"]: "好"}) == RaterGroup.MEMBERS
    refused("ALREADY_VOTED", cast_online_ballot, round_, user=cast.dangyuan, marks={rep["A0101"]: "差"})
    assert cast_online_ballot(round_, user=cast.shuji, marks={rep["A0102"]: "较好"}) == RaterGroup.SECRETARIES
    assert cast_online_ballot(round_, user=cast.a01admin, marks={rep["A0102"]: "好"}) == RaterGroup.LEADERS
    assert Ballot.objects.count() == 3 and OnlineVote.objects.count() == 3
    # Nothing stored with the ballot, nor in the audit, points from a person to their ballot.
    ballot_fields = {f.name for f in Ballot._meta.get_fields()}
    assert not ballot_fields & {"user", "member", "voter", "created_by"}
    entries = AuditEntry.objects.filter(action="appraisal.vote")
    assert entries.count() == 3 and {e.object_type for e in entries} == {"round"}
    assert all(e.after is None for e in entries)


def test_only_raters_in_the_rounds_subtree_vote_online(cast, round_):
    rep = reporters(round_)
    assert online_group(round_, cast.b01admin) is None
    assert online_group(round_, cast.outsider) is None
    with pytest.raises(PermissionDenied):
        cast_online_ballot(round_, user=cast.b01admin, marks={rep["A0101"]: "好"})
    b_member = cast.chen
    from dangjian.accounts.services import create_user

    user = create_user(actor=None, username="chen", password="Cast-pass-2018", kind="member", member=b_member)
    assert online_group(round_, user) is None


def test_a_closed_round_takes_no_more_ballots(cast, round_):
    rep = reporters(round_)
    refused("DATE_ORDER", close_round, round_, actor=cast.a01admin, on=HELD - datetime.timedelta(days=1))
    close_round(round_, actor=cast.a01admin, on=HELD)
    refused("ROUND_CLOSED", record_paper_ballot, round_, actor=cast.a01admin, group="members", marks={rep["A0101"]: "好"})
    refused("ROUND_CLOSED", cast_online_ballot, round_, user=cast.dangyuan, marks={rep["A0101"]: "好"})


def test_the_combined_grade_weighs_the_rating_and_the_letter(cast, round_):
    from dangjian.responsibility.services import add_indicator, create_letter, score_indicator

    letter = create_letter(actor=None, from_org=cast.a01, to_org=cast.a0101, year=2018, indicators=())
    indicator = add_indicator(letter, actor=None, name="述职评议", points="50")
    score_indicator(indicator, actor=None, score="45", evidence="材料")  # 45 of 50 = 90 of 100
    rep = reporters(round_)
    for rating in ("好", "好", "较好", "好"):  # 95
        record_paper_ballot(round_, actor=None, group="leaders", marks={rep["A0101"]: rating})
    t = next(t for t in tally(round_) if t.reporter.org.code == "A0101")
    assert (t.rating_score, t.assessment) == (M("95.0"), M("90.0"))
    assert t.combined == M("91.5")  # 0.3 × 95 + 0.7 × 90
    assert t.grade == "好"


@pytest.mark.parametrize("score, grade", [(M("90"), "好"), (M("89.9"), "较好"), (M("80"), "较好"), (M("79.9"), "一般"),
                                          (M("60"), "一般"), (M("59.9"), "差"), (M("0"), "差")])
def test_the_grade_floors_at_their_edges(score, grade):
    assert grade_of(score, D(2019, 1, 15)) == grade


def test_a_ballot_rates_each_secretary_once(cast, round_):
    rep = reporters(round_)
    refused("DUPLICATE", record_paper_ballot, round_, actor=None, group="members",
            marks={rep["A0101"]: "好", rep["A0101"].pk: "差"})
    assert not Mark.objects.exists()


def test_a_problem_raised_in_the_appraisal_becomes_a_rectification_item(cast, round_):
    from dangjian.appraisal.services import raise_problem
    from dangjian.rectification.models import Problem

    rep = reporters(round_)["A0101"]
    problem = raise_problem(rep, actor=cast.a01admin, description="主题党日内容形式单一", deadline=D(2019, 6, 30),
                            measures="每季度开展一次联学共建")
    assert (problem.org, problem.year, problem.get_source_display(), problem.owner) == (
        cast.a0101, 2018, "述职评议", cast.zhang)
    assert problem.number == "A0101-2018-01"
    with pytest.raises(PermissionDenied):
        raise_problem(rep, actor=cast.shuji, description="x", deadline=D(2019, 6, 30))
    assert Problem.objects.count() == 1


def test_a_letter_still_to_be_scored_gives_no_assessment_yet(cast, round_):
    from dangjian.responsibility.services import add_indicator, create_letter

    letter = create_letter(actor=None, from_org=cast.a01, to_org=cast.a0101, year=2018, indicators=())
    add_indicator(letter, actor=None, name="述职评议", points="50")
    rep = reporters(round_)
    record_paper_ballot(round_, actor=None, group="leaders", marks={rep["A0101"]: "好"})
    t = next(t for t in tally(round_) if t.reporter.org.code == "A0101")
    assert t.letter_result is not None and t.assessment is None and t.grade is None
