"""Every page with every cast user: who gets 200, who 403 (the role may not use it), who 404 (the
object is outside the role's reach), and that nothing leaks across subtrees or shows an unmasked ID."""
import re

import pytest
from django.urls import reverse

from dangjian.audit.models import AuditEntry

USERS = ("admin", "zuzhibu", "a01admin", "b01admin", "shuji", "dangyuan", "outsider", "anonymous")



def client_for(client, cast, who):
    if who != "anonymous":
        client.force_login(getattr(cast, who))
    return client


STAFF_A0101 = dict(admin=200, zuzhibu=200, a01admin=200, b01admin=404, shuji=200, dangyuan=403, outsider=403)
TREE_A0101 = STAFF_A0101 | dict(shuji=403)
EVERY_STAFF = dict(admin=200, zuzhibu=200, a01admin=200, b01admin=200, shuji=200, dangyuan=403, outsider=403)

# (url name, args from the cast, expected status by user; anonymous always goes to the login page)
PAGES = [
    ("dashboard", lambda c: [], EVERY_STAFF | dict(dangyuan=302)),
    ("org_tree", lambda c: [], EVERY_STAFF),
    ("org_create", lambda c: [], EVERY_STAFF | dict(shuji=403)),
    ("org_detail", lambda c: [c.a0101.code], STAFF_A0101),
    ("org_detail", lambda c: [c.b01.code], EVERY_STAFF | dict(a01admin=404, shuji=404)),
    ("org_edit", lambda c: [c.a0101.code], STAFF_A0101),
    ("org_move", lambda c: [c.a0101.code], TREE_A0101),
    ("post_create", lambda c: [c.a0101.code], STAFF_A0101),
    ("post_edit", lambda c: [c.secretary_post.pk], STAFF_A0101),
    ("election_create", lambda c: [c.a0101.code], STAFF_A0101),
    ("election_edit", lambda c: [c.election.pk], STAFF_A0101),
    ("roster", lambda c: [], EVERY_STAFF),
    ("roster_export", lambda c: [], EVERY_STAFF),
    ("member_create", lambda c: [], EVERY_STAFF),
    ("member_detail", lambda c: [c.li.pk], STAFF_A0101 | dict(dangyuan=200)),
    ("member_detail", lambda c: [c.chen.pk], EVERY_STAFF | dict(a01admin=404, shuji=404, dangyuan=404)),
    ("member_edit", lambda c: [c.li.pk], STAFF_A0101),
    ("member_confirm", lambda c: [c.wang.pk], STAFF_A0101),
    ("member_transfer", lambda c: [c.li.pk], STAFF_A0101),
    ("member_exit", lambda c: [c.li.pk], STAFF_A0101),
    ("member_suspend", lambda c: [c.li.pk], STAFF_A0101),
    ("member_restore", lambda c: [c.li.pk], STAFF_A0101),
    ("audit", lambda c: [], EVERY_STAFF),
]


@pytest.mark.parametrize("who", USERS)
def test_it_answers_every_page_by_role(client, cast, who):
    client = client_for(client, cast, who)
    for name, args, expected in PAGES:
        url = reverse(name, args=args(cast))
        response = client.get(url)
        if who == "anonymous":
            assert response.status_code == 302 and response.url.startswith(reverse("login")), url
        else:
            assert response.status_code == expected[who], f"{who} {url}: {response.status_code}"


@pytest.mark.parametrize("who,status", [("admin", 200), ("zuzhibu", 200), ("a01admin", 200), ("b01admin", 404),
                                        ("shuji", 403), ("dangyuan", 200), ("outsider", 403)])
def test_it_reveals_only_to_roles_that_may(client, cast, who, status):
    client_for(client, cast, who)
    response = client.post(reverse("member_reveal", args=[cast.li.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == status
    revealed = AuditEntry.objects.filter(action="member.reveal", object_id=str(cast.li.pk)).count()
    assert revealed == (1 if status == 200 else 0)
    if status == 200:
        assert cast.li.id_number in response.content.decode()


def test_it_answers_reveal_without_htmx_in_json(client, cast):
    client.force_login(cast.shuji)
    response = client.post(reverse("member_reveal", args=[cast.li.pk]))
    assert response.status_code == 403
    assert response.json()["error"] == "您的角色不能查看完整的身份证号和手机号码"
    client.force_login(cast.admin)
    assert client.post(reverse("member_reveal", args=[cast.li.pk])).json()["id_number"] == cast.li.id_number


def test_it_refuses_reveal_by_get(client, cast):
    client.force_login(cast.admin)
    assert client.get(reverse("member_reveal", args=[cast.li.pk])).status_code == 405


def test_it_sends_a_member_from_the_dashboard_to_their_own_page(client, cast):
    client.force_login(cast.dangyuan)
    response = client.get(reverse("dashboard"))
    assert response.url == reverse("member_detail", args=[cast.li.pk])


def _pages_a01admin_reaches(cast):
    return [reverse("dashboard"), reverse("org_tree"), reverse("org_tree") + "?node=A01",
            reverse("org_tree") + "?q=市", reverse("org_tree") + "?type=committee",
            reverse("org_tree") + "?date=2018-01-01", reverse("org_detail", args=["A01"]),
            reverse("org_detail", args=["A0101"]), reverse("roster"), reverse("roster") + "?q=陈",
            reverse("roster") + "?include_left=on", reverse("audit"), reverse("member_create"),
            reverse("post_create", args=["A0101"]), reverse("org_create"), reverse("org_move", args=["A0102"]),
            reverse("member_transfer", args=[cast.li.pk]), reverse("member_detail", args=[cast.zhang.pk])]


def test_it_never_shows_another_subtree(client, cast):
    client.force_login(cast.a01admin)
    for url in _pages_a01admin_reaches(cast):
        response = client.get(url, HTTP_HX_REQUEST="true" if "node=" in url else None) if "node=" in url \
            else client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        for secret in ("乙市", "陈刚", "B0101"):
            assert secret not in html, f"{secret} leaks on {url}"
        assert not re.search(r"\bB01\b", html), url


def test_it_refuses_a_form_changing_another_subtree(client, cast):
    client.force_login(cast.a01admin)
    assert client.post(reverse("org_edit", args=["B01"]), {"name": "改名"}).status_code == 404
    assert client.post(reverse("member_edit", args=[cast.chen.pk]), {"name": "改名"}).status_code == 404
    response = client.post(reverse("member_create"), {
        "id_number": "450103198005170103", "name": "新人", "org": cast.b0101.pk, "admitted_on": "2015-07-01",
        "dues_category": "employed"})
    assert "所选所属组织不存在或不在您的管理范围内" in response.content.decode()
    cast.b01.refresh_from_db()
    assert cast.b01.name == "乙市分公司党委"
    assert not cast.b0101.members.filter(name="新人").exists()


def test_it_lets_a_forged_scope_widen_nothing(client, cast):
    client.force_login(cast.a01admin)
    assert client.post(reverse("set_scope"), {"org": "B01"}).status_code == 404
    session = client.session
    session["scope_org_id"] = cast.b01.pk  # as if the session were tampered with
    session.save()
    html = client.get(reverse("roster")).content.decode()
    assert "陈刚" not in html and "张建国" in html


@pytest.mark.parametrize("who", ["shuji", "a01admin"])
def test_it_masks_ids_and_phones(client, cast, who):
    client.force_login(getattr(cast, who))
    for url in (reverse("roster"), reverse("member_detail", args=[cast.zhang.pk]),
                reverse("member_edit", args=[cast.zhang.pk])):
        html = client.get(url).content.decode()
        assert cast.zhang.id_number not in html, url
        assert "13812345678" not in html, url
    assert cast.zhang.masked_id_number in client.get(reverse("roster")).content.decode()


def test_it_shows_the_reveal_button_only_where_allowed(client, cast):
    url = reverse("member_detail", args=[cast.zhang.pk])
    client.force_login(cast.shuji)
    assert "显示</button>" not in client.get(url).content.decode()
    client.force_login(cast.a01admin)
    assert "显示</button>" in client.get(url).content.decode()


def test_it_shows_the_navigation_each_role_may_use(client, cast):
    client.force_login(cast.shuji)
    nav = re.search(r'<nav class="nav">(.*?)</nav>', client.get(reverse("roster")).content.decode(), re.S)[1]
    assert "工作台" in nav and "组织" in nav and "党员" in nav and "审计" in nav
    client.force_login(cast.dangyuan)
    nav = re.search(r'<nav class="nav">(.*?)</nav>',
                    client.get(reverse("member_detail", args=[cast.li.pk])).content.decode(), re.S)[1]
    assert "我的档案" in nav and "审计" not in nav and "组织" not in nav


def test_it_hides_the_create_button_from_branch_officers(client, cast):
    client.force_login(cast.shuji)
    html = client.get(reverse("org_detail", args=["A0101"])).content.decode()
    assert reverse("org_move", args=["A0101"]) not in html
    assert reverse("org_edit", args=["A0101"]) in html


def test_it_offers_the_ledger_only_to_roles_that_may_reveal_ids(cast):
    from dangjian.web import context

    def labels(user):
        return [label for _, label, _ in context.navigation(user)]

    # The sections of later issues (整改, …) sit between 党费 and 导入导出; the ledger is what differs by role.
    staff = ["工作台", "组织", "党员", "发展党员", "党费", "整改"]
    assert labels(cast.admin)[:6] == labels(cast.a01admin)[:6] == labels(cast.shuji)[:6] == staff
    assert labels(cast.admin)[-2:] == labels(cast.a01admin)[-2:] == ["导入导出", "审计"]
    assert "导入导出" not in labels(cast.shuji) and labels(cast.shuji)[-1] == "审计"
    assert labels(cast.dangyuan) == ["我的档案"]


def test_it_answers_an_internal_error_in_chinese_without_a_traceback(client, cast, monkeypatch):
    import importlib

    module = importlib.import_module("dangjian.web.views.dashboard")

    def broken(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(module, "term_statuses", broken)
    client.raise_request_exception = False
    client.force_login(cast.admin)
    response = client.get(reverse("dashboard"))
    body = response.content.decode()
    assert response.status_code == 500 and "系统出错" in body and "secret internals" not in body
