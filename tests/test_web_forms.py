"""Each form: the happy path writes through the service (and so the audit log), and each refusal comes
back as a Chinese message on the field it is about, changing nothing."""
import datetime

import pytest
from django.urls import reverse

from dangjian.audit.models import AuditEntry
from dangjian.members.models import Member, Stage
from dangjian.members.services import suspend_member
from dangjian.organizations.models import CommitteePost, Election, Organization

from .cast import person_id

D = datetime.date
TOMORROW = (datetime.date.today() + datetime.timedelta(days=1)).isoformat()



def field_errors(response, field):
    """The messages the form put on `field` (None: the non-field errors)."""
    form = response.context["form"]
    return form.non_field_errors() if field is None else form.errors.get(field, [])


def assert_refused(response, field, message):
    assert response.status_code == 200, response.status_code
    errors = field_errors(response, field)
    assert any(message in e for e in errors), (field, errors, response.context["form"].errors)
    assert message in response.content.decode()


ORG = {"code": "A0103", "name": "甲市三支部", "org_type": "branch", "founded_on": "2020-01-01"}


# ---- organisations ----

def test_it_creates_an_organisation(client, cast):
    client.force_login(cast.a01admin)
    response = client.post(reverse("org_create"), ORG | {"parent": cast.a01.pk, "unit_employees": "30"})
    assert response.url == reverse("org_detail", args=["A0103"])
    org = Organization.objects.get(code="A0103")
    assert org.parent == cast.a01 and org.unit_employees == 30
    assert AuditEntry.objects.filter(action="organization.create", actor_name="a01admin").exists()


def test_it_prefills_the_parent_from_the_query(client, cast):
    client.force_login(cast.a01admin)
    response = client.get(reverse("org_create") + "?parent=A01")
    assert response.context["form"].initial["parent"] == cast.a01


@pytest.mark.parametrize("data,field,message", [
    (ORG | {"code": "A0101"}, "code", "组织编码“A0101”已存在"),
    (ORG | {"code": "甲 1"}, "code", "组织编码只能由字母、数字、点、横线和下划线组成"),
    (ORG | {"name": ""}, "name", "请填写组织名称"),
    (ORG | {"founded_on": "2020-02-30"}, "founded_on", "日期“2020-02-30”不存在"),
    (ORG, "parent", "只有党委可以作为根组织，请填写上级组织"),
    (ORG | {"org_type": "committee"}, "parent", "只有系统管理员可以建立根组织"),
    (ORG | {"org_type": "party_group", "parent": "A01"}, "parent", "党小组的上级组织应为"),
    (ORG | {"parent": "B01"}, "parent", "所选上级组织不存在或不在您的管理范围内"),
    (ORG | {"parent": "A01", "has_discipline_committee": "on"}, "has_discipline_committee", "只有党委可以设立纪委"),
])
def test_it_refuses_a_bad_organisation(client, cast, data, field, message):
    client.force_login(cast.a01admin)
    if "parent" in data:
        data = data | {"parent": getattr(cast, data["parent"].lower()).pk}
    assert_refused(client.post(reverse("org_create"), data), field, message)
    assert not Organization.objects.filter(name="甲市三支部").exists()


def test_it_edits_an_organisation(client, cast):
    client.force_login(cast.shuji)
    url = reverse("org_edit", args=["A0101"])
    data = client.get(url).context["form"].initial | {"name": "甲市第一支部", "unit_name": "甲市分公司营业部"}
    data = {k: ("on" if v is True else "" if v in (None, False) else v) for k, v in data.items()}
    assert client.post(url, data).url == reverse("org_detail", args=["A0101"])
    cast.a0101.refresh_from_db()
    assert cast.a0101.name == "甲市第一支部"
    entry = AuditEntry.objects.get(action="organization.update")
    assert entry.before == {"name": "甲市一支部", "unit_name": ""}


def test_it_refuses_a_bad_edit(client, cast):
    client.force_login(cast.a01admin)
    url = reverse("org_edit", args=["A0101"])
    base = {"name": "甲市一支部", "org_type": "branch", "founded_on": "2016-01-01"}
    assert_refused(client.post(url, base | {"dissolved_on": "2015-01-01"}), "dissolved_on", "撤销日期不能早于成立日期")
    assert_refused(client.post(url, base | {"org_type": "party_group"}), "org_type", "党小组的上级组织应为")
    assert_refused(client.post(url, base | {"unit_employees": "-3"}), "unit_employees", "")


def test_it_moves_an_organisation(client, cast):
    client.force_login(cast.zuzhibu)
    url = reverse("org_move", args=["A0102"])
    response = client.post(url, {"parent": cast.b01.pk, "moved_on": "2020-01-01", "note": "划转"})
    assert response.url == reverse("org_detail", args=["A0102"])
    cast.a0102.refresh_from_db()
    assert cast.a0102.parent == cast.b01 and cast.a0102.path.startswith(cast.b01.path)
    assert cast.a0102.parent_links.last().note == "划转"


def test_it_refuses_a_bad_move(client, cast):
    client.force_login(cast.zuzhibu)
    url = reverse("org_move", args=["A0102"])
    assert_refused(client.post(url, {"parent": cast.a01.pk, "moved_on": "2020-01-01"}), "parent",
                   "新的上级组织与当前上级组织相同")
    assert_refused(client.post(url, {"parent": cast.b01.pk, "moved_on": "2015-01-01"}), "moved_on",
                   "调整日期应晚于成立日期")
    assert_refused(client.post(url, {"parent": cast.a0101.pk, "moved_on": "2020-01-01"}), "parent",
                   "党支部的上级组织应为")
    assert_refused(client.post(reverse("org_move", args=["A01"]), {"parent": cast.a0101.pk, "moved_on": "2020-01-01"}),
                   "parent", "所选新的上级组织不存在或不在您的管理范围内")  # its own subtree is not offered
    client.force_login(cast.a01admin)
    assert_refused(client.post(url, {"parent": cast.b01.pk, "moved_on": "2020-01-01"}), "parent",
                   "所选新的上级组织不存在或不在您的管理范围内")
    cast.a0102.refresh_from_db()
    assert cast.a0102.parent == cast.a01


# ---- posts and elections ----

def test_it_records_a_post(client, cast):
    client.force_login(cast.shuji)
    response = client.post(reverse("post_create", args=["A0101"]), {
        "member": cast.li.pk, "post": "organization_member", "started_on": "2016-03-01"})
    assert response.url == reverse("org_detail", args=["A0101"])
    assert CommitteePost.objects.filter(member=cast.li, post="organization_member").exists()


def test_it_refuses_a_bad_post(client, cast):
    client.force_login(cast.shuji)
    url = reverse("post_create", args=["A0101"])
    assert_refused(client.post(url, {"member": cast.li.pk, "post": "secretary", "started_on": "2017-01-01"}),
                   "started_on", "该组织同期已有书记张建国")
    assert_refused(client.post(url, {"member": cast.li.pk, "post": "group_leader", "started_on": "2017-01-01"}),
                   "post", "组长只设在党小组")
    assert_refused(client.post(url, {"member": cast.wang.pk, "post": "committee_member", "started_on": "2017-01-01"}),
                   "member", "王志强在2017-01-01不是党员")
    assert_refused(client.post(url, {"member": cast.chen.pk, "post": "committee_member", "started_on": "2017-01-01"}),
                   "member", "所选任职人不存在或不在您的管理范围内")
    assert_refused(client.post(url, {"post": "committee_member", "started_on": "2017-01-01"}), "member", "请选择任职人")
    assert CommitteePost.objects.count() == 1


def test_it_edits_a_post(client, cast):
    client.force_login(cast.shuji)
    url = reverse("post_edit", args=[cast.secretary_post.pk])
    base = {"post": "secretary", "started_on": "2016-03-01", "admin_post": "总经理"}
    assert client.post(url, base | {"ended_on": "2019-03-01"}).status_code == 302
    cast.secretary_post.refresh_from_db()
    assert cast.secretary_post.ended_on == D(2019, 3, 1) and cast.secretary_post.is_one_shoulder
    assert_refused(client.post(url, base | {"ended_on": "2015-03-01"}), "ended_on", "离任日期不能早于任职日期")


def test_it_records_an_election(client, cast):
    client.force_login(cast.a01admin)
    response = client.post(reverse("election_create", args=["A0102"]), {
        "held_on": "2019-05-01", "term_years": "3", "expected": "20", "present": "18", "seats": "3",
        "candidates": "4"})
    assert response.url == reverse("org_detail", args=["A0102"])
    assert Election.objects.get(org=cast.a0102).present == 18


def test_it_refuses_a_bad_election(client, cast):
    client.force_login(cast.a01admin)
    url = reverse("election_create", args=["A0101"])
    base = {"held_on": "2019-05-01", "term_years": "3", "expected": "20", "present": "18", "seats": "3",
            "candidates": "4"}
    assert_refused(client.post(url, base | {"present": "21"}), "present", "实到人数不能多于应到人数")
    assert_refused(client.post(url, base | {"held_on": "2016-03-01"}), "held_on", "该组织在该日期已有换届记录")
    assert_refused(client.post(url, base | {"term_years": ""}), "term_years", "请填写任期年数")
    assert_refused(client.post(reverse("election_create", args=["A0101G1"]), base), None, "党小组不进行换届选举")
    assert Election.objects.count() == 1


def test_it_edits_an_election(client, cast):
    client.force_login(cast.shuji)
    url = reverse("election_edit", args=[cast.election.pk])
    base = {"term_years": "3", "expected": "3", "present": "3", "seats": "3", "candidates": "4"}
    assert client.post(url, base | {"postponed_to": "2019-09-01"}).status_code == 302
    cast.election.refresh_from_db()
    assert cast.election.postponed_to == D(2019, 9, 1)
    assert_refused(client.post(url, base | {"postponed_to": "2016-01-01"}), "postponed_to", "批准延期日期应晚于选举日期")


# ---- members ----

NEW_ID = person_id(40, "F", D(1990, 1, 1))
MEMBER = {"id_number": NEW_ID, "name": "孙梅", "admitted_on": "2015-07-01", "dues_category": "employed"}


def test_it_admits_a_member_deriving_birth_and_sex(client, cast):
    client.force_login(cast.shuji)
    response = client.post(reverse("member_create"), MEMBER | {"org": cast.a0101.pk, "phone": "13900001111",
                                                              "party_group": cast.a0101g1.pk})
    member = Member.objects.get(id_number=NEW_ID)
    assert response.url == reverse("member_detail", args=[member.pk])
    assert member.sex == "F" and member.birth_date.year == 1990 and member.stage == Stage.PROBATIONARY
    assert member.party_group == cast.a0101g1
    entry = AuditEntry.objects.get(action="member.create", object_id=str(member.pk))
    assert NEW_ID not in str(entry.after) and "13900001111" not in str(entry.after)


@pytest.mark.parametrize("change,field,message", [
    ({"id_number": NEW_ID[:17] + ("0" if NEW_ID[17] != "0" else "1")}, "id_number", "校验位错误"),
    ({"id_number": "12345"}, "id_number", "格式不正确"),
    ({"sex": "M"}, "sex", "与身份证号（第17位）所示性别“女”不一致"),
    ({"birth_date": "1991-01-01"}, "birth_date", "与身份证号中的出生日期"),
    ({"admitted_on": TOMORROW}, "admitted_on", "入党日期不能晚于今天"),
    ({"admitted_on": "2005-07-01"}, "admitted_on", "入党日期时未满18周岁"),
    ({"confirmed_on": "2014-07-01"}, "confirmed_on", "转正日期不能早于入党日期"),
    ({"phone": "abc"}, "phone", "手机号码“abc”格式不正确"),
    ({"id_number": None}, "id_number", "请填写身份证号"),
    ({"org": None}, "org", "请选择所属组织"),
])
def test_it_refuses_a_bad_member(client, cast, change, field, message):
    client.force_login(cast.shuji)
    data = {k: v for k, v in (MEMBER | {"org": cast.a0101.pk} | change).items() if v is not None}
    assert_refused(client.post(reverse("member_create"), data), field, message)
    assert Member.objects.count() == 5


def test_it_refuses_a_party_group_as_membership_org(client, cast):
    client.force_login(cast.shuji)
    assert_refused(client.post(reverse("member_create"), MEMBER | {"org": cast.a0101g1.pk}), "org",
                   "所选所属组织不存在或不在您的管理范围内")


def test_it_edits_a_member_keeping_the_phone_when_blank(client, cast):
    client.force_login(cast.shuji)
    url = reverse("member_edit", args=[cast.li.pk])
    initial = client.get(url).context["form"].initial
    data = {k: ("on" if v is True else "" if v in (None, False) else v) for k, v in initial.items()}
    data["party_group"] = ""
    assert client.post(url, data | {"education": "bachelor", "phone": ""}).status_code == 302
    cast.li.refresh_from_db()
    assert cast.li.education == "bachelor" and cast.li.phone == "13812345678"
    assert_refused(client.post(url, data | {"phone": "12ab"}), "phone", "手机号码“12ab”格式不正确")
    # sex and birth date come from the ID: the edit form has neither (a full birth date would unmask the ID)
    form = client.get(url).context["form"]
    assert "sex" not in form.fields and "birth_date" not in form.fields
    client.post(url, data | {"sex": "M", "birth_date": "1999-01-01"})
    cast.li.refresh_from_db()
    assert cast.li.sex == "F" and cast.li.birth_date.year == 1980


def test_it_confirms_a_member(client, cast):
    client.force_login(cast.shuji)
    url = reverse("member_confirm", args=[cast.wang.pk])
    assert_refused(client.post(url, {"date": "2017-01-01"}), "date", "转正日期不能早于入党日期")
    assert_refused(client.post(url, {"date": TOMORROW}), "date", "日期不能晚于今天")
    assert_refused(client.post(url, {}), "date", "请填写转正日期")
    assert client.post(url, {"date": "2019-03-01"}).status_code == 302
    cast.wang.refresh_from_db()
    assert cast.wang.stage == Stage.FULL
    assert_refused(client.post(url, {"date": "2019-04-01"}), None, "正式党员不能办理“转为正式党员”")


def test_it_transfers_a_member(client, cast):
    client.force_login(cast.a01admin)
    url = reverse("member_transfer", args=[cast.li.pk])
    assert_refused(client.post(url, {"to_org": cast.b0101.pk, "date": "2020-01-01"}), "to_org",
                   "所选转入组织不存在或不在您的管理范围内")
    assert_refused(client.post(url, {"to_org": cast.a0102.pk, "date": "2009-01-01"}), "to_org",
                   "“甲市二支部”在2009-01-01尚未成立或已撤销")
    assert_refused(client.post(url, {"to_org": cast.a0102.pk}), "date", "请填写转接日期")
    assert client.post(url, {"to_org": cast.a0102.pk, "date": "2020-01-01", "note": "调动"}).status_code == 302
    cast.li.refresh_from_db()
    assert cast.li.org == cast.a0102


def test_it_transfers_across_subtrees_only_from_above(client, cast):
    client.force_login(cast.zuzhibu)
    response = client.post(reverse("member_transfer", args=[cast.zhao.pk]), {"to_org": cast.b0101.pk,
                                                                            "date": "2020-01-01"})
    assert response.url == reverse("member_detail", args=[cast.zhao.pk])
    client.force_login(cast.shuji)  # the branch may only pick another branch it manages: none
    form = client.get(reverse("member_transfer", args=[cast.zhang.pk])).context["form"]
    assert list(form.fields["to_org"].queryset) == []


def test_it_records_an_exit(client, cast):
    client.force_login(cast.shuji)
    url = reverse("member_exit", args=[cast.li.pk])
    assert_refused(client.post(url, {"date": "2020-01-01"}), "kind", "请选择出党方式")
    assert_refused(client.post(url, {"kind": "died", "date": TOMORROW}), "date", "日期不能晚于今天")
    assert client.post(url, {"kind": "died", "date": "2020-01-01"}).status_code == 302
    cast.li.refresh_from_db()
    assert cast.li.stage == Stage.LEFT
    assert_refused(client.post(url, {"kind": "died", "date": "2020-02-01"}), "kind", "已出党不能办理“死亡”")


def test_it_suspends_and_restores(client, cast):
    client.force_login(cast.shuji)
    assert_refused(client.post(reverse("member_restore", args=[cast.li.pk]), {"date": "2020-01-01"}), None,
                   "正式党员不能办理“恢复党籍”")
    assert client.post(reverse("member_suspend", args=[cast.li.pk]), {"date": "2020-01-01"}).status_code == 302
    cast.li.refresh_from_db()
    assert cast.li.stage == Stage.SUSPENDED
    assert client.post(reverse("member_restore", args=[cast.li.pk]), {"date": "2020-06-01"}).status_code == 302
    cast.li.refresh_from_db()
    assert cast.li.stage == Stage.FULL
    assert [e.action for e in AuditEntry.objects.filter(object_id=str(cast.li.pk), object_type="member")
            .order_by("id")][-2:] == ["member.suspend", "member.restore"]


def test_it_offers_only_the_actions_the_stage_allows(client, cast):
    suspend_member(cast.li, actor=None, suspended_on=D(2020, 1, 1))
    client.force_login(cast.shuji)
    html = client.get(reverse("member_detail", args=[cast.li.pk])).content.decode()
    assert reverse("member_restore", args=[cast.li.pk]) in html
    assert reverse("member_confirm", args=[cast.li.pk]) not in html
    assert reverse("member_transfer", args=[cast.li.pk]) not in html


def test_it_keeps_tree_fields_out_of_a_branch_officers_edit_form(client, cast):
    client.force_login(cast.shuji)
    url = reverse("org_edit", args=["A0101"])
    assert 'name="dissolved_on"' not in client.get(url).content.decode()
    client.post(url, {"name": "甲市一支部", "founded_on": "2016-01-01", "org_type": "general_branch",
                      "dissolved_on": "2020-01-01"})
    cast.a0101.refresh_from_db()
    assert cast.a0101.dissolved_on is None and cast.a0101.org_type == "branch"


def test_it_refuses_a_huge_number_with_a_message_not_a_crash(client, cast):
    client.force_login(cast.a01admin)
    response = client.post(reverse("org_edit", args=["A0102"]), {
        "name": "甲市二支部", "org_type": "branch", "founded_on": "2016-01-01", "unit_employees": "9" * 20})
    assert response.status_code == 200 and "unit_employees" in response.context["form"].errors


def test_it_changes_ones_own_password_under_the_password_rules(client, cast):
    from .cast import PASSWORD

    client.force_login(cast.shuji)
    url = reverse("password_change")
    wrong = client.post(url, {"old_password": "nope", "new_password": "Xin-mima-2019", "confirm": "Xin-mima-2019"})
    assert "原密码不正确" in wrong.content.decode()
    weak = client.post(url, {"old_password": PASSWORD, "new_password": "12345678", "confirm": "12345678"})
    assert weak.status_code == 200 and "new_password" in weak.context["form"].errors
    differ = client.post(url, {"old_password": PASSWORD, "new_password": "Xin-mima-2019", "confirm": "Xin-mima-2018"})
    assert "两次输入的新密码不一致" in differ.content.decode()
    cast.shuji.refresh_from_db()
    assert cast.shuji.check_password(PASSWORD)
    ok = client.post(url, {"old_password": PASSWORD, "new_password": "Xin-mima-2019", "confirm": "Xin-mima-2019"})
    assert ok.status_code == 302
    cast.shuji.refresh_from_db()
    assert cast.shuji.check_password("Xin-mima-2019")
    assert client.get(reverse("dashboard")).status_code == 200  # still logged in
    assert AuditEntry.objects.filter(action="auth.password_change", actor=cast.shuji).count() == 1


def test_it_groups_the_audit_entries_of_one_request(client, cast):
    """A transfer out of a 党小组 writes two entries (the transfer, leaving the group): one batch."""
    client.force_login(cast.a01admin)
    client.post(reverse("member_transfer", args=[cast.zhang.pk]), {"to_org": cast.a0102.pk, "date": "2018-01-01"})
    entries = AuditEntry.objects.filter(object_id=str(cast.zhang.pk), action__in=["member.transfer", "member.update"])
    assert entries.count() == 2 and len({e.batch for e in entries}) == 1 and entries[0].batch
