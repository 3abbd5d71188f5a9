"""党员教育: the training services (checked, audited, scoped, all or nothing in bulk), the hours of a year
(培训 rows + 党课 attended, a 党课 with a 培训 row of 形式 党课 that day counted once), and EDU-01 / EDU-02 at
their boundaries with RULES.md's window: only a completed year, only a member for the whole year, a branch
书记 or committee member in post on the year's last day judged by EDU-02 instead of EDU-01."""
import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dangjian.audit.models import AuditEntry
from dangjian.core.errors import DomainError, PermissionDenied
from dangjian.education.models import Training
from dangjian.education.queries import member_standing, standings, study_hours
from dangjian.education.services import delete_training, record_training, record_trainings, update_training
from dangjian.meetings.services import record_meeting
from dangjian.members.services import record_exit, suspend_member, transfer_member
from dangjian.organizations.models import OrgType
from dangjian.organizations.services import create_post, end_post
from dangjian.rules import parameters
from dangjian.rules.engine import Window, run_checks

from .rules_support import member, org, post

D = datetime.date
M = Decimal
EDU = ("EDU-01", "EDU-02")

pytestmark = pytest.mark.django_db


def train(person, hours, day=D(2018, 5, 10), subject="学习十九大精神", kind="集中培训"):
    return record_training(person, actor=None, held_on=day, subject=subject, hours=hours, kind=kind)


def findings(as_of=D(2018, 12, 31), root=None):
    return [(f.rule, f.person, f.period) for f in run_checks(root=root, window=Window(as_of), rules=EDU)]


def lecture(at, day, came=(), absent=(), subject="党课：学习党章", listed=True):
    people = [(p, True, "") for p in came] + [(p, False, "出差") for p in absent]
    return record_meeting(actor=None, org=at, held_on=day, subject=subject, types=["lecture"],
                          expected=len(people) or 1, present=len(came), attendance=people if listed else None)


@pytest.fixture
def branch():
    """R01, with a member who studied 32 hours in 2018 (the clean case, and the ledger is kept that year)."""
    root = org("R", OrgType.COMMITTEE, has_discipline_committee=True)
    branch = org("R01", parent=root)
    train(member(branch), 32, subject="年度集中学习")
    return branch


# ---- the services ----

def test_it_records_a_training_with_one_decimal_and_audits_it(cast):
    row = record_training(cast.li, actor=cast.shuji, held_on="2018-05-10", subject=" 学习党章 ", hours="3.5",
                          kind="网络学习")
    assert (row.subject, row.hours, row.kind, row.kind_label) == ("学习党章", M("3.5"), "online", "网络学习")
    entry = AuditEntry.objects.get(action="training.create")
    assert entry.actor == cast.shuji and entry.org_code == "A0101" and entry.after["hours"] == "3.5"


@pytest.mark.parametrize("hours, message", [("0", "应大于0"), ("-1", "应大于0"), ("1.25", "一位小数"),
                                            ("abc", "应为数字"), ("", "不能为空"), ("600", "不超过")])
def test_it_refuses_hours_that_are_not_positive_tenths(cast, hours, message):
    with pytest.raises(DomainError, match=message) as error:
        train(cast.li, hours)
    assert error.value.field == "hours"


def test_it_refuses_a_day_in_the_future_or_outside_membership(cast):
    with pytest.raises(DomainError, match="晚于今天"):
        train(cast.li, 4, day=D(2999, 1, 1))
    with pytest.raises(DomainError, match="不是党员") as error:
        train(cast.wang, 4, day=D(2018, 2, 28))  # admitted 2018-03-01
    assert error.value.code == "TRAINING_NOT_MEMBER"
    assert train(cast.wang, 4, day=D(2018, 3, 1)).hours == 4


def test_it_refuses_a_second_row_with_the_same_day_and_subject(cast):
    train(cast.li, 4)
    with pytest.raises(DomainError, match="已登记") as error:
        train(cast.li, 8)
    assert error.value.code == "TRAINING_DUPLICATE"
    assert train(cast.li, 8, subject="另一内容").hours == 8


def test_it_refuses_an_unknown_kind(cast):
    with pytest.raises(DomainError, match="不是可选值"):
        train(cast.li, 4, kind="函授")
    assert train(cast.li, 4, kind="").kind_label == "未注明"


def test_it_lets_only_those_who_manage_the_members_branch_record(cast):
    for user in (cast.b01admin, cast.dangyuan, cast.outsider):
        with pytest.raises(PermissionDenied):
            record_training(cast.li, actor=user, held_on=D(2018, 5, 10), subject="学习", hours=4)
    assert record_training(cast.li, actor=cast.a01admin, held_on=D(2018, 5, 10), subject="学习", hours=4)


def test_it_updates_and_deletes_with_the_audit_keeping_what_it_was(cast):
    row = train(cast.li, 4)
    assert update_training(row, actor=cast.shuji, hours="6.5", kind="专题辅导")
    assert not update_training(row, actor=cast.shuji, hours=M("6.5"))
    entry = AuditEntry.objects.get(action="training.update")
    assert entry.before == {"hours": "4.0", "kind": "concentrated"} and entry.after == {"hours": "6.5",
                                                                                         "kind": "seminar"}
    other = train(cast.li, 2, subject="另一内容")
    with pytest.raises(DomainError, match="已登记"):
        update_training(other, actor=cast.shuji, subject="学习十九大精神")
    with pytest.raises(PermissionDenied):
        delete_training(row, actor=cast.b01admin)
    delete_training(row, actor=cast.shuji)
    assert not Training.objects.filter(pk=row.pk).exists()
    assert AuditEntry.objects.get(action="training.delete").before["subject"] == "学习十九大精神"


def test_it_records_many_rows_at_once_all_or_nothing(cast):
    rows = [(p, {"held_on": D(2018, 6, 1), "subject": "轮训", "hours": 40, "kind": "轮训"})
            for p in (cast.zhang, cast.li)]
    bad = rows + [(cast.wang, {"held_on": D(2018, 1, 5), "subject": "轮训", "hours": 40, "kind": "轮训"})]
    with pytest.raises(DomainError, match="王志强") as error:
        record_trainings(bad, actor=cast.shuji)
    assert error.value.field == f"held_on_{cast.wang.pk}"
    assert not Training.objects.exists()
    with pytest.raises(PermissionDenied):
        record_trainings(rows + [(cast.chen, rows[0][1])], actor=cast.shuji)
    assert record_trainings(rows, actor=cast.shuji) == 2
    assert AuditEntry.objects.filter(action="training.create", actor=cast.shuji).count() == 2
    with pytest.raises(DomainError, match="已登记"):
        record_trainings(rows[:1], actor=cast.shuji)


# ---- the hours of a year ----

def test_the_hours_are_training_rows_and_the_lectures_attended(cast):
    train(cast.li, "10.5")
    train(cast.li, 99, day=D(2017, 12, 31), subject="去年")  # another year
    lecture(cast.a0101, D(2018, 3, 20), came=[cast.li, cast.zhang])
    lecture(cast.a0101, D(2018, 6, 20), came=[cast.zhang], absent=[cast.li])  # absent: not counted
    lecture(cast.a0101, D(2018, 9, 20), came=[cast.li], listed=False)  # head counts only: nobody is named
    hours = study_hours(2018)[cast.li.pk]
    assert (hours.training_hours, hours.lectures, hours.lecture_hours, hours.total) == (M("10.5"), 1, M("4.0"),
                                                                                        M("14.5"))
    assert [line.source for line in hours.lines] == ["lecture", "training"]  # in date order
    assert parameters.parameter("lecture_hours").rule == "EDU-05"


def test_a_lecture_with_a_training_row_of_that_day_counts_once(cast):
    lecture(cast.a0101, D(2018, 3, 20), came=[cast.li, cast.zhang])
    train(cast.li, 2, day=D(2018, 3, 20), subject="党课：学习党章", kind="党课")
    train(cast.zhang, 2, day=D(2018, 3, 20), subject="集中学习", kind="集中培训")  # another kind: both count
    hours = study_hours(2018)
    assert hours[cast.li.pk].total == 2 and hours[cast.li.pk].lectures == 0
    assert hours[cast.zhang.pk].total == 6


def test_a_lecture_elsewhere_in_the_tree_counts_for_who_attended(cast):
    lecture(cast.a01, D(2018, 4, 1), came=[cast.zhang, cast.li])  # the city committee's lecture
    assert study_hours(2018, [cast.li.pk])[cast.li.pk].lecture_hours == 4


# ---- EDU-01 / EDU-02 at their boundaries ----

@pytest.mark.parametrize("hours, fires", [("31.9", True), ("32", False), ("32.1", False)])
def test_edu01_fires_below_32_hours(branch, hours, fires):
    person = member(branch)
    train(person, hours)
    expected = [("EDU-01", person.id_number, "2018")] if fires else []
    assert findings() == expected


@pytest.mark.parametrize("hours, fires", [("55.9", True), ("56", False)])
def test_edu02_fires_below_56_hours_for_a_branch_committee_member_instead_of_edu01(branch, hours, fires):
    holder = post(branch, "organization_member")
    train(holder.member, hours)
    expected = [("EDU-02", holder.member.id_number, "2018")] if fires else []
    assert findings() == expected


def test_lectures_count_towards_the_requirement(branch):
    person = member(branch)
    train(person, 28)
    assert findings() == [("EDU-01", person.id_number, "2018")]
    lecture(branch, D(2018, 3, 1), came=[person])
    assert findings() == []


def test_a_member_admitted_mid_year_is_not_judged(branch):
    member(branch, admitted=D(2018, 1, 2), confirmed=None)
    since_new_year = member(branch, admitted=D(2018, 1, 1), confirmed=None)
    assert findings() == [("EDU-01", since_new_year.id_number, "2018")]


def test_a_member_suspended_or_gone_during_the_year_is_not_judged(branch):
    suspend_member(member(branch), actor=None, suspended_on=D(2018, 7, 1))
    record_exit(member(branch), actor=None, kind="died", exited_on=D(2018, 10, 1))
    assert findings() == []


def test_a_year_without_any_study_hours_recorded_is_not_judged(cast):
    assert findings() == []  # nobody's hours were entered for 2018: no ledger kept
    train(cast.li, 8, day=D(2017, 6, 1))
    assert findings() == [] and findings(as_of=D(2017, 12, 31))
    train(cast.chen, 40)  # a row in 2018, in another subtree: 2018's ledger is kept, everywhere
    assert {rule for rule, _, _ in findings()} == {"EDU-01", "EDU-02"}
    assert findings(root=cast.a0101) == [("EDU-01", cast.li.id_number, "2018"),
                                         ("EDU-02", cast.zhang.id_number, "2018")]


def test_a_year_not_completed_is_not_judged(branch):
    person = member(branch)
    assert findings(as_of=D(2018, 12, 30)) == []
    assert findings(as_of=D(2019, 6, 30)) == []  # 2019 runs; 2018 is outside the window
    assert findings(as_of=D(2018, 12, 31)) == [("EDU-01", person.id_number, "2018")]


def test_the_role_is_judged_on_the_years_last_day(branch):
    left = post(branch, "secretary", started=D(2016, 3, 1), ended=D(2018, 6, 30))
    new = create_post(actor=None, org=branch, member=member(branch), post="secretary", started_on=D(2018, 7, 1))
    for person in (left.member, new.member):
        train(person, 40)
    assert findings() == [("EDU-02", new.member.id_number, "2018")]  # the one leaving is judged by EDU-01: 40 ok
    end_post(new, actor=None, ended_on=D(2018, 12, 31))  # still in post on the last day
    assert findings() == [("EDU-02", new.member.id_number, "2018")]


def test_a_committee_post_above_the_branch_does_not_make_56(branch):
    city = branch.parent
    holder = post(city, "committee_member", person=member(branch))
    train(holder.member, 40)
    assert findings() == []


def test_the_finding_is_reported_where_the_membership_is_at_year_end(branch):
    other = org("R02", parent=branch.parent)
    person = member(branch)
    transfer_member(person, actor=None, to_org=other, transferred_on=D(2018, 8, 1))
    found = run_checks(window=Window.for_year(2018), rules=EDU)
    assert [(f.rule, f.org, f.person) for f in found] == [("EDU-01", "R02", person.id_number)]
    assert "0.0学时" in found[0].message and "少于32学时" in found[0].message
    assert findings(root=branch) == []  # not held by R01 on the last day
    assert findings(root=other) == [("EDU-01", person.id_number, "2018")]


def test_the_standing_says_who_is_judged_and_what_is_missing(cast):
    train(cast.zhang, 50)
    zhang = member_standing(cast.zhang, 2018)
    assert (zhang.rule, zhang.required, zhang.missing, zhang.short, zhang.post_labels) == (
        "EDU-02", 56, M("6.0"), True, "书记")
    wang = member_standing(cast.wang, 2018)
    assert (wang.judged, wang.short, wang.required) == (False, False, 32)
    assert member_standing(cast.li, 2009) is None  # not a member yet


def test_the_check_reads_the_hours_in_a_fixed_number_of_queries(branch):
    def run():
        with CaptureQueriesContext(connection) as queries:
            findings()
        return len(queries)

    for _ in range(3):
        train(member(branch), 8)
    few = run()
    for _ in range(10):
        person = member(branch)
        train(person, 8)
        lecture(branch, D(2018, 3, 1) + datetime.timedelta(days=person.pk % 200), came=[person])
    assert run() == few
    assert len(standings(2018)) == 14
