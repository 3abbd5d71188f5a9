"""/api/stats, /api/reports/{code}/{year}, /api/appraisal/{code}/{year}: read only, scoped like the pages.
The stats answer is the command's JSON; a report's figures are gather()'s and its Markdown follows the saved
narrative; the appraisal numbers are tally()'s, with no trace of who cast which ballot; every refusal is JSON."""
import datetime
import io
import json

import pytest
from django.core.management import call_command
from django.test import Client

from dangjian.appraisal.models import OnlineVote, RaterGroup
from dangjian.appraisal.queries import tally
from dangjian.appraisal.services import (
    add_reporters_from_children,
    cast_online_ballot,
    close_round,
    create_round,
    record_paper_ballot,
)
from dangjian.audit.models import AuditEntry
from dangjian.members.models import EventKind
from dangjian.members.services import record_exit, transfer_member
from dangjian.organizations.services import create_post
from dangjian.rectification import services as rectification
from dangjian.reports import services
from dangjian.reports.facts import gather
from dangjian.reports.figures import FIGURES
from dangjian.reports.models import Report

from .cast import person_id
from .test_api import call, expect

D = datetime.date

# Staff who may see the organisation get 200; a 党员 and a user without a role see no organisations (404).
JT = dict(admin=200, zuzhibu=200, a01admin=404, b01admin=404, shuji=404, dangyuan=404, outsider=404, anonymous=401)
A01 = JT | dict(a01admin=200)
A0101 = A01 | dict(shuji=200)


def error(r, status, code, field=None, words=None):
    assert r.status_code == status, (r.status_code, r.content.decode())
    body = r.json()
    assert set(body) == {"code", "message", "field"} and body["code"] == code and body["field"] == field, body
    if words:
        assert words in body["message"], body
    return body


# ---- /api/stats ----

@pytest.fixture
def moved(cast):
    """陈刚 transferred from B0101 to A0102 in 2018, 赵丽 withdrawn: the tables have changes to show."""
    transfer_member(cast.chen, actor=None, to_org=cast.a0102, transferred_on=D(2018, 5, 1))
    record_exit(cast.zhao, actor=None, kind=EventKind.WITHDREW, exited_on=D(2018, 9, 1))
    return cast


def command_json(*args):
    out = io.StringIO()
    call_command("stats", *args, "--format", "json", stdout=out)
    return json.loads(out.getvalue())


@pytest.mark.parametrize("code, day", [("JT", "2018-12-31"), ("A01", "2018-06-30"), ("A0102", "2018-12-31"),
                                       ("A0101G1", "2018-12-31"), ("B01", "2015-01-01")])
def test_stats_answer_the_commands_json(moved, code, day):
    r = call(moved, "admin", "get", f"/api/stats?org={code}&as_of={day}")
    assert r.status_code == 200, r.content.decode()
    assert r.json() == command_json("--org", code, "--as-of", day)


@expect(A01)
def test_stats_of_a01_for_those_who_may_see_it(moved, role, status):
    r = call(moved, role, "get", "/api/stats?org=A01&as_of=2018-12-31")
    assert r.status_code == status
    if status == 200:
        assert r.json() == command_json("--org", "A01", "--as-of", "2018-12-31")
    elif status == 404:
        error(r, 404, "NOT_FOUND", "org", "组织“A01”不存在或不在您的查看范围内")


def test_stats_answer_an_unknown_org_as_one_out_of_sight(cast):
    hidden = error(call(cast, "a01admin", "get", "/api/stats?org=B01&as_of=2018-12-31"), 404, "NOT_FOUND", "org")
    unknown = error(call(cast, "a01admin", "get", "/api/stats?org=ZZ&as_of=2018-12-31"), 404, "NOT_FOUND", "org")
    assert hidden["message"].replace("B01", "?") == unknown["message"].replace("ZZ", "?")


@pytest.mark.parametrize("query, field, code, words", [
    ("as_of=2018-12-31", "org", "REQUIRED", "请填写组织编码"),
    ("org=&as_of=2018-12-31", "org", "REQUIRED", "请填写组织编码"),
    ("org=A01", "as_of", "REQUIRED", "请填写截至日期"),
    ("org=A01&as_of=2018-02-30", "as_of", "DATE_INVALID", "不存在"),
    ("org=A01&as_of=yesterday", "as_of", None, "日期"),
    ("org=A01&as_of=0800-01-01", "as_of", "DATE_RANGE", "超出可统计的范围"),
])
def test_stats_refuse_a_missing_or_bad_parameter_in_chinese(cast, query, field, code, words):
    r = call(cast, "admin", "get", f"/api/stats?{query}")
    assert r.status_code == 400 and r.json()["field"] == field, r.content.decode()
    assert words in r.json()["message"]
    if code:
        assert r.json()["code"] == code


def test_stats_with_a_bearer_token(cast):
    from dangjian.accounts.models import ApiToken

    _, token = ApiToken.issue(cast.shuji, "脚本")
    assert Client().get("/api/stats?org=A0101&as_of=2018-12-31").status_code == 401
    r = Client().get("/api/stats?org=A0101&as_of=2018-12-31", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert r.status_code == 200 and r.json()["org"] == {"code": "A0101", "name": "甲市一支部"}
    assert Client().get("/api/stats?org=A0102&as_of=2018-12-31",
                        HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 404


# ---- /api/reports/{code}/{year} ----

def values(facts):
    return {code: d["value"] for code, d in facts["figures"].items()}


@expect(JT)
def test_the_jt_report_for_those_who_may_see_jt(cast, role, status):
    r = call(cast, role, "get", "/api/reports/JT/2018")
    assert r.status_code == status
    if status == 404:
        error(r, 404, "NOT_FOUND")
    assert not Report.objects.exists()  # looking saves nothing


@expect(A0101)
def test_a_branch_secretary_sees_their_own_branch_report(cast, role, status):
    assert call(cast, role, "get", "/api/reports/A0101/2018").status_code == status


@expect(A01)
def test_a_branch_secretary_does_not_see_the_neighbours_report(cast, role, status):
    assert call(cast, role, "get", "/api/reports/A0102/2018").status_code == status


def test_a_report_not_kept_is_the_facts_read_now(cast):
    r = call(cast, "zuzhibu", "get", "/api/reports/JT/2018")
    assert r.status_code == 200
    body = r.json()
    facts = gather(cast.jt, 2018)
    assert (body["org"], body["org_name"], body["year"]) == ("JT", "集团党委", 2018)
    assert (body["status"], body["as_of"]) == ("none", "2018-12-31") and body["status_label"]
    assert [f["code"] for f in body["figures"]] == [c for c in FIGURES if c in facts["figures"]]
    assert {f["code"]: f["value"] for f in body["figures"]} == values(facts)
    for f in body["figures"]:
        assert f["label"] == FIGURES[f["code"]].label and f["unit"] == FIGURES[f["code"]].unit
        assert f["missing"] == ("" if f["value"] is not None else facts["figures"][f["code"]]["missing"])
        assert f["records"] == facts["figures"][f["code"]]["records"]
    assert any(f["value"] is None and f["missing"] for f in body["figures"])  # JT has no secretary on record
    theme_days = next(f for f in body["figures"] if f["code"] == "theme_day_count")
    assert theme_days["records"] and set(theme_days["records"][0]) == {"label", "date", "kind", "key", "counts",
                                                                        "detail"}
    assert theme_days["records"][0]["kind"] == "finding" and theme_days["records"][0]["key"][1] == "MTG-09"
    markdown = body["markdown"]
    assert markdown.startswith("# ") and "2018年抓基层党建工作述职报告" in markdown
    assert "X" not in markdown and "【数据缺失：" in markdown
    assert not Report.objects.exists()


def test_a_report_kept_shows_its_facts_and_the_saved_narrative(cast):
    sentence = "我们坚持把支部建在项目上，党员在一线发挥作用。"
    report = services.draft_report(actor=cast.shuji, org=cast.a0101, year=2018)
    services.save_narrative(report, actor=cast.shuji, key="intro", text=sentence)
    r = call(cast, "shuji", "get", "/api/reports/A0101/2018")
    assert r.status_code == 200
    body = r.json()
    assert (body["status"], body["status_label"]) == ("draft", "草稿")
    assert {f["code"]: f["value"] for f in body["figures"]} == values(report.facts)
    assert sentence in body["markdown"] and "X" not in body["markdown"]
    assert "letters" not in {f["code"] for f in body["figures"]}  # a branch's report has no committee figures
    entries = AuditEntry.objects.count()
    call(cast, "shuji", "get", "/api/reports/A0101/2018")
    assert AuditEntry.objects.count() == entries and Report.objects.count() == 1
    services.submit_report(report, actor=cast.shuji)
    body = call(cast, "a01admin", "get", "/api/reports/A0101/2018").json()
    assert (body["status"], body["status_label"]) == ("submitted", "已提交") and sentence in body["markdown"]


def test_a_report_lists_last_years_and_open_problems_with_no_id_number_in_full(cast):
    id_number = person_id(90)
    rectification.record_problem(actor=None, number="JT-2017-01", org=cast.jt, year=2017, source="述职评议",
                                 description=f"党员（身份证号{id_number}）组织关系长期未转接", deadline=D(2018, 3, 31),
                                 on=D(2017, 1, 10))
    rectification.record_problem(actor=None, number="JT-2018-01", org=cast.jt, year=2018, source="述职评议",
                                 description="基层党建考核评价体系不健全", deadline=D(2019, 6, 30),
                                 cause="考核体系没有建立", measures="制定党建工作考核办法", on=D(2018, 1, 10))
    r = call(cast, "admin", "get", "/api/reports/JT/2018")
    body = r.json()
    assert [p["number"] for p in body["last_year"]] == ["JT-2017-01"]
    assert body["last_year"][0]["status_label"] and body["last_year"][0]["status_text"]
    assert [(p["number"], p["cause"], p["measures"]) for p in body["open"]] == [  # last year's, still open, first
        ("JT-2017-01", "", ""), ("JT-2018-01", "考核体系没有建立", "制定党建工作考核办法")]
    content = r.content.decode()
    for member in (cast.zhang, cast.li, cast.wang, cast.zhao, cast.chen):
        assert member.id_number not in content
    assert id_number not in content and id_number[:6] + "********" + id_number[-4:] in content


def test_a_party_group_has_no_report(cast):
    error(call(cast, "admin", "get", "/api/reports/A0101G1/2018"), 404, "NOT_FOUND", None, "党小组不单独述职")
    error(call(cast, "shuji", "get", "/api/reports/A0101G1/2018"), 404, "NOT_FOUND", None, "党小组不单独述职")


@pytest.mark.parametrize("year, words", [("18", "年度“18”不正确"), ("２０１８", "不正确"), ("1899", "不在1900年至今年之间"),
                                         ("2999", "不在1900年至今年之间")])
def test_a_report_of_a_bad_year_is_refused_in_chinese(cast, year, words):
    error(call(cast, "admin", "get", f"/api/reports/JT/{year}"), 400, "YEAR", "year", words)


def test_a_report_of_an_unknown_org_is_404(cast):
    error(call(cast, "admin", "get", "/api/reports/NOPE/2018"), 404, "NOT_FOUND", None, "不存在或不在您的查看范围内")


# ---- /api/appraisal/{code}/{year} ----

@pytest.fixture
def round_(cast):
    create_post(actor=None, org=cast.a0102, member=cast.zhao, post="secretary", started_on=D(2017, 1, 1))
    r = create_round(actor=cast.a01admin, org=cast.a01, year=2018, held_on=D(2019, 1, 15))
    add_reporters_from_children(r, actor=cast.a01admin)
    rep = {x.org.code: x for x in r.reporters.all()}
    for zhang, zhao in [("好", "较好"), ("好", "好"), ("较好", "一般"), ("一般", ""), ("差", "好")]:
        record_paper_ballot(r, actor=cast.a01admin, group=RaterGroup.MEMBERS,
                            marks={rep["A0101"]: zhang, rep["A0102"]: zhao})
    return r


def _dec(value):
    return None if value is None else str(value)


def test_the_appraisal_answers_the_tally(cast, round_):
    from dangjian.responsibility.services import add_indicator, create_letter, score_indicator

    letter = create_letter(actor=None, from_org=cast.a01, to_org=cast.a0101, year=2018, indicators=())
    score_indicator(add_indicator(letter, actor=None, name="述职评议", points="50"), actor=None, score="45",
                    evidence="材料")
    cast_online_ballot(round_, user=cast.dangyuan, marks={r.pk: "好" for r in round_.reporters.all()})
    r = call(cast, "a01admin", "get", "/api/appraisal/A01/2018")
    assert r.status_code == 200, r.content.decode()
    body = r.json()
    assert (body["org"], body["year"]) == ("A01", 2018)
    assert body["ratings"] == [{"value": v, "label": v} for v in ("好", "较好", "一般", "差")]
    [answer] = body["rounds"]
    assert (answer["id"], answer["title"], answer["held_on"]) == (round_.pk, round_.title, "2019-01-15")
    assert (answer["status"], answer["closed_on"], answer["ballots"]) == ("open", None, 6)
    expected = tally(round_)
    assert [x["org"] for x in answer["reporters"]] == [t.reporter.org.code for t in expected] == ["A0101", "A0102"]
    for got, t in zip(answer["reporters"], expected):
        assert got["member_name"] == t.reporter.member.name and got["org_name"] == t.reporter.org.name
        assert got["counts"] == t.counts and got["valid"] == t.valid
        assert (got["good_share"], got["good_or_fair_share"]) == (_dec(t.good_share), _dec(t.good_or_fair_share))
        assert (got["rating_score"], got["assessment"], got["combined"]) == (
            _dec(t.rating_score), _dec(t.assessment), _dec(t.combined))
        assert got["grade"] == ({"value": t.grade, "label": t.grade} if t.grade else None)
    a0101 = answer["reporters"][0]
    assert a0101["counts"] == {"好": 3, "较好": 1, "一般": 1, "差": 1} and a0101["assessment"] == "90.0"
    assert a0101["combined"] is not None and a0101["grade"] is not None
    assert answer["reporters"][1]["grade"] is None  # no letter: no grade invented
    # Anonymous ballots: no voter, no key, no ballot by ballot, no ID number.
    content = r.content.decode()
    assert OnlineVote.objects.count() == 1
    assert OnlineVote.objects.get().voter_key not in content
    for word in ("voter", "dangyuan", "李秀英", "ballot_", "marks", "number"):
        assert word not in content, word
    assert cast.zhang.id_number not in content and cast.zhao.id_number not in content


def test_a_closed_round_says_so(cast, round_):
    close_round(round_, actor=cast.a01admin, on=D(2019, 1, 20))
    [answer] = call(cast, "admin", "get", "/api/appraisal/A01/2018").json()["rounds"]
    assert (answer["status"], answer["status_label"], answer["closed_on"]) == ("closed", "已结束计票", "2019-01-20")


def test_a_year_without_a_round_has_none(cast, round_):
    body = call(cast, "a01admin", "get", "/api/appraisal/A01/2017").json()
    assert body["rounds"] == [] and body["org"] == "A01"


@expect(A01)
def test_the_a01_round_for_those_who_may_see_a01(cast, round_, role, status):
    r = call(cast, role, "get", "/api/appraisal/A01/2018")
    assert r.status_code == status
    if status == 404:
        error(r, 404, "NOT_FOUND")
        assert round_.title not in r.content.decode()


def test_the_appraisal_refuses_a_party_group_and_a_bad_year(cast):
    error(call(cast, "admin", "get", "/api/appraisal/A0101G1/2018"), 404, "NOT_FOUND", None, "党小组不组织述职评议")
    error(call(cast, "admin", "get", "/api/appraisal/A01/18"), 400, "YEAR", "year", "年度“18”不正确")
    error(call(cast, "admin", "get", "/api/appraisal/A01/abcd"), 400, "YEAR", "year", "不正确")


# ---- the OpenAPI document ----

def test_the_openapi_document_lists_the_read_only_endpoints(db):
    r = Client().get("/api/openapi.json")
    assert r.status_code == 200
    paths = r.json()["paths"]
    for path in ("/api/stats", "/api/reports/{code}/{year}", "/api/appraisal/{code}/{year}"):
        assert set(paths[path]) == {"get"}, path
