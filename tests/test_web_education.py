"""党员教育 and 帮扶 pages with the cast: who may open what (a member their own hours only), the member's card
with the rows behind the total, the organisation's list with who is short (and its xlsx, masked unless the role
may reveal, audited), the 轮训 filter, the training and project forms through their services (the refusal on
its field), and the organisation's assistance projects with their totals, scoped to the subtree."""
import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from dangjian.assistance.models import Project
from dangjian.assistance.services import create_project
from dangjian.audit.models import AuditEntry
from dangjian.education.models import Training
from dangjian.education.services import record_training
from dangjian.meetings.services import record_meeting
from dangjian.members.services import create_member

from .cast import person_id
from .test_web_access import USERS, client_for

D = datetime.date
M = Decimal
STAFF_A0101 = dict(admin=200, zuzhibu=200, a01admin=200, b01admin=404, shuji=200, dangyuan=403, outsider=403)
STAFF_B01 = dict(admin=200, zuzhibu=200, a01admin=404, b01admin=200, shuji=404, dangyuan=403, outsider=403)


def train(person, hours, day=D(2018, 5, 10), subject="学习十九大精神", kind="集中培训"):
    return record_training(person, actor=None, held_on=day, subject=subject, hours=hours, kind=kind)


@pytest.fixture
def year(cast):
    """2018: 张 (secretary of A0101) 50 hours and a 轮训, 李 30 hours and a lecture (34), 王 admitted in March
    (not judged), 赵 (A0102) 32; 陈 (B0101) none."""
    train(cast.zhang, 10)
    train(cast.zhang, 40, day=D(2018, 4, 2), subject="新任班子成员轮训", kind="轮训")
    train(cast.li, 30)
    train(cast.zhao, 32)
    meeting = record_meeting(actor=None, org=cast.a0101, held_on=D(2018, 3, 20), subject="党课：学习党章",
                             types=["lecture"], expected=2, present=1,
                             attendance=[(cast.li, True, ""), (cast.zhang, False, "出差")])
    cast.lecture = meeting
    return cast


def projects(c):
    create_project(actor=None, code="BF-01", org=c.jt, target="那坡村", kind="驻村第一书记", name="驻村第一书记",
                   started_on=D(2018, 3, 1), member=c.zhang)
    create_project(actor=None, code="BF-02", org=c.jt, target="那坡村", kind="产业入股", name="入股黑猪养殖场",
                   started_on=D(2018, 4, 1), invested="50", annual_return="4.5")
    create_project(actor=None, code="BF-03", org=c.a01, target="平安村", kind="产业投资", name="黄牛养殖场",
                   started_on=D(2018, 5, 1), invested="80", annual_return="6")
    create_project(actor=None, code="BF-04", org=c.b01, target="乙村", kind="基础设施", name="村屯道路硬化",
                   started_on=D(2016, 5, 1), ended_on=D(2017, 12, 31), invested="30")
    create_project(actor=None, code="BF-05", org=c.b01, target="乙村", kind="驻村第一书记", name="驻村第一书记",
                   started_on=D(2017, 3, 1), ended_on=D(2018, 2, 28), member=c.chen)


PAGES = [
    ("member_education", lambda c: [c.li.pk], STAFF_A0101 | dict(dangyuan=200)),
    ("member_education", lambda c: [c.chen.pk], STAFF_B01 | dict(dangyuan=404, zuzhibu=200)),
    ("member_training_create", lambda c: [c.li.pk], STAFF_A0101),
    ("org_education", lambda c: [c.a0101.code], STAFF_A0101),
    ("org_education_export", lambda c: [c.a0101.code], STAFF_A0101),
    ("org_assistance", lambda c: [c.a0101.code], STAFF_A0101),
    ("org_assistance", lambda c: [c.b01.code], STAFF_B01),
    ("org_project_create", lambda c: [c.a0101.code], STAFF_A0101),
]


@pytest.mark.parametrize("who", USERS)
def test_it_answers_every_page_by_role(client, cast, who):
    client = client_for(client, cast, who)
    for name, args, expected in PAGES:
        url = reverse(name, args=args(cast))
        response = client.get(url)
        if who == "anonymous":
            assert response.status_code == 302 and reverse("login") in response.url, url
        else:
            assert response.status_code == expected[who], (url, who, response.status_code)


def test_the_member_card_shows_the_rows_behind_the_total(client, year):
    client.force_login(year.shuji)
    page = client.get(reverse("member_detail", args=[year.li.pk])).content.decode()
    assert reverse("member_education", args=[year.li.pk]) in page  # loaded into the page by htmx
    response = client.get(reverse("member_education", args=[year.li.pk]) + "?year=2018", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html and 'id="education"' in html
    assert '<strong id="education-total">34.0</strong>' in html and "要求 <strong>32</strong>" in html
    assert "已达标" in html and "党课出席" in html and "培训登记" in html
    assert reverse("meeting_detail", args=[year.lecture.pk]) in html
    training = Training.objects.get(member=year.li)
    assert reverse("member_training_edit", args=[training.pk]) in html


def test_a_member_sees_their_own_hours_without_the_forms(client, year):
    client.force_login(year.dangyuan)  # 李秀英
    html = client.get(reverse("member_education", args=[year.li.pk]) + "?year=2018").content.decode()
    assert "34.0" in html and "/trainings/" not in html
    assert client.get(reverse("member_education", args=[year.zhang.pk])).status_code == 404


def test_the_secretary_short_of_56_is_shown_with_edu02(client, year):
    client.force_login(year.shuji)
    html = client.get(reverse("member_education", args=[year.zhang.pk]) + "?year=2018").content.decode()
    assert "50.0" in html and "要求 <strong>56</strong>" in html and "未达标（EDU-02）" in html
    html = client.get(reverse("member_education", args=[year.wang.pk]) + "?year=2018").content.decode()
    assert "不考核" in html


def test_the_organisation_lists_the_subtrees_members_and_who_is_short(client, year):
    client.force_login(year.a01admin)
    response = client.get(reverse("org_education", args=["A01"]) + "?year=2018")
    rows = {r.member.name: r for r in response.context["page"].object_list}
    assert set(rows) == {"张建国", "李秀英", "王志强", "赵丽"}
    assert (rows["张建国"].standing.total, rows["张建国"].status) == (M("50.0"), "未达标（EDU-02）")
    assert rows["李秀英"].status == "已达标" and rows["王志强"].status.startswith("不考核")
    html = response.content.decode()
    assert '<span id="short-count">1</span>' in html
    short = client.get(reverse("org_education", args=["A01"]) + "?year=2018&show=short").context["page"]
    assert [r.member.name for r in short.object_list] == ["张建国"]


def test_a_year_still_running_is_not_called_short(client, year, monkeypatch):
    import dangjian.web.views.education as view

    monkeypatch.setattr(view, "today", lambda: D(2018, 6, 30))
    client.force_login(year.shuji)
    rows = client.get(reverse("org_education", args=["A0101"]) + "?year=2018").context["page"].object_list
    status = {r.member.name: r.status for r in rows}
    assert status["张建国"].startswith("年度未结束") and status["李秀英"] == "已达标"


def test_the_list_costs_the_same_queries_for_more_members(client, year):
    client.force_login(year.admin)
    url = reverse("org_education", args=["JT"]) + "?year=2018"

    def run():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    few = run()
    for n in range(20):
        person = create_member(actor=None, id_number=person_id(300 + n), name=f"新党员{n}", org=year.a0102,
                               admitted_on=D(2010, 7, 1), confirmed_on=D(2011, 7, 1))
        train(person, 8)
    assert run() == few


def test_the_export_lists_every_member_masked_for_the_branch_secretary_and_is_audited(client, year):
    client.force_login(year.shuji)
    response = client.get(reverse("org_education_export", args=["A0101"]) + "?year=2018")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][:6] == ["姓名", "身份证号", "所属组织", "组织编码", "支部职务", "要求学时"]
    zhang = next(v for v in values if v[0] == "张建国")
    assert zhang[1] == year.zhang.masked_id_number and zhang[4] == "书记" and zhang[5] == 56 and zhang[9] == 50
    assert zhang[10] == 6 and zhang[11] == "未达标（EDU-02）"
    assert AuditEntry.objects.get(action="education.export").actor == year.shuji
    client.force_login(year.a01admin)
    sheet = load_workbook(io.BytesIO(client.get(reverse("org_education_export", args=["A0101"]) + "?year=2018")
                                     .content)).active
    assert year.zhang.id_number in [c.value for c in sheet["B"]]


def test_the_rotation_filter_shows_the_years_rotation_training(client, year):
    client.force_login(year.a01admin)
    response = client.get(reverse("org_education", args=["A01"]) + "?year=2018&kind=rotation")
    assert [(t.member.name, t.hours) for t in response.context["rotations"]] == [("张建国", M("40.0"))]
    assert "新任班子成员轮训" in response.content.decode()
    assert not client.get(reverse("org_education", args=["A01"]) + "?year=2017&kind=rotation").context["rotations"]


# ---- the training forms ----

def test_the_form_records_a_training_and_shows_a_refusal_on_its_field(client, year):
    client.force_login(year.shuji)
    url = reverse("member_training_create", args=[year.li.pk])
    response = client.post(url, {"held_on": "2018-07-01", "subject": "专题辅导", "hours": "2.55", "kind": "seminar"})
    assert response.status_code == 200 and "最多保留一位小数" in response.content.decode()
    assert "hours" in response.context["form"].errors
    response = client.post(url, {"held_on": "2018-07-01", "subject": "专题辅导", "hours": "2.5", "kind": "seminar"})
    assert response.status_code == 302
    row = Training.objects.get(member=year.li, subject="专题辅导")
    assert (row.hours, row.kind) == (M("2.5"), "seminar")
    assert AuditEntry.objects.filter(action="training.create", actor=year.shuji).exists()


def test_the_form_corrects_and_deletes_a_row(client, year):
    client.force_login(year.shuji)
    row = Training.objects.get(member=year.li)
    url = reverse("member_training_edit", args=[row.pk])
    response = client.post(url, {"held_on": "2018-05-10", "subject": "学习十九大精神", "hours": "31", "kind": ""})
    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.hours, row.kind) == (M("31.0"), "")
    client.force_login(year.b01admin)
    assert client.get(url).status_code == 404
    assert client.post(reverse("member_training_delete", args=[row.pk])).status_code == 404
    client.force_login(year.shuji)
    assert client.post(reverse("member_training_delete", args=[row.pk])).status_code == 302
    assert not Training.objects.filter(pk=row.pk).exists()
    assert AuditEntry.objects.filter(action="training.delete").exists()


# ---- 帮扶 ----

def test_the_assistance_page_totals_the_subtrees_projects_of_the_year(client, cast):
    projects(cast)
    client.force_login(cast.zuzhibu)
    response = client.get(reverse("org_assistance", args=["JT"]) + "?year=2018")
    totals = response.context["totals"]
    assert [p.code for p, _, _ in response.context["rows"]] == ["BF-01", "BF-02", "BF-03", "BF-05"]
    assert (totals.projects, totals.invested, totals.annual_return, totals.first_secretaries) == (
        4, M("130.00"), M("10.50"), 2)
    html = response.content.decode()
    assert '<p class="big" id="total-invested">130.00' in html and "驻村第一书记" in html
    every = client.get(reverse("org_assistance", args=["JT"]) + "?year=all").context["totals"]
    assert (every.projects, every.invested) == (5, M("160.00"))
    # A01's administrator sees A01's subtree only; the branch secretary sees nothing above the branch.
    client.force_login(cast.a01admin)
    rows = client.get(reverse("org_assistance", args=["A01"]) + "?year=2018").context["rows"]
    assert [p.code for p, _, _ in rows] == ["BF-03"]
    assert client.get(reverse("org_assistance", args=["JT"])).status_code == 404


def test_the_project_form_names_the_first_secretary_by_id(client, cast):
    client.force_login(cast.a01admin)
    url = reverse("org_project_create", args=["A01"])
    data = {"code": "BF-10", "org": cast.a01.pk, "target": "那坡村", "kind": "first_secretary", "name": "驻村第一书记",
            "started_on": "2018-03-01", "ended_on": "", "invested": "", "annual_return": "", "member_id_number": "",
            "results": ""}
    response = client.post(url, data)
    assert response.status_code == 200 and "member_id_number" in response.context["form"].errors
    response = client.post(url, data | {"member_id_number": cast.chen.id_number})  # B01's member: out of reach
    assert response.status_code == 200 and "未找到" in response.content.decode()
    response = client.post(url, data | {"member_id_number": cast.zhang.id_number})
    assert response.status_code == 302 and response.url.endswith("?year=2018")
    project = Project.objects.get(code="BF-10")
    assert (project.member, project.org) == (cast.zhang, cast.a01)
    assert AuditEntry.objects.get(action="assistance.create").actor == cast.a01admin


def test_the_project_form_corrects_and_deletes_within_reach(client, cast):
    projects(cast)
    project = Project.objects.get(code="BF-03")
    client.force_login(cast.a01admin)
    url = reverse("org_project_edit", args=[project.pk])
    data = {"org": cast.a01.pk, "target": "平安村", "kind": "investment", "name": "黄牛养殖场（两个）",
            "started_on": "2018-05-01", "ended_on": "", "invested": "80", "annual_return": "6.5",
            "member_id_number": "", "results": "村集体每年稳定增收"}
    assert client.post(url, data).status_code == 302
    project.refresh_from_db()
    assert (project.name, project.annual_return, project.results) == ("黄牛养殖场（两个）", M("6.50"), "村集体每年稳定增收")
    response = client.post(url, data | {"org": cast.b01.pk})  # another subtree: not a choice
    assert response.status_code == 200 and "org" in response.context["form"].errors
    client.force_login(cast.b01admin)
    assert client.get(url).status_code == 404
    client.force_login(cast.a01admin)
    assert client.post(reverse("org_project_delete", args=[project.pk])).status_code == 302
    assert not Project.objects.filter(code="BF-03").exists()
    assert AuditEntry.objects.get(action="assistance.delete").before["code"] == "BF-03"
