"""/api/organizations/{code}/meetings, /api/meetings/{id} and 党员之家 for every role: scoping (the branch secretary
sees A0101's meetings, not A0102's), writes through the services, and errors as the API answers them."""
import datetime

import pytest

from dangjian.audit.models import AuditEntry
from dangjian.meetings import services
from dangjian.meetings.models import Attendance, Meeting, PartyHome, Vote

from .test_api import call, expect

D = datetime.date
TOMORROW = (datetime.date.today() + datetime.timedelta(days=1)).isoformat()
STAFF_A0101 = dict(admin=200, zuzhibu=200, a01admin=200, b01admin=404, shuji=200, dangyuan=404, outsider=404,
                   anonymous=401)
STAFF_A0102 = STAFF_A0101 | dict(shuji=404)


def meeting(cast, org=None, **kw):
    data = dict(held_on=D(2024, 3, 15), subject="学习党章", types=["theme_day"], expected=3, present=3) | kw
    return services.record_meeting(actor=None, org=org or cast.a0101, **data)


def snapshot():
    return (list(Meeting.objects.order_by("pk").values()), list(Attendance.objects.order_by("pk").values()),
            list(Vote.objects.order_by("pk").values()), list(PartyHome.objects.order_by("pk").values()),
            AuditEntry.objects.count())


def error(r, status, code, field=None, message=None):
    assert r.status_code == status, (r.status_code, r.content.decode())
    body = r.json()
    assert body["code"] == code and body["field"] == field, body
    if message:
        assert message in body["message"], body


# ---- reading ----

@expect(STAFF_A0101)
def test_it_lists_a0101_meetings_for_the_roles_that_see_it(cast, role, status):
    meeting(cast, subject="一支部学习")
    meeting(cast, cast.a0102, subject="二支部学习", expected=1, present=1)
    r = call(cast, role, "get", "/api/organizations/A0101/meetings")
    assert r.status_code == status
    if status == 200:
        assert [m["subject"] for m in r.json()["items"]] == ["一支部学习"]
        assert r.json()["items"][0]["type_labels"] == ["主题党日"]


@expect(STAFF_A0102)
def test_it_hides_a0102_meetings_from_the_a0101_secretary(cast, role, status):
    m = meeting(cast, cast.a0102, subject="二支部学习", expected=1, present=1)
    assert call(cast, role, "get", "/api/organizations/A0102/meetings").status_code == status
    r = call(cast, role, "get", f"/api/meetings/{m.pk}")
    assert r.status_code == status
    if status == 404:
        assert r.json()["code"] == "NOT_FOUND" and "二支部学习" not in r.content.decode()


def test_it_filters_meetings_by_year_month_and_type(cast):
    meeting(cast, held_on=D(2023, 1, 10), subject="一月党日")
    meeting(cast, held_on=D(2023, 5, 6), types=["lecture"], subject="五月党课")
    meeting(cast, held_on=D(2022, 5, 6), types=["lecture"], subject="去年党课")
    def get(query):
        return [m["subject"] for m in call(cast, "shuji", "get", f"/api/organizations/A0101/meetings?{query}").json()["items"]]

    assert get("") == ["五月党课", "一月党日", "去年党课"]  # newest first
    assert get("year=2023") == ["五月党课", "一月党日"]
    assert get("year=2023&month=1") == ["一月党日"]
    assert get("type=lecture") == ["五月党课", "去年党课"]
    error(call(cast, "shuji", "get", "/api/organizations/A0101/meetings?type=party"), 400, "CHOICE", "type", "会议类型“party”不是可选值")


def test_it_gives_a_meeting_with_attendance_votes_and_attachments(cast):
    m = meeting(cast, attendance=[(cast.zhang, True, ""), (cast.li, False, "出差"), (cast.wang, True, "")], present=2)
    services.record_vote(m, actor=None, matter="评优", yes=1)
    r = call(cast, "shuji", "get", f"/api/meetings/{m.pk}")
    body = r.json()
    assert r.status_code == 200 and body["org"] == "A0101" and body["present"] == 2
    assert {(a["name"], a["attended"], a["absence_reason"]) for a in body["attendance"]} == {
        ("张建国", True, ""), ("李秀英", False, "出差"), ("王志强", True, "")}
    # 王志强 is probationary: 1 of the 2 full members came, and 1 yes of 2 with a vote does not pass.
    assert body["votes"][0] | {"id": 0} == {
        "id": 0, "matter": "评优", "expected_voters": 2, "present_voters": 1, "yes": 1, "no": None, "abstain": None,
        "result": "no_quorum", "result_label": "未达到法定人数，表决无效", "resolution": ""}


# ---- writing ----

NEW = {"held_on": "2024-03-15", "subject": "主题党日", "types": ["theme_day", "branch_general"], "topics": ["study"]}


def test_it_records_a_meeting_with_attendance(cast):
    body = NEW | {"chair": cast.zhang.pk, "location": "会议室", "attendance": [
        {"member": cast.zhang.pk}, {"member": cast.li.pk, "attended": False, "absence_reason": "病假"},
        {"member": cast.wang.pk}]}
    r = call(cast, "shuji", "post", "/api/organizations/A0101/meetings", body)
    assert r.status_code == 201, r.content.decode()
    data = r.json()
    assert (data["expected"], data["present"]) == (3, 2)  # counted from the list
    assert data["types"] == ["branch_general", "theme_day"] and data["chair"] == {"id": cast.zhang.pk, "name": "张建国"}
    m = Meeting.objects.get()
    assert m.attendance.get(member=cast.li).absence_reason == "病假"
    assert AuditEntry.objects.filter(action="meeting.create", actor_name="shuji").exists()


def test_it_records_head_counts_only(cast):
    r = call(cast, "a01admin", "post", "/api/organizations/A0101/meetings", NEW | {"expected": 5, "present": 4})
    assert r.status_code == 201 and r.json()["attendance"] == []


@expect(dict(admin=201, zuzhibu=201, a01admin=201, b01admin=404, shuji=404, dangyuan=404, outsider=404,
             anonymous=401))
def test_only_roles_over_a0102_record_its_meetings(cast, role, status):
    r = call(cast, role, "post", "/api/organizations/A0102/meetings", NEW | {"expected": 1, "present": 1})
    assert r.status_code == status
    assert Meeting.objects.count() == (1 if status == 201 else 0)


@pytest.mark.parametrize("change,status,code,field,message", [
    ({"held_on": TOMORROW}, 400, "DATE_FUTURE", "held_on", "会议日期不能晚于今天"),
    ({"held_on": "2024-02-30"}, 400, "DATE_INVALID", "held_on", "日期“2024-02-30”不存在"),
    ({"types": []}, 400, "REQUIRED", "types", "请选择会议类型"),
    ({"types": ["group"]}, 400, "MEETING_ORG_TYPE", "types", "党小组会应由党小组召开"),
    ({"types": ["party"]}, 400, "CHOICE", "types", "会议类型“party”不是可选值"),
    ({"topics": ["fun"]}, 400, "CHOICE", "topics", "议题类别“fun”不是可选值"),
    ({"expected": 2, "present": 3}, 400, "MEETING_PRESENT", "present", "实到人数不能多于应到人数"),
    ({"expected": None}, 400, "REQUIRED", "expected", "请填写应到人数"),
    ({"chair": "chen"}, 403, "FORBIDDEN", "chair", "不在您的查看范围内"),
    ({"present": 1, "attendance": "zhang,li"}, 400, "ATTENDANCE_COUNT", "present", "实到人数1与出席名单（2人）不一致"),
    ({"attendance": "chen"}, 403, "FORBIDDEN", "attendance", "不在您的查看范围内"),
])
def test_it_refuses_a_bad_meeting_in_chinese_and_writes_nothing(cast, change, status, code, field, message):
    names = {"zhang": cast.zhang, "li": cast.li, "chen": cast.chen}
    body = NEW | {"expected": 3, "present": 2} | change
    if isinstance(body.get("chair"), str):
        body["chair"] = names[body["chair"]].pk
    if isinstance(body.get("attendance"), str):
        body["attendance"] = [{"member": names[n].pk} for n in body["attendance"].split(",")]
    before = snapshot()
    error(call(cast, "shuji", "post", "/api/organizations/A0101/meetings", body), status, code, field, message)
    assert snapshot() == before


def test_it_updates_a_meeting(cast):
    m = meeting(cast, attendance=[(cast.zhang, True, ""), (cast.li, True, "")], present=2)
    r = call(cast, "shuji", "patch", f"/api/meetings/{m.pk}", {"subject": "学习党章（更正）", "attendance": [
        {"member": cast.zhang.pk}, {"member": cast.li.pk, "attended": False, "absence_reason": "出差"}]})
    assert r.status_code == 200, r.content.decode()
    assert r.json()["subject"] == "学习党章（更正）" and r.json()["present"] == 1
    m.refresh_from_db()
    assert m.present == 1 and m.attendance.get(member=cast.li).absence_reason == "出差"
    r = call(cast, "shuji", "patch", f"/api/meetings/{m.pk}", {"attendance": []})
    assert r.json()["attendance"] == [] and r.json()["present"] == 1  # cleared: the head counts stay


def test_it_refuses_a_bad_update_and_one_out_of_scope(cast):
    m = meeting(cast)
    other = meeting(cast, cast.a0102, expected=1, present=1)
    before = snapshot()
    error(call(cast, "shuji", "patch", f"/api/meetings/{m.pk}", {"present": 9}), 400, "MEETING_PRESENT", "present")
    error(call(cast, "shuji", "patch", f"/api/meetings/{m.pk}", {"subject": ""}), 400, "REQUIRED", "subject")
    error(call(cast, "shuji", "patch", f"/api/meetings/{other.pk}", {"subject": "x"}), 404, "NOT_FOUND")
    assert call(cast, "shuji", "patch", f"/api/meetings/{m.pk}", {"colour": "red"}).status_code == 422
    assert snapshot() == before


def test_it_deletes_a_meeting_in_scope_only(cast):
    m = meeting(cast)
    other = meeting(cast, cast.a0102, expected=1, present=1)
    error(call(cast, "shuji", "delete", f"/api/meetings/{other.pk}"), 404, "NOT_FOUND")
    r = call(cast, "shuji", "delete", f"/api/meetings/{m.pk}")
    assert r.status_code == 204
    assert list(Meeting.objects.all()) == [other]
    assert call(cast, "shuji", "get", f"/api/meetings/{m.pk}").status_code == 404
    assert AuditEntry.objects.filter(action="meeting.delete", actor_name="shuji").exists()


# ---- votes ----

def test_it_records_a_vote_and_computes_the_result(cast):
    m = meeting(cast, expected=10, present=8)
    r = call(cast, "shuji", "post", f"/api/meetings/{m.pk}/votes", {"matter": "接收预备党员", "yes": 5, "no": 3})
    assert r.status_code == 201
    assert r.json()["result"] == "rejected" and r.json()["result_label"] == "未通过"
    r = call(cast, "shuji", "post", f"/api/meetings/{m.pk}/votes", {"matter": "表彰", "yes": 6})
    assert r.json()["result"] == "passed"
    votes = call(cast, "shuji", "get", f"/api/meetings/{m.pk}").json()["votes"]
    assert [v["matter"] for v in votes] == ["接收预备党员", "表彰"]


def test_it_refuses_a_bad_vote(cast):
    m = meeting(cast, expected=10, present=8)
    other = meeting(cast, cast.a0102, expected=1, present=1)
    before = snapshot()
    error(call(cast, "shuji", "post", f"/api/meetings/{m.pk}/votes", {"matter": "甲", "yes": 7, "no": 3}),
          400, "VOTE_COUNT", "yes", "赞成、反对、弃权票合计10，多于实到有表决权人数8")
    error(call(cast, "shuji", "post", f"/api/meetings/{m.pk}/votes", {"matter": "甲", "yes": 1, "expected_voters": 11}),
          400, "VOTE_COUNT", "expected_voters", "应到有表决权人数不能多于会议应到人数")
    error(call(cast, "shuji", "post", f"/api/meetings/{other.pk}/votes", {"matter": "甲", "yes": 1}), 404, "NOT_FOUND")
    assert snapshot() == before


# ---- 党员之家 ----

@expect(STAFF_A0101)
def test_it_lists_party_homes_in_scope(cast, role, status):
    services.create_party_home(actor=None, org=cast.a0101, name="一支部党员之家", opened_on=D(2020, 1, 1),
                               facilities=["books"])
    r = call(cast, role, "get", "/api/organizations/A0101/party-homes")
    assert r.status_code == status
    if status == 200:
        assert r.json() == [{"id": PartyHome.objects.get().pk, "org": "A0101", "org_name": "甲市一支部",
                             "name": "一支部党员之家", "opened_on": "2020-01-01", "facilities": ["books"],
                             "facility_labels": ["学习书籍"]}]


def test_it_creates_and_updates_a_party_home(cast):
    r = call(cast, "shuji", "post", "/api/organizations/A0101/party-homes",
             {"name": "党员之家", "opened_on": "2021-07-01", "facilities": ["rules_on_wall", "books"]})
    assert r.status_code == 201 and r.json()["facilities"] == ["rules_on_wall", "books"]
    home_id = r.json()["id"]
    r = call(cast, "shuji", "patch", f"/api/party-homes/{home_id}", {"name": "党员活动室"})
    assert r.status_code == 200 and r.json()["name"] == "党员活动室"
    before = snapshot()
    error(call(cast, "shuji", "post", "/api/organizations/A0101/party-homes", {"name": "党员活动室", "opened_on": "2021-07-01"}),
          400, "DUPLICATE", "name", "已有名为“党员活动室”的党员之家")
    error(call(cast, "shuji", "post", "/api/organizations/A0101/party-homes", {"name": "新", "opened_on": TOMORROW}),
          400, "DATE_FUTURE", "opened_on", "建成日期不能晚于今天")
    error(call(cast, "shuji", "post", "/api/organizations/A0101/party-homes", {"name": "新", "opened_on": "2021-01-01",
                                                                      "facilities": ["pool"]}),
          400, "CHOICE", "facilities", "设施“pool”不是可选值")
    error(call(cast, "shuji", "post", "/api/organizations/A0102/party-homes", {"name": "新", "opened_on": "2021-01-01"}),
          404, "NOT_FOUND")
    error(call(cast, "b01admin", "patch", f"/api/party-homes/{home_id}", {"name": "x"}), 404, "NOT_FOUND")
    assert snapshot() == before


@pytest.mark.parametrize("field", ["chair", "lecturer"])
def test_a_person_given_as_zero_is_a_clear_error_not_a_crash(cast, field):
    m = meeting(cast)
    r = call(cast, "admin", "patch", f"/api/meetings/{m.pk}", {field: 0})
    assert r.status_code == 400 and r.json()["field"] == field
