"""党建工作责任制: responsibilities from the 班子, letters from a higher level with computed and hand-scored
indicators, the records behind each computed figure, and the ranking."""
import datetime
from decimal import Decimal as M

import pytest
from dangjian.core.errors import PermissionDenied

from dangjian.audit.models import AuditEntry
from dangjian.core.errors import DomainError
from dangjian.dues.services import declare_base, record_payment
from dangjian.meetings.models import MeetingType
from dangjian.meetings.services import record_meeting
from dangjian.members.services import create_member
from dangjian.organizations.services import create_post
from dangjian.responsibility import metrics
from dangjian.responsibility.models import Duty, Responsibility
from dangjian.responsibility.queries import letter_result, ranking
from dangjian.responsibility.services import (
    add_indicator,
    assign_from_committee,
    assign_responsibility,
    create_letter,
    create_letters_for_children,
    score_indicator,
)

from .cast import person_id

D = datetime.date
YEAR_END = D(2018, 12, 31)


def refused(code, fn, *args, **kwargs):
    with pytest.raises(DomainError) as info:
        fn(*args, **kwargs)
    assert info.value.code == code, info.value.message
    return info.value


def theme_day(org, day):
    return record_meeting(actor=None, org=org, held_on=day, subject="主题党日", types=[MeetingType.THEME_DAY],
                          expected=3, present=3)


# ---- responsibilities ----

def test_it_fills_the_years_responsibilities_from_the_committee(cast):
    create_post(actor=None, org=cast.a0101, member=cast.li, post="organization_member", started_on=D(2017, 1, 1))
    create_post(actor=None, org=cast.a0101, member=cast.wang, post="publicity_member", started_on=D(2019, 1, 1))
    created = assign_from_committee(actor=cast.shuji, org=cast.a0101, year=2018)
    assert {(r.duty, r.member_id) for r in created} == {
        (Duty.PRINCIPAL, None), (Duty.FIRST, cast.zhang.pk), (Duty.DUAL, cast.li.pk)}  # 王 only from 2019
    assert assign_from_committee(actor=cast.shuji, org=cast.a0101, year=2018) == []  # kept, not doubled
    assert AuditEntry.objects.filter(action="responsibility.create").count() == 3


def test_it_refuses_a_duty_the_member_cannot_carry(cast):
    refused("DUTY_NOT_IN_POST", assign_responsibility, actor=cast.shuji, org=cast.a0101, year=2018,
            duty=Duty.DUAL, member=cast.li)
    create_post(actor=None, org=cast.a0101, member=cast.li, post="organization_member", started_on=D(2017, 1, 1))
    refused("DUTY_NOT_SECRETARY", assign_responsibility, actor=cast.shuji, org=cast.a0101, year=2018,
            duty=Duty.FIRST, member=cast.li)
    refused("DUTY_MEMBER", assign_responsibility, actor=cast.shuji, org=cast.a0101, year=2018,
            duty=Duty.PRINCIPAL, member=cast.li)
    refused("REQUIRED", assign_responsibility, actor=cast.shuji, org=cast.a0101, year=2018, duty=Duty.DIRECT)
    refused("YEAR", assign_responsibility, actor=cast.shuji, org=cast.a0101, year="18x", duty=Duty.PRINCIPAL)
    with pytest.raises(PermissionDenied):
        assign_responsibility(actor=cast.shuji, org=cast.a0102, year=2018, duty=Duty.PRINCIPAL)
    assert not Responsibility.objects.exists()


def test_a_secretary_who_left_before_the_year_is_not_its_first_responsible(cast):
    from dangjian.organizations.services import end_post

    end_post(cast.secretary_post, actor=None, ended_on=D(2017, 12, 31))
    refused("DUTY_NOT_IN_POST", assign_responsibility, actor=None, org=cast.a0101, year=2018, duty=Duty.FIRST,
            member=cast.zhang)
    assert assign_responsibility(actor=None, org=cast.a0101, year=2017, duty=Duty.FIRST, member=cast.zhang)


# ---- letters ----

def test_it_signs_a_letter_with_each_organisation_below(cast):
    letters = create_letters_for_children(actor=cast.a01admin, from_org=cast.a01, year=2018)
    assert [l.to_org.code for l in letters] == ["A0101", "A0102"]
    assert [i.points for i in letters[0].indicators.all()] == [15, 15, 10, 10, 20, 15, 15]
    assert create_letters_for_children(actor=cast.a01admin, from_org=cast.a01, year=2018) == []
    refused("DUPLICATE", create_letter, actor=cast.a01admin, from_org=cast.a01, to_org=cast.a0101, year=2018)


def test_it_refuses_a_letter_to_an_organisation_not_below(cast):
    refused("LETTER_NOT_BELOW", create_letter, actor=cast.zuzhibu, from_org=cast.a01, to_org=cast.b0101, year=2018)
    refused("LETTER_NOT_BELOW", create_letter, actor=cast.zuzhibu, from_org=cast.a01, to_org=cast.a01, year=2018)
    refused("ORG_TYPE", create_letter, actor=cast.zuzhibu, from_org=cast.a0101, to_org=cast.a0101g1, year=2018)
    with pytest.raises(PermissionDenied):  # the branch cannot write its own targets
        create_letter(actor=cast.shuji, from_org=cast.a01, to_org=cast.a0101, year=2018)


def test_the_indicators_add_up_to_at_most_100_points(cast):
    letter = create_letter(actor=None, from_org=cast.a01, to_org=cast.a0101, year=2018, indicators=())
    add_indicator(letter, actor=None, name="甲", points="99.9")
    refused("LETTER_OVER_100", add_indicator, letter, actor=None, name="乙", points="0.2")
    add_indicator(letter, actor=None, name="乙", points="0.1")
    refused("NUMBER", add_indicator, letter, actor=None, name="丙", points="0")
    refused("CHOICE", add_indicator, letter, actor=None, name="丙", points="1", metric="nonsense")


def _manual(letter):
    return letter.indicators.filter(metric="").first()


def test_only_the_higher_level_scores_by_hand_within_the_points_and_with_evidence(cast):
    letter = create_letter(actor=None, from_org=cast.a01, to_org=cast.a0101, year=2018)
    first = _manual(letter)  # 15 points
    with pytest.raises(PermissionDenied, match="不能为自己评分"):
        score_indicator(first, actor=cast.shuji, score="15", evidence="自评")
    refused("SCORE_OVER", score_indicator, first, actor=cast.a01admin, score="15.1", evidence="查阅述职材料")
    refused("REQUIRED", score_indicator, first, actor=cast.a01admin, score="12", evidence=" ")
    refused("NUMBER", score_indicator, first, actor=cast.a01admin, score="-1", evidence="x")
    computed = letter.indicators.exclude(metric="").first()
    refused("INDICATOR_COMPUTED", score_indicator, computed, actor=cast.a01admin, score="1", evidence="x")
    score_indicator(first, actor=cast.a01admin, score="15", evidence="查阅述职评议记录", scored_on=D(2019, 1, 20))
    first.refresh_from_db()
    assert (first.score, first.scored_on) == (M("15.0"), D(2019, 1, 20))
    entry = AuditEntry.objects.get(action="indicator.score")
    assert M(entry.after["score"]) == 15 and entry.actor == cast.a01admin


# ---- computed indicators: the value is what the records say, and the records are shown ----

def test_the_theme_day_share_counts_the_branch_months_with_their_meetings(cast):
    for month in range(1, 13):
        if month not in (3, 7):
            theme_day(cast.a0101, D(2018, month, 10))
    value = metrics.theme_day_share(cast.a0101, 2018, YEAR_END)
    assert value.value == M("83.3") and len(value.rows) == 12
    missing = [r for r in value.rows if not r.counts]
    assert [r.label for r in missing] == ["甲市一支部2018年3月：未开展主题党日", "甲市一支部2018年7月：未开展主题党日"]
    assert all(r.kind == "meeting" for r in value.rows if r.counts)
    # As of 2018-07-31 July has just ended and counts; August has not.
    assert len(metrics.theme_day_share(cast.a0101, 2018, D(2018, 7, 30)).rows) == 6
    assert len(metrics.theme_day_share(cast.a0101, 2018, D(2018, 7, 31)).rows) == 7


def test_a_branch_founded_mid_month_is_judged_from_the_next_month(cast):
    from dangjian.organizations.services import create_organization

    new = create_organization(actor=None, code="A0103", name="甲市三支部", org_type="branch", parent=cast.a01,
                              founded_on=D(2018, 10, 2))
    theme_day(new, D(2018, 11, 10))
    value = metrics.theme_day_share(new, 2018, YEAR_END)
    assert [r.counts for r in value.rows] == [True, False]  # November held, December not; October not judged


def test_recruited_counts_the_members_admitted_in_the_year(cast):
    for n, day in ((71, D(2017, 12, 31)), (72, D(2018, 1, 1)), (73, D(2018, 12, 31))):
        create_member(actor=None, id_number=person_id(n), name=f"新党员{n}", org=cast.a0102, admitted_on=day)
    value = metrics.recruited(cast.a01, 2018, YEAR_END)
    # 王志强 (A0101, 2018-03-01) and the two of A0102 in 2018; B01's subtree does not count.
    assert value.value == 3
    assert [r.date for r in value.rows] == [D(2018, 1, 1), D(2018, 3, 1), D(2018, 12, 31)]
    assert metrics.recruited(cast.a01, 2018, D(2018, 12, 30)).value == 2


def test_the_dues_rate_is_what_was_paid_of_what_was_due(cast):
    for member in (cast.zhang, cast.li):
        declare_base(member, actor=None, month=D(2018, 1, 1), base="4000")  # 40.00 a month
    for month in range(1, 13):
        record_payment(cast.zhang, actor=None, month=D(2018, month, 1), amount="40", paid_on=D(2018, month, 20),
                       history=True)
    record_payment(cast.li, actor=None, month=D(2018, 1, 1), amount="20", paid_on=D(2018, 1, 20), history=True)
    value = metrics.dues_rate(cast.a0101, 2018, YEAR_END)
    # Due: 张 480 + 李 480 + 王 (no base declared: unknown, not counted); paid in time: 480 + 20.
    assert value.text.startswith("应交960.00元，按时足额500.00元")
    assert value.value == M("52.1")
    assert [(r.label, r.counts) for r in value.rows] == [("甲市一支部", False)]


def test_open_errors_are_the_error_findings_of_the_subtree(cast):
    from dangjian.rules.engine import Window, run_checks

    value = metrics.open_errors(cast.a01, 2018, YEAR_END)
    expected = [f for f in run_checks(root=cast.a01, window=Window(YEAR_END)) if f.severity == "error"]
    assert value.value == len(expected) and len(value.rows) == len(expected)


@pytest.mark.parametrize("value, points", [(M("0"), M("0.0")), (M("50"), M("7.5")), (M("99.9"), M("15.0")),
                                           (M("100"), M("15.0")), (M("100.1"), M("15.0"))])
def test_a_higher_is_better_indicator_earns_in_proportion_up_to_the_target(value, points):
    expected = points if value != M("99.9") else M("15.0")  # 14.985 rounds half up to 15.0
    assert metrics.score(15, M("100"), "higher", value) == expected


@pytest.mark.parametrize("value, points", [(0, M("20.0")), (1, M("20.0")), (2, M("10.0")), (4, M("5.0"))])
def test_a_lower_is_better_indicator_loses_in_proportion_past_the_target(value, points):
    assert metrics.score(20, M("1"), "lower", value) == points


def test_zero_findings_wanted_and_one_found_earns_nothing():
    assert metrics.score(20, M("0"), "lower", 0) == M("20.0")
    assert metrics.score(20, M("0"), "lower", 1) == M("0.0")


def test_the_letters_total_and_the_ranking(cast):
    for month in range(1, 13):
        theme_day(cast.a0101, D(2018, month, 10))
    a, b = create_letters_for_children(actor=None, from_org=cast.a01, year=2018)
    for letter, given in ((a, "10"), (b, "14")):
        score_indicator(_manual(letter), actor=None, score=given, evidence="查阅资料")
    result_a, result_b = letter_result(a), letter_result(b)
    assert result_a.as_of == YEAR_END and result_a.points == 100
    by_metric_a = {r.indicator.metric: r.score for r in result_a.results}
    assert by_metric_a["theme_day_share"] == M("15.0")  # every month held in A0101
    assert {r.indicator.metric: r.score for r in result_b.results}["theme_day_share"] == M("0.0")
    assert result_a.total == sum(r.score for r in result_a.results if r.score is not None)
    assert result_a.unscored == 2  # the two other hand-scored indicators
    assert result_a.total > result_b.total  # 15 more for the theme days, 5 for 王志强 admitted, 4 less by hand
    assert [(rank, r.letter.to_org.code, r.total) for rank, r in ranking(cast.a01, 2018)] == [
        (1, "A0101", result_a.total), (2, "A0102", result_b.total)]


def test_equal_totals_share_a_rank(cast):
    create_letters_for_children(actor=None, from_org=cast.a01, year=2019)
    assert [rank for rank, _ in ranking(cast.a01, 2019, as_of=D(2019, 12, 31))] == [1, 1]


def test_the_ranking_reads_the_same_figures_as_each_letter_alone(cast):
    from dangjian.organizations.services import end_post

    end_post(cast.secretary_post, actor=None, ended_on=D(2018, 3, 1))  # A0101 without a secretary: TERM-04
    create_letters_for_children(actor=None, from_org=cast.jt, year=2018)
    for _, ranked in ranking(cast.jt, 2018):
        alone = letter_result(ranked.letter)
        assert [(r.indicator.pk, r.score, r.value and r.value.value) for r in ranked.results] == [
            (r.indicator.pk, r.score, r.value and r.value.value) for r in alone.results]
    from dangjian.rules.engine import Window, run_checks

    errors = {r.letter.to_org.code: next(x.value.value for x in r.results if x.indicator.metric == "open_errors")
              for _, r in ranking(cast.jt, 2018)}
    assert errors == {org.code: sum(f.severity == "error" for f in run_checks(root=org, window=Window(YEAR_END)))
                      for org in (cast.a01, cast.b01)}
    assert errors["A01"] >= 1  # the vacant secretary (TERM-04) among them
