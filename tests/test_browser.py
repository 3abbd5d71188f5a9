"""The real pages in headless Chromium: the workbench, the tree, a member, and a ledger import."""
import os
import re
from pathlib import Path

import pytest
from django.urls import NoReverseMatch, reverse
from openpyxl import Workbook

from .browser import browser, log_in, page  # noqa: F401  (fixtures)
from .cast import PASSWORD, person_id

pytestmark = pytest.mark.browser
SCREENSHOT = Path(__file__).resolve().parent.parent / "docs" / "screenshot-dashboard.png"



def test_it_walks_the_dashboard_tree_and_a_member(live_server, cast, page):
    from playwright.sync_api import expect

    log_in(page, live_server, "admin", PASSWORD)
    expect(page.locator("h1")).to_contain_text("工作台")
    expect(page.locator(".big a")).to_have_text("5")
    expect(page.locator("#terms")).to_contain_text("应换未换")
    if os.environ.get("UPDATE_SCREENSHOT") == "1":
        page.screenshot(path=str(SCREENSHOT), full_page=True)

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
