"""The 工作台: the year's compliance by rule and by organisation, recruitment by stage, dues by month,
rectification by status and the overdue line; every figure opens a list holding exactly what it counts;
the charts carry the same figures and links as the tables; all of it within the role's subtree."""
import datetime
import json
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from dangjian.dues.services import declare_base, record_payment
from dangjian.meetings.services import record_meeting, record_vote
from dangjian.organizations.services import record_election
from dangjian.rules.engine import Window, run_checks
from dangjian.web.charts import short_name

from .test_web_access import client_for
from .test_web_rectification import make
from .test_web_recruitment import apply, service_walk

D = datetime.date
DAY = D(2018, 12, 31)


@pytest.fixture(autouse=True)
def as_of(settings):
    settings.DEFAULT_AS_OF = DAY.isoformat()  # the workbench reads the year of the records, as in the demo
    return DAY


@pytest.fixture
def world(cast):
    """The cast with a year of records. Findings: A0101's 支部党员大会 without quorum (MTG-02) and the rest of
    what the engine finds. Recruitment: an applicant (A0101), an activist (A0102), a probationary member
    admitted 2017 and one confirmed 2018 (A0101), an applicant in B0101. Problems as in the ledger tests.
    Dues: bases from January 2018 in A0101; 张 pays every month, 李 every month but March (short in June).
    Terms: A0101's (2016, three years) ends within six months; A0102's (2015, three years) is overdue."""
    c = cast
    record_election(actor=None, org=c.a0102, held_on=D(2015, 1, 10), term_years=3, expected=5, present=5,
                    seats=3, candidates=4)
    general = record_meeting(actor=None, org=c.a0101, held_on=D(2018, 5, 10), subject="讨论发展党员",
                             types=["branch_general"], expected=10, present=4)
    record_vote(general, actor=None, matter="接收预备党员", yes=4)
    c.applicant = apply(c, n=61, name="刘洋", applied_on=D(2018, 3, 1))
    c.activist = service_walk(c, apply(c, n=62, name="周敏", org=c.a0102), until=5)
    c.probationary = service_walk(c, apply(c, n=63, name="吴昊"), until=20)
    c.confirmed = service_walk(c, apply(c, n=64, name="郑洁"), until=24)
    c.b_applicant = apply(c, n=65, name="孙悦", org=c.b0101, applied_on=D(2018, 5, 1))
    c.problems = {
        "overdue": make(c.a0101, "A0101-2018-01", owner=c.zhang),
        "completed": make(c.a0101, "A0101-2018-02", deadline=D(2019, 3, 31), completed=D(2018, 11, 1)),
        "a0102": make(c.a0102, "A0102-2018-01", deadline=D(2019, 6, 30)),
        "b0101": make(c.b0101, "B0101-2018-01", deadline=D(2019, 6, 30), closed=None, completed=D(2018, 9, 1)),
    }
    declare_base(c.zhang, actor=None, month="2018-01", base="4000")  # 40.00 a month
    declare_base(c.li, actor=None, month="2018-01", base="6000")  # 90.00 a month
    for month in range(1, 13):
        record_payment(c.zhang, actor=None, month=f"2018-{month:02d}", amount="40.00", paid_on=D(2018, month, 20))
        if month != 3:
            amount = "50.00" if month == 6 else "90.00"
            record_payment(c.li, actor=None, month=f"2018-{month:02d}", amount=amount, paid_on=D(2018, month, 20))
    return c


def workbench(client):
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    return response


def charts_of(response):
    """{element id: spec} from the page's json_script blocks, as workbench.js reads them."""
    html = response.content.decode()
    return {m[1]: json.loads(m[2]) for m in
            re.finditer(r'<script id="(chart-[a-z-]+)" type="application/json">(.*?)</script>', html, re.S)}


# ---- 合规检查 by rule and by organisation ----

def shown_on(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.context["check"].shown


def test_each_rule_count_opens_exactly_the_findings_it_counts(client, world):
    client.force_login(world.admin)
    compliance = workbench(client).context["compliance"]
    findings = run_checks(window=Window(DAY))
    assert compliance["by_rule"], "the year has findings"
    assert sum(n for _, _, n, _ in compliance["by_rule"]) == len(findings) == compliance["total"]
    for rule_id, _, n, url in compliance["by_rule"]:
        assert n == sum(1 for f in findings if f.rule == rule_id)
        assert {f.rule for f in shown_on(client, url)} == {rule_id} and len(shown_on(client, url)) == n


def test_each_unit_count_opens_its_subtree_findings_and_the_root_row_only_its_own(client, world):
    client.force_login(world.admin)
    by_org = {row["org"].code: row for row in workbench(client).context["compliance"]["by_org"]}
    findings = run_checks(window=Window(DAY))
    assert list(by_org) == ["JT", "A01", "B01"]  # 本级, then the units below the root
    a01 = [f for f in findings if f.org.startswith("A01")]
    assert by_org["A01"]["total"] == len(a01) > 0
    assert by_org["A01"]["errors"] == sum(1 for f in a01 if f.severity == "error")
    opened = shown_on(client, by_org["A01"]["url"])
    assert sorted(f.message for f in opened) == sorted(f.message for f in a01)
    errors = shown_on(client, by_org["A01"]["errors_url"])
    assert len(errors) == by_org["A01"]["errors"] and {f.severity for f in errors} <= {"error"}
    assert sum(row["total"] for row in by_org.values()) == len(findings)  # 本级 + every unit: nothing twice
    assert by_org["JT"]["label"].endswith("（本级）")  # the root's own findings open alone, not the units below
    own = shown_on(client, by_org["JT"]["url"])
    assert {f.org for f in own} == {"JT"} and len(own) == by_org["JT"]["total"] > 0


def test_every_unit_below_is_listed_and_opens_its_findings(client, world):
    client.force_login(world.a01admin)  # A01: its branches, each with its count
    rows = {row["org"].code: row for row in workbench(client).context["compliance"]["by_org"]}
    assert {"A0101", "A0102"} <= set(rows)
    for row in rows.values():
        assert row["total"] == len(shown_on(client, row["url"]))


def test_the_compliance_page_filters_by_organisation_and_ignores_one_out_of_reach(client, world):
    client.force_login(world.admin)
    url = f"{reverse('compliance')}?as_of={DAY}"
    everything = shown_on(client, url)
    a01 = shown_on(client, f"{url}&org=A01")
    assert a01 and {f.org for f in a01} <= {"A01", "A0101", "A0101G1", "A0102"}
    assert len(a01) == sum(1 for f in everything if f.org.startswith("A01"))
    own = shown_on(client, f"{url}&org=A01&own=1")
    assert {f.org for f in own} == {"A01"} and len(own) == sum(1 for f in everything if f.org == "A01")
    page = client.get(f"{url}&org=A01").content.decode()
    assert 'id="chosen-org"' in page and "甲市分公司党委及下级组织" in page
    assert 'name="org" value="A01"' in page  # the form keeps the filter when the date changes
    client.force_login(world.b01admin)  # A01 is not B01's: nothing shows, and the page says why
    assert shown_on(client, f"{url}") and shown_on(client, f"{url}&org=A01") == []
    page = client.get(f"{url}&org=A01").content.decode()
    assert 'id="chosen-org"' not in page and "甲市" not in page.split("</header>")[1]
    assert "组织编码“A01”不存在或不在当前查看范围内" in page
    assert shown_on(client, f"{url}&org=NOSUCH") == []
    partial = client.get(f"{url}&org=NOSUCH&page=2", headers={"HX-Request": "true"}).content.decode()
    assert "组织编码“NOSUCH”不存在" in partial and "<html" not in partial  # the pager's part says so too


# ---- 发展党员 by stage ----

def test_each_stage_count_opens_its_column_of_the_board(client, world):
    client.force_login(world.admin)
    stages = {label: (n, url) for label, n, url in workbench(client).context["recruitment"]["stages"]}
    assert {label: n for label, (n, _) in stages.items()} == {
        "申请入党": 2, "入党积极分子": 1, "发展对象": 0, "预备党员": 1, "已转正（2018年）": 1}
    for label, (n, url) in stages.items():
        path, _, anchor = url.partition("#")
        columns = client.get(path).context["columns"]
        if anchor:  # 已转正 of the year: the board's default view, that column
            column = next(c for c in columns if f"col-{c['key']}" == anchor)
        else:
            assert len(columns) == 1, f"{label}: one column alone"
            column = columns[0]
        assert column["count"] == n, label


def test_the_stage_counts_stay_within_the_secretarys_branch(client, world):
    client.force_login(world.shuji)  # A0101: the applicant 刘洋, 吴昊 and 郑洁; not 周敏 (A0102) nor 孙悦 (B0101)
    stages = {label: n for label, n, _ in workbench(client).context["recruitment"]["stages"]}
    assert stages == {"申请入党": 1, "入党积极分子": 0, "发展对象": 0, "预备党员": 1, "已转正（2018年）": 1}


# ---- 整改 by status ----

def test_each_status_count_opens_the_ledger_filtered_to_it(client, world):
    client.force_login(world.admin)
    rectification = workbench(client).context["rectification"]
    counts = {label: n for label, n, _ in rectification["by_status"]}
    assert counts == {"整改中": 1, "逾期未完成": 1, "已完成待销号": 2, "已销号": 0}
    assert rectification["total"] == 4 and rectification["overdue"] == 1
    for label, n, url in rectification["by_status"]:
        rows = client.get(url).context["rows"]
        assert len(rows) == n and {r["label"] for r in rows} <= {label}, label


def test_the_ledger_tells_problems_in_progress_from_overdue_ones(client, world):
    client.force_login(world.admin)
    ledger = reverse("rectification_ledger") + "?year=2018"
    ongoing = [r["problem"].number for r in client.get(f"{ledger}&status=ongoing").context["rows"]]
    unfinished = [r["problem"].number for r in client.get(f"{ledger}&status=open").context["rows"]]
    assert ongoing == ["A0102-2018-01"]
    assert sorted(unfinished) == ["A0101-2018-01", "A0102-2018-01"]


# ---- 党费 by month ----

def listed(client, url):
    """The members the overview lists for its ?status=: [(organisation code, member name)]."""
    response = client.get(url)
    assert response.status_code == 200
    return [(org.code, line.member.name) for org, line in response.context["listed"]]


def test_each_month_of_dues_matches_its_overview_and_its_lists(client, world):
    client.force_login(world.admin)
    months = workbench(client).context["dues"]["months"]
    assert [m["month"] for m in months] == [D(2018, m, 1) for m in range(1, 13)]
    for m in months:
        overview = client.get(m["url"]).context
        assert overview["month"] == m["month"]
        assert overview["totals"].due == m["totals"].due and overview["totals"].paid == m["totals"].paid
        assert overview["rate"] == m["rate"]
        assert len(listed(client, m["unpaid_url"])) == m["unpaid"] == overview["totals"].by_status["未交"]
        assert len(listed(client, m["short_url"])) == m["short"] == overview["totals"].by_status["少交"]
    march, june = months[2], months[5]
    # A0101 owes 40 + 90 (王 owes nothing known: no base), A0102 赵 and B0101 陈 have no base (unknown)
    assert march["totals"].due == Decimal("130.00") and march["totals"].paid == Decimal("40.00")
    assert ("A0101", world.li.name) in listed(client, march["unpaid_url"])
    assert ("A0101", world.li.name) not in listed(client, months[1]["unpaid_url"])  # February paid
    assert listed(client, june["short_url"]) == [("A0101", world.li.name)]
    assert march["rate"] == "30.8%"
    assert june["totals"].paid == Decimal("90.00") and june["short"] == 1 and june["rate"] == "69.2%"
    assert months[0]["rate"] == "100.0%"


def test_the_dues_months_of_one_branch_stay_in_it(client, world):
    client.force_login(world.b01admin)  # B0101 declared no bases and paid nothing
    dues = workbench(client).context["dues"]
    assert all(m["totals"].paid == 0 for m in dues["months"])
    assert dues["url"] == reverse("dues_month", args=["B0101", "2018-12"])  # one branch: its own month page
    assert [m["url"] for m in dues["months"]] == [reverse("dues_month", args=["B0101", f"2018-{m:02d}"])
                                                  for m in range(1, 13)]  # and so is each month's
    for m in dues["months"]:  # nothing paid: every member held is 未交, all of them in B0101
        unpaid = listed(client, m["unpaid_url"])
        assert len(unpaid) == m["unpaid"] == m["totals"].lines > 0 and {code for code, _ in unpaid} == {"B0101"}


def test_the_members_without_a_declared_base_are_listed_from_their_figure(client, world):
    client.force_login(world.admin)
    dues = workbench(client).context["dues"]
    unknown = listed(client, dues["unknown_url"])
    assert len(unknown) == dues["unknown"] == dues["totals"].unknown_due > 0
    assert ("A0101", world.li.name) not in unknown and ("A0102", world.zhao.name) in unknown


def test_the_dues_overview_refuses_an_unknown_list_and_its_month_links_drop_it(client, world):
    client.force_login(world.admin)
    response = client.get(reverse("dues_overview") + "?month=2018-03&status=paid")
    assert response.status_code == 400 and "listed" not in response.context
    html = response.content.decode()
    assert "名单“paid”不正确" in html and "status=paid" not in html
    both = client.get(reverse("dues_overview") + "?month=2018-13&status=paid").context["errors"]
    assert len(both) == 2  # the month and the list are both named
    kept = client.get(reverse("dues_overview") + "?month=2018-03&status=short").content.decode()
    assert "month=2018-02&amp;status=short" in kept  # 上月 keeps the list asked for


# ---- the overdue line ----

def test_the_overdue_line_counts_what_is_late_and_links_to_it(client, world):
    client.force_login(world.admin)
    context = workbench(client).context
    items = {label: (n, url) for label, n, _, url in context["overdue"]}
    errors = sum(1 for f in run_checks(window=Window(DAY)) if f.severity == "error")
    assert items["合规检查错误"][0] == errors > 0
    assert len(shown_on(client, items["合规检查错误"][1])) == errors
    assert items["逾期未完成的整改问题"][0] == 1
    assert len(client.get(items["逾期未完成的整改问题"][1]).context["rows"]) == 1
    assert items["发展党员逾期事项"][0] == context["recruitment"]["overdue"] > 0
    late = client.get(items["发展党员逾期事项"][1]).context["rows"]
    assert len(late) == items["发展党员逾期事项"][0] and all(r["state"].overdue for r in late)
    unpaid = listed(client, items["2018年12月未交党费"][1])
    assert items["2018年12月未交党费"][0] == len(unpaid) > 0 and ("A0101", world.li.name) not in unpaid


def test_overdue_terms_have_their_own_rows_apart_from_ending_ones(client, world):
    client.force_login(world.admin)
    response = workbench(client)
    items = {label: (n, url) for label, n, _, url in response.context["overdue"]}
    assert items["应换未换的组织"] == (1, "#terms-overdue")
    html = response.content.decode()
    overdue = re.search(r'<tbody id="terms-overdue">(.*?)</tbody>', html, re.S)[1]
    ending = re.search(r'<tbody id="terms-ending">(.*?)</tbody>', html, re.S)[1]
    assert overdue.count("<tr") == 1 and world.a0102.name in overdue and "2018-01-10" in overdue
    assert ending.count("<tr") == 1 and world.a0101.name in ending and "2019-03-01" in ending


def test_the_vacancies_figure_counts_the_listed_organisations(client, world):
    client.force_login(world.admin)
    response = workbench(client)
    items = {label: (n, url) for label, n, _, url in response.context["overdue"]}
    html = response.content.decode()
    vacant = re.search(r'<section class="card" id="vacant">(.*?)</section>', html, re.S)[1]
    assert items["书记空缺的组织"] == (vacant.count("<li>"), "#vacant") and vacant.count("<li>") > 0
    assert world.a0101.name not in vacant  # 张 is A0101's secretary


# ---- the charts ----

def test_every_chart_carries_the_figures_and_links_of_its_table(client, world):
    client.force_login(world.admin)
    response = workbench(client)
    context, charts = response.context, charts_of(response)
    assert set(charts) == {"chart-compliance-rule", "chart-compliance-org", "chart-recruitment-stage",
                           "chart-dues-month", "chart-rectification-status"}
    rule = charts["chart-compliance-rule"]
    assert [(p["value"], p["url"]) for p in rule["series"][0]["data"]] == \
        [(n, url) for _, _, n, url in context["compliance"]["by_rule"]]
    org = charts["chart-compliance-org"]
    assert [p["url"] for p in org["series"][0]["data"]] == [r["errors_url"] for r in context["compliance"]["by_org"]]
    assert [p["value"] for p in org["series"][1]["data"]] == [r["warnings"] for r in context["compliance"]["by_org"]]
    stage = charts["chart-recruitment-stage"]
    assert [(p["value"], p["url"]) for p in stage["series"][0]["data"]] == \
        [(n, url) for _, n, url in context["recruitment"]["stages"]]
    dues = charts["chart-dues-month"]
    assert dues["series"][0]["data"][2] == {"value": "130.00", "url": context["dues"]["months"][2]["url"]}
    assert dues["series"][2]["data"][2]["value"] == "30.8"
    pie = charts["chart-rectification-status"]["series"][0]["data"]
    assert [(p["name"], p["value"], p["url"]) for p in pie] == list(context["rectification"]["by_status"])
    html = response.content.decode()
    assert "/static/web/vendor/echarts/echarts.min.js" in html and "cdn" not in html.lower()


def test_a_chart_name_drops_the_repeated_unit_name():
    class Root:
        unit_name = "桂江文化传媒集团有限公司"

    assert short_name("中共桂江文化传媒集团有限公司邕城市分公司委员会", Root) == "邕城市分公司委员会"
    assert short_name("集团党委办公室党支部", Root) == "集团党委办公室党支部"
    assert short_name("中共桂江文化传媒集团有限公司", Root) == "桂江文化传媒集团有限公司"  # never empty
    assert short_name("甲市一支部", None) == "甲市一支部"


def test_an_organisation_name_reaches_the_chart_as_data_not_markup(client, world):
    from dangjian.organizations.services import update_organization

    update_organization(world.a01, actor=None, name="甲市<script>alert(1)</script>党委")
    client.force_login(world.admin)
    html = workbench(client).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "\\u003Cscript\\u003Ealert(1)\\u003C/script\\u003E" in html  # json_script escapes it


# ---- who sees what ----

@pytest.mark.parametrize("who, status", [("dangyuan", 302), ("outsider", 403)])
def test_the_workbench_is_for_staff(client, who, status, world):
    assert client_for(client, world, who).get(reverse("dashboard")).status_code == status


def test_a_unit_sees_none_of_its_neighbours_figures(client, world):
    client.force_login(world.b01admin)
    context = workbench(client).context
    assert {row["org"].code for row in context["compliance"]["by_org"]} <= {"B01", "B0101"}
    assert {label: n for label, n, _ in context["rectification"]["by_status"]}["逾期未完成"] == 0
    assert context["rectification"]["total"] == 1
    stages = {label: n for label, n, _ in context["recruitment"]["stages"]}
    assert stages["申请入党"] == 1 and stages["预备党员"] == 0
    html = workbench(client).content.decode()
    assert "甲市" not in html.split("</header>")[1]
