"""The exporter, the template, and the round trip export → empty database → import."""
import io

import pytest

from dangjian.audit.models import AuditEntry
from dangjian.core.errors import PermissionDenied
from dangjian.dues import services as dues
from dangjian.dues.models import BaseDeclaration, Payment
from dangjian.ledger.exporter import run_export, template_workbook
from dangjian.ledger.importer import run_import
from dangjian.ledger.sheets import SHEETS
from dangjian.meetings import services as meetings
from dangjian.meetings.models import Attendance, Meeting, MeetingKind, PartyHome, Vote
from dangjian.members import services as members
from dangjian.organizations import services as orgs
from dangjian.recruitment import services as recruitment
from dangjian.recruitment.models import Case, CaseStep
from dangjian.recruitment.process import Conclusion

from .cast import person_id
from .test_ledger_support import D, counts, read_back, snapshot


def export(actor=None, org=None):
    buffer = io.BytesIO()
    run_export(buffer, actor=actor, org=org)
    buffer.seek(0)
    return buffer


def rows(book, sheet):
    return [[c.value for c in r] for r in book[sheet].iter_rows(min_row=2)]


def add_history(c):
    """Moves, transfers, suspension, exit, ended posts, a postponed election: what a round trip must keep."""
    orgs.move_organization(c.a0102, actor=None, new_parent=c.b01, moved_on=D(2019, 1, 1), note="划转乙市")
    members.transfer_member(c.li, actor=None, to_org=c.a0102, transferred_on=D(2019, 6, 1), note="工作调动")
    members.suspend_member(c.zhao, actor=None, suspended_on=D(2020, 1, 1))
    members.restore_member(c.zhao, actor=None, restored_on=D(2020, 6, 1))
    members.record_exit(c.chen, actor=None, kind="died", exited_on=D(2021, 2, 3))
    # Transferred while probationary, confirmed afterwards: the confirmation sits between events.
    sun = members.create_member(actor=None, id_number=person_id(12, "F"), name="孙悦", org=c.a0101,
                                admitted_on=D(2017, 7, 1), sex="F", phone="13700000000")
    members.transfer_member(sun, actor=None, to_org=c.b0101, transferred_on=D(2018, 1, 1))
    members.confirm_member(sun, actor=None, confirmed_on=D(2018, 7, 1))
    orgs.end_post(c.secretary_post, actor=None, ended_on=D(2019, 3, 1))
    orgs.create_post(actor=None, org=c.a0101, member=c.wang, post="secretary", started_on=D(2019, 3, 2),
                     admin_post="总经理", full_time=True)
    orgs.update_election(c.election, actor=None, postponed_to=D(2019, 9, 1))
    orgs.update_organization(c.a01, actor=None, unit_employees=1200, has_party_office=True, party_staff_count=3)
    add_meetings(c)
    add_cases_and_dues(c)


def case_steps(c, **changes):
    """{step: record_step arguments} of a case in order: applied 2015-01-10, admitted 2016-06-01, confirmed
    2017-06-01 (5 and 9 on the dates of 3 and 7, as the 发展党员 sheet gives them). `changes` as `s23=...`;
    None drops a step."""
    two = [c.zhang, c.li]
    steps = {
        2: dict(date=D(2015, 2, 1)),
        3: dict(date=D(2015, 3, 1)),
        5: dict(date=D(2015, 3, 1), people=two),
        7: dict(date=D(2016, 3, 1)),
        9: dict(date=D(2016, 3, 1), people=two),
        10: dict(date=D(2016, 4, 1), conclusion=Conclusion.REVIEW_PASSED),
        11: dict(date=D(2016, 4, 10), ended_on=D(2016, 4, 12), hours=24),
        12: dict(date=D(2016, 5, 1)),
        13: dict(date=D(2016, 5, 10)),
        15: dict(date=D(2016, 6, 1), expected=10, present=9, yes=9),
        16: dict(date=D(2016, 6, 10)),
        17: dict(date=D(2016, 7, 1)),
        20: dict(date=D(2016, 7, 10)),
        22: dict(date=D(2017, 5, 20)),
        23: dict(date=D(2017, 6, 1), expected=11, present=10, yes=10, conclusion=Conclusion.CONFIRMED),
        24: dict(date=D(2017, 7, 1)),
    }
    for key, value in changes.items():
        steps[int(key[1:])] = value
    return {k: v for k, v in steps.items() if v is not None}


def build_case(c, n, *, at=None, name=None, applied=D(2015, 1, 10), upto=99, after=(), **changes):
    """A case through the services (history mode, as the importer records it); `after`: further
    (step, arguments) recorded at the end."""
    case = recruitment.open_case(actor=None, id_number=person_id(n, "F", D(1992, 3, 1)), name=name or f"申请人{n}",
                                 org=at or c.a0101, applied_on=applied, history=True)
    for step, kw in sorted(case_steps(c, **changes).items()):
        if step <= upto:
            recruitment.record_step(case, actor=None, step=step, history=True, **kw)
    for step, kw in after:
        recruitment.record_step(case, actor=None, step=step, history=True, **kw)
    return case


def add_cases_and_dues(c):
    """Cases confirmed, extended then confirmed, cancelled, discontinued and still open; bases (one
    changed) and payments (one paid late, one without a date)."""
    c.recruit = build_case(c, 20, name="刘新")
    build_case(c, 21, s23=dict(date=D(2017, 6, 1), expected=11, present=10, yes=8, conclusion=Conclusion.EXTENDED,
                               months=6),
               after=[(23, dict(date=D(2017, 12, 1), expected=11, present=11, yes=11,
                                conclusion=Conclusion.CONFIRMED)),
                      (24, dict(date=D(2018, 1, 10)))])
    build_case(c, 22, s23=dict(date=D(2017, 6, 1), expected=11, present=10, yes=9, conclusion=Conclusion.CANCELLED))
    stopped = build_case(c, 23, upto=3)
    recruitment.discontinue_case(stopped, actor=None, on=D(2016, 1, 1), reason="本人志愿")
    build_case(c, 24, at=c.a0102, applied=D(2018, 3, 1), upto=2, s2=dict(date=D(2018, 3, 20)))
    dues.declare_base(c.zhang, actor=None, month=D(2018, 1, 1), base="5000")
    dues.record_payment(c.zhang, actor=None, month=D(2018, 1, 1), amount="50", paid_on=D(2018, 1, 15))
    dues.record_payment(c.zhang, actor=None, month=D(2018, 2, 1), amount="50", paid_on=D(2018, 2, 10))
    dues.declare_base(c.zhang, actor=None, month=D(2018, 3, 1), base="6000.50")
    dues.record_payment(c.zhang, actor=None, month=D(2018, 3, 1), amount="90.01", paid_on=D(2018, 3, 10))
    dues.declare_base(c.li, actor=None, month=D(2018, 1, 1), base="3000")
    dues.record_payment(c.li, actor=None, month=D(2018, 1, 1), amount="15", paid_on=D(2018, 10, 15), history=True)
    dues.record_payment(c.li, actor=None, month=D(2018, 2, 1), amount="15", history=True)


def case_snapshot():
    """Cases with their steps, bases and payments, keyed by natural keys (never pks)."""
    def step(s):
        return (s.step, s.date, s.conclusion, s.ended_on or D.min, s.hours or 0, s.expected or -1, s.present or -1,
                s.yes or -1, s.months or 0, tuple(sorted(p.id_number for p in s.people.all())))

    cases = Case.objects.select_related("org", "member").prefetch_related("steps__people")
    return {
        "cases": sorted((k.id_number, k.name, k.sex, k.birth_date, k.org.code, k.discontinued_on or D.min,
                         k.discontinued_reason, k.member.id_number if k.member else "",
                         tuple(sorted(step(s) for s in k.steps.all()))) for k in cases),
        "bases": sorted((b.member.id_number, b.month, b.base, b.category, b.reduced)
                        for b in BaseDeclaration.objects.select_related("member")),
        "payments": sorted((p.member.id_number, p.month, p.amount, p.paid_on or D.min, p.kind, p.org.code)
                           for p in Payment.objects.select_related("member", "org")),
    }


def ledger_snapshot():
    """Everything the ledger round-trips. The note of a 转正 event is not in the ledger (党员 holds its date):
    a recruit confirmed by the case's approval comes back confirmed by the 党员 row, without that note."""
    data = snapshot() | meeting_snapshot() | case_snapshot()
    data["events"] = sorted((i, kind, day, org, "" if kind == "confirmed" else note)
                            for i, kind, day, org, note in data["events"])
    return data


def add_meetings(c):
    """Meetings of several types, one counting as two, with attendees, topics, extra columns, and votes
    that passed, failed the majority and failed the quorum; two 党员之家."""
    m = meetings.record_meeting(actor=None, org=c.a0101, held_on=D(2018, 5, 10), subject="学习新党章",
                                types=["theme_day", "branch_general"], chair=c.zhang, expected=3, present=2,
                                topics=["study", "party_building"],
                                attendance=[(c.li, True, ""), (c.zhang, True, "")])
    meetings.record_vote(m, actor=None, matter="评选优秀党员", yes=2)
    meetings.record_meeting(actor=None, org=c.a0101, held_on=D(2018, 6, 28), subject="党史学习", types=["lecture"],
                            lecturer=c.li, expected=3, present=3, topics=["study"], location="党员活动室",
                            minutes="讲授党史；讨论。")
    m = meetings.record_meeting(actor=None, org=c.a01, held_on=D(2019, 2, 1), subject="研究年度投资",
                                types=["committee"], expected=7, present=6, topics=["major_matters"])
    meetings.record_vote(m, actor=None, matter="年度投资计划", yes=3)          # 3 of 7: 未通过
    m = meetings.record_meeting(actor=None, org=c.b0101, held_on=D(2020, 3, 1), subject="支委会", chair=c.chen,
                                types=["branch_committee"], expected=5, present=2)
    meetings.record_vote(m, actor=None, matter="发展对象人选", yes=2)          # 2 of 5 present: 未达到法定人数
    meetings.create_party_home(actor=None, org=c.a0101, name="甲市一支部党员之家", opened_on=D(2017, 7, 1),
                               facilities=["activity_space", "rules_on_wall"])
    meetings.create_party_home(actor=None, org=c.jt, name="集团党员活动中心", opened_on=D(2016, 7, 1))


def meeting_counts():
    return {model.__name__: model.objects.count() for model in (Meeting, MeetingKind, Attendance, Vote, PartyHome)}


def meeting_snapshot():
    """Meetings, attendance, votes and 党员之家 keyed by natural keys (never pks)."""
    def person(m):
        return m.id_number if m else ""

    qs = Meeting.objects.select_related("org", "chair", "lecturer").prefetch_related("kinds", "attendance__member")
    return {
        "meetings": sorted((m.org.code, m.held_on, m.subject, tuple(m.types), person(m.chair), person(m.lecturer),
                            m.expected, m.present, tuple(m.topics), m.location, m.minutes,
                            tuple(sorted((a.member.id_number, a.attended) for a in m.attendance.all())))
                           for m in qs),
        "votes": sorted((v.meeting.org.code, v.meeting.held_on, v.meeting.subject, v.matter, v.yes, v.no or 0,
                         v.expected_voters, v.present_voters, v.result)
                        for v in Vote.objects.select_related("meeting__org")),
        "homes": sorted((h.org.code, h.name, h.opened_on, tuple(h.facilities))
                        for h in PartyHome.objects.select_related("org")),
    }


def sheet_values(book):
    """Every sheet's cell values (what a second export must reproduce)."""
    return {ws.title: [[c.value for c in r] for r in ws.iter_rows()] for ws in book.worksheets}


def empty_database():
    """Delete every domain row, dependants first (a flush's TRUNCATE cannot run inside the test's
    transaction on PostgreSQL)."""
    from django.contrib.auth import get_user_model

    from dangjian.accounts.models import Role
    from dangjian.audit.models import AuditEntry
    from dangjian.members.models import Member, MemberEvent
    from dangjian.organizations.models import CommitteePost, Election, Organization, ParentLink

    for model in (AuditEntry, Role, Vote, Attendance, MeetingKind, Meeting, PartyHome, CommitteePost, Election,
                  Payment, BaseDeclaration, CaseStep, Case, MemberEvent, Member, ParentLink):
        model.objects.all().delete()
    for depth in sorted(set(Organization.objects.values_list("depth", flat=True)), reverse=True):
        Organization.objects.filter(depth=depth).delete()
    get_user_model().objects.all().delete()


def test_it_reproduces_the_data_in_an_empty_database(cast):
    add_history(cast)
    before = ledger_snapshot()
    book = export()
    first = sheet_values(read_back(book))
    book.seek(0)
    empty_database()
    assert counts()["Organization"] == 0 and not any(meeting_counts().values()) and not Case.objects.exists()
    result = run_import(book, actor=None)
    assert result.applied, result.to_json()
    assert result.changes["组织生活"].created == 4 and result.changes["党员之家"].created == 2
    assert result.changes["发展党员"].created == 5 and result.changes["党费"].created == 5
    assert ledger_snapshot() == before
    assert sheet_values(read_back(export())) == first  # export → import → export: the same workbook


def test_it_changes_nothing_when_its_own_export_is_imported_back(cast):
    add_history(cast)
    book = export()
    before = counts() | meeting_counts()
    result = run_import(book, actor=None)
    assert result.applied and result.changed == 0 and counts() | meeting_counts() == before
    assert result.changes["组织生活"].unchanged == 4 and result.changes["党员之家"].unchanged == 2
    assert result.changes["发展党员"].unchanged == 5 and result.changes["党费"].unchanged == 5


def test_it_writes_ids_and_phones_as_text_and_dates_as_dates(cast):
    book = read_back(export())
    assert [ws.title for ws in book.worksheets] == [s.name for s in SHEETS]
    for sheet in SHEETS:
        assert [c.value for c in book[sheet.name][1]] == sheet.headers
    header = [c.value for c in book["党员"][1]]
    zhang = next(r for r in book["党员"].iter_rows(min_row=2) if r[1].value == "张建国")
    id_cell, phone_cell = zhang[header.index("身份证号")], zhang[header.index("手机号码")]
    assert id_cell.value == cast.zhang.id_number and id_cell.number_format == "@" and id_cell.data_type == "s"
    assert phone_cell.value == "13812345678" and phone_cell.number_format == "@"
    admitted = zhang[header.index("入党日期")]
    assert admitted.is_date and admitted.value.date() == D(2010, 7, 1)
    assert zhang[header.index("人员类别")].value == "正式党员" and zhang[header.index("党小组编码")].value == "A0101G1"
    assert rows(book, "组织")[0][:4] == ["JT", "集团党委", "党委", None]


def test_it_exports_the_subtree_of_an_org_admin(cast):
    book = read_back(export(actor=cast.a01admin))
    assert {r[0] for r in rows(book, "组织")} == {"A01", "A0101", "A0101G1", "A0102"}
    assert {r[1] for r in rows(book, "党员")} == {"张建国", "李秀英", "王志强", "赵丽"}
    entry = AuditEntry.objects.get(action="ledger.export")
    assert entry.org_code == "A01" and entry.actor == cast.a01admin


def test_it_exports_one_subtree_on_request(cast):
    book = read_back(export(org=cast.b01))
    assert [r[0] for r in rows(book, "组织")] == ["B01", "B0101"]
    assert AuditEntry.objects.get(action="ledger.export").org_code == "B01"


@pytest.mark.parametrize("who", ["shuji", "dangyuan", "outsider"])
def test_it_refuses_the_export_to_roles_that_may_not_see_full_ids(cast, who):
    with pytest.raises(PermissionDenied):
        export(actor=getattr(cast, who))


def test_it_refuses_an_org_admin_another_subtree(cast):
    with pytest.raises(PermissionDenied):
        export(actor=cast.a01admin, org=cast.b01)
    assert not AuditEntry.objects.filter(action="ledger.export").exists()


def test_it_makes_a_template_that_imports_as_nothing(cast):
    data = template_workbook()
    book = read_back(data)
    assert book.sheetnames == ["说明"] + [s.name for s in SHEETS]
    assert [c.value for c in book["党员"][1]] == SHEETS[2].headers
    assert any(r[1] == "身份证号" and r[2] == "是" for r in book["说明"].iter_rows(values_only=True))
    result = run_import(io.BytesIO(data), actor=None)
    assert result.applied and result.changed == 0 and not result.warnings
