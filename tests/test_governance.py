"""三重一大 services: recording a matter as it happened (a missing or late study is history, not refused), the
refusals on their field, the 前置研究 meeting (a 党委会 or 党委扩大会 of the same 党委 on the 前置研究日期, found by
the date when none is given), corrections, scope, audit, and the versioned 前置研究事项清单."""
import datetime
from decimal import Decimal

import pytest

from dangjian.audit.models import AuditEntry
from dangjian.core.errors import DomainError, PermissionDenied
from dangjian.governance import services
from dangjian.governance.models import Matter, StudyStatus
from dangjian.governance.queries import list_entry, list_versions, matters_of_year, status_counts, version_in_force
from dangjian.meetings.services import record_meeting

D = datetime.date


def meeting(org, day, types=("committee",), topics=("major_matters",), subject="党委会"):
    return record_meeting(actor=None, org=org, held_on=day, subject=subject, types=list(types), expected=9,
                          present=9, topics=list(topics))


def matter(org, number="JT-2018-01", **kw):
    values = dict(name="文化产业园二期项目", category="重大项目安排", deciding_body="董事会", decided_on=D(2018, 3, 20),
                  amount="8600")
    values.update(kw)
    return services.record_matter(actor=kw.pop("actor", None), org=org, number=number,
                                  **{k: v for k, v in values.items() if k != "actor"})


def test_it_records_a_matter_with_its_study_meeting_found_by_date(cast):
    m1 = meeting(cast.jt, D(2018, 3, 12))
    m = matter(cast.jt, studied_on=D(2018, 3, 12), decision_note="第三届董事会第五次会议决议")
    assert (m.category, m.deciding_body, m.amount, m.studied_on, m.study_meeting) == (
        "project", "board", Decimal("8600.00"), D(2018, 3, 12), m1)
    assert m.study_status == StudyStatus.DONE and m.study_status_label == "已前置研究"
    entry = AuditEntry.objects.get(action="matter.create")
    assert entry.org_code == "JT" and entry.after["studied_on"] == "2018-03-12"


def test_a_given_meeting_sets_the_study_date(cast):
    m1 = meeting(cast.jt, D(2018, 3, 12), types=("committee_extended",))
    m = matter(cast.jt, study_meeting=m1)
    assert m.studied_on == D(2018, 3, 12) and m.study_meeting == m1


def test_a_study_date_without_a_meeting_on_record_is_kept_unlinked(cast):
    meeting(cast.a01, D(2018, 3, 12))  # another 党委's 党委会 that day
    meeting(cast.jt, D(2018, 3, 12), types=("work_conference",))  # not a 党委会
    m = matter(cast.jt, studied_on="2018-03-12")
    assert m.studied_on == D(2018, 3, 12) and m.study_meeting is None


def test_of_two_committee_meetings_that_day_the_one_on_major_matters_is_linked(cast):
    meeting(cast.jt, D(2018, 3, 12), topics=("party_building",), subject="上午党委会")
    second = meeting(cast.jt, D(2018, 3, 12), subject="下午党委会")
    assert matter(cast.jt, studied_on=D(2018, 3, 12)).study_meeting == second


@pytest.mark.parametrize("studied,status", [
    (None, StudyStatus.MISSING), (D(2018, 3, 21), StudyStatus.LATE), (D(2018, 3, 20), StudyStatus.DONE)])
def test_a_missing_or_late_study_is_recorded_as_it_happened(cast, studied, status):
    m = matter(cast.jt, studied_on=studied)
    assert m.study_status == status
    assert matter(cast.jt, "JT-2018-02", deciding_body="党委会", studied_on=studied).study_status == "committee"


REFUSED = {
    "no number": (dict(number=""), "number", "REQUIRED"),
    "number with a space": (dict(number="JT 01"), "number", "NUMBER_FORMAT"),
    "no name": (dict(name=" "), "name", "REQUIRED"),
    "unknown category": (dict(category="重大事项"), "category", "CHOICE"),
    "unknown body": (dict(deciding_body="股东会"), "deciding_body", "CHOICE"),
    "no decision date": (dict(decided_on=None), "decided_on", "REQUIRED"),
    "impossible date": (dict(decided_on="2018-02-30"), "decided_on", "DATE_INVALID"),
    "future decision": (dict(decided_on=D(2099, 1, 1)), "decided_on", "DATE_FUTURE"),
    "future study": (dict(studied_on=D(2099, 1, 1)), "studied_on", "DATE_FUTURE"),
    "decided before the committee": (dict(decided_on=D(2015, 12, 31)), "decided_on", "DATE_ORDER"),
    "studied before the committee": (dict(studied_on=D(2015, 12, 31)), "studied_on", "DATE_ORDER"),
    "negative amount": (dict(amount="-1"), "amount", "NUMBER"),
    "amount with three decimals": (dict(amount="1.234"), "amount", "NUMBER"),
    "amount as words": (dict(amount="五百"), "amount", "NUMBER"),
}


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_it_refuses_what_cannot_be_on_its_field(cast, name):
    changes, field, code = REFUSED[name]
    with pytest.raises(DomainError) as caught:
        matter(cast.jt, **({"number": "JT-2018-01"} | changes))
    assert (caught.value.field, caught.value.code) == (field, code)
    assert not caught.value.message.isascii() and not Matter.objects.exists()


def test_only_a_party_committee_keeps_the_register(cast):
    with pytest.raises(DomainError) as caught:
        matter(cast.a0101)
    assert (caught.value.field, caught.value.code) == ("org", "ORG_TYPE") and "党支部" in caught.value.message


def test_the_study_meeting_must_be_a_committee_meeting_of_that_committee_on_that_day(cast):
    other = meeting(cast.a01, D(2018, 3, 12))
    conference = meeting(cast.jt, D(2018, 3, 12), types=("work_conference",))
    mine = meeting(cast.jt, D(2018, 3, 13))
    for given, kw, field, code in ((other, {}, "study_meeting", "STUDY_MEETING_ORG"),
                                   (conference, {}, "study_meeting", "STUDY_MEETING_TYPE"),
                                   (mine, {"studied_on": D(2018, 3, 12)}, "studied_on", "STUDY_MEETING_DATE")):
        with pytest.raises(DomainError) as caught:
            matter(cast.jt, study_meeting=given, **kw)
        assert (caught.value.field, caught.value.code) == (field, code), caught.value.message


def test_the_number_is_unique(cast):
    matter(cast.jt)
    with pytest.raises(DomainError) as caught:
        matter(cast.jt, name="另一事项")
    assert (caught.value.field, caught.value.code) == ("number", "DUPLICATE")
    assert services.next_number(cast.jt, 2018) == "JT-2018-02"


def test_it_is_scoped_to_the_committees_the_actor_manages(cast):
    assert matter(cast.a01, "A01-1", actor=cast.a01admin).org == cast.a01
    for actor in (cast.b01admin, cast.shuji, cast.dangyuan, cast.outsider):
        with pytest.raises(PermissionDenied):
            matter(cast.a01, "A01-2", actor=actor)


def test_a_correction_links_the_meeting_of_the_new_date_and_is_audited(cast):
    first, second = meeting(cast.jt, D(2018, 3, 12)), meeting(cast.jt, D(2018, 3, 19))
    m = matter(cast.jt, studied_on=D(2018, 3, 12))
    assert m.study_meeting == first
    assert services.update_matter(m, actor=None, studied_on=D(2018, 3, 19)) is True
    m.refresh_from_db()
    assert (m.studied_on, m.study_meeting) == (D(2018, 3, 19), second)
    entry = AuditEntry.objects.get(action="matter.update")
    assert entry.before["studied_on"] == "2018-03-12" and entry.after["studied_on"] == "2018-03-19"
    assert services.update_matter(m, actor=None, studied_on=D(2018, 3, 19)) is False
    assert services.update_matter(m, actor=None, studied_on=None) is True
    m.refresh_from_db()
    assert (m.studied_on, m.study_meeting, m.study_status) == (None, None, StudyStatus.MISSING)
    with pytest.raises(PermissionDenied):
        services.update_matter(m, actor=cast.a01admin, name="改名")


def test_a_deleted_meeting_leaves_the_date(cast):
    from dangjian.meetings.services import delete_meeting

    m1 = meeting(cast.jt, D(2018, 3, 12))
    m = matter(cast.jt, studied_on=D(2018, 3, 12))
    delete_meeting(m1, actor=None)
    m.refresh_from_db()
    assert (m.studied_on, m.study_meeting) == (D(2018, 3, 12), None)


def test_the_years_matters_and_their_status(cast):
    matter(cast.jt, "A", studied_on=D(2018, 3, 1))
    matter(cast.jt, "B")
    matter(cast.jt, "C", decided_on=D(2017, 5, 1))
    matter(cast.jt, "D", deciding_body="党委会")
    listed = list(matters_of_year(cast.jt, 2018))
    assert [m.number for m in listed] == ["A", "B", "D"]
    assert [(label, n) for _, label, n in status_counts(listed)] == [
        ("已前置研究", 1), ("未经前置研究", 1), ("研究晚于决策", 0), ("党委会决策", 1)]


# ---- the list (前置研究事项清单) ----

def test_the_list_is_versioned_by_its_effective_date(cast):
    services.adopt_prior_study_list(actor=None, org=cast.jt, valid_from=D(2017, 1, 1), title="清单（2017年版）",
                                    items=[("重大决策", "发展战略、年度计划", None), ("大额资金运作", "资金调动和使用", "500")])
    services.adopt_prior_study_list(actor=None, org=cast.jt, valid_from="2018-07-01", title="清单（2018年修订）",
                                    items=[("大额资金运作", "资金调动和使用", "300"), ("重大决策", "发展战略", None),
                                           ("重大项目安排", "投资项目", "1000")])
    versions = list_versions(cast.jt)
    assert [v.title for v in versions] == ["清单（2018年修订）", "清单（2017年版）"]
    assert [i.category for i in versions[0].items.all()] == ["decision", "project", "funds"]
    assert version_in_force(versions, D(2016, 12, 31)) is None
    assert version_in_force(versions, D(2018, 6, 30)).title == "清单（2017年版）"
    assert version_in_force(versions, D(2018, 7, 1)).title == "清单（2018年修订）"
    funds = matter(cast.jt, "F", category="大额资金运作", amount="400", decided_on=D(2018, 6, 1))
    assert list_entry(funds, versions).note == "低于清单金额起点500.00万元" and not list_entry(funds, versions).listed
    funds.decided_on = D(2018, 8, 1)
    assert list_entry(funds, versions).listed is True
    people = matter(cast.jt, "P", category="重要人事任免", deciding_body="党委会")
    assert list_entry(people, versions).note == "清单未列重要人事任免"
    assert list_entry(matter(cast.a01, "A"), list_versions(cast.a01)).listed is None
    assert AuditEntry.objects.filter(action="prior_study_list.create").count() == 2


def test_adopting_a_version_again_on_its_date_corrects_it(cast):
    items = [("重大决策", "发展战略", None)]
    services.adopt_prior_study_list(actor=None, org=cast.jt, valid_from=D(2018, 1, 1), title="清单", items=items)
    services.adopt_prior_study_list(actor=None, org=cast.jt, valid_from=D(2018, 1, 1), title="清单", items=items)
    assert AuditEntry.objects.filter(action__startswith="prior_study_list").count() == 1
    services.adopt_prior_study_list(actor=None, org=cast.jt, valid_from=D(2018, 1, 1), title="清单",
                                    items=items + [("重要人事任免", "中层干部", None)])
    assert [i.category for i in list_versions(cast.jt)[0].items.all()] == ["decision", "appointment"]
    assert AuditEntry.objects.filter(action="prior_study_list.update").count() == 1


@pytest.mark.parametrize("items,field,code", [
    ([], "items", "REQUIRED"),
    ([("重大决策", "", None)], "decision_description", "REQUIRED"),
    ([("重大决策", "a", None), ("重大决策", "b", None)], "items", "DUPLICATE"),
    ([("大额资金运作", "资金", "三百")], "funds_floor", "NUMBER"),
    ([("其他", "资金", None)], "category", "CHOICE"),
])
def test_a_list_that_cannot_be_is_refused(cast, items, field, code):
    with pytest.raises(DomainError) as caught:
        services.adopt_prior_study_list(actor=None, org=cast.jt, valid_from=D(2018, 1, 1), title="清单", items=items)
    assert (caught.value.field, caught.value.code) == (field, code)


def test_only_who_manages_the_committee_adopts_its_list(cast):
    with pytest.raises(PermissionDenied):
        services.adopt_prior_study_list(actor=cast.b01admin, org=cast.a01, valid_from=D(2018, 1, 1), title="清单",
                                        items=[("重大决策", "发展战略", None)])
