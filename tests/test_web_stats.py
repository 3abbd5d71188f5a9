"""The 统计 page: scoped to what each role may see, the date read with a Chinese message, every count opening
the members it counts (those out of reach counted, not named), the xlsx download."""
import datetime
import importlib
import io
import re
from html import unescape

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from dangjian.members.services import transfer_member
from dangjian.organizations.models import OrgType
from dangjian.organizations.services import create_organization
from dangjian.stats.tables import statistics

D = datetime.date
URL = "/stats/"


def html(response):
    return response.content.decode()


def total(response):
    return int(re.search(r'id="stats-total">\s*<p class="big-findings"><a href="[^"]*">(\d+)</a>', html(response))[1])


def records(response):
    """Names listed on a records page."""
    body = re.search(r'<table class="roster" id="records">(.*?)</table>', html(response), re.S)[1]
    return [unescape(n) for n in re.findall(r'<td><a href="/(?:members|orgs)/[^"]+">([^<]+)</a></td>', body)]


def test_the_urls_are_named():
    assert reverse("stats") == URL
    assert reverse("stats_export") == "/stats/export.xlsx"


def test_an_administrator_starts_from_the_root(cast, client):
    """Of the roots, the one with the most organisations: not another that sorts first (the demo's 地方党委)."""
    create_organization(actor=None, code="AA", name="另一党委", org_type=OrgType.COMMITTEE, parent=None,
                        founded_on=D(2016, 1, 1))
    client.force_login(cast.admin)
    response = client.get(URL, {"as_of": "2018-12-31"})
    assert response.status_code == 200
    assert "集团党委 · 截至2018年12月31日" in html(response)
    assert total(response) == 5
    nav = re.search(r'<nav class="nav">(.*?)</nav>', html(response), re.S)[1]
    assert 'href="/stats/"' in nav and ">统计<" in nav and 'class="active">统计' in nav


def test_a_branch_secretary_sees_only_their_branch(cast, client):
    client.force_login(cast.shuji)
    response = client.get(URL, {"as_of": "2018-12-31"})
    assert response.status_code == 200 and "甲市一支部 · 截至" in html(response)
    assert total(response) == 3
    options = re.findall(r'<option value="([^"]+)"', html(response))
    assert options == ["A0101"]  # not the 党小组 (no membership of its own), nothing above or beside
    for other in ("A01", "JT", "B0101", "A0102"):
        refused = client.get(URL, {"org": other, "as_of": "2018-12-31"})
        assert refused.status_code == 400
        assert f"组织编码“{other}”不存在或不在您的管理范围内" in html(refused)
        assert 'id="stats-total"' not in html(refused)


def test_an_organisation_administrator_sees_their_subtree(cast, client):
    client.force_login(cast.a01admin)
    assert total(client.get(URL, {"as_of": "2018-12-31"})) == 4  # A01 by default: 张, 李, 王, 赵
    assert total(client.get(URL, {"org": "A0102", "as_of": "2018-12-31"})) == 1
    assert client.get(URL, {"org": "B01", "as_of": "2018-12-31"}).status_code == 400
    assert client.get(URL, {"org": "NOPE", "as_of": "2018-12-31"}).status_code == 400


@pytest.mark.parametrize("who, status", [("dangyuan", 403), ("outsider", 403)])
def test_members_and_users_without_a_role_may_not_use_it(cast, client, who, status):
    client.force_login(getattr(cast, who))
    assert client.get(URL).status_code == status
    assert client.get(reverse("stats_export")).status_code == status


def test_anonymous_users_go_to_the_login_page(db, client):
    response = client.get(URL)
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.parametrize("text, message", [("2018-02-30", "日期“2018-02-30”不存在"),
                                           ("31/12/2018", "格式不正确，应为YYYY-MM-DD")])
def test_a_bad_date_gets_a_chinese_message(cast, client, text, message):
    client.force_login(cast.admin)
    response = client.get(URL, {"as_of": text})
    assert response.status_code == 400
    assert message in unescape(html(response)) and 'id="stats-total"' not in html(response)


def test_each_count_opens_the_members_it_counts(cast, client):
    client.force_login(cast.admin)
    page = html(client.get(URL, {"org": "JT", "as_of": "2018-12-31"}))
    links = dict((unescape(url), n) for url, n in re.findall(r'<a href="(/stats/records/\?[^"]+)">(\d+)</a>', page))
    assert any("row=all" in url for url in links)
    stats = statistics(cast.jt, D(2018, 12, 31))
    assert len(links) == sum(1 for t in stats.tables for r in t.rows if r.items is not None and r.count) + 1
    for url, n in links.items():
        listed = records(client.get(url))
        assert len(listed) == int(n), url
    female = client.get(reverse("stats_records"), {"org": "JT", "as_of": "2018-12-31", "table": "sex", "row": "F"})
    assert sorted(records(female)) == ["李秀英", "赵丽"]
    assert 'id="roster-link" href="/members/?sex=F"' in html(female)
    orgs = client.get(reverse("stats_records"), {"org": "JT", "as_of": "2018-12-31", "table": "organizations",
                                                  "row": "committee"})
    assert records(orgs) == ["集团党委", "甲市分公司党委", "乙市分公司党委"]


def test_a_member_out_of_reach_now_is_counted_but_not_named(cast, client):
    transfer_member(cast.li, actor=None, to_org=cast.a0102, transferred_on=D(2019, 1, 1))
    client.force_login(cast.shuji)
    assert total(client.get(URL, {"as_of": "2018-12-31"})) == 3  # the 2018 figures do not move
    response = client.get(reverse("stats_records"), {"org": "A0101", "as_of": "2018-12-31", "table": "category",
                                                      "row": "all"})
    assert sorted(records(response)) == ["张建国", "王志强"]
    assert re.search(r'id="records-hidden">1<', html(response))


def test_a_records_page_of_an_unknown_line_is_404(cast, client):
    client.force_login(cast.admin)
    base = {"org": "JT", "as_of": "2018-12-31"}
    assert client.get(reverse("stats_records"), base | {"table": "sex", "row": "X"}).status_code == 404
    assert client.get(reverse("stats_records"), base | {"table": "nope", "row": "M"}).status_code == 404
    assert client.get(reverse("stats_records"), base | {"table": "changes", "row": "expected"}).status_code == 404
    assert client.get(reverse("stats_records"), {"org": "JT", "as_of": "x", "table": "sex",
                                                 "row": "M"}).status_code == 400


def test_the_xlsx_download(cast, client):
    client.force_login(cast.a01admin)
    response = client.get(reverse("stats_export"), {"org": "A01", "as_of": "2018-12-31"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "A01-20181231.xlsx" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    assert book["说明"]["B3"].value == 4
    assert client.get(reverse("stats_export"), {"org": "B01", "as_of": "2018-12-31"}).status_code == 400
    page = html(client.get(URL, {"org": "A01", "as_of": "2018-12-31"}))
    assert 'id="stats-export" href="/stats/export.xlsx?org=A01&amp;as_of=2018-12-31"' in page


def test_a_long_list_is_paged(cast, client, monkeypatch):
    monkeypatch.setattr(importlib.import_module("dangjian.web.views.stats"), "PAGE_SIZE", 2)
    client.force_login(cast.admin)
    query = {"org": "JT", "as_of": "2018-12-31", "table": "category", "row": "all"}
    first = client.get(reverse("stats_records"), query)
    second = client.get(reverse("stats_records"), query | {"page": 3})
    assert len(records(first)) == 2 and len(records(second)) == 1
    assert "第 1 页 / 共 3 页" in html(first) and re.search(r'id="records-count">5<', html(first))
