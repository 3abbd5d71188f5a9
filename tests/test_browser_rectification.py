"""问题整改 in headless Chromium: a problem of 甲市一支部 goes from open to closed by the higher level, with
its history. The branch secretary adds a progress note with an evidence file and completes the problem (and is
offered no closing); 甲市分公司党委's administrator verifies and closes it; the history lists each step. The
pages look at 2018-12-31, as the demo does (the live server runs in this process and reads the same settings)."""
import datetime
import re

import pytest

from dangjian.rectification import services
from dangjian.rectification.models import EventKind, Problem, ProblemState

from .browser import browser, log_in, page  # noqa: F401  (fixtures)
from .cast import PASSWORD

pytestmark = pytest.mark.browser
D = datetime.date


@pytest.fixture
def problem(cast, settings, tmp_path):
    settings.DEFAULT_AS_OF = "2018-12-31"
    settings.MEDIA_ROOT = tmp_path
    return services.record_problem(actor=None, number="A0101-2018-01", org=cast.a0101, year=2018,
                                   source="组织生活会", description="三会一课记录不规范，会议记录缺项",
                                   measures="逐月检查会议记录", owner=cast.zhang, deadline=D(2018, 12, 15),
                                   on=D(2018, 3, 1))


def test_a_problem_goes_from_open_to_closed_by_the_higher_level(live_server, cast, problem, page, browser):
    from playwright.sync_api import expect

    log_in(page, live_server, "shuji", PASSWORD)
    expect(page.locator("h1")).to_contain_text("工作台")
    page.click("nav.nav >> text=整改")
    expect(page.locator("h1")).to_contain_text("整改台账")
    row = page.locator("table.rectification tr[data-number='A0101-2018-01']")
    expect(row).to_contain_text("逾期未完成")  # the deadline 2018-12-15 has passed on 2018-12-31
    row.get_by_role("link", name="A0101-2018-01").click()
    expect(page).to_have_url(re.compile(rf"/rectification/{problem.pk}/$"))
    expect(page.locator("#problem-status")).to_contain_text("逾期未完成")

    # The branch secretary: a progress note with its evidence, then the completion.
    page.click("summary:has-text('登记整改进展')")
    form = page.locator("#progress-form")
    form.locator("input[name=on]").fill("2018-12-20")
    form.locator("textarea[name=text]").fill("已补齐全年会议记录")
    form.locator("input[name=file]").set_input_files(
        files=[{"name": "会议记录.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 scan"}])
    form.get_by_role("button", name="登记进展").click()
    expect(page.locator(".messages")).to_contain_text("已登记整改进展")
    expect(page.locator("#history")).to_contain_text("已补齐全年会议记录")
    expect(page.locator("#history").get_by_role("link", name="会议记录.pdf")).to_be_visible()

    page.click("summary:has-text('完成整改')")
    form = page.locator("#complete-form")
    form.locator("input[name=on]").fill("2018-12-25")
    form.locator("textarea[name=note]").fill("全部记录已规范")
    form.get_by_role("button", name="确认完成整改").click()
    expect(page.locator(".messages")).to_contain_text("待上级党组织验收销号")
    expect(page.locator("#problem-status")).to_contain_text("已完成待销号")
    expect(page.locator("#close-form")).to_have_count(0)  # the branch may not close its own problem
    assert Problem.objects.get().state == ProblemState.COMPLETED

    # The level above: 甲市分公司党委's administrator verifies and closes it.
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    higher = context.new_page()
    log_in(higher, live_server, "a01admin", PASSWORD)
    higher.click("nav.nav >> text=整改")
    higher.locator("table.rectification").get_by_role("link", name="A0101-2018-01").click()
    higher.click("summary:has-text('验收销号')")
    form = higher.locator("#close-form")
    form.locator("input[name=on]").fill("2018-12-28")
    form.locator("textarea[name=note]").fill("经查阅记录，验收合格")
    form.get_by_role("button", name="验收通过并销号").click()
    expect(higher.locator(".messages")).to_contain_text("验收通过，已销号")
    expect(higher.locator("#problem-status")).to_contain_text("已销号")

    steps = higher.locator("#history ol.timeline > li")
    expect(steps).to_have_count(4)
    expect(steps.nth(0)).to_contain_text("2018-03-01 登记问题")
    expect(steps.nth(1)).to_contain_text("2018-12-20 整改进展")
    expect(steps.nth(1)).to_contain_text("shuji")
    expect(steps.nth(2)).to_contain_text("2018-12-25 完成整改")
    expect(steps.nth(3)).to_contain_text("2018-12-28 验收通过，予以销号")
    expect(steps.nth(3)).to_contain_text("a01admin")
    expect(steps.nth(3)).to_contain_text("经查阅记录，验收合格")
    context.close()

    closed = Problem.objects.get()
    assert (closed.completed_on, closed.closed_on) == (D(2018, 12, 25), D(2018, 12, 28))
    assert [e.kind for e in closed.events.all()] == [EventKind.CREATED, EventKind.PROGRESS, EventKind.COMPLETED,
                                                     EventKind.CLOSED]
    # Back in the ledger the problem is closed; the secretary's page now offers nothing but reading.
    page.reload()
    expect(page.locator("#problem-status")).to_contain_text("已销号")
    expect(page.locator("#progress-form")).to_have_count(0)
