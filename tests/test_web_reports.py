"""述职报告 pages: who may open which organisation's report (a branch secretary only their branch's), editing a part,
regenerating after a new record, submitting (the version kept as it was), the records page of a figure, the
downloads, and the button on the organisation page."""
import datetime

import pytest
from django.urls import reverse

from dangjian.meetings.services import record_meeting
from dangjian.reports.models import Report, ReportStatus

from .test_web_access import USERS, client_for

D = datetime.date


@pytest.fixture(autouse=True)
def as_of(settings):
    settings.DEFAULT_AS_OF = "2018-12-31"


JT = dict(admin=200, zuzhibu=200, a01admin=404, b01admin=404, shuji=404, dangyuan=403, outsider=403)
A0101 = dict(admin=200, zuzhibu=200, a01admin=200, b01admin=404, shuji=200, dangyuan=403, outsider=403)
GROUP = dict(admin=404, zuzhibu=404, a01admin=404, b01admin=404, shuji=404, dangyuan=403, outsider=403)

PAGES = [
    ("report_page", lambda c: [c.jt.code, 2018], JT),
    ("report_page", lambda c: [c.a0101.code, 2018], A0101),
    ("report_page", lambda c: [c.a0101g1.code, 2018], GROUP),
    ("report_figure", lambda c: [c.jt.code, 2018, "activists"], JT),
    ("report_figure", lambda c: [c.a0101.code, 2018, "theme_day_count"], A0101),
    ("report_download", lambda c: [c.a0101.code, 2018, "docx"], A0101),
    ("report_download", lambda c: [c.jt.code, 2018, "md"], JT),
]


@pytest.mark.parametrize("who", USERS)
def test_it_answers_every_report_page_by_role(client, cast, who):
    client = client_for(client, cast, who)
    for name, args, expected in PAGES:
        url = reverse(name, args=args(cast))
        response = client.get(url)
        if who == "anonymous":
            assert response.status_code == 302 and response.url.startswith(reverse("login")), url
        else:
            assert response.status_code == expected[who], f"{who} {url}: {response.status_code}"
    assert not Report.objects.exists()  # looking writes nothing


def test_the_organisation_page_offers_the_report_to_committees_and_branches(client, cast):
    client.force_login(cast.shuji)
    page = client.get(reverse("org_detail", args=["A0101"])).content.decode()
    assert reverse("report_current", args=["A0101"]) in page
    assert reverse("report_current", args=["A0101G1"]) not in client.get(
        reverse("org_detail", args=["A0101G1"])).content.decode()
    response = client.get(reverse("report_current", args=["A0101"]))
    assert response.url == reverse("report_page", args=["A0101", 2018])


def test_the_draft_links_each_figure_to_its_records(client, cast):
    client.force_login(cast.zuzhibu)
    page = client.get(reverse("report_page", args=["JT", 2018])).content.decode()
    assert "2018年抓基层党建工作述职报告" in page
    assert f'href="{reverse("report_figure", args=["JT", 2018, "activists"])}"' in page
    assert "数据缺失" in page  # JT has no secretary on record
    records = client.get(reverse("report_figure", args=["JT", 2018, "theme_day_count"])).content.decode()
    assert "MTG-09 甲市一支部（2018-01）" in records and "?q=A0101&amp;rule=MTG-09&amp;as_of=2018-12-31" in records
    assert client.get(reverse("report_figure", args=["JT", 2018, "nope"])).status_code == 404


def test_a_branch_secretary_edits_regenerates_and_submits_the_branch_report(client, cast):
    client.force_login(cast.shuji)
    page_url = reverse("report_page", args=["A0101", 2018])
    response = client.post(reverse("report_slot", args=["A0101", 2018]),
                           {"key": "area:life", "text": "支部每月开展主题党日。"})
    assert response.status_code == 302
    report = Report.objects.get(org=cast.a0101, year=2018)
    assert report.narrative == {"area:life": "支部每月开展主题党日。"}
    page = client.get(page_url).content.decode()
    assert "支部每月开展主题党日。" in page and "主持召开<a" in page
    record_meeting(actor=None, org=cast.a0101, held_on=D(2018, 12, 31), subject="党建工作会议",
                   types=["work_conference"], expected=3, present=3, chair=cast.zhang)
    assert "主持召开<a" in page and ">0</a>次党建工作会" in page
    response = client.post(reverse("report_regenerate", args=["A0101", 2018]), follow=True)
    page = response.content.decode()
    assert "书记主持召开的党建工作会议" in page  # the message names the figure that changed
    assert ">1</a>次党建工作会" in page and "支部每月开展主题党日。" in page

    response = client.post(reverse("report_submit", args=["A0101", 2018]))
    assert response.url == reverse("report_version", args=["A0101", 2018, 1])
    version_page = client.get(response.url).content.decode()
    assert "支部每月开展主题党日。" in version_page and "第1版" in version_page
    assert reverse("report_version_figure", args=["A0101", 2018, 1, "work_conferences"]) in version_page
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    # Submitted: the text cannot change until it is taken back.
    response = client.post(reverse("report_slot", args=["A0101", 2018]), {"key": "area:life", "text": "改"},
                           follow=True)
    assert "已提交" in response.content.decode()
    client.post(reverse("report_reopen", args=["A0101", 2018]))
    client.post(reverse("report_slot", args=["A0101", 2018]), {"key": "area:life", "text": "第二稿。"})
    assert "支部每月开展主题党日。" in client.get(reverse("report_version", args=["A0101", 2018, 1])).content.decode()
    versions = client.get(reverse("report_versions", args=["A0101", 2018])).content.decode()
    assert "第1版" in versions and "shuji" in versions
    figure = client.get(reverse("report_version_figure", args=["A0101", 2018, 1, "work_conferences"]))
    assert figure.status_code == 200 and "党建工作会议" in figure.content.decode()


def test_others_cannot_change_a_report_out_of_their_reach(client, cast):
    client.force_login(cast.shuji)
    for name in ("report_slot", "report_regenerate", "report_submit", "report_place"):
        assert client.post(reverse(name, args=["JT", 2018]), {"key": "intro", "text": "x"}).status_code == 404
    client.force_login(cast.b01admin)
    assert client.post(reverse("report_slot", args=["A0101", 2018]), {"key": "intro", "text": "x"}).status_code == 404
    assert not Report.objects.exists()


def test_a_slot_the_report_has_not_is_refused_with_a_message(client, cast):
    client.force_login(cast.shuji)
    response = client.post(reverse("report_slot", args=["A0101", 2018]), {"key": "nope", "text": "x"}, follow=True)
    assert "不在本报告中" in response.content.decode()
    assert Report.objects.get(org=cast.a0101).narrative == {}


def test_the_downloads_are_word_pdf_and_markdown(client, cast):
    client.force_login(cast.shuji)
    docx = client.get(reverse("report_download", args=["A0101", 2018, "docx"]))
    assert docx["Content-Type"].startswith("application/vnd.openxmlformats") and docx.content[:2] == b"PK"
    assert "filename*=UTF-8''" in docx["Content-Disposition"]
    pdf = client.get(reverse("report_download", args=["A0101", 2018, "pdf"]))
    assert pdf.status_code == 200 and pdf.content[:4] == b"%PDF"
    md = client.get(reverse("report_download", args=["A0101", 2018, "md"])).content.decode()
    assert md.startswith("# 2018年抓基层党建工作述职报告")


def test_an_impossible_year_is_not_found(client, cast):
    client.force_login(cast.admin)
    assert client.get(reverse("report_page", args=["JT", 1800])).status_code == 404
    assert client.get(reverse("report_page", args=["JT", 2999])).status_code == 404
