"""组织生活 pages: who may open what (the branch secretary sees A0101's meetings, not A0102's), the meeting
form with attendance ticked person by person, refusals in Chinese that change nothing, votes with their
computed result, attachments kept behind the scope check, and 党员之家."""
import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dangjian.audit.models import AuditEntry
from dangjian.meetings import services
from dangjian.meetings.models import Attachment, Attendance, Meeting, PartyHome, Vote
from dangjian.members.services import update_member

from .test_web_access import USERS, client_for

D = datetime.date
TOMORROW = (datetime.date.today() + datetime.timedelta(days=1)).isoformat()
STAFF_A0101 = dict(admin=200, zuzhibu=200, a01admin=200, b01admin=404, shuji=200, dangyuan=403, outsider=403)
STAFF_A0102 = STAFF_A0101 | dict(shuji=404)


def meeting(cast, org=None, **kw):
    """A meeting recorded through the service (head counts only unless `attendance` is given)."""
    data = dict(held_on=D(2024, 3, 15), subject="学习党章", types=["theme_day"], expected=3, present=3) | kw
    return services.record_meeting(actor=None, org=org or cast.a0101, **data)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def snapshot():
    return (list(Meeting.objects.order_by("pk").values()), list(Attendance.objects.order_by("pk").values()),
            Vote.objects.count(), AuditEntry.objects.count())


def assert_refused(response, message, field=None):
    assert response.status_code == 200, response.status_code
    form = response.context["form"] if field is not False else None
    if form is not None:
        errors = form.non_field_errors() if field is None else form.errors.get(field, [])
        assert any(message in e for e in errors), (field, form.errors)
    assert message in response.content.decode()


# ---- who may open what ----

PAGES = [
    ("org_meetings", lambda c, m: [c.a0101.code], STAFF_A0101),
    ("org_meetings", lambda c, m: [c.a0102.code], STAFF_A0102),
    ("meeting_create", lambda c, m: [c.a0101.code], STAFF_A0101),
    ("meeting_create", lambda c, m: [c.a0102.code], STAFF_A0102),
    ("meeting_detail", lambda c, m: [m["a0101"].pk], STAFF_A0101),
    ("meeting_detail", lambda c, m: [m["a0102"].pk], STAFF_A0102),
    ("meeting_edit", lambda c, m: [m["a0101"].pk], STAFF_A0101),
    ("meeting_edit", lambda c, m: [m["a0102"].pk], STAFF_A0102),
    ("meeting_delete", lambda c, m: [m["a0101"].pk], STAFF_A0101),
    ("meeting_delete", lambda c, m: [m["a0102"].pk], STAFF_A0102),
    ("vote_edit", lambda c, m: [m["vote"].pk], STAFF_A0102),
    ("party_home_create", lambda c, m: [c.a0101.code], STAFF_A0101),
    ("party_home_edit", lambda c, m: [m["home"].pk], STAFF_A0102),
]


@pytest.mark.parametrize("who", USERS)
def test_it_answers_every_meeting_page_by_role(client, cast, who):
    made = {"a0101": meeting(cast), "a0102": meeting(cast, cast.a0102, subject="二支部党日", expected=1, present=1)}
    made["vote"] = services.record_vote(made["a0102"], actor=None, matter="评优", yes=1)
    made["home"] = services.create_party_home(actor=None, org=cast.a0102, name="二支部党员之家", opened_on=D(2020, 1, 1))
    client = client_for(client, cast, who)
    for name, args, expected in PAGES:
        url = reverse(name, args=args(cast, made))
        for query in ("", "?year=2024") if name == "org_meetings" else ("",):
            response = client.get(url + query)
            if who == "anonymous":
                assert response.status_code == 302 and response.url.startswith(reverse("login")), url
            else:
                assert response.status_code == expected[who], f"{who} {url}{query}: {response.status_code}"


def test_the_secretary_sees_his_branch_meetings_not_the_neighbours(client, cast):
    meeting(cast, subject="一支部学习")
    other = meeting(cast, cast.a0102, subject="二支部学习", expected=1, present=1)
    client.force_login(cast.shuji)
    page = client.get(reverse("org_meetings", args=["A0101"]) + "?month=2024-03").content.decode()
    assert "一支部学习" in page and "二支部学习" not in page
    assert client.post(reverse("vote_create", args=[other.pk]), {"matter": "x", "yes": "1"}).status_code == 404
    assert client.post(reverse("meeting_delete", args=[other.pk])).status_code == 404
    assert Meeting.objects.filter(pk=other.pk).exists() and not Vote.objects.exists()


def test_the_org_page_links_to_meetings_and_lists_party_homes(client, cast):
    meeting(cast, subject="三会一课")
    services.create_party_home(actor=None, org=cast.a0101, name="一支部党员之家", opened_on=D(2020, 5, 1),
                               facilities=["books", "rules_on_wall"])
    client.force_login(cast.shuji)
    page = client.get(reverse("org_detail", args=["A0101"])).content.decode()
    assert reverse("org_meetings", args=["A0101"]) in page
    assert "三会一课" in page and "一支部党员之家" in page and "制度上墙、学习书籍" in page
    assert reverse("party_home_create", args=["A0101"]) in page


# ---- calendar and list ----

def test_the_calendar_shows_the_month_with_its_meetings(client, cast):
    m = meeting(cast, types=["theme_day", "branch_general"], subject="主题党日暨党员大会")
    meeting(cast, held_on=D(2024, 4, 2), subject="四月的会")
    client.force_login(cast.shuji)
    response = client.get(reverse("org_meetings", args=["A0101"]) + "?month=2024-03")
    page = response.content.decode()
    assert response.context["month"] == D(2024, 3, 1)
    assert reverse("meeting_detail", args=[m.pk]) in page and "主题党日暨党员大会" in page
    assert "四月的会" not in page
    assert response.context["summary"] == ["支部党员大会", "主题党日"]
    assert "?month=2024-02" in page and "?month=2024-04" in page
    days = [cell["date"] for week in response.context["weeks"] for cell in week]
    assert days[0].weekday() == 0 and D(2024, 3, 31) in days  # weeks start on Monday


def test_the_calendar_refuses_a_bad_month_in_chinese(client, cast):
    client.force_login(cast.shuji)
    response = client.get(reverse("org_meetings", args=["A0101"]) + "?month=2024-13")
    assert response.status_code == 200 and "月份“2024-13”格式不正确" in response.content.decode()


def test_the_year_list_filters_by_type_and_sums_up_each_month(client, cast):
    meeting(cast, held_on=D(2023, 1, 10), types=["theme_day"], subject="一月党日")
    meeting(cast, held_on=D(2023, 1, 20), types=["branch_committee"], subject="一月支委会")
    meeting(cast, held_on=D(2023, 5, 6), types=["lecture"], subject="五月党课")
    meeting(cast, held_on=D(2022, 5, 6), types=["lecture"], subject="去年党课")
    client.force_login(cast.shuji)
    url = reverse("org_meetings", args=["A0101"])
    response = client.get(url + "?year=2023")
    page = response.content.decode()
    assert "一月党日" in page and "五月党课" in page and "去年党课" not in page
    months = {m["month"].month: m for m in response.context["months"]}
    assert len(months) == 12  # a past year: every month, held or not
    assert months[1]["summary"] == ["支部委员会", "主题党日"] and months[2]["summary"] == []
    assert response.context["totals"] == [("支部委员会", 1), ("党课", 1), ("主题党日", 1)]
    response = client.get(url + "?year=2023&type=lecture")
    page = response.content.decode()
    assert "五月党课" in page and "一月党日" not in page and response.context["count"] == 1
    assert "年份“20x3”不正确" in client.get(url + "?year=20x3").content.decode()


# ---- the meeting form ----

def form_data(client, url, **fields):
    """What the form shows (the roster for its date), with `fields` typed over it."""
    form = client.get(url).context["form"]
    data = {"roster": form["roster"].value(), "by_person": "on"}
    for m, mark, reason in form.attendance_rows:
        data[mark.html_name] = mark.value()
    return data | fields


def test_it_records_a_meeting_with_attendance_and_shows_it(client, cast):
    update_member(cast.zhang, actor=None, is_leading_cadre=True)
    client.force_login(cast.shuji)
    url = reverse("meeting_create", args=["A0101"])
    page = client.get(url + "?date=2024-03-15")
    names = [m.name for m in page.context["form"].listed]
    assert sorted(names) == sorted(["张建国", "李秀英", "王志强"])  # the branch's members that day
    data = form_data(client, url + "?date=2024-03-15", held_on="2024-03-15", subject="学习党的二十大精神",
                     types=["theme_day", "branch_general"], topics=["study"], chair=cast.zhang.pk,
                     location="三楼会议室", minutes="一、传达学习\n二、讨论")
    data[f"att_{cast.li.pk}"], data[f"reason_{cast.li.pk}"] = "0", "出差"
    response = client.post(url, data)
    m = Meeting.objects.get()
    assert response.status_code == 302 and response.url == reverse("meeting_detail", args=[m.pk])
    assert m.types == ["branch_general", "theme_day"] and m.chair == cast.zhang and m.topics == ["study"]
    assert (m.expected, m.present) == (3, 2)  # 应到 from the list, 实到 counted from it
    assert {(a.member.name, a.attended, a.absence_reason) for a in m.attendance.all()} == {
        ("张建国", True, ""), ("李秀英", False, "出差"), ("王志强", True, "")}
    assert AuditEntry.objects.filter(action="meeting.create", actor_name="shuji").exists()
    page = client.get(response.url).content.decode()
    assert "学习党的二十大精神" in page and "出差" in page and "三楼会议室" in page
    assert "支部党员大会" in page and "主题党日" in page
    assert "双重组织生活" in page  # 张建国 is a leading cadre attending his branch


def test_it_records_head_counts_only_when_not_person_by_person(client, cast):
    client.force_login(cast.shuji)
    url = reverse("meeting_create", args=["A0101"])
    data = form_data(client, url, held_on="2024-03-01", subject="支委会", types=["branch_committee"],
                     expected="3", present="2")
    del data["by_person"]
    assert client.post(url, data).status_code == 302
    m = Meeting.objects.get()
    assert (m.expected, m.present) == (3, 2) and not m.attendance.exists()
    assert "未按人员登记出席情况" in client.get(reverse("meeting_detail", args=[m.pk])).content.decode()


BASE = {"held_on": "2024-03-15", "subject": "学习", "types": ["theme_day"]}


@pytest.mark.parametrize("fields,field,message", [
    (BASE | {"held_on": TOMORROW}, "held_on", "会议日期不能晚于今天"),
    (BASE | {"held_on": "2024-02-30"}, "held_on", "日期“2024-02-30”不存在"),
    (BASE | {"types": []}, "types", "请选择会议类型"),
    (BASE | {"subject": ""}, "subject", "请填写会议主题"),
    (BASE | {"types": ["group"]}, "types", "不是本组织可召开的会议类型"),  # a branch is not offered 党小组会
    (BASE | {"expected": "2", "present": "3", "by_person": ""}, "present", "实到人数不能多于应到人数"),
    (BASE | {"by_person": ""}, "expected", "请填写应到人数，或按人员登记出席情况"),
    (BASE | {"expected": "2"}, "expected", "名单上有3人，多于应到人数2"),
    (BASE | {"held_on": "2015-06-01", "expected": "1", "present": "1", "by_person": ""}, "held_on", "尚未成立或已撤销"),
])
def test_it_refuses_a_bad_meeting_and_writes_nothing(client, cast, fields, field, message):
    client.force_login(cast.shuji)
    url = reverse("meeting_create", args=["A0101"])
    data = {k: v for k, v in (form_data(client, url + f"?date={fields['held_on']}") | fields).items() if v != ""}
    before = snapshot()
    assert_refused(client.post(url, data), message, field)
    assert snapshot() == before


def test_a_changed_date_brings_that_dates_members_to_check(client, cast):
    client.force_login(cast.shuji)
    url = reverse("meeting_create", args=["A0101"])
    data = form_data(client, url + "?date=2024-03-15", **BASE) | {"held_on": "2017-06-01"}
    before = snapshot()
    response = client.post(url, data)
    assert_refused(response, "会议日期对应的党员名单有变化")
    assert "王志强" not in [m.name for m in response.context["form"].listed]  # admitted in 2018
    assert snapshot() == before
    data = form_data(client, url + "?date=2017-06-01", **BASE) | {"held_on": "2017-06-01"}
    assert client.post(url, data).status_code == 302
    assert Meeting.objects.get().present == 2


def test_the_attendance_list_follows_the_date_with_htmx(client, cast):
    client.force_login(cast.shuji)
    url = reverse("meeting_create", args=["A0101"])
    response = client.get(url, {"partial": "attendance", "held_on": "2017-06-01", f"att_{cast.li.pk}": "0"},
                          HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert response.status_code == 200 and 'id="attendance"' in page and "<html" not in page
    assert "李秀英" in page and "王志强" not in page
    marks = {m.name: mark.value() for m, mark, _ in response.context["form"].attendance_rows}
    assert marks == {"张建国": "1", "李秀英": "0"}  # what was ticked is kept


def test_a_party_group_lists_its_own_members(client, cast):
    client.force_login(cast.shuji)
    form = client.get(reverse("meeting_create", args=["A0101G1"]) + "?date=2024-03-15").context["form"]
    assert [m.name for m in form.listed] == ["张建国"]
    assert [v for v, _ in form.fields["types"].choices if v == "group"] == ["group"]
    assert "branch_general" not in dict(form.fields["types"].choices)


def test_it_edits_a_meeting_and_its_attendance(client, cast):
    m = meeting(cast, attendance=[(cast.zhang, True, ""), (cast.li, True, ""), (cast.wang, True, "")])
    client.force_login(cast.shuji)
    url = reverse("meeting_edit", args=[m.pk])
    form = client.get(url).context["form"]
    assert form.initial["by_person"] and form.initial[f"att_{cast.li.pk}"] == "1"
    data = form_data(client, url, held_on="2024-03-15", subject="学习党章（修改）", types=["theme_day"],
                     expected="3", present="3")
    data[f"att_{cast.wang.pk}"], data[f"reason_{cast.wang.pk}"] = "0", "病假"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    m.refresh_from_db()
    assert m.subject == "学习党章（修改）" and m.present == 2  # the list wins over the typed 3
    assert m.attendance.get(member=cast.wang).absence_reason == "病假"


def test_it_deletes_a_meeting_after_confirmation(client, cast, media, django_capture_on_commit_callbacks):
    m = meeting(cast)
    services.add_attachment(m, actor=None, upload=SimpleUploadedFile("签到表.txt", "签到".encode()))
    client.force_login(cast.shuji)
    url = reverse("meeting_delete", args=[m.pk])
    page = client.get(url).content.decode()
    assert "确认删除" in page and "1 个附件" in page and Meeting.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):  # the file goes once the deletion is committed
        response = client.post(url)
    assert response.url == reverse("org_meetings", args=["A0101"]) + "?month=2024-03"
    assert not Meeting.objects.exists() and not list(media.rglob("*.txt"))
    assert AuditEntry.objects.filter(action="meeting.delete").exists()


# ---- votes ----

def test_a_failing_vote_is_computed_and_shown_as_not_passed(client, cast):
    m = meeting(cast, expected=10, present=8)
    client.force_login(cast.shuji)
    response = client.post(reverse("vote_create", args=[m.pk]), {"matter": "接收预备党员", "yes": "5", "no": "3"})
    assert response.status_code == 302
    vote = Vote.objects.get()
    assert vote.result == "rejected" and (vote.expected_voters, vote.present_voters) == (10, 8)
    page = client.get(response.url).content.decode()
    assert "未通过" in page and 'class="vote-rejected"' in page
    assert "表决已登记：接收预备党员，未通过" in page


def test_a_vote_without_quorum_and_a_passing_vote(client, cast):
    m = meeting(cast, expected=10, present=8)
    client.force_login(cast.shuji)
    url = reverse("vote_create", args=[m.pk])
    client.post(url, {"matter": "甲", "yes": "5", "expected_voters": "10", "present_voters": "5"})
    client.post(url, {"matter": "乙", "yes": "6"})
    assert [v.result for v in Vote.objects.order_by("pk")] == ["no_quorum", "passed"]
    page = client.get(reverse("meeting_detail", args=[m.pk])).content.decode()
    assert "未达到法定人数，表决无效" in page and 'class="vote-void"' in page and 'class="vote-passed"' in page


def test_with_an_attendance_list_the_voters_are_counted_from_it(client, cast):
    # 王志强 is a probationary member: he came, but has no vote.
    m = meeting(cast, attendance=[(cast.zhang, True, ""), (cast.li, True, ""), (cast.wang, True, "")])
    client.force_login(cast.shuji)
    page = client.get(reverse("meeting_detail", args=[m.pk]))
    assert "expected_voters" not in page.context["vote_form"].fields
    assert "预备党员没有表决权" in page.content.decode()
    client.post(reverse("vote_create", args=[m.pk]), {"matter": "表彰", "yes": "2"})
    vote = Vote.objects.get()
    assert (vote.expected_voters, vote.present_voters, vote.result) == (2, 2, "passed")


def test_it_refuses_a_bad_vote_in_chinese_and_writes_nothing(client, cast):
    m = meeting(cast, expected=10, present=8)
    client.force_login(cast.shuji)
    before = snapshot()
    response = client.post(reverse("vote_create", args=[m.pk]), {"matter": "甲", "yes": "7", "no": "3"})
    assert response.status_code == 200
    assert "赞成、反对、弃权票合计10，多于实到有表决权人数8" in response.content.decode()
    response = client.post(reverse("vote_create", args=[m.pk]), {"matter": "", "yes": "1"})
    assert "请填写表决事项" in response.content.decode()
    assert snapshot() == before


def test_it_edits_and_deletes_a_vote(client, cast):
    m = meeting(cast, expected=10, present=8)
    vote = services.record_vote(m, actor=None, matter="甲", yes=4)
    client.force_login(cast.shuji)
    url = reverse("vote_edit", args=[vote.pk])
    data = client.get(url).context["form"].initial | {"yes": "7"}
    data = {k: v for k, v in data.items() if v is not None}
    assert client.post(url, data).status_code == 302
    vote.refresh_from_db()
    assert vote.result == "passed"
    assert client.post(reverse("vote_delete", args=[vote.pk])).status_code == 302
    assert not Vote.objects.exists()


# ---- attachments ----

def test_it_uploads_and_downloads_an_attachment_in_scope_only(client, cast, media):
    m = meeting(cast)
    client.force_login(cast.shuji)
    upload = SimpleUploadedFile("会议记录.txt", "第一项议程".encode(), content_type="text/plain")
    response = client.post(reverse("attachment_upload", args=[m.pk]), {"file": upload})
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.name == "会议记录.txt" and attachment.size == len("第一项议程".encode())
    assert str(media) in attachment.file.path
    page = client.get(reverse("meeting_detail", args=[m.pk])).content.decode()
    assert "会议记录.txt" in page
    url = reverse("attachment_download", args=[attachment.pk])
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == "第一项议程".encode()
    assert "attachment" in response["Content-Disposition"]
    for who in ("b01admin",):
        client.force_login(getattr(cast, who))
        assert client.get(url).status_code == 404
    client.force_login(cast.dangyuan)
    assert client.get(url).status_code == 403


def test_a_secretary_cannot_download_the_neighbours_files(client, cast, media):
    other = meeting(cast, cast.a0102, expected=1, present=1)
    attachment = services.add_attachment(other, actor=None, upload=SimpleUploadedFile("a.txt", b"x"))
    client.force_login(cast.shuji)
    assert client.get(reverse("attachment_download", args=[attachment.pk])).status_code == 404
    assert client.post(reverse("attachment_delete", args=[attachment.pk])).status_code == 404
    client.force_login(cast.a01admin)
    assert client.get(reverse("attachment_download", args=[attachment.pk])).status_code == 200


def test_it_refuses_an_upload_without_a_file_and_deletes_one(client, cast, media):
    m = meeting(cast)
    client.force_login(cast.shuji)
    response = client.post(reverse("attachment_upload", args=[m.pk]), {})
    assert response.status_code == 200 and "请选择要上传的文件" in response.content.decode()
    attachment = services.add_attachment(m, actor=None, upload=SimpleUploadedFile("b.txt", b"y"))
    assert client.post(reverse("attachment_delete", args=[attachment.pk])).status_code == 302
    assert not Attachment.objects.exists()


# ---- 党员之家 ----

def test_it_creates_and_edits_a_party_home(client, cast):
    client.force_login(cast.shuji)
    url = reverse("party_home_create", args=["A0101"])
    response = client.post(url, {"name": "一支部党员之家", "opened_on": "2021-07-01", "facilities": ["books", "av_equipment"]})
    assert response.status_code == 302
    home = PartyHome.objects.get()
    assert home.org == cast.a0101 and home.facilities == ["books", "av_equipment"]
    response = client.post(url, {"name": "一支部党员之家", "opened_on": "2021-07-01"})
    assert response.status_code == 200 and "已有名为“一支部党员之家”的党员之家" in response.content.decode()
    response = client.post(url, {"name": "新家", "opened_on": TOMORROW})
    assert "建成日期不能晚于今天" in response.content.decode()
    assert PartyHome.objects.count() == 1
    edit = reverse("party_home_edit", args=[home.pk])
    assert client.post(edit, {"name": "党员活动室", "opened_on": "2021-07-01", "facilities": ["books"]}).status_code == 302
    home.refresh_from_db()
    assert home.name == "党员活动室" and home.facilities == ["books"]


@pytest.mark.parametrize("query", ["?month=0000-01", "?year=²²²²", "?year=0", "?month=9999-99"])
def test_impossible_months_and_years_are_answered_in_chinese(client, cast, query):
    client.force_login(cast.shuji)
    response = client.get(reverse("org_meetings", args=["A0101"]) + query)
    assert response.status_code == 200
    assert "不正确" in response.content.decode()
