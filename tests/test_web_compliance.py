"""合规检查: the findings page (scope, dates, filters, links to records), its xlsx export and audit, the
rule reference, the workbench's compliance card and /api/findings."""
import datetime
import importlib
import io
import re
from html import unescape
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from openpyxl import load_workbook

from dangjian.audit.models import AuditEntry
from dangjian.core.masking import mask_id_number
from dangjian.meetings.services import record_meeting, record_vote
from dangjian.rules.engine import Window, all_rules, run_checks

D = datetime.date
URL = "/compliance/"
# views/__init__ exports the view function under the module's name
compliance_view = importlib.import_module("dangjian.web.views.compliance")


@pytest.fixture
def data(cast):
    """The cast with some 2018 organisational life of A0101: a 支部党员大会 whose vote had no quorum (MTG-02,
    a finding with a meeting behind it) and 主题党日 in January and February (no MTG-09 for those months)."""
    cast.general = record_meeting(actor=None, org=cast.a0101, held_on=D(2018, 5, 10), subject="讨论发展党员",
                                  types=["branch_general"], expected=10, present=4)
    record_vote(cast.general, actor=None, matter="接收预备党员", yes=4)
    for month in (1, 2):
        record_meeting(actor=None, org=cast.a0101, held_on=D(2018, month, 15), subject="主题党日",
                       types=["theme_day"], expected=3, present=3)
    return cast


def html(response):
    return response.content.decode()


def shown(response):
    """{(rule, org code, message)} of the findings on the page, read from the rule and organisation groups."""
    out = set()
    for rule, section in re.findall(r'<section class="card rule-group" id="rule-([^"]+)">(.*?)</section>',
                                    html(response), re.S):
        for org, body in re.findall(r'<tbody class="org-findings" data-org="([^"]+)">(.*?)</tbody>', section, re.S):
            for cell in re.findall(r'<td class="wrap">(.*?)</td>', body, re.S):
                out.add((rule, org, unescape(re.sub(r"<[^>]+>", "", cell)).strip()))
    return out


def engine(root=None, **window):
    day = window.get("as_of") or D(window["year"], 12, 31)
    return {(f.rule, f.org, f.message) for f in run_checks(root=root, window=Window(day))}


def orgs_of(findings):
    return {org for _, org, _ in findings}


# ---- the page ----

def test_it_lists_the_findings_of_2018_for_an_admin(client, data):
    client.force_login(data.admin)
    response = client.get(URL, {"year": "2018"})
    assert response.status_code == 200
    found = shown(response)
    assert found == engine(year=2018)
    assert ("MTG-09", "A0102", "2018年1月未开展主题党日") in found
    assert ("MTG-09", "A0101", "2018年1月未开展主题党日") not in found  # held in January
    assert ("MTG-09", "A0101", "2018年3月未开展主题党日") in found
    assert any(rule == "MTG-02" and org == "A0101" for rule, org, _ in found)
    text = html(response)
    assert "截至2018年12月31日" in text
    assert "支部工作条例 第十一条" in text  # the source of MTG-01/MTG-02
    assert "支部党员大会是党支部的议事决策机构" in text  # the regulation text, in a <details>
    assert '<span class="sev sev-error">错误</span>' in text and '<span class="sev sev-warning">提醒</span>' in text


def test_it_counts_by_severity_and_by_rule(client, data):
    client.force_login(data.admin)
    text = html(client.get(URL, {"year": "2018"}))
    findings = run_checks(window=Window.for_year(2018))
    errors = sum(1 for f in findings if f.severity == "error")
    counts = re.search(r'<section class="card figures" id="counts-severity">(.*?)</section>', text, re.S)[1]
    assert f">{len(findings)}</a>" in counts and f">{errors}</a>" in counts
    assert f">{len(findings) - errors}</a>" in counts
    by_rule = re.search(r'<section class="card figures" id="counts-rule">(.*?)</section>', text, re.S)[1]
    mtg09 = sum(1 for f in findings if f.rule == "MTG-09")
    assert re.search(rf"MTG-09</code> 未按期开展主题党日</th><td><a [^>]*>{mtg09}</a>", by_rule)


def test_it_links_organisations_and_the_records_behind_a_finding(client, data):
    client.force_login(data.admin)
    text = html(client.get(URL, {"year": "2018"}))
    try:
        meeting_url = reverse("meeting_detail", args=[data.general.pk])
    except NoReverseMatch:  # the meeting page is not there yet: the organisation's page instead
        meeting_url = reverse("org_detail", args=["A0101"])
    mtg02 = re.search(r'id="rule-MTG-02">(.*?)</section>', text, re.S)[1]
    assert f'<a class="record-link" href="{meeting_url}">会议记录</a>' in mtg02
    term03 = re.search(r'id="rule-TERM-03">(.*?)</section>', text, re.S)[1]
    assert '<a class="record-link" href="/orgs/A0101/#elections">换届记录</a>' in term03
    assert '<a href="/orgs/A0102/">甲市二支部</a>' in text
    # MTG-16 names the secretary: linked to the member, the ID masked
    mtg16 = re.search(r'id="rule-MTG-16">(.*?)</section>', text, re.S)[1]
    assert f'<a href="/members/{data.zhang.pk}/">张建国</a>' in mtg16
    assert data.zhang.masked_id_number in mtg16 and data.zhang.id_number not in text


def test_it_shows_a_branch_secretary_only_their_branch_and_its_party_group(client, data):
    client.force_login(data.shuji)
    found = shown(client.get(URL, {"year": "2018"}))
    assert orgs_of(found) == {"A0101", "A0101G1"}
    assert found == {f for f in engine(year=2018) if f[1] in ("A0101", "A0101G1")}
    # A forged scope in the session does not widen the view.
    session = client.session
    session["scope_org_id"] = data.a01.pk
    session.save()
    assert orgs_of(shown(client.get(URL, {"year": "2018"}))) == {"A0101", "A0101G1"}
    assert "甲市二支部" not in html(client.get(URL, {"year": "2018", "q": "A0102"}))


def test_it_keeps_an_org_admin_within_their_subtree(client, data):
    client.force_login(data.a01admin)
    assert orgs_of(shown(client.get(URL, {"year": "2018"}))) == {"A01", "A0101", "A0101G1", "A0102"}


def test_it_checks_only_the_chosen_scope(client, data):
    client.force_login(data.admin)
    client.post(reverse("set_scope"), {"org": "A0102"})
    response = client.get(URL, {"year": "2018"})
    assert orgs_of(shown(response)) == {"A0102"}
    assert "甲市二支部" in re.search(r"<h1>(.*?)</h1>", html(response), re.S)[1]


def test_it_checks_as_of_a_date_or_a_year(client, data):
    client.force_login(data.admin)
    response = client.get(URL, {"as_of": "2018-06-30"})
    found = shown(response)
    assert found == engine(as_of=D(2018, 6, 30))
    assert ("MTG-09", "A0102", "2018年6月未开展主题党日") in found
    assert ("MTG-09", "A0102", "2018年7月未开展主题党日") not in found  # not yet ended
    assert "截至2018年6月30日" in html(response)
    found_2017 = shown(client.get(URL, {"year": "2017"}))
    assert ("MTG-09", "A0102", "2017年12月未开展主题党日") in found_2017
    assert not any("2018年" in message for _, _, message in found_2017)
    # as_of wins over year
    assert shown(client.get(URL, {"as_of": "2018-06-30", "year": "2017"})) == found


def test_it_defaults_to_today(client, data):
    client.force_login(data.admin)
    with mock.patch("dangjian.core.dates.today", return_value=D(2018, 4, 15)):
        response = client.get(URL)
    assert "截至2018年4月15日" in html(response)
    assert shown(response) == engine(as_of=D(2018, 4, 15))


@pytest.mark.parametrize("params,message", [
    ({"as_of": "2018-02-30"}, "日期“2018-02-30”不存在"),
    ({"as_of": "去年"}, "格式不正确"),
    ({"as_of": "9999-12-31"}, "超出可检查的范围"),
    ({"year": "20x8"}, "年度“20x8”不正确"),
    ({"year": "0018"}, "年度“0018”不正确"),
])
def test_it_answers_a_bad_date_in_chinese(client, data, params, message):
    client.force_login(data.admin)
    response = client.get(URL, params)
    assert response.status_code == 400
    text = html(response)
    assert message in text and 'id="compliance-error"' in text
    assert "Traceback" not in text and 'class="card rule-group"' not in text
    export = client.get(reverse("compliance_export"), params)
    assert export.status_code == 400 and message in export.content.decode()


def test_it_filters_by_severity_rule_and_organisation(client, data):
    client.force_login(data.admin)
    all_found = engine(year=2018)
    errors = {(f.rule, f.org, f.message) for f in run_checks(window=Window.for_year(2018)) if f.severity == "error"}
    assert shown(client.get(URL, {"year": "2018", "severity": "error"})) == errors
    assert shown(client.get(URL, {"year": "2018", "rule": "MTG-09"})) == {f for f in all_found if f[0] == "MTG-09"}
    assert shown(client.get(URL, {"year": "2018", "q": "二支部"})) == {f for f in all_found if f[1] == "A0102"}
    assert shown(client.get(URL, {"year": "2018", "q": "a0102"})) == {f for f in all_found if f[1] == "A0102"}
    # an unknown rule or severity is no filter at all
    assert shown(client.get(URL, {"year": "2018", "rule": "NOPE-1", "severity": "fatal"})) == all_found


def test_it_pages_the_findings_and_serves_the_htmx_partial(client, data, monkeypatch):
    monkeypatch.setattr(compliance_view, "PAGE_SIZE", 10)
    client.force_login(data.admin)
    pages = [shown(client.get(URL, {"year": "2018", "page": n})) for n in range(1, 30)]
    assert set().union(*pages) == engine(year=2018)
    partial = client.get(URL, {"year": "2018", "page": "2"}, HTTP_HX_REQUEST="true")
    assert "<html" not in html(partial)
    assert 'id="findings"' in html(partial) and shown(partial) == pages[1]


def test_it_refuses_members_and_sends_anonymous_users_to_log_in(client, data):
    client.force_login(data.dangyuan)
    assert client.get(URL).status_code == 403
    assert client.get(reverse("compliance_export")).status_code == 403
    client.logout()
    assert client.get(URL).status_code == 302


def test_it_runs_the_check_in_the_same_few_queries_however_many_findings(client, data):
    from dangjian.organizations.services import create_organization

    client.force_login(data.admin)

    def count():
        with CaptureQueriesContext(connection) as queries:
            client.get(URL, {"year": "2018"})
        return len(queries)

    before = count()
    for n in range(3, 6):
        branch = create_organization(actor=None, code=f"A010{n}", name=f"甲市{n}支部", org_type="branch",
                                     parent=data.a01, founded_on=D(2016, 1, 1))
        record_meeting(actor=None, org=branch, held_on=D(2018, 3, 1), subject="党课", types=["lecture"],
                       expected=3, present=3)
    assert count() == before <= 20


# ---- the rule reference ----

def test_it_lists_every_rule_with_its_parameters(client, data):
    client.force_login(data.shuji)
    text = html(client.get(reverse("compliance_rules")))
    for rule in all_rules():
        assert f'id="rule-{rule.id}"' in text
        assert rule.title in text
        for name in rule.parameters:
            assert f"<code>{name}</code>" in text
    term03 = re.search(r'id="rule-TERM-03">(.*?)</section>', text, re.S)[1]
    assert "term_reminder_months" in term03 and "<td>6</td>" in term03
    assert "12371 党建问答：支部任期届满前6个月提醒" in term03 and "一直适用" in term03


# ---- export ----

def read_xlsx(response):
    ws = load_workbook(io.BytesIO(response.content)).active
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    return rows[0], rows[1:]


def test_it_exports_the_shown_findings_with_masked_ids_for_an_org_admin(client, data):
    client.force_login(data.a01admin)
    response = client.get(reverse("compliance_export"), {"year": "2018"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    header, rows = read_xlsx(response)
    assert header == ["规则", "级别", "组织编码", "组织名称", "身份证号", "期间", "日期", "说明", "依据"]
    expected = run_checks(root=data.a01, window=Window.for_year(2018))
    assert [(r[0], r[2], r[7]) for r in rows] == [(f.rule, f.org, f.message) for f in expected]
    mtg16 = next(r for r in rows if r[0] == "MTG-16")
    assert mtg16[1] == "提醒" and mtg16[3] == "甲市一支部" and mtg16[5] == "2018"
    assert mtg16[4] == data.zhang.masked_id_number
    assert mtg16[8] == "支部工作条例 第十六条"
    assert all(data.zhang.id_number not in str(cell) for row in rows for cell in row)
    term03 = next(r for r in rows if r[0] == "TERM-03")
    assert term03[6].date() == D(2019, 3, 1)  # a real date cell


def test_it_exports_only_what_the_filters_show(client, data):
    client.force_login(data.shuji)
    _, rows = read_xlsx(client.get(reverse("compliance_export"), {"year": "2018", "rule": "MTG-09"}))
    assert {r[2] for r in rows} == {"A0101"} and {r[0] for r in rows} == {"MTG-09"}
    assert len(rows) == 10  # January and February were held


def test_it_gives_the_system_administrator_full_ids(client, data):
    client.force_login(data.admin)
    _, rows = read_xlsx(client.get(reverse("compliance_export"), {"year": "2018", "rule": "MTG-16"}))
    assert [r[4] for r in rows] == [data.zhang.id_number]


def test_it_audits_the_export(client, data):
    client.force_login(data.a01admin)
    client.get(reverse("compliance_export"), {"year": "2018", "severity": "error"})
    entry = AuditEntry.objects.get(action="findings.export")
    count = sum(1 for f in run_checks(root=data.a01, window=Window.for_year(2018)) if f.severity == "error")
    assert entry.actor == data.a01admin and entry.org_code == "A01"
    assert entry.after["count"] == count and entry.after["as_of"] == "2018-12-31"
    assert entry.after["id_numbers"] == "脱敏" and "severity=error" in entry.after["filters"]
    assert f"{count}条" in entry.object_label


# ---- the workbench ----

def test_it_shows_this_years_findings_and_what_falls_due_on_the_workbench(client, data):
    client.force_login(data.admin)
    day = D(2019, 2, 10)  # A0101's term (elected 2016-03-01 for 3 years) ends on 2019-03-01
    with mock.patch("dangjian.core.dates.today", return_value=day):
        text = html(client.get(reverse("dashboard")))
    findings = run_checks(window=Window(day))
    card = re.search(r'<section class="card figures" id="findings-summary">(.*?)</section>', text, re.S)[1]
    errors = sum(1 for f in findings if f.severity == "error")
    at = f"{URL}?as_of=2019-02-10"  # the links name the day the card was checked on
    assert f'<a href="{at}">{len(findings)}</a>' in card
    assert f'<a href="{at}&amp;severity=error">{errors}</a>' in card
    assert f'<a href="{at}&amp;severity=warning">{len(findings) - errors}</a>' in card
    due = re.search(r'<section class="card" id="upcoming">(.*?)</section>', text, re.S)[1]
    assert "甲市一支部任期将于2019-03-01届满" in due
    assert '<a class="record-link" href="/orgs/A0101/#elections">换届记录</a>' in due
    assert "2019年2月尚未开展主题党日（2019-02-28前）" in due
    assert re.search(r"近30天到期事项 <span class=\"badge\">(\d+)</span>", due)


def test_it_keeps_the_workbench_card_within_the_secretarys_branch(client, data):
    client.force_login(data.shuji)
    with mock.patch("dangjian.core.dates.today", return_value=D(2018, 12, 10)):
        text = html(client.get(reverse("dashboard")))
    due = re.search(r'<section class="card" id="upcoming">(.*?)</section>', text, re.S)[1]
    assert "甲市一支部" in due and "甲市二支部" not in due and "乙市" not in due
    visible = [f for f in run_checks(root=data.a0101, window=Window(D(2018, 12, 10)))]
    card = re.search(r'id="findings-summary">(.*?)</section>', text, re.S)[1]
    assert f">{len(visible)}</a>" in card


# ---- API ----

def api_dict(finding):
    """RULES.md's object, with the ID masked as in every answer of the API."""
    data = finding.as_dict()
    return data | {"person": mask_id_number(data["person"]) if data["person"] else None}


def test_the_api_returns_rules_md_objects(client, data):
    client.force_login(data.admin)
    response = client.get("/api/findings", {"year": "2018"})
    assert response.status_code == 200
    assert response.json() == [api_dict(f) for f in run_checks(window=Window.for_year(2018))]
    one = next(o for o in response.json() if o["rule"] == "TERM-03")
    assert one == {"rule": "TERM-03", "severity": "warning", "org": "A0101", "person": None, "period": None,
                   "date": "2019-03-01", "message": "甲市一支部任期将于2019-03-01届满，请做好换届准备",
                   "source": "支部工作条例 第六章；12371 党建问答（任期届满前6个月提醒）"}
    by_date = client.get("/api/findings", {"as_of": "2018-06-30", "org": "A0102"}).json()
    assert by_date == [api_dict(f) for f in run_checks(root=data.a0102, window=Window(D(2018, 6, 30)))]


def test_the_api_is_scoped_like_the_page(client, data):
    client.force_login(data.shuji)
    found = client.get("/api/findings", {"year": "2018"}).json()
    assert {o["org"] for o in found} == {"A0101", "A0101G1"}
    mtg16 = next(o for o in found if o["rule"] == "MTG-16")
    assert mtg16["person"] == data.zhang.masked_id_number
    assert client.get("/api/findings", {"year": "2018", "org": "A0102"}).status_code == 404
    assert client.get("/api/findings", {"year": "2018", "org": "A0101G1"}).json() == \
        [o for o in found if o["org"] == "A0101G1"]
    client.force_login(data.b01admin)
    assert {o["org"] for o in client.get("/api/findings", {"year": "2018"}).json()} == {"B01", "B0101"}
    client.force_login(data.dangyuan)
    assert client.get("/api/findings", {"year": "2018"}).json() == []
    client.logout()
    assert client.get("/api/findings").status_code == 401


def test_the_api_filters_and_answers_bad_input_in_chinese(client, data):
    client.force_login(data.admin)
    only = client.get("/api/findings", {"year": "2018", "rule": "MTG-16", "severity": "warning"}).json()
    assert [o["rule"] for o in only] == ["MTG-16"] and only[0]["person"] == data.zhang.masked_id_number
    for params, code in (({"as_of": "2018-02-30"}, "DATE_INVALID"), ({"year": "18"}, "YEAR"),
                         ({"year": "2018", "as_of": "2018-01-01"}, "WINDOW"), ({"rule": "X-1"}, "CHOICE"),
                         ({"severity": "fatal"}, "CHOICE")):
        response = client.get("/api/findings", params)
        assert response.status_code == 400, params
        assert response.json()["code"] == code and re.search(r"[\u4e00-\u9fff]", response.json()["message"])
    assert "/api/findings" in client.get("/api/openapi.json").json()["paths"]


def test_the_default_day_is_the_configured_one_when_set(client, data, settings):
    """The demo's records are of 2018: with DEFAULT_AS_OF set (DANGJIAN_AS_OF, or the demo's 2018-12-31) the
    page, without a chosen date, looks at that day instead of today."""
    settings.DEFAULT_AS_OF = "2018-12-31"
    client.force_login(data.admin)
    page = html(client.get(URL))
    assert "截至2018年12月31日" in page
    assert run_checks(window=Window.for_year(2018))[0].message in page
