"""/api/members for every role: scoping (no leak across subtrees), masking, reveal (audited), the
lifecycle actions, and bad input answered in Chinese with nothing changed."""
import pytest

from dangjian.audit.models import AuditEntry
from dangjian.members.models import Member, MemberEvent

from .cast import person_id
from .test_api import ROLES, call, expect

FULL_PHONE = "13812345678"


def names(response):
    return [m["name"] for m in response.json()["items"]]


def snapshot():
    """Everything a refused request must leave untouched."""
    return (list(Member.objects.order_by("pk").values()), MemberEvent.objects.count(), AuditEntry.objects.count())


# ---- GET /api/members ----

VISIBLE_MEMBERS = {
    "admin": {"张建国", "李秀英", "王志强", "赵丽", "陈刚"},
    "zuzhibu": {"张建国", "李秀英", "王志强", "赵丽", "陈刚"},
    "a01admin": {"张建国", "李秀英", "王志强", "赵丽"},
    "b01admin": {"陈刚"},
    "shuji": {"张建国", "李秀英", "王志强"},
    "dangyuan": {"李秀英"},
    "outsider": set(),
}


@pytest.mark.parametrize("role", ROLES)
def test_it_lists_only_the_members_in_scope(cast, role):
    r = call(cast, role, "get", "/api/members")
    if role == "anonymous":
        assert r.status_code == 401
        return
    assert r.status_code == 200
    assert set(names(r)) == VISIBLE_MEMBERS[role] and r.json()["count"] == len(VISIBLE_MEMBERS[role])


def test_it_never_leaks_chen_gang_to_a01admin_whatever_the_filter(cast):
    for query in ("", "?q=陈", "?include_former=true", "?stage=full", "?leading_cadre=false", "?limit=500"):
        r = call(cast, "a01admin", "get", f"/api/members{query}")
        assert r.status_code == 200 and "陈刚" not in r.content.decode(), query
    assert call(cast, "a01admin", "get", "/api/members?org=B0101").status_code == 404


def test_it_filters_members(cast):
    get = lambda q: names(call(cast, "admin", "get", f"/api/members?{q}"))  # noqa: E731
    assert set(get("org=A01")) == {"张建国", "李秀英", "王志强", "赵丽"}
    assert get("org=A0102") == ["赵丽"]
    assert get("org=A0101G1") == ["张建国"]  # the 党小组's members hold their membership in the branch
    assert get("stage=probationary") == ["王志强"]
    assert get("q=李") == ["李秀英"]
    assert get("leading_cadre=true") == []
    call(cast, "admin", "patch", f"/api/members/{cast.zhao.pk}", {"is_leading_cadre": True})
    assert get("leading_cadre=true") == ["赵丽"]


def test_it_lists_former_members_only_when_asked(cast):
    call(cast, "admin", "post", f"/api/members/{cast.zhao.pk}/exit", {"kind": "withdrew", "date": "2020-01-01"})
    get = lambda q: names(call(cast, "admin", "get", f"/api/members?{q}"))  # noqa: E731
    assert "赵丽" not in get("")
    assert "赵丽" in get("include_former=true")
    assert get("stage=left") == ["赵丽"]


def test_it_paginates_members(cast):
    r = call(cast, "admin", "get", "/api/members?limit=2&offset=2")
    assert r.json()["count"] == 5 and len(r.json()["items"]) == 2
    assert call(cast, "admin", "get", "/api/members?limit=501").status_code == 422


def test_it_refuses_an_unknown_stage_filter_in_chinese(cast):
    r = call(cast, "admin", "get", "/api/members?stage=hero")
    assert r.status_code == 400 and r.json()["field"] == "stage" and "人员类别" in r.json()["message"]


# ---- masking ----

@pytest.mark.parametrize("url", ["/api/members", "/api/members?include_former=true&limit=500", "/api/members/{pk}"])
def test_it_masks_id_and_phone_numbers_in_every_answer(cast, url):
    r = call(cast, "admin", "get", url.format(pk=cast.li.pk))
    text = r.content.decode()
    assert r.status_code == 200
    for member in Member.objects.all():
        assert member.id_number not in text
    assert FULL_PHONE not in text
    item = r.json()["items"][0] if "items" in r.json() else r.json()
    assert "*" in item["id_number_masked"] and item["phone_masked"] == "138****5678"
    assert "id_number" not in item and "phone" not in item


def test_it_masks_the_numbers_in_the_answers_to_writes(cast):
    r = call(cast, "admin", "patch", f"/api/members/{cast.li.pk}", {"phone": "13900001111"})
    assert r.status_code == 200 and r.json()["phone_masked"] == "139****1111"
    assert "13900001111" not in r.content.decode() and cast.li.id_number not in r.content.decode()


# ---- GET /api/members/{id} ----

@expect({"admin": 200, "zuzhibu": 200, "a01admin": 404, "b01admin": 200, "shuji": 404, "dangyuan": 404,
         "outsider": 404, "anonymous": 401})
def test_it_shows_chen_gang_only_within_b01(cast, role, status):
    r = call(cast, role, "get", f"/api/members/{cast.chen.pk}")
    assert r.status_code == status
    if status == 404:
        assert "陈刚" not in r.content.decode() and "不在您的查看范围内" in r.json()["message"]


@expect({"admin": 200, "zuzhibu": 200, "a01admin": 200, "b01admin": 404, "shuji": 200, "dangyuan": 200,
         "outsider": 404, "anonymous": 401})
def test_it_shows_a_member_of_a0101_to_those_in_scope(cast, role, status):
    assert call(cast, role, "get", f"/api/members/{cast.li.pk}").status_code == status


def test_it_shows_the_events_timeline_and_labels(cast):
    data = call(cast, "shuji", "get", f"/api/members/{cast.zhang.pk}").json()
    assert [(e["kind"], e["kind_label"], e["date"], e["org"]) for e in data["events"]] == [
        ("admitted", "接收为预备党员", "2010-07-01", "A0101"), ("confirmed", "转为正式党员", "2011-07-01", None)]
    assert data["stage"] == "full" and data["stage_label"] == "正式党员"
    assert data["sex_label"] == "男" and data["party_group"] == "A0101G1" and data["org_name"] == "甲市一支部"


def test_it_answers_404_for_an_unknown_member(cast):
    assert call(cast, "admin", "get", "/api/members/999999").status_code == 404


def test_it_shows_only_the_own_record_to_a_member(cast):
    assert call(cast, "dangyuan", "get", f"/api/members/{cast.zhang.pk}").status_code == 404


# ---- POST /api/members/{id}/reveal ----

@expect({"admin": 200, "zuzhibu": 200, "a01admin": 200, "b01admin": 404, "shuji": 403, "dangyuan": 200,
         "outsider": 404, "anonymous": 401})
def test_it_reveals_full_numbers_to_the_roles_that_may_and_audits_it(cast, role, status):
    r = call(cast, role, "post", f"/api/members/{cast.li.pk}/reveal", {})
    assert r.status_code == status
    reveals = AuditEntry.objects.filter(action="member.reveal", object_id=str(cast.li.pk))
    if status == 200:
        assert r.json() == {"id": cast.li.pk, "name": "李秀英", "id_number": cast.li.id_number, "phone": FULL_PHONE,
                            "birth_date": "1980-05-03"}
        assert r["Cache-Control"] == "no-store"
        entry = reveals.get()
        assert entry.actor == getattr(cast, role) and entry.org_code == "A0101"
    else:
        assert not reveals.exists()
        assert cast.li.id_number not in r.content.decode() and FULL_PHONE not in r.content.decode()
    if status == 403:
        assert r.json()["code"] == "FORBIDDEN" and "身份证号" in r.json()["message"]


def test_it_never_reveals_chen_gang_to_a01admin(cast):
    r = call(cast, "a01admin", "post", f"/api/members/{cast.chen.pk}/reveal", {})
    assert r.status_code == 404 and not AuditEntry.objects.filter(action="member.reveal").exists()


# ---- POST /api/members ----

def new_member(n=30, **kw):
    return {"id_number": person_id(n), "name": "刘洋", "org": "A0101", "admitted_on": "2015-07-01",
            "confirmed_on": "2016-07-01", "phone": "13700001234"} | kw


@expect({"admin": 201, "zuzhibu": 201, "a01admin": 201, "b01admin": 403, "shuji": 201, "dangyuan": 403,
         "outsider": 403, "anonymous": 401})
def test_it_creates_a_member_for_those_who_manage_the_organisation(cast, role, status):
    r = call(cast, role, "post", "/api/members", new_member())
    assert r.status_code == status
    assert Member.objects.filter(name="刘洋").exists() == (status == 201)
    if status == 201:
        data = r.json()
        assert data["org"] == "A0101" and data["stage"] == "full" and data["sex"] == "M"
        assert data["birth_date_masked"] == "1980-**-**" and data["phone_masked"] == "137****1234"
        assert [e["kind"] for e in data["events"]] == ["admitted", "confirmed"]
        assert AuditEntry.objects.get(action="member.create", object_id=str(data["id"])).actor == getattr(cast, role)


def test_it_creates_a_member_in_a_party_group(cast):
    r = call(cast, "shuji", "post", "/api/members", new_member(party_group="A0101G1", confirmed_on=None))
    assert r.status_code == 201 and r.json()["party_group"] == "A0101G1" and r.json()["stage"] == "probationary"


def test_it_refuses_a_member_into_b0101_by_a01admin_and_changes_nothing(cast):
    before = snapshot()
    r = call(cast, "a01admin", "post", "/api/members", new_member(org="B0101"))
    assert r.status_code == 403 and "乙市" not in r.content.decode()
    assert snapshot() == before


@pytest.mark.parametrize("change,code,field,words", [
    ({"id_number": person_id(30)[:17] + ("0" if person_id(30)[17] != "0" else "1")}, "ID_CHECK_DIGIT", "id_number",
     "校验位错误"),
    ({"id_number": "12345"}, "ID_FORMAT", "id_number", "格式不正确"),
    ({"id_number": person_id(2, "F")}, "DUPLICATE", "id_number", "已在党员名册中"),
    ({"sex": "F"}, "ID_SEX_MISMATCH", "sex", "不一致"),
    ({"sex": "X"}, "CHOICE", "sex", "性别"),
    ({"birth_date": "1990-01-01"}, "ID_BIRTH_MISMATCH", "birth_date", "不一致"),
    ({"admitted_on": "2015-02-30"}, "DATE_INVALID", "admitted_on", "不存在"),
    ({"admitted_on": "2999-01-01", "confirmed_on": None}, "DATE_FUTURE", "admitted_on", "不能晚于今天"),
    ({"confirmed_on": "2014-01-01"}, "DATE_ORDER", "confirmed_on", "转正日期不能早于入党日期"),
    ({"org": "A0101G1"}, "MEMBER_ORG_TYPE", "org", "党小组"),
    ({"org": "NOPE"}, "ORG_NOT_FOUND", "org", "不存在"),
    ({"party_group": "A0101G1", "org": "A0102"}, "MEMBER_GROUP", "party_group", "不是"),
    ({"phone": "12ab"}, "PHONE_FORMAT", "phone", "手机号码"),
    ({"education": "phd"}, "CHOICE", "education", "学历"),
    ({"dues_category": "rich"}, "CHOICE", "dues_category", "党费类别"),
    ({"name": " "}, "REQUIRED", "name", "姓名不能为空"),
])
def test_it_refuses_a_bad_member_with_a_chinese_message_and_changes_nothing(cast, change, code, field, words):
    before = snapshot()
    r = call(cast, "admin", "post", "/api/members", new_member(**change))
    assert r.status_code == 400, r.content
    assert (r.json()["code"], r.json()["field"]) == (code, field) and words in r.json()["message"]
    assert snapshot() == before


def test_it_answers_a_member_body_missing_fields_with_422(cast):
    r = call(cast, "admin", "post", "/api/members", {"name": "刘洋"})
    assert r.status_code == 422


# ---- PATCH /api/members/{id} ----

@expect({"admin": 200, "zuzhibu": 200, "a01admin": 200, "b01admin": 404, "shuji": 200, "dangyuan": 404,
         "outsider": 404, "anonymous": 401})
def test_it_updates_a_member_for_those_who_manage_the_organisation(cast, role, status):
    r = call(cast, role, "patch", f"/api/members/{cast.wang.pk}", {"ethnicity": "回族", "education": "bachelor"})
    assert r.status_code == status
    cast.wang.refresh_from_db()
    assert (cast.wang.ethnicity == "回族") == (status == 200)
    if status == 200:
        assert r.json()["education_label"] == "大学本科"


@expect({"admin": 200, "zuzhibu": 200, "a01admin": 404, "b01admin": 200, "shuji": 404, "dangyuan": 404,
         "outsider": 404, "anonymous": 401})
def test_it_never_lets_a_subtree_patch_chen_gang(cast, role, status):
    r = call(cast, role, "patch", f"/api/members/{cast.chen.pk}", {"name": "陈刚强"})
    assert r.status_code == status
    cast.chen.refresh_from_db()
    assert (cast.chen.name == "陈刚强") == (status == 200)


def test_it_refuses_a_member_editing_the_own_record(cast):
    r = call(cast, "dangyuan", "patch", f"/api/members/{cast.li.pk}", {"phone": "13900000000"})
    assert r.status_code == 403
    cast.li.refresh_from_db()
    assert cast.li.phone == FULL_PHONE


def test_it_moves_a_member_between_party_groups_and_clears_it(cast):
    r = call(cast, "shuji", "patch", f"/api/members/{cast.zhang.pk}", {"party_group": None})
    assert r.status_code == 200 and r.json()["party_group"] is None
    r = call(cast, "shuji", "patch", f"/api/members/{cast.li.pk}", {"party_group": "A0101G1"})
    assert r.status_code == 200 and r.json()["party_group"] == "A0101G1"


@pytest.mark.parametrize("change,code,status", [
    ({"sex": "F"}, "ID_SEX_MISMATCH", 400),
    ({"sex": "X"}, "CHOICE", 400),
    ({"birth_date": "1981-01-01"}, "ID_BIRTH_MISMATCH", 400),
    ({"phone": "call me"}, "PHONE_FORMAT", 400),
    ({"name": "", "phone": "13900000000"}, "REQUIRED", 400),
    ({"party_group": "B0101"}, "FORBIDDEN", 403),
    ({"id_number": "450103198005170011"}, None, 422),
    ({"stage": "full"}, None, 422),
    ({"is_leading_cadre": None}, None, 422),
])
def test_it_refuses_a_bad_member_patch_and_changes_nothing(cast, change, code, status):
    before = snapshot()
    r = call(cast, "a01admin", "patch", f"/api/members/{cast.zhang.pk}", change)
    assert r.status_code == status, r.content
    if code:
        assert r.json()["code"] == code
    assert snapshot() == before


# ---- POST /api/members/{id}/transfer ----

@expect({"admin": 200, "zuzhibu": 200, "a01admin": 200, "b01admin": 404, "shuji": 403, "dangyuan": 403,
         "outsider": 404, "anonymous": 401})
def test_it_transfers_a_member_for_those_who_manage_both_ends(cast, role, status):
    r = call(cast, role, "post", f"/api/members/{cast.li.pk}/transfer",
             {"to_org": "A0102", "date": "2019-05-01", "note": "工作调动"})
    assert r.status_code == status
    cast.li.refresh_from_db()
    assert (cast.li.org == cast.a0102) == (status == 200)
    if status == 200:
        assert r.json()["org"] == "A0102" and r.json()["events"][-1]["kind"] == "transferred"
        assert AuditEntry.objects.filter(action="member.transfer").get().actor == getattr(cast, role)


def test_it_refuses_a_transfer_from_a0101_to_b0101_by_a01admin_and_changes_nothing(cast):
    before = snapshot()
    body = {"to_org": "B0101", "date": "2019-05-01"}
    r = call(cast, "a01admin", "post", f"/api/members/{cast.zhang.pk}/transfer", body)
    assert r.status_code == 403 and r.json()["code"] == "FORBIDDEN"
    assert "乙市" not in r.content.decode()
    assert snapshot() == before
    r = call(cast, "zuzhibu", "post", f"/api/members/{cast.zhang.pk}/transfer", body)
    assert r.status_code == 200 and r.json()["org"] == "B0101" and r.json()["party_group"] is None


@expect({"admin": 200, "zuzhibu": 200, "a01admin": 404, "b01admin": 403, "shuji": 404, "dangyuan": 404,
         "outsider": 404, "anonymous": 401})
def test_it_never_lets_a_subtree_transfer_chen_gang(cast, role, status):
    r = call(cast, role, "post", f"/api/members/{cast.chen.pk}/transfer", {"to_org": "A0101", "date": "2019-05-01"})
    assert r.status_code == status
    cast.chen.refresh_from_db()
    assert (cast.chen.org == cast.a0101) == (status == 200)


@pytest.mark.parametrize("body,code", [
    ({"to_org": "A0101", "date": "2019-05-01"}, "MEMBER_TRANSFER_SAME"),
    ({"to_org": "A0102", "date": "2009-05-01"}, "ORG_PARENT_DATE"),
    ({"to_org": "A0102", "date": "2999-05-01"}, "DATE_FUTURE"),
    ({"to_org": "A0102", "date": "2019/02/30"}, "DATE_INVALID"),
    ({"to_org": "A0101G1", "date": "2019-05-01"}, "MEMBER_ORG_TYPE"),
    ({"to_org": "A0102", "date": ""}, "REQUIRED"),
    ({"to_org": "", "date": "2019-05-01"}, "REQUIRED"),
])
def test_it_refuses_a_bad_transfer_with_a_chinese_message_and_changes_nothing(cast, body, code):
    before = snapshot()
    r = call(cast, "a01admin", "post", f"/api/members/{cast.li.pk}/transfer", body)
    assert r.status_code == 400 and r.json()["code"] == code, r.content
    assert snapshot() == before


# ---- POST /api/members/{id}/confirm ----

@expect({"admin": 200, "zuzhibu": 200, "a01admin": 200, "b01admin": 404, "shuji": 200, "dangyuan": 404,
         "outsider": 404, "anonymous": 401})
def test_it_confirms_a_probationary_member(cast, role, status):
    r = call(cast, role, "post", f"/api/members/{cast.wang.pk}/confirm", {"date": "2019-03-01"})
    assert r.status_code == status
    cast.wang.refresh_from_db()
    assert (cast.wang.stage == "full") == (status == 200)
    if status == 200:
        assert r.json()["stage_label"] == "正式党员" and r.json()["confirmed_on"] == "2019-03-01"


def test_it_refuses_to_confirm_a_full_member_or_before_admission(cast):
    before = snapshot()
    r = call(cast, "admin", "post", f"/api/members/{cast.li.pk}/confirm", {"date": "2019-03-01"})
    assert r.status_code == 400 and r.json()["code"] == "MEMBER_TRANSITION" and "正式党员不能办理" in r.json()["message"]
    r = call(cast, "admin", "post", f"/api/members/{cast.wang.pk}/confirm", {"date": "2017-03-01"})
    assert r.status_code == 400 and r.json()["code"] == "DATE_ORDER"
    assert snapshot() == before


def test_it_refuses_a_member_confirming_the_own_record(cast):
    r = call(cast, "dangyuan", "post", f"/api/members/{cast.li.pk}/confirm", {"date": "2019-03-01"})
    assert r.status_code == 403


# ---- POST /api/members/{id}/exit ----

@expect({"admin": 200, "zuzhibu": 200, "a01admin": 200, "b01admin": 404, "shuji": 404, "dangyuan": 404,
         "outsider": 404, "anonymous": 401})
def test_it_records_an_exit(cast, role, status):
    r = call(cast, role, "post", f"/api/members/{cast.zhao.pk}/exit", {"kind": "died", "date": "2020-01-01"})
    assert r.status_code == status
    cast.zhao.refresh_from_db()
    assert (cast.zhao.stage == "left") == (status == 200)
    if status == 200:
        assert r.json()["stage_label"] == "已出党" and r.json()["events"][-1]["kind_label"] == "死亡"


def test_it_refuses_a_bad_exit_and_changes_nothing(cast):
    before = snapshot()
    r = call(cast, "admin", "post", f"/api/members/{cast.zhao.pk}/exit", {"kind": "transferred", "date": "2020-01-01"})
    assert r.status_code == 400 and r.json()["code"] == "CHOICE" and "出党方式" in r.json()["message"]
    r = call(cast, "admin", "post", f"/api/members/{cast.zhao.pk}/exit", {"kind": "died", "date": "2000-01-01"})
    assert r.status_code == 400 and r.json()["code"] == "DATE_ORDER"
    assert snapshot() == before
    call(cast, "admin", "post", f"/api/members/{cast.zhao.pk}/exit", {"kind": "died", "date": "2020-01-01"})
    r = call(cast, "admin", "post", f"/api/members/{cast.zhao.pk}/exit", {"kind": "died", "date": "2020-02-01"})
    assert r.status_code == 400 and r.json()["code"] == "MEMBER_TRANSITION"


def test_it_does_not_name_where_a_member_came_from_outside_the_scope(cast):
    import datetime

    from dangjian.members.services import transfer_member

    transfer_member(cast.chen, actor=None, to_org=cast.a0102, transferred_on=datetime.date(2018, 1, 1))
    r = call(cast, "a01admin", "get", f"/api/members/{cast.chen.pk}")
    assert r.status_code == 200
    body = r.content.decode()
    assert "B0101" not in body and "乙市一支部" not in body and "范围外" in body
    assert [e["org"] for e in r.json()["events"]] == [None, None, "A0102"]  # 接收 (hidden), 转正, 转接
