"""党建工作责任制 pages: who may open an organisation's page and a 责任书, the higher level signing letters
with those below and scoring by hand (the organisation below may read but not score), each computed figure
linked to the records it counts, and the ranking."""
import datetime
import re

import pytest
from django.urls import reverse

from dangjian.meetings.models import MeetingType
from dangjian.meetings.services import record_meeting
from dangjian.responsibility.models import Indicator, Letter, Responsibility
from dangjian.responsibility.services import create_letters_for_children, score_indicator

from .test_web_access import USERS, client_for

D = datetime.date
ORG_A0101 = dict(admin=200, zuzhibu=200, a01admin=200, b01admin=404, shuji=200, dangyuan=403, outsider=403)
ORG_A01 = ORG_A0101 | dict(shuji=404)


def html(response):
    return response.content.decode()


@pytest.fixture
def letters(cast):
    for month in range(1, 13):
        if month != 5:
            record_meeting(actor=None, org=cast.a0101, held_on=D(2018, month, 8), subject=f"{month}月主题党日",
                           types=[MeetingType.THEME_DAY], expected=3, present=3)
    return {l.to_org.code: l for l in create_letters_for_children(actor=None, from_org=cast.a01, year=2018)}


def manual(letter):
    return letter.indicators.filter(metric="").order_by("order").first()


def computed(letter, metric):
    return letter.indicators.get(metric=metric)


@pytest.mark.parametrize("who", USERS)
def test_it_opens_the_pages_by_role(client, cast, letters, who):
    c = client_for(client, cast, who)
    expected_org = {"anonymous": 302, **ORG_A0101}[who]
    assert c.get(reverse("responsibility_org", args=["A0101"]) + "?year=2018").status_code == expected_org
    assert c.get(reverse("responsibility_org", args=["A01"]) + "?year=2018").status_code == (
        {"anonymous": 302, **ORG_A01}[who])
    letter = letters["A0101"]
    assert c.get(reverse("letter_detail", args=[letter.pk])).status_code == expected_org
    assert c.get(reverse("indicator_records", args=[computed(letter, "theme_day_share").pk])).status_code == (
        expected_org)
    # A0102's letter: not for A0101's secretary.
    assert c.get(reverse("letter_detail", args=[letters["A0102"].pk])).status_code == (
        {"anonymous": 302, **ORG_A0101, "shuji": 404}[who])


def test_the_higher_level_signs_letters_with_each_organisation_below(client, cast):
    client.force_login(cast.a01admin)
    response = client.post(reverse("letters_create", args=["A01"]), {"year": "2018", "signed_on": "2018-02-01"})
    assert response.status_code == 302
    assert sorted(Letter.objects.values_list("to_org__code", "signed_on")) == [
        ("A0101", D(2018, 2, 1)), ("A0102", D(2018, 2, 1))]
    page = html(client.get(reverse("responsibility_org", args=["A01"]) + "?year=2018"))
    assert page.count('<tr data-code="A010') == 2


def test_a_branch_cannot_sign_or_score_its_own_letter(client, cast, letters):
    client.force_login(cast.shuji)
    assert client.post(reverse("letters_create", args=["A01"]), {"year": "2018"}).status_code == 404
    letter = letters["A0101"]
    page = html(client.get(reverse("letter_detail", args=[letter.pk])))
    assert "score-form" not in page
    indicator = manual(letter)
    response = client.post(reverse("indicator_score", args=[indicator.pk]),
                           {f"{indicator.pk}-score": "15", f"{indicator.pk}-evidence": "自评"})
    assert response.status_code == 403
    indicator.refresh_from_db()
    assert indicator.score is None


def test_the_higher_level_scores_by_hand_and_the_total_follows(client, cast, letters):
    client.force_login(cast.a01admin)
    letter = letters["A0101"]
    indicator = manual(letter)
    url = reverse("indicator_score", args=[indicator.pk])
    # Over the points: refused with the reason, nothing saved.
    client.post(url, {f"{indicator.pk}-score": "16", f"{indicator.pk}-evidence": "查阅述职评议材料"})
    indicator.refresh_from_db()
    assert indicator.score is None
    page = html(client.get(reverse("letter_detail", args=[letter.pk])))
    assert "得分不能超过该项分值15.0分" in page
    client.post(url, {f"{indicator.pk}-score": "13.5", f"{indicator.pk}-evidence": "书记述职评议为“好”"})
    indicator.refresh_from_db()
    assert str(indicator.score) == "13.5" and indicator.evidence == "书记述职评议为“好”"
    page = html(client.get(reverse("letter_detail", args=[letter.pk])))
    total = re.search(r'id="letter-total">([0-9.]+)<', page)[1]
    from dangjian.responsibility.queries import letter_result

    assert total == str(letter_result(letter).total)
    assert "书记述职评议为“好”" in page


def test_each_computed_figure_opens_the_records_it_counts(client, cast, letters):
    client.force_login(cast.shuji)
    letter = letters["A0101"]
    indicator = computed(letter, "theme_day_share")
    page = html(client.get(reverse("letter_detail", args=[letter.pk])))
    link = reverse("indicator_records", args=[indicator.pk])
    assert f'<a href="{link}" class="figure">91.7%</a>' in page  # 11 of 12 months
    records = html(client.get(link))
    assert records.count('<tr class="counts">') == 11 and records.count('<tr class="against">') == 1
    assert "甲市一支部2018年5月：未开展主题党日" in records
    meeting = cast.a0101.meetings.get(held_on=D(2018, 1, 8))
    assert reverse("meeting_detail", args=[meeting.pk]) in records
    # A hand-scored indicator has no records page.
    assert client.get(reverse("indicator_records", args=[manual(letter).pk])).status_code == 403


def test_the_ranking_orders_the_organisations_by_total(client, cast, letters):
    score_indicator(manual(letters["A0102"]), actor=None, score="15", evidence="材料齐全")
    client.force_login(cast.a01admin)
    page = html(client.get(reverse("responsibility_org", args=["A01"]) + "?year=2018"))
    from dangjian.responsibility.queries import ranking

    expected = [r.letter.to_org.code for _, r in ranking(cast.a01, 2018)]
    assert re.findall(r'<tr data-code="(A010\d)">', page) == expected


def test_the_secretary_fills_the_duties_from_the_committee_and_adds_one(client, cast):
    from dangjian.organizations.services import create_post

    create_post(actor=None, org=cast.a0101, member=cast.li, post="organization_member", started_on=D(2017, 1, 1))
    client.force_login(cast.shuji)
    client.post(reverse("responsibility_fill", args=["A0101"]), {"year": "2018"})
    assert Responsibility.objects.filter(org=cast.a0101, year=2018).count() == 3
    record = Responsibility.objects.get(member=cast.li)
    client.post(reverse("responsibility_delete", args=[record.pk]))
    assert not Responsibility.objects.filter(member=cast.li).exists()
    client.post(reverse("responsibility_add", args=["A0101"]),
                {"year": "2018", "duty": "dual", "member": cast.li.pk, "areas": "组织工作、发展党员"})
    assert Responsibility.objects.get(member=cast.li).areas == "组织工作、发展党员"
    # A duty that does not fit is refused with the reason and changes nothing.
    response = client.post(reverse("responsibility_add", args=["A0101"]),
                           {"year": "2018", "duty": "first", "member": cast.li.pk}, follow=True)
    assert "第一责任人应为书记" in html(response)
    assert Responsibility.objects.filter(org=cast.a0101, year=2018).count() == 3


def test_others_cannot_change_a_branchs_duties(client, cast):
    from dangjian.responsibility.services import assign_responsibility

    record = assign_responsibility(actor=None, org=cast.a0101, year=2018, duty="principal")
    client.force_login(cast.b01admin)
    assert client.post(reverse("responsibility_fill", args=["A0101"]), {"year": "2018"}).status_code == 404
    assert client.post(reverse("responsibility_delete", args=[record.pk])).status_code == 404
    client.force_login(cast.dangyuan)
    assert client.post(reverse("responsibility_delete", args=[record.pk])).status_code == 403
    assert Responsibility.objects.count() == 1


def test_a_bad_year_gets_a_chinese_message(client, cast):
    client.force_login(cast.shuji)
    response = client.get(reverse("responsibility_org", args=["A0101"]) + "?year=20x8")
    assert response.status_code == 400 and "年份“20x8”不正确" in html(response)
    response = client.post(reverse("responsibility_fill", args=["A0101"]), {"year": "abc"}, follow=True)
    assert "年份“abc”不正确" in html(response) and not Responsibility.objects.exists()


def test_a_party_group_has_no_responsibility_page(client, cast):
    client.force_login(cast.shuji)
    assert client.get(reverse("responsibility_org", args=["A0101G1"])).status_code == 403
    assert Indicator.objects.count() == 0
