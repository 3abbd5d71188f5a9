"""述职评议 pages: the higher level sets the round up, enters paper ballots and reads the tally; a rater
votes online once; a problem raised goes to the rectification ledger; the xlsx export; who may do what."""
import datetime
import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from dangjian.appraisal.models import Ballot, Mark, Round
from dangjian.appraisal.services import add_reporters_from_children, create_round
from dangjian.organizations.services import create_post

from .test_web_access import USERS, client_for

D = datetime.date
HELD = D(2019, 1, 15)
PAGE_A01 = dict(admin=200, zuzhibu=200, a01admin=200, b01admin=404, shuji=404, dangyuan=403, outsider=403,
                anonymous=302)


def html(response):
    return response.content.decode()


@pytest.fixture
def round_(cast):
    create_post(actor=None, org=cast.a0102, member=cast.zhao, post="secretary", started_on=D(2017, 1, 1))
    r = create_round(actor=None, org=cast.a01, year=2018, held_on=HELD)
    add_reporters_from_children(r, actor=None)
    return r


@pytest.mark.parametrize("who", USERS)
def test_the_round_page_by_role(client, cast, round_, who):
    c = client_for(client, cast, who)
    assert c.get(reverse("appraisal_org", args=["A01"]) + "?year=2018").status_code == PAGE_A01[who]
    assert c.get(reverse("appraisal_export", args=[round_.pk])).status_code == PAGE_A01[who]
    vote = dict(admin=200, zuzhibu=200, a01admin=200, b01admin=404, shuji=200, dangyuan=200, outsider=403,
                anonymous=302)[who]
    assert c.get(reverse("appraisal_vote", args=[round_.pk])).status_code == vote


def test_the_higher_level_sets_up_the_round_from_the_page(client, cast):
    create_post(actor=None, org=cast.a0102, member=cast.zhao, post="secretary", started_on=D(2017, 1, 1))
    client.force_login(cast.a01admin)
    client.post(reverse("appraisal_create", args=["A01"]), {"year": "2018", "held_on": "2019-01-15"})
    r = Round.objects.get(org=cast.a01, year=2018)
    assert [x.member for x in r.reporters.all()] == [cast.zhang, cast.zhao]
    response = client.post(reverse("appraisal_create", args=["A01"]), {"year": "2018", "held_on": "2019-01-16"},
                           follow=True)
    assert "2018年度述职评议已登记" in html(response) and Round.objects.count() == 1


def test_paper_ballots_entered_in_the_page_are_tallied(client, cast, round_):
    client.force_login(cast.a01admin)
    zhang, zhao = round_.reporters.all()
    url = reverse("appraisal_ballot", args=[round_.pk])
    for a, b in (("好", "较好"), ("好", "一般"), ("较好", "")):
        data = {"group": "members", f"rating_{zhang.pk}": a}
        if b:
            data[f"rating_{zhao.pk}"] = b
        client.post(url, data)
    assert Ballot.objects.count() == 3 and Mark.objects.count() == 5
    page = html(client.get(reverse("appraisal_org", args=["A01"]) + "?year=2018"))
    row = re.search(r'<tr data-org="A0101">(.*?)</tr>', page, re.S)[1]
    cells = re.findall(r'<td class="num">([^<]*)</td>', row)
    assert cells[:8] == ["2", "1", "0", "0", "3", "66.7%", "100.0%", "93.3"]
    # A ballot without a group is refused with the reason and writes nothing.
    response = client.post(url, {f"rating_{zhang.pk}": "好"}, follow=True)
    assert "请选择评议人类别" in html(response) and Ballot.objects.count() == 3


def test_a_branch_secretary_cannot_enter_ballots(client, cast, round_):
    client.force_login(cast.shuji)
    zhang = round_.reporters.first()
    assert client.post(reverse("appraisal_ballot", args=[round_.pk]),
                       {"group": "members", f"rating_{zhang.pk}": "好"}).status_code == 404
    assert not Ballot.objects.exists()


def test_a_member_votes_online_once(client, cast, round_):
    client.force_login(cast.dangyuan)
    zhang = round_.reporters.first()
    url = reverse("appraisal_vote", args=[round_.pk])
    assert "党员代表" in html(client.get(url))
    client.post(url, {f"rating_{zhang.pk}": "好"})
    assert Ballot.objects.get().group == "members"
    page = html(client.get(url))
    assert 'id="voted"' in page and 'id="vote-form"' not in page
    client.post(url, {f"rating_{zhang.pk}": "差"})
    assert Ballot.objects.count() == 1 and Mark.objects.get().rating == "好"


def test_a_problem_raised_goes_to_the_rectification_ledger(client, cast, round_):
    from dangjian.rectification.models import Problem

    client.force_login(cast.a01admin)
    zhang = round_.reporters.first()
    url = reverse("appraisal_problem", args=[round_.pk, zhang.pk])
    client.post(url, {"description": "发展党员计划完成不到位", "measures": "制定年度发展计划", "deadline": "2019-06-30"})
    problem = Problem.objects.get()
    assert (problem.org.code, problem.get_source_display(), problem.deadline) == ("A0101", "述职评议", D(2019, 6, 30))
    response = client.post(url, {"description": "", "deadline": "2019-06-30"}, follow=True)
    assert response.status_code == 200 and Problem.objects.count() == 1


def test_the_tally_exports_to_xlsx(client, cast, round_):
    from dangjian.appraisal.services import record_paper_ballot

    zhang = round_.reporters.first()
    record_paper_ballot(round_, actor=None, group="leaders", marks={zhang: "好"})
    client.force_login(cast.a01admin)
    response = client.get(reverse("appraisal_export", args=[round_.pk]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("述职组织", "述职人", "好")
    assert rows[1][:7] == ("甲市一支部", "张建国", 1, 0, 0, 0, 1)
    assert rows[1][-1] == "（缺考核得分或评议票）"


def test_a_closed_round_shows_no_ballot_form(client, cast, round_):
    client.force_login(cast.a01admin)
    client.post(reverse("appraisal_close", args=[round_.pk]), {"closed_on": "2019-01-16"})
    page = html(client.get(reverse("appraisal_org", args=["A01"]) + "?year=2018"))
    assert 'id="ballot"' not in page and "已于2019-01-16结束计票" in page
