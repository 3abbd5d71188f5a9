"""三重一大 pages: who may open what (every cast user; a branch secretary gets 404 for a 党委 out of reach, a member
403), the year's matters with their status (前置研究 done, missing, after the decision), recording one with the
党委会 that studied it (and the refusals on their field), correcting it, the 前置研究事项清单 form, the link from the
organisation page, the compliance page's link to the matter, and a page whose queries do not grow with the matters.
The pages look at 2018-12-31, as the demo does."""
import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dangjian.audit.models import AuditEntry
from dangjian.governance import services
from dangjian.governance.models import Matter, PriorStudyList
from dangjian.meetings.services import record_meeting

from .test_web_access import USERS, client_for

D = datetime.date


@pytest.fixture(autouse=True)
def as_of(settings):
    settings.DEFAULT_AS_OF = "2018-12-31"
    return D(2018, 12, 31)


def committee_meeting(org, day, subject="党委会", types=("committee",)):
    return record_meeting(actor=None, org=org, held_on=day, subject=subject, types=list(types), expected=7, present=7,
                          topics=["major_matters"])


def make(org, number, *, decided=D(2018, 5, 10), studied=None, body="董事会", category="重大项目安排", meeting=None):
    return services.record_matter(actor=None, org=org, number=number, name=f"事项{number}", category=category,
                                  deciding_body=body, decided_on=decided, studied_on=studied, study_meeting=meeting,
                                  amount="500")


@pytest.fixture
def matters(cast):
    """A01: studied before (linked to its 党委会), missing, late, decided by the 党委会, one of 2017; B01: one."""
    c = cast
    study = committee_meeting(c.a01, D(2018, 5, 8), "5月党委会")
    return {
        "done": make(c.a01, "A01-2018-01", meeting=study),
        "missing": make(c.a01, "A01-2018-02", decided=D(2018, 7, 2), body="经理层"),
        "late": make(c.a01, "A01-2018-03", decided=D(2018, 9, 3), studied=D(2018, 9, 20)),
        "committee": make(c.a01, "A01-2018-04", body="党委会", category="重要人事任免"),
        "old": make(c.a01, "A01-2017-01", decided=D(2017, 6, 1)),
        "b01": make(c.b01, "B01-2018-01", decided=D(2018, 4, 1)),
        "study": study,
    }


# ---- who may open what ----

STAFF_A01 = dict(admin=200, zuzhibu=200, a01admin=200, b01admin=404, shuji=404, dangyuan=403, outsider=403)
STAFF_B01 = STAFF_A01 | dict(a01admin=404, b01admin=200)
STAFF_JT = STAFF_A01 | dict(a01admin=404)
# A branch keeps no register: 404 for every staff user, those who see the branch included.
NOT_A_COMMITTEE = dict(admin=404, zuzhibu=404, a01admin=404, b01admin=404, shuji=404, dangyuan=403, outsider=403)

PAGES = [
    ("governance_org", lambda c, m: [c.a01.code], STAFF_A01),
    ("governance_org", lambda c, m: [c.b01.code], STAFF_B01),
    ("governance_org", lambda c, m: [c.jt.code], STAFF_JT),
    ("governance_org", lambda c, m: [c.a0101.code], NOT_A_COMMITTEE),
    ("governance_matter_create", lambda c, m: [c.a01.code], STAFF_A01),
    ("governance_list_create", lambda c, m: [c.a01.code], STAFF_A01),
    ("governance_matter_edit", lambda c, m: [m["missing"].pk], STAFF_A01),
    ("governance_matter_edit", lambda c, m: [m["b01"].pk], STAFF_B01),
]


@pytest.mark.parametrize("who", USERS)
def test_it_answers_every_governance_page_by_role(client, cast, matters, who):
    client = client_for(client, cast, who)
    for name, args, expected in PAGES:
        url = reverse(name, args=args(cast, matters))
        response = client.get(url)
        if who == "anonymous":
            assert response.status_code == 302 and response.url.startswith(reverse("login")), url
        else:
            assert response.status_code == expected[who], f"{who} {url}: {response.status_code}"


def test_a_branch_secretary_gets_404_even_for_the_committee_above_and_cannot_post(client, cast, matters):
    client.force_login(cast.shuji)
    assert client.get(reverse("governance_org", args=["A01"])).status_code == 404
    data = dict(number="X-1", name="越权事项", category="decision", deciding_body="board", decided_on="2018-06-01")
    assert client.post(reverse("governance_matter_create", args=["A01"]), data).status_code == 404
    client.force_login(cast.b01admin)
    assert client.post(reverse("governance_matter_edit", args=[matters["missing"].pk]), data).status_code == 404
    client.force_login(cast.dangyuan)
    assert client.post(reverse("governance_matter_create", args=["A01"]), data).status_code == 403
    assert not Matter.objects.filter(number="X-1").exists()


# ---- the page ----

def test_it_shows_the_years_matters_with_their_status(client, cast, matters):
    client.force_login(cast.a01admin)
    response = client.get(reverse("governance_org", args=["A01"]))
    html = response.content.decode()
    rows = {r["matter"].number: r["label"] for r in response.context["rows"]}
    assert rows == {"A01-2018-01": "已前置研究", "A01-2018-02": "未经前置研究", "A01-2018-03": "研究晚于决策",
                    "A01-2018-04": "党委会决策"}
    assert "A01-2017-01" not in html and "B01-2018-01" not in html
    assert "2项由董事会或经理层决策的事项未经党委前置研究" in html
    assert reverse("meeting_detail", args=[matters["study"].pk]) in html  # the 党委会 that studied it
    assert reverse("governance_matter_create", args=["A01"]) in html
    html = client.get(reverse("governance_org", args=["A01"]) + "?year=2017").content.decode()
    assert "A01-2017-01" in html and "A01-2018-01" not in html
    response = client.get(reverse("governance_org", args=["A01"]) + "?year=二〇一八")
    assert response.status_code == 400 and "年份" in response.content.decode()


def test_only_who_manages_the_committee_sees_the_forms(client, cast, matters):
    client.force_login(cast.zuzhibu)
    assert reverse("governance_matter_create", args=["A01"]) in client.get(reverse("governance_org", args=["A01"])
                                                                           ).content.decode()


def test_the_organisation_page_links_it_for_committees_only(client, cast):
    client.force_login(cast.zuzhibu)
    assert reverse("governance_org", args=["A01"]) in client.get(reverse("org_detail", args=["A01"])).content.decode()
    html = client.get(reverse("org_detail", args=["A0101"])).content.decode()
    assert "governance" not in html


def test_the_page_belongs_to_the_organisation_section(client, cast):
    client.force_login(cast.a01admin)
    assert client.get(reverse("governance_org", args=["A01"])).context["active"] == "org"


def test_its_queries_do_not_grow_with_the_matters(client, cast):
    client.force_login(cast.a01admin)
    url = reverse("governance_org", args=["A01"])

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    make(cast.a01, "Q-1", meeting=committee_meeting(cast.a01, D(2018, 5, 8)))
    few = count()
    for n in range(2, 12):
        make(cast.a01, f"Q-{n}", studied=D(2018, 5, 8), decided=D(2018, 5, 9))
    assert count() == few


# ---- recording and correcting ----

def form(**changes):
    data = dict(number="A01-2018-09", name="数字出版平台建设", category="project", amount="1200",
                deciding_body="board", decided_on="2018-10-16", study_meeting="", studied_on="",
                decision_note="董事会决议〔2018〕9号")
    data.update(changes)
    return data


def test_it_records_a_matter_linked_to_the_committee_meeting_that_studied_it(client, cast):
    study = committee_meeting(cast.a01, D(2018, 10, 12), "10月党委会")
    client.force_login(cast.a01admin)
    response = client.get(reverse("governance_matter_create", args=["A01"]) + "?year=2018")
    assert response.context["form"].initial["number"] == "A01-2018-01"
    assert [m.pk for m in response.context["form"].fields["study_meeting"].queryset] == [study.pk]
    response = client.post(reverse("governance_matter_create", args=["A01"]), form(study_meeting=study.pk))
    m = Matter.objects.get(number="A01-2018-09")
    assert response.status_code == 302 and response.url.endswith(f"?year=2018#matter-{m.pk}")
    assert (m.org, m.studied_on, m.study_meeting, m.study_status) == (cast.a01, D(2018, 10, 12), study, "done")
    assert AuditEntry.objects.filter(action="matter.create", actor=cast.a01admin).exists()


def test_a_matter_without_a_prior_study_is_recorded_with_a_warning(client, cast):
    client.force_login(cast.a01admin)
    response = client.post(reverse("governance_matter_create", args=["A01"]), form(), follow=True)
    assert Matter.objects.get().study_status == "missing"
    assert "未经党委前置研究" in response.content.decode() and "SOE-03" in response.content.decode()


def test_the_form_refuses_on_its_field(client, cast):
    other = committee_meeting(cast.b01, D(2018, 10, 12))
    mine = committee_meeting(cast.a01, D(2018, 10, 12))
    conference = record_meeting(actor=None, org=cast.a01, held_on=D(2018, 10, 13), subject="党建工作会议",
                                types=["work_conference"], expected=20, present=20)
    client.force_login(cast.zuzhibu)
    url = reverse("governance_matter_create", args=["A01"])
    for data, field, text in ((form(study_meeting=other.pk), "study_meeting", "不存在或不在您的管理范围内"),
                              (form(study_meeting=conference.pk), "study_meeting", "不存在或不在您的管理范围内"),
                              (form(study_meeting=mine.pk, studied_on="2018-10-11"), "studied_on", "不一致"),
                              (form(decided_on="2099-01-01"), "decided_on", "晚于今天"),
                              (form(amount="一千"), "amount", "应为数字"),
                              (form(category=""), "category", "请选择事项类别")):
        response = client.post(url, data)
        assert response.status_code == 200 and text in " ".join(response.context["form"].errors.get(field, [])), (
            field, response.context["form"].errors)
    make(cast.a01, "A01-2018-09")
    response = client.post(url, form())
    assert "已被使用" in " ".join(response.context["form"].errors["number"])
    assert Matter.objects.count() == 1


def test_it_corrects_a_matter_with_a_study_date_linking_that_days_meeting(client, cast, matters):
    later = committee_meeting(cast.a01, D(2018, 6, 28), "6月党委会")
    m = matters["missing"]
    client.force_login(cast.a01admin)
    initial = client.get(reverse("governance_matter_edit", args=[m.pk])).context["form"].initial
    assert initial["number"] == "A01-2018-02" and initial["deciding_body"] == "management"
    data = form(number=m.number, name=m.name, category=m.category, amount="500", deciding_body=m.deciding_body,
                decided_on="2018-07-02", studied_on="2018-06-28", decision_note="")
    response = client.post(reverse("governance_matter_edit", args=[m.pk]), data)
    assert response.status_code == 302
    m.refresh_from_db()
    assert (m.studied_on, m.study_meeting, m.study_status) == (D(2018, 6, 28), later, "done")


# ---- the list ----

def test_it_adopts_a_version_of_the_prior_study_list(client, cast, matters):
    client.force_login(cast.a01admin)
    url = reverse("governance_list_create", args=["A01"])
    data = {"title": "甲市分公司党委前置研究事项清单（2018年版）", "valid_from": "2018-01-01", "note": "党委会审议通过",
            "decision_description": "年度经营计划、发展规划", "project_description": "固定资产投资项目",
            "project_floor": "300", "funds_description": "", "funds_floor": "", "appointment_description": ""}
    response = client.post(url, data)
    assert response.status_code == 302 and response.url.endswith("?year=2018#list")
    version = PriorStudyList.objects.get()
    assert [(i.category, i.amount_floor) for i in version.items.all()] == [("decision", None), ("project", 300)]
    html = client.get(reverse("governance_org", args=["A01"])).content.decode()
    assert "甲市分公司党委前置研究事项清单（2018年版）" in html and "300.00万元以上" in html and "清单内事项" in html
    # The next version starts from the current one.
    assert client.get(url).context["form"].initial["project_floor"] == 300
    response = client.post(url, data | {"project_floor": "三百"})
    assert response.status_code == 200 and response.context["form"].errors["project_floor"]
    response = client.post(url, {k: v for k, v in data.items() if not k.endswith("description")})
    assert response.status_code == 200 and "至少应列入一类事项" in str(response.context["form"].non_field_errors())


# ---- the compliance page ----

def test_the_compliance_page_links_a_finding_to_the_matter(client, cast, matters):
    client.force_login(cast.a01admin)
    html = client.get(reverse("compliance") + "?year=2018&rule=SOE-03").content.decode()
    assert "三重一大事项" in html
    assert reverse("governance_org", args=["A01"]) + f"?year=2018#matter-{matters['missing'].pk}" in html
