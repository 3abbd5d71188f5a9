"""The real pages in headless Chromium: the workbench, the tree, a member, and a ledger import."""
import re

import pytest
from django.urls import NoReverseMatch, reverse
from openpyxl import Workbook

from .browser import browser, log_in, page  # noqa: F401  (fixtures)
from .cast import PASSWORD, person_id

pytestmark = pytest.mark.browser


def test_it_walks_the_dashboard_tree_and_a_member(live_server, cast, page):
    from playwright.sync_api import expect

    log_in(page, live_server, "admin", PASSWORD)
    expect(page.locator("h1")).to_contain_text("工作台")
    expect(page.locator(".big a")).to_have_text("5")
    expect(page.locator("#terms")).to_contain_text("应换未换")

    page.click("nav.nav >> text=组织")
    page.click("[aria-label='展开集团党委']")  # htmx loads the children under the node
    expect(page.locator("li[data-code=A01]")).to_be_visible()
    page.click("[aria-label='展开甲市分公司党委']")
    expect(page.locator("li[data-code=A0101] >> text=甲市一支部").first).to_be_visible()
    page.locator("li[data-code=A01] > .node-row").get_by_role("button", name="选为当前范围").click()
    expect(page.locator(".scope")).to_contain_text("甲市分公司党委")
    expect(page.locator(".big a")).to_have_text("4")

    page.click("nav.nav >> text=党员")
    expect(page.locator("#roster-table")).not_to_contain_text("陈刚")
    page.fill("input[name=q]", "张建国")
    expect(page.locator("table.roster tbody tr")).to_have_count(1)  # htmx replaced the table
    page.click("table.roster >> text=张建国")
    expect(page.locator(".timeline")).to_contain_text("接收为预备党员")
    expect(page.locator(".timeline")).to_contain_text("转为正式党员")
    expect(page.locator("#identity")).to_contain_text(cast.zhang.masked_id_number)
    page.get_by_role("button", name="显示").click()
    expect(page.locator("#identity")).to_contain_text(cast.zhang.id_number)


def test_it_fits_a_phone_screen(live_server, cast, browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 375, "height": 740}, is_mobile=True)
    phone = context.new_page()
    log_in(phone, live_server, "admin", PASSWORD)
    phone.goto(live_server.url + "/members/")
    # The page itself does not scroll sideways: the wide table scrolls inside its own box.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375 + 1
    assert phone.evaluate("document.querySelector('.scroll').scrollWidth > document.querySelector('.scroll').clientWidth")
    context.close()


def _workbook_with_a_bad_id(path, cast):
    wb = Workbook()
    ws = wb.active
    ws.title = "党员"
    ws.append(["身份证号", "姓名", "人员类别", "入党日期", "转正日期", "所属组织编码"])
    good = person_id(50)
    bad = person_id(51)[:17] + ("0" if person_id(51)[17] != "0" else "1")  # wrong check digit
    ws.append([good, "周正", "正式党员", "2012-07-01", "2013-07-01", "A0101"])
    ws.append([bad, "吴错", "正式党员", "2012-07-01", "2013-07-01", "A0101"])
    wb.save(path)
    return bad


def test_it_lists_the_errors_of_an_imported_workbook(live_server, cast, page, settings, tmp_path):
    from playwright.sync_api import expect

    try:
        url = reverse("ledger_import")
    except NoReverseMatch:
        pytest.fail("导入页面（url 名 ledger_import）尚不存在")
    settings.LEDGER_JOBS_INLINE = True
    path = tmp_path / "台账.xlsx"
    _workbook_with_a_bad_id(path, cast)
    log_in(page, live_server, "admin", PASSWORD)
    page.goto(live_server.url + url)
    page.set_input_files("input[name=file]", str(path))
    page.get_by_role("button", name="上传并预览").click()
    errors = page.locator("table.import-errors")
    expect(errors).to_be_visible()
    expect(errors).to_contain_text("党员")
    expect(errors).to_contain_text("3")  # the bad ID is on row 3 of the sheet
    expect(errors).to_contain_text(re.compile("校验位"))


def _meeting_with_a_failed_vote(cast):
    """A 2018 支部党员大会 of A0101 whose vote had no quorum: an MTG-02 finding with a meeting behind it."""
    import datetime

    from dangjian.meetings.services import record_meeting, record_vote

    meeting = record_meeting(actor=None, org=cast.a0101, held_on=datetime.date(2018, 5, 10), subject="讨论发展党员",
                             types=["branch_general"], expected=10, present=4)
    record_vote(meeting, actor=None, matter="接收预备党员", yes=4)
    return meeting


def test_it_walks_the_compliance_check_to_a_record(live_server, cast, page):
    from playwright.sync_api import expect

    meeting = _meeting_with_a_failed_vote(cast)
    log_in(page, live_server, "admin", PASSWORD)
    expect(page.locator("h1")).to_contain_text("工作台")
    expect(page.locator("#findings-summary")).to_contain_text("条检查结果")
    page.click("nav.nav >> text=合规检查")
    expect(page.locator("h1")).to_contain_text("合规检查")
    page.fill("input[name=year]", "2018")
    page.get_by_role("button", name="检查").click()
    expect(page.locator("h1")).to_contain_text("截至2018年12月31日")
    group = page.locator("#rule-MTG-09")
    expect(group).to_contain_text("未按期开展主题党日")
    expect(group.locator("tbody[data-org=A0102]")).to_contain_text("2018年1月未开展主题党日")
    regulation = page.locator("#rule-MTG-09 details.regulation blockquote")
    expect(regulation).to_be_hidden()
    page.locator("#rule-MTG-09 details.regulation summary").click()  # the regulation text folds out
    expect(regulation).to_contain_text("每月相对固定1天开展主题党日")

    page.locator("#counts-severity").get_by_role("link", name=re.compile(r"^\d+$")).nth(1).click()  # 错误 only
    expect(page.locator("#rule-MTG-09")).to_have_count(0)
    expect(page.locator("#rule-MTG-02")).to_be_visible()
    page.locator("#rule-MTG-02").get_by_role("link", name="会议记录").click()
    try:
        reverse("meeting_detail", args=[meeting.pk])
    except NoReverseMatch:  # the meeting page is not there yet: the link opens the branch's page
        expect(page).to_have_url(re.compile(r"/orgs/A0101/$"))
    else:
        expect(page).to_have_url(re.compile(rf"/meetings/{meeting.pk}/$"))
        expect(page.locator("h1")).to_contain_text("讨论发展党员")


def test_it_shows_a_branch_secretary_only_their_branchs_findings(live_server, cast, page):
    from playwright.sync_api import expect

    log_in(page, live_server, "shuji", PASSWORD)
    expect(page.locator("h1")).to_contain_text("工作台")
    page.click("nav.nav >> text=合规检查")
    page.fill("input[name=year]", "2018")
    page.get_by_role("button", name="检查").click()
    expect(page.locator("tbody[data-org=A0101]").first).to_be_visible()
    expect(page.locator("tbody[data-org=A0101G1]").first).to_contain_text("2018年1月未召开党小组会")
    codes = set(page.locator("tbody.org-findings").evaluate_all("els => els.map(e => e.dataset.org)"))
    assert codes == {"A0101", "A0101G1"}
    expect(page.locator("main")).not_to_contain_text("甲市二支部")
    page.fill("input[name=q]", "A0102")  # searching a sibling branch finds nothing
    page.get_by_role("button", name="检查").click()
    expect(page.locator("main")).to_contain_text("没有符合筛选条件的检查结果")


def test_a_branch_secretary_takes_an_applicant_to_probationary_member(live_server, cast, page):
    """发展党员 through the pages (issue 4's done-when): open a case, record each step's form up to the branch
    meeting that admits, and be refused, with the rule named, when naming a candidate before a year of
    training."""
    import datetime

    from playwright.sync_api import expect

    log_in(page, live_server, "shuji", PASSWORD)
    expect(page.locator("h1")).to_contain_text("工作台")
    page.click("nav.nav >> text=发展党员")
    expect(page.locator("h1")).to_contain_text("发展党员")
    page.get_by_role("link", name="登记入党申请").click()
    page.fill("input[name=id_number]", person_id(70, birth=datetime.date(1995, 5, 1)))
    page.fill("input[name=name]", "刘洋")
    page.fill("input[name=applied_on]", "2016-03-01")
    page.get_by_role("button", name="登记").click()
    expect(page.locator("h1")).to_contain_text("刘洋")
    expect(page.locator("#step-form h3")).to_contain_text("党组织派人谈话")

    form = page.locator("#step-form form")

    def record(title, date, **fields):
        expect(page.locator("#step-form h3")).to_contain_text(title)
        form.locator("input[name=date]").fill(date)
        for name, value in fields.items():
            if name == "people":
                for pk in value:
                    form.locator(f"input[name=people][value='{pk}']").check()
            elif name == "conclusion":
                form.locator(f"input[name=conclusion][value='{value}']").check()
            else:
                form.locator(f"[name={name}]").fill(value)
        form.get_by_role("button", name="登记").click()

    def recorded(title, date, **fields):
        record(title, date, **fields)
        expect(page.locator(".messages")).to_contain_text(f"已登记：{title}")

    recorded("党组织派人谈话", "2016-03-15")
    recorded("推荐和确定入党积极分子", "2016-04-01")
    recorded("指定培养联系人", "2016-04-05", people=[cast.zhang.pk])
    recorded("培养教育考察", "2016-10-01")
    # Eleven months after the activist decision: refused, naming DEV-06.
    record("确定发展对象", "2017-03-01")
    expect(page.locator("#step-form .field-error")).to_contain_text("DEV-06")
    expect(page.locator("#step-form .field-error")).to_contain_text("确定为入党积极分子一年以上")
    expect(page.locator("#timeline")).not_to_contain_text("确定发展对象")
    recorded("确定发展对象", "2017-04-01")
    recorded("确定入党介绍人", "2017-04-10", people=[cast.zhang.pk, cast.li.pk])
    recorded("政治审查", "2017-05-01", conclusion="合格")
    recorded("集中培训", "2017-05-10", ended_on="2017-05-12", hours="24")
    recorded("支部委员会审查", "2017-06-01")
    recorded("上级党委预审", "2017-06-10")
    recorded("支部大会讨论", "2017-07-01", expected="10", present="8", yes="8")
    expect(page.locator(".messages")).to_contain_text("已接收为预备党员")
    expect(page.locator("h1")).to_contain_text("预备党员")
    expect(page.locator("#timeline")).to_contain_text("应到10人，实到8人，赞成8票，通过")
    page.get_by_role("link", name="党员档案：刘洋").click()
    expect(page.locator("h1")).to_contain_text("刘洋")
    expect(page.locator("h1")).to_contain_text("预备党员")
    expect(page.locator(".timeline")).to_contain_text("接收为预备党员")
