"""The 组织生活 and 党员之家 sheets: every column, multi-type meetings, attendees, votes (recorded even when
they fail), idempotence, dry run, export and round trip."""
import pytest

from dangjian.audit.models import AuditEntry
from dangjian.ledger.exporter import template_workbook
from dangjian.ledger.importer import run_import
from dangjian.meetings import services as meetings
from dangjian.meetings.models import Attendance, Meeting, PartyHome, Vote, VoteResult

from .cast import person_id
from .test_ledger_export import add_meetings, export, meeting_counts, rows
from .test_ledger_support import MEMBER_HEADER, D, counts, read_back, workbook

NEW_ID = person_id(10)  # a valid ID not in the cast

MEETING_HEADER = ["组织编码", "会议类型", "日期", "主题", "主持人身份证号", "讲课人身份证号", "应到人数", "实到人数",
                  "出席人身份证号", "议题类别", "表决事项", "赞成票"]
HOME_HEADER = ["组织编码", "名称", "建成日期", "设施"]


def meeting(org="A0101", types="支部党员大会", date="2019-05-10", subject="学习党章", chair=None, lecturer=None,
            expected=3, present=2, attendees=None, topics=None, matter=None, yes=None):
    return [org, types, date, subject, chair, lecturer, expected, present, attendees, topics, matter, yes]


def meeting_sheet(*rows, header=MEETING_HEADER):
    return {"组织生活": [header, *rows]}


def home_sheet(*rows, header=HOME_HEADER):
    return {"党员之家": [header, *rows]}


def ids(*people):
    return ";".join(p.id_number for p in people)


def codes(result):
    return [(e.sheet, e.row, e.column, e.code) for e in result.errors]


def everything():
    return counts() | meeting_counts()


def only_meeting():
    return Meeting.objects.prefetch_related("kinds").get()


# ---- import: the columns ----

def test_it_imports_every_column_of_a_meeting(cast):
    header = MEETING_HEADER + ["地点", "会议记录"]
    row = meeting(types="支部党员大会；主题党日、党课", chair=cast.zhang.id_number, lecturer=cast.li.id_number,
                  attendees=f"{cast.zhang.id_number}；{cast.li.id_number}", topics="学习、党建", matter="评选优秀党员",
                  yes=2, expected=3, present=2) + ["党员活动室", "传达学习；讨论。"]
    result = run_import(workbook(**meeting_sheet(row, header=header)), actor=None)
    assert result.applied, result.to_json()
    assert result.changes["组织生活"].created == 1
    assert result.changes["组织生活"].lines == ["登记组织生活 A0101 2019-05-10 支部党员大会、党课、主题党日 学习党章"]
    m = only_meeting()
    assert (m.org, m.held_on, m.subject, m.chair, m.lecturer) == (
        cast.a0101, D(2019, 5, 10), "学习党章", cast.zhang, cast.li)
    assert m.types == ["branch_general", "lecture", "theme_day"]
    assert (m.expected, m.present, m.topics) == (3, 2, ["party_building", "study"])
    assert (m.location, m.minutes) == ("党员活动室", "传达学习；讨论。")
    assert sorted((a.member.name, a.attended) for a in m.attendance.all()) == [("张建国", True), ("李秀英", True)]
    vote = m.votes.get()
    # The voters are counted by the service from the list (two full members present).
    assert (vote.matter, vote.yes, vote.present_voters, vote.result) == ("评选优秀党员", 2, 2, VoteResult.PASSED)


def test_it_imports_a_meeting_with_only_the_required_columns(cast):
    header = ["组织编码", "会议类型", "日期", "主题", "应到人数", "实到人数"]
    result = run_import(workbook(**meeting_sheet(["A01", "党委会", "2019-02-01", "研究工作", 7, 6], header=header)),
                        actor=None)
    assert result.applied
    m = only_meeting()
    assert (m.types, m.chair, m.topics, m.location, m.attendance.count(), m.votes.count()) == (
        ["committee"], None, [], "", 0, 0)


def test_it_reads_an_attendee_typed_in_the_member_sheet_of_the_same_workbook(cast):
    sheets = {"党员": [MEMBER_HEADER, [NEW_ID, "周新", "正式党员", "2012-07-01", "2013-07-01", "A0101"]]} | \
        meeting_sheet(meeting(chair=NEW_ID, attendees=f"{NEW_ID}、{cast.li.id_number}"))
    result = run_import(workbook(**sheets), actor=None)
    assert result.applied, result.to_json()
    m = only_meeting()
    assert m.chair.id_number == NEW_ID and m.attendance.filter(member__id_number=NEW_ID, attended=True).exists()


def test_it_matches_the_types_as_a_set(cast):
    first = run_import(workbook(**meeting_sheet(meeting(types="支部党员大会;主题党日"))), actor=None)
    assert first.changes["组织生活"].created == 1
    again = run_import(workbook(**meeting_sheet(meeting(types=" 主题党日 、 支部党员大会 "))), actor=None)
    assert again.applied and again.changed == 0 and again.changes["组织生活"].unchanged == 1
    other = run_import(workbook(**meeting_sheet(meeting(types="支部委员会"))), actor=None)
    assert other.changes["组织生活"].created == 1 and Meeting.objects.count() == 2


def test_it_refuses_the_same_meeting_twice_in_one_sheet(cast):
    result = run_import(workbook(**meeting_sheet(meeting(types="支部党员大会;主题党日"),
                                                 meeting(types="主题党日;支部党员大会"))), actor=None)
    assert codes(result) == [("组织生活", 3, "组织编码", "DUPLICATE_ROW")]


# ---- import: errors, each on its cell ----

ERRORS = {
    "attendee count": (lambda c: meeting(present=3, attendees=ids(c.zhang, c.li)), ("实到人数", "ATTENDANCE_COUNT")),
    "unknown attendee": (lambda c: meeting(attendees=f"{c.zhang.id_number};{NEW_ID}"), ("出席人身份证号", "MEMBER_NOT_FOUND")),
    "unknown chair": (lambda c: meeting(chair=NEW_ID), ("主持人身份证号", "MEMBER_NOT_FOUND")),
    "unknown lecturer": (lambda c: meeting(types="党课", lecturer=NEW_ID), ("讲课人身份证号", "MEMBER_NOT_FOUND")),
    "bad attendee ID": (lambda c: meeting(attendees=f"{c.zhang.id_number};4501031980"), ("出席人身份证号", "ID_FORMAT")),
    "attendee ID as a number": (lambda c: meeting(attendees=4.50103198005111e17), ("出席人身份证号", "ID_NUMERIC")),
    "repeated attendee": (lambda c: meeting(attendees=ids(c.zhang, c.zhang)), ("出席人身份证号", "ATTENDANCE_DUPLICATE")),
    "unknown type": (lambda c: meeting(types="支部党员大会;座谈会"), ("会议类型", "CHOICE")),
    "empty type": (lambda c: meeting(types=" ; "), ("会议类型", "REQUIRED")),
    "type of another organisation": (lambda c: meeting(types="党委会"), ("会议类型", "MEETING_ORG_TYPE")),
    "unknown topic": (lambda c: meeting(topics="学习;闲谈"), ("议题类别", "CHOICE")),
    "unknown organisation": (lambda c: meeting(org="ZZ99"), ("组织编码", "ORG_NOT_FOUND")),
    "future date": (lambda c: meeting(date="2099-01-01"), ("日期", "DATE_FUTURE")),
    "impossible date": (lambda c: meeting(date="2019-02-30"), ("日期", "DATE_INVALID")),
    "more present than expected": (lambda c: meeting(expected=2, present=3), ("实到人数", "MEETING_PRESENT")),
    "a vote without its tally": (lambda c: meeting(matter="评选优秀党员"), ("赞成票", "REQUIRED")),
    "a tally without its matter": (lambda c: meeting(yes=2), ("表决事项", "REQUIRED")),
    "more yes votes than voters": (lambda c: meeting(matter="评选", yes=3), ("赞成票", "VOTE_COUNT")),
    "chair not a member on the day": (lambda c: meeting(date="2017-05-10", chair=c.wang.id_number),
                                      ("主持人身份证号", "MEETING_NOT_MEMBER")),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_it_reports_a_bad_meeting_row_on_its_cell(cast, name):
    build, (column, code) = ERRORS[name]
    before = everything()
    result = run_import(workbook(**meeting_sheet(build(cast))), actor=None)
    assert codes(result) == [("组织生活", 2, column, code)], result.to_json()
    assert not result.applied and everything() == before
    assert all(e.message and not e.message.isascii() for e in result.errors)  # Chinese messages


def test_it_names_the_count_and_the_list_that_disagree(cast):
    result = run_import(workbook(**meeting_sheet(meeting(present=3, attendees=ids(cast.zhang, cast.li)))), actor=None)
    assert result.errors[0].message == "实到人数3与出席名单（2人）不一致"
    assert str(result.errors[0]) == "组织生活!2 实到人数: 实到人数3与出席名单（2人）不一致"


def test_it_says_which_member_is_unknown_without_showing_the_full_id(cast):
    result = run_import(workbook(**meeting_sheet(meeting(attendees=NEW_ID))), actor=None)
    message = result.errors[0].message
    assert "不在党员名册中" in message and NEW_ID not in message and NEW_ID[-4:] in message


def test_it_refuses_a_meeting_outside_the_importers_scope(cast):
    result = run_import(workbook(**meeting_sheet(meeting(org="B0101"))), actor=cast.a01admin)
    assert codes(result) == [("组织生活", 2, "组织编码", "FORBIDDEN")] and not Meeting.objects.exists()
    result = run_import(workbook(**meeting_sheet(meeting(attendees=cast.chen.id_number, present=1))),
                        actor=cast.a01admin)
    assert codes(result) == [("组织生活", 2, "出席人身份证号", "FORBIDDEN")] and "陈刚" not in result.errors[0].message


# ---- votes ----

@pytest.mark.parametrize("expected,present,yes,outcome", [
    (10, 8, 6, VoteResult.PASSED),
    (10, 8, 5, VoteResult.REJECTED),      # 5 of 10 who should attend is not more than half
    (10, 5, 5, VoteResult.NO_QUORUM),     # 5 of 10 present is no quorum
])
def test_it_records_a_vote_as_it_went_even_when_it_failed(cast, expected, present, yes, outcome):
    row = meeting(org="A01", types="党委会", expected=expected, present=present, matter="年度投资计划", yes=yes)
    result = run_import(workbook(**meeting_sheet(row)), actor=None)
    assert result.applied and not result.errors, result.to_json()
    vote = Vote.objects.get()
    assert (vote.matter, vote.yes, vote.expected_voters, vote.present_voters, vote.result) == \
        ("年度投资计划", yes, expected, present, outcome)


def test_it_updates_replaces_and_removes_the_vote(cast):
    def run(matter, yes, present=8):
        row = meeting(org="A01", types="党委会", expected=10, present=present, matter=matter, yes=yes)
        return run_import(workbook(**meeting_sheet(row)), actor=None)

    run("年度投资计划", 6)
    assert run("年度投资计划", 5).changes["组织生活"].updated == 1
    assert list(Vote.objects.values_list("matter", "yes", "result")) == [("年度投资计划", 5, "rejected")]
    run("年度投资计划（修订）", 5)  # the meeting's only vote: its matter is corrected
    assert list(Vote.objects.values_list("matter", "yes")) == [("年度投资计划（修订）", 5)]
    # Fewer present than the old tally: the tally is changed first, so the re-count does not refuse it.
    assert run("年度投资计划（修订）", 4, present=4).applied
    assert list(Vote.objects.values_list("present_voters", "yes", "result")) == [(4, 4, "no_quorum")]
    # More present again: the voters follow the head counts, as for a new vote.
    assert run("年度投资计划（修订）", 7, present=9).applied
    assert list(Vote.objects.values_list("expected_voters", "present_voters", "yes", "result")) == [
        (10, 9, 7, "passed")]
    removed = run(None, None, present=9)
    assert removed.changes["组织生活"].updated == 1 and not Vote.objects.exists()
    assert AuditEntry.objects.filter(action="vote.delete").count() == 1


def test_it_leaves_the_votes_alone_without_the_column(cast):
    run_import(workbook(**meeting_sheet(meeting(org="A01", types="党委会", expected=7, present=6, matter="事项", yes=4))),
               actor=None)
    header = ["组织编码", "会议类型", "日期", "主题", "应到人数", "实到人数"]
    result = run_import(workbook(**meeting_sheet(["A01", "党委会", "2019-05-10", "学习党章", 7, 6], header=header)),
                        actor=None)
    assert result.changed == 0 and Vote.objects.count() == 1


def test_it_touches_only_the_named_vote_of_a_meeting_with_several(cast):
    """Several votes can only come from the pages; the ledger row names one of them."""
    m = meetings.record_meeting(actor=None, org=cast.a01, held_on=D(2019, 5, 10), subject="学习党章",
                                types=["committee"], expected=7, present=6)
    meetings.record_vote(m, actor=None, matter="事项一", yes=4)
    meetings.record_vote(m, actor=None, matter="事项二", yes=5)
    row = meeting(org="A01", types="党委会", expected=7, present=6, matter="事项二", yes=3)
    assert run_import(workbook(**meeting_sheet(row)), actor=None).changes["组织生活"].updated == 1
    assert sorted(Vote.objects.values_list("matter", "yes")) == [("事项一", 4), ("事项二", 3)]
    row = meeting(org="A01", types="党委会", expected=7, present=6, matter=None, yes=None)
    assert run_import(workbook(**meeting_sheet(row)), actor=None).changed == 0 and Vote.objects.count() == 2


# ---- attendance on re-import ----

def test_it_changes_the_attendees_and_keeps_absences_recorded_on_the_pages(cast):
    m = meetings.record_meeting(actor=None, org=cast.a0101, held_on=D(2019, 5, 10), subject="学习党章",
                                types=["branch_general"], expected=3, present=1,
                                attendance=[(cast.zhang, True, ""), (cast.wang, False, "出差")])
    same = run_import(workbook(**meeting_sheet(meeting(present=1, attendees=ids(cast.zhang)))), actor=None)
    assert same.changed == 0
    changed = run_import(workbook(**meeting_sheet(meeting(present=2, attendees=ids(cast.zhang, cast.li)))), actor=None)
    assert changed.changes["组织生活"].updated == 1
    assert sorted((a.member.name, a.attended, a.absence_reason) for a in m.attendance.all()) == [
        ("张建国", True, ""), ("李秀英", True, ""), ("王志强", False, "出差")]
    cleared = run_import(workbook(**meeting_sheet(meeting(present=2, attendees=None))), actor=None)
    assert cleared.changes["组织生活"].updated == 1 and not Attendance.objects.exists()


# ---- idempotence, dry run, audit ----

def full_workbook(c):
    header = MEETING_HEADER + ["地点", "会议记录"]
    return workbook(**meeting_sheet(
        meeting(types="支部党员大会;主题党日", chair=c.zhang.id_number, attendees=ids(c.zhang, c.li), topics="学习",
                matter="评选优秀党员", yes=2) + ["活动室", "记录"],
        meeting(org="A01", types="党委会", date="2019-06-01", subject="投资", expected=7, present=3,
                matter="年度投资计划", yes=3) + ["", ""],
        header=header) | home_sheet(["A0101", "甲市一支部党员之家", "2017-07-01", "制度上墙;活动场地"]))


def test_it_changes_nothing_the_second_time(cast):
    first = run_import(full_workbook(cast), actor=None)
    assert first.applied and first.changed == 3, first.to_json()
    after_first = everything()
    assert AuditEntry.objects.filter(action="ledger.import").count() == 1
    second = run_import(full_workbook(cast), actor=None)
    assert second.applied and second.changed == 0 and everything() == after_first
    assert second.changes["组织生活"].unchanged == 2 and second.changes["党员之家"].unchanged == 1
    assert AuditEntry.objects.filter(action="ledger.import").count() == 1  # no audit entry the second time


def test_it_writes_nothing_on_a_dry_run(cast):
    before = everything()
    result = run_import(full_workbook(cast), actor=None, dry_run=True)
    assert result.ok and result.dry_run and not result.applied
    assert result.changes["组织生活"].created == 2 and result.changes["党员之家"].created == 1
    assert everything() == before


def test_it_writes_nothing_when_another_row_is_refused(cast):
    before = everything()
    book = workbook(**meeting_sheet(meeting(), meeting(subject="第二次", present=3, attendees=ids(cast.zhang))))
    result = run_import(book, actor=None)
    assert codes(result) == [("组织生活", 3, "实到人数", "ATTENDANCE_COUNT")] and everything() == before


def test_it_no_longer_warns_that_the_two_sheets_are_not_imported(cast):
    book = workbook(**meeting_sheet(meeting()) | home_sheet(["A0101", "党员之家", "2017-07-01", None]))
    result = run_import(book, actor=None)
    assert result.applied and not [w for w in result.warnings if w.code == "SHEET_NOT_IMPORTED"]


# ---- 党员之家 ----

def test_it_imports_and_updates_a_party_home(cast):
    result = run_import(workbook(**home_sheet(["A0101", "甲市一支部党员之家", "2017-07-01", "活动场地、制度上墙"])), actor=None)
    assert result.applied and result.changes["党员之家"].created == 1
    home = PartyHome.objects.get()
    assert (home.org, home.name, home.opened_on, home.facilities) == (
        cast.a0101, "甲市一支部党员之家", D(2017, 7, 1), ["rules_on_wall", "activity_space"])
    result = run_import(workbook(**home_sheet(["A0101", "甲市一支部党员之家", "2017-08-01", None])), actor=None)
    assert result.changes["党员之家"].updated == 1
    home.refresh_from_db()
    assert (home.opened_on, home.facilities) == (D(2017, 8, 1), [])


@pytest.mark.parametrize("row,column,code", [
    (["A0101", "党员之家", "2017-07-01", "制度上墙;咖啡机"], "设施", "CHOICE"),
    (["A0101", "党员之家", "2099-07-01", None], "建成日期", "DATE_FUTURE"),
    (["A0101", "", "2017-07-01", None], "名称", "REQUIRED"),
    (["ZZ99", "党员之家", "2017-07-01", None], "组织编码", "ORG_NOT_FOUND"),
])
def test_it_reports_a_bad_party_home_row_on_its_cell(cast, row, column, code):
    result = run_import(workbook(**home_sheet(row)), actor=None)
    assert codes(result) == [("党员之家", 2, column, code)] and not PartyHome.objects.exists()
    if code == "CHOICE":
        assert "咖啡机" in result.errors[0].message and "活动场地" in result.errors[0].message


# ---- export ----

def test_it_exports_meetings_and_homes(cast):
    add_meetings(cast)
    book = read_back(export())
    header = [c.value for c in book["组织生活"][1]]
    assert header == MEETING_HEADER + ["地点", "会议记录"]
    cells = {r[3].value: dict(zip(header, r)) for r in book["组织生活"].iter_rows(min_row=2)}
    assert [(r[0], r[3]) for r in rows(book, "组织生活")] == [  # by organisation (tree order), then date
        ("A01", "研究年度投资"), ("A0101", "学习新党章"), ("A0101", "党史学习"), ("B0101", "支委会")]
    first = {k: c.value for k, c in cells["学习新党章"].items()}
    assert first["会议类型"] == "支部党员大会;主题党日"  # MeetingType's order, whatever order they were given in
    assert cells["学习新党章"]["日期"].is_date and first["日期"].date() == D(2018, 5, 10)
    assert first["主持人身份证号"] == cast.zhang.id_number and first["讲课人身份证号"] is None
    assert first["出席人身份证号"] == ";".join(sorted([cast.zhang.id_number, cast.li.id_number]))
    assert (first["应到人数"], first["实到人数"], first["议题类别"], first["表决事项"], first["赞成票"]) == (
        3, 2, "党建;学习", "评选优秀党员", 2)
    for column in ("主持人身份证号", "出席人身份证号"):
        assert cells["学习新党章"][column].number_format == "@" and cells["学习新党章"][column].data_type == "s"
    second = {k: c.value for k, c in cells["党史学习"].items()}
    assert (second["会议类型"], second["讲课人身份证号"], second["出席人身份证号"], second["地点"], second["会议记录"]) == (
        "党课", cast.li.id_number, None, "党员活动室", "讲授党史；讨论。")
    assert (cells["研究年度投资"]["表决事项"].value, cells["研究年度投资"]["赞成票"].value) == ("年度投资计划", 3)
    homes = rows(book, "党员之家")
    assert [(r[0], r[1], r[2].date(), r[3]) for r in homes] == [
        ("JT", "集团党员活动中心", D(2016, 7, 1), None), ("A0101", "甲市一支部党员之家", D(2017, 7, 1), "制度上墙;活动场地")]


def test_it_exports_only_what_an_org_admin_may_see_and_imports_it_back_unchanged(cast):
    add_meetings(cast)
    # Chaired by someone outside A01: left to the level above (the sheet carries full IDs).
    meetings.record_meeting(actor=None, org=cast.a0102, held_on=D(2018, 9, 1), subject="联学", types=["theme_day"],
                            chair=cast.chen, expected=2, present=1)
    book = export(actor=cast.a01admin)
    values = read_back(book)
    assert [(r[0], r[3]) for r in rows(values, "组织生活")] == [("A01", "研究年度投资"), ("A0101", "学习新党章"),
                                                            ("A0101", "党史学习")]
    assert [r[1] for r in rows(values, "党员之家")] == ["甲市一支部党员之家"]
    assert cast.chen.id_number not in str(rows(values, "组织生活"))
    book.seek(0)
    before = everything()
    result = run_import(book, actor=cast.a01admin)
    assert result.applied and result.changed == 0 and everything() == before


def test_it_describes_the_new_sheets_in_the_template(cast):
    book = read_back(template_workbook())
    # In LEDGER.md's order, 党员之家 last (the sheets of later issues sit between 党费 and it).
    names = book.sheetnames
    assert names.index("组织生活") < names.index("发展党员") < names.index("党费") < names.index("党员之家")
    assert names[-1] == "党员之家"
    help_rows = {(r[0], r[1]): r for r in book["说明"].iter_rows(values_only=True)}
    assert help_rows[("组织生活", "会议类型")][2] == "是" and "分隔" in help_rows[("组织生活", "会议类型")][3]
    assert "分隔" in help_rows[("组织生活", "出席人身份证号")][3]
    assert "本系统增加" in help_rows[("组织生活", "会议记录")][3]
    assert "活动场地" in help_rows[("党员之家", "设施")][3]
    column = MEETING_HEADER.index("出席人身份证号") + 1
    assert book["组织生活"].cell(2, column).number_format == "@"
