"""Login with lockout, the workbench figures, the tree (htmx, scope, dates), the roster (search, filters,
pages, export), the member page and the audit page."""
import datetime
import io
import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from dangjian.accounts.models import LoginFailure
from dangjian.audit.models import AuditEntry
from dangjian.members.services import create_member, record_exit
from dangjian.organizations.services import move_organization, update_organization

from .cast import PASSWORD, person_id

D = datetime.date



def text(response):
    return response.content.decode()


def roster_names(response):
    return re.findall(r'<td><a href="/members/\d+/">([^<]+)</a></td>', text(response))


# ---- login ----

def test_it_logs_in_and_clears_failures(client, cast):
    client.post(reverse("login"), {"username": "shuji", "password": "wrong"})
    assert LoginFailure.objects.filter(username="shuji").count() == 1
    response = client.post(reverse("login"), {"username": "shuji", "password": PASSWORD})
    assert response.status_code == 302 and response.url == reverse("dashboard")
    assert not LoginFailure.objects.filter(username="shuji").exists()


def test_it_says_in_chinese_when_the_password_is_wrong(client, cast):
    response = client.post(reverse("login"), {"username": "shuji", "password": "wrong"})
    assert "用户名或密码不正确" in text(response)
    assert "请填写密码" in text(client.post(reverse("login"), {"username": "shuji"}))


def test_it_locks_the_account_after_five_failures(client, cast, settings):
    settings.LOGIN_FAILURE_LIMIT, settings.LOGIN_LOCKOUT_MINUTES = 5, 15
    for _ in range(5):
        client.post(reverse("login"), {"username": "shuji", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "shuji", "password": PASSWORD})
    assert response.status_code == 200
    assert "登录失败次数过多，账号已锁定15分钟" in text(response)
    assert "_auth_user_id" not in client.session


def test_it_follows_next_only_within_the_site(client, cast):
    response = client.post(reverse("login") + "?next=/members/", {"username": "admin", "password": PASSWORD})
    assert response.url == "/members/"
    client.logout()
    response = client.post(reverse("login") + "?next=https://evil.example/", {"username": "admin",
                                                                              "password": PASSWORD})
    assert response.url == reverse("dashboard")


def test_it_lists_demo_accounts_only_in_demo_mode(client, settings):
    settings.DEMO_MODE = False
    assert "demo1234" not in text(client.get(reverse("login")))
    settings.DEMO_MODE = True
    html = text(client.get(reverse("login")))
    assert "demo1234" in html and "zuzhibu" in html and "dangyuan" in html


def test_it_logs_out_by_post(client, cast):
    client.force_login(cast.admin)
    response = client.post(reverse("logout"))
    assert response.url == reverse("login")
    assert client.get(reverse("dashboard")).status_code == 302


# ---- dashboard ----

def test_it_counts_the_subtree_on_the_dashboard(client, cast):
    client.force_login(cast.admin)
    html = text(client.get(reverse("dashboard")))
    assert '<a href="/members/">5</a>' in html
    assert '<a href="/members/?stage=probationary">1</a>' in html
    assert '<a href="/members/?stage=full">4</a>' in html
    assert '<a href="/members/?sex=F">2</a>' in html
    assert '<a href="/orgs/?type=branch">3</a>' in html
    terms = html.split('id="terms"')[1].split("</section>")[0]
    assert "甲市一支部" in terms and "2019-03-01" in terms and "应换未换" in terms
    vacant = html.split('id="vacant"')[1].split("</section>")[0]
    assert "乙市一支部" in vacant and "甲市一支部" not in vacant


def test_it_links_every_figure_to_a_list_that_matches_it(client, cast):
    client.force_login(cast.admin)
    html = text(client.get(reverse("dashboard")))
    stage_link = re.search(r'<a href="(/members/\?stage=probationary)">(\d+)</a>', html)
    assert len(roster_names(client.get(stage_link[1]))) == int(stage_link[2])
    assert len(roster_names(client.get("/members/?sex=F"))) == 2


def test_it_counts_only_the_role_subtree(client, cast):
    client.force_login(cast.shuji)
    assert '<a href="/members/">3</a>' in text(client.get(reverse("dashboard")))


# ---- tree and scope ----

def test_it_expands_a_node_with_htmx(client, cast):
    client.force_login(cast.admin)
    response = client.get(reverse("org_tree") + "?node=A01", HTTP_HX_REQUEST="true")
    html = text(response)
    assert "<html" not in html
    assert "甲市一支部" in html and "甲市二支部" in html and "乙市" not in html
    page = text(client.get(reverse("org_tree") + "?node=A01"))  # without htmx: the full page from that node
    assert "<html" in page and "甲市分公司党委" in page


def test_it_searches_the_tree_by_name_or_code(client, cast):
    client.force_login(cast.admin)
    html = text(client.get(reverse("org_tree") + "?q=a010"))
    assert "甲市一支部" in html and "甲市二支部" in html and "乙市一支部" not in html
    html = text(client.get(reverse("org_tree") + "?q=乙市"))
    assert "乙市一支部" in html and "甲市" not in html.split("搜索结果")[1]


def test_it_filters_every_list_by_the_chosen_scope(client, cast):
    client.force_login(cast.admin)
    response = client.post(reverse("set_scope"), {"org": "A01", "next": reverse("dashboard")})
    assert response.url == reverse("dashboard")
    dashboard = text(client.get(reverse("dashboard")))
    assert "当前范围" in dashboard and '<a href="/members/">4</a>' in dashboard
    assert "陈刚" not in text(client.get(reverse("roster")))
    assert "乙市" not in text(client.get(reverse("audit")))
    tree = text(client.get(reverse("org_tree")))
    assert "甲市分公司党委" in tree and "集团党委" not in tree.split("</header>")[1]
    client.post(reverse("set_scope"), {"org": ""})
    assert "陈刚" in text(client.get(reverse("roster")))


def _dated_tree(html):
    """{code: parent code} from the dated tree's data-code/data-depth rows."""
    rows = re.findall(r'data-code="([^"]+)" data-depth="(\d+)"', html)
    parents, stack = {}, []
    for code, depth in rows:
        depth = int(depth)
        stack = stack[:depth]
        parents[code] = stack[-1] if stack else None
        stack.append(code)
    return parents


def test_it_shows_the_tree_as_it_was_on_a_date(client, cast):
    move_organization(cast.a0102, actor=None, new_parent=cast.b01, moved_on=D(2020, 1, 1))
    client.force_login(cast.admin)
    before = _dated_tree(text(client.get(reverse("org_tree") + "?date=2019-06-01")))
    after = _dated_tree(text(client.get(reverse("org_tree") + "?date=2020-06-01")))
    assert before["A0102"] == "A01" and after["A0102"] == "B01"
    assert before["A0101G1"] == "A0101"
    assert "格式不正确" in text(client.get(reverse("org_tree") + "?date=2019-13"))


def test_it_shows_a_dated_tree_only_within_the_role(client, cast):
    move_organization(cast.a0102, actor=None, new_parent=cast.b01, moved_on=D(2020, 1, 1))
    client.force_login(cast.a01admin)
    before = _dated_tree(text(client.get(reverse("org_tree") + "?date=2019-06-01")))
    assert set(before) == {"A01", "A0101", "A0101G1"}  # A0102 is B01's now: out of reach


def test_it_shows_the_organisation_page(client, cast):
    from dangjian.organizations.services import update_post
    update_post(cast.secretary_post, actor=None, admin_post="总经理")
    move_organization(cast.a0102, actor=None, new_parent=cast.b01, moved_on=D(2020, 1, 1))
    client.force_login(cast.admin)
    html = text(client.get(reverse("org_detail", args=["A0101"])))
    assert "张建国" in html and "一肩挑" in html and "应换未换" in html
    assert "甲市一支部第一党小组" in html and '/members/?org=A0101">3人' in html
    history = text(client.get(reverse("org_detail", args=["A0102"])))
    assert "隶属关系沿革" in history and "甲市分公司党委" in history and "乙市分公司党委" in history


def test_it_names_outside_parents_only_up_the_own_chain(client, cast):
    move_organization(cast.a0102, actor=None, new_parent=cast.b01, moved_on=D(2020, 1, 1))
    move_organization(cast.a0102, actor=None, new_parent=cast.a01, moved_on=D(2021, 1, 1))
    client.force_login(cast.a01admin)
    html = text(client.get(reverse("org_detail", args=["A0102"])))
    assert "（范围外组织）" in html and "乙市" not in html
    assert "集团党委" in text(client.get(reverse("org_detail", args=["A01"])))  # whom A01 reports to


# ---- roster ----

def test_it_searches_the_roster(client, cast):
    client.force_login(cast.admin)
    assert roster_names(client.get("/members/?q=张")) == ["张建国"]
    assert roster_names(client.get("/members/?q=" + cast.li.id_number)) == ["李秀英"]
    assert roster_names(client.get("/members/?q=" + cast.chen.id_number[-6:])) == ["陈刚"]
    assert sorted(roster_names(client.get("/members/?q=A0102"))) == ["赵丽"]
    assert sorted(roster_names(client.get("/members/?q=乙市一支部"))) == ["陈刚"]


def test_it_filters_the_roster(client, cast):
    from dangjian.members.services import update_member
    update_member(cast.zhao, actor=None, education="bachelor", post_category="management", is_leading_cadre=True,
                  dues_category="annual_salary")
    client.force_login(cast.admin)
    assert roster_names(client.get("/members/?stage=probationary")) == ["王志强"]
    assert sorted(roster_names(client.get("/members/?sex=F"))) == ["李秀英", "赵丽"]
    for query in ("education=bachelor", "post_category=management", "leading=1", "dues_category=annual_salary"):
        assert roster_names(client.get("/members/?" + query)) == ["赵丽"], query
    assert len(roster_names(client.get("/members/?leading=0"))) == 4
    assert roster_names(client.get("/members/?org=A0102")) == ["赵丽"]


def test_it_keeps_former_members_out_unless_asked(client, cast):
    record_exit(cast.chen, actor=None, kind="died", exited_on=D(2020, 1, 1))
    client.force_login(cast.admin)
    assert "陈刚" not in roster_names(client.get("/members/"))
    assert "陈刚" in roster_names(client.get("/members/?include_left=on"))
    assert roster_names(client.get("/members/?stage=left")) == ["陈刚"]


def _many_members(cast, n, start=100):
    for i in range(n):
        create_member(actor=None, id_number=person_id(start + i), name=f"党员{i:03d}", org=cast.a0102,
                      admitted_on=D(2010, 7, 1), confirmed_on=D(2011, 7, 1))


def test_it_pages_the_roster_and_serves_the_table_to_htmx(client, cast):
    _many_members(cast, 60)
    client.force_login(cast.admin)
    first = client.get("/members/")
    assert len(roster_names(first)) == 50 and "第 1 页 / 共 2 页" in text(first)
    partial = client.get("/members/?page=2", HTTP_HX_REQUEST="true")
    assert "<html" not in text(partial) and 'id="roster-table"' in text(partial)
    assert len(roster_names(partial)) == 15
    assert "HX-Request" in partial["Vary"]


def test_it_keeps_the_roster_query_count_flat(client, cast):
    client.force_login(cast.admin)
    _many_members(cast, 5)
    with CaptureQueriesContext(connection) as few:
        client.get("/members/")
    _many_members(cast, 40, start=200)
    with CaptureQueriesContext(connection) as many:
        client.get("/members/")
    assert len(many) == len(few)


def test_it_exports_the_filtered_roster_masked(client, cast):
    client.force_login(cast.a01admin)
    response = client.get(reverse("roster_export") + "?sex=F")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("姓名", "性别", "身份证号")
    assert [r[0] for r in rows[1:]] == ["李秀英", "赵丽"]
    assert rows[1][2] == cast.li.masked_id_number and rows[1][15] == "138****5678"
    assert rows[1][3] == "1980-**-**"  # the birth date is what the masked ID hides
    cells = " ".join(str(v) for row in rows for v in row)
    assert cast.li.id_number not in cells and "13812345678" not in cells
    entry = AuditEntry.objects.get(action="member.export")
    assert entry.actor_name == "a01admin" and entry.after["count"] == 2 and entry.org_code == "A01"


# ---- member page ----

def test_it_shows_the_timeline_and_the_state_on_a_date(client, cast):
    from dangjian.members.services import confirm_member, transfer_member
    confirm_member(cast.wang, actor=None, confirmed_on=D(2019, 3, 1))
    transfer_member(cast.wang, actor=None, to_org=cast.a0102, transferred_on=D(2020, 5, 1), note="工作调动")
    client.force_login(cast.a01admin)
    url = reverse("member_detail", args=[cast.wang.pk])
    html = text(client.get(url))
    timeline = html.split('class="timeline"')[1]
    assert timeline.index("接收为预备党员") < timeline.index("转为正式党员") < timeline.index("组织关系转接")
    assert "工作调动" in timeline and "甲市二支部" in timeline
    assert "<strong>预备党员</strong>，组织关系在甲市一支部" in text(client.get(url + "?date=2018-06-01"))
    assert "<strong>尚未入党</strong>" in text(client.get(url + "?date=2017-01-01"))
    assert "日期“2018-02-30”不存在" in text(client.get(url + "?date=2018-02-30"))


def test_it_shows_posts_held(client, cast):
    client.force_login(cast.shuji)
    html = text(client.get(reverse("member_detail", args=[cast.zhang.pk])))
    assert "书记" in html and "2016-03-01起" in html


def test_it_lets_a_member_see_their_own_record_with_its_organisation(client, cast):
    client.force_login(cast.dangyuan)
    html = text(client.get(reverse("member_detail", args=[cast.li.pk])))
    assert "甲市一支部" in html and cast.li.masked_id_number in html and "显示</button>" in html
    assert reverse("member_edit", args=[cast.li.pk]) not in html


# ---- audit ----

def test_it_shows_changes_as_old_and_new(client, cast):
    update_organization(cast.a0101, actor=cast.admin, name="甲市第一支部")
    client.force_login(cast.a01admin)
    html = text(client.get(reverse("audit") + "?action=organization.update"))
    assert "修改组织" in html and "甲市一支部 → 甲市第一支部" in html


def test_it_filters_the_audit_page(client, cast):
    update_organization(cast.a0101, actor=cast.admin, name="甲市第一支部")
    client.force_login(cast.admin)

    def count(query):
        return int(re.search(r"共 <strong>(\d+)</strong> 条", text(client.get(reverse("audit") + query)))[1])

    assert count("?user=admin") == 1  # only the rename was done by a user; the cast was built by 系统
    assert count("?object=甲市第一支部") == 1
    assert count("?object=member") == 5
    assert count("?action=member.create") == 5
    today = datetime.date.today()
    assert count(f"?date_from={today + datetime.timedelta(days=2)}") == 0
    assert count(f"?date_from={today - datetime.timedelta(days=2)}&action=member.create") == 5


def test_it_scopes_the_audit_page_to_the_role(client, cast):
    client.force_login(cast.shuji)
    html = text(client.get(reverse("audit")))
    assert "张建国" in html and "赵丽" not in html and "陈刚" not in html


def test_it_never_shows_a_full_birth_date_beside_a_masked_id(client, cast):
    """The eight digits a masked ID hides are the birth date: a role that may not reveal sees neither."""
    client.force_login(cast.shuji)
    html = client.get(reverse("member_detail", args=[cast.li.pk])).content.decode()
    assert "1980-**-**" in html and "1980-05-03" not in html and cast.li.id_number not in html
    audit = client.get(reverse("audit")).content.decode()
    assert "1980-05-03" not in audit


def test_it_lets_a_branch_officer_search_ids_only_by_the_shown_tail(client, cast):
    client.force_login(cast.shuji)
    tail4, tail6 = cast.li.id_number[-4:], cast.li.id_number[-6:]
    assert "李秀英" in client.get(reverse("roster"), {"q": tail4}).content.decode()
    assert "李秀英" not in client.get(reverse("roster"), {"q": tail6}).content.decode()
    assert "李秀英" not in client.get(reverse("roster"), {"q": cast.li.id_number}).content.decode()
    client.force_login(cast.a01admin)
    assert "李秀英" in client.get(reverse("roster"), {"q": tail6}).content.decode()
    assert "李秀英" in client.get(reverse("roster"), {"q": cast.li.id_number}).content.decode()


def test_it_names_a_members_own_branch_without_linking_to_a_page_they_cannot_open(client, cast):
    client.force_login(cast.dangyuan)
    html = client.get(reverse("member_detail", args=[cast.li.pk])).content.decode()
    assert "甲市一支部" in html and reverse("org_detail", args=["A0101"]) not in html


def test_it_pages_the_roster_fifty_at_a_time(client, cast):
    for n in range(300, 350):  # 50 more in A0102: 55 members in all
        create_member(actor=None, id_number=person_id(n), name=f"成员{n}", org=cast.a0102,
                      admitted_on=datetime.date(2010, 7, 1))
    client.force_login(cast.admin)
    first = client.get(reverse("roster")).content.decode()
    assert "下一页" in first and "第 1 页 / 共 2 页" in first
    second = client.get(reverse("roster"), {"page": 2}, HTTP_HX_REQUEST="true").content.decode()
    assert "上一页" in second and 'id="roster-table"' in second and "<html" not in second
