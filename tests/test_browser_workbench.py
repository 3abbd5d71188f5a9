"""The 工作台's charts in Debian's chromium: drawn by the vendored ECharts (no request leaves the server),
and a click on a bar or a slice opens the list of the records it counts."""
import pytest

from .browser import browser, log_in, page  # noqa: F401  (fixtures)
from .cast import PASSWORD
from .test_web_workbench import DAY, world  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser

CHARTS = ("chart-compliance-rule", "chart-compliance-org", "chart-recruitment-stage", "chart-dues-month",
          "chart-rectification-status")


def click_point(page, chart, series, index, value):
    """Click the chart at data point `index` of `series` (a bar's middle), where ECharts itself places it."""
    page.locator(f'[data-chart="{chart}"]').scroll_into_view_if_needed()
    x, y = page.evaluate(
        """([id, series, index, value]) => {
            const chart = echarts.getInstanceByDom(document.querySelector(`[data-chart="${id}"]`));
            const option = chart.getOption();
            const horizontal = option.yAxis[0].type === "category";
            const point = horizontal ? [value / 2, index] : [index, value / 2];
            return chart.convertToPixel({seriesIndex: series}, point);
        }""", [chart, series, index, value])
    box = page.locator(f'[data-chart="{chart}"]').bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)


def test_the_charts_draw_offline_and_a_bar_opens_its_records(live_server, world, page, settings):  # noqa: F811
    from playwright.sync_api import expect

    settings.DEFAULT_AS_OF = DAY.isoformat()
    outside, errors = [], []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(live_server.url)
            and not r.url.startswith("data:") else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    log_in(page, live_server, "admin", PASSWORD)
    for chart in CHARTS:
        expect(page.locator(f'[data-chart="{chart}"][data-drawn="1"] canvas')).to_have_count(1)
    assert not outside and not errors

    # 发展党员: the 申请入党 bar (2 applicants) opens the board's applicant column alone
    click_point(page, "chart-recruitment-stage", 0, 0, 2)
    page.wait_for_url("**/recruitment/?status=applicant")
    expect(page.locator("#col-applicant .badge")).to_have_text("2")
    expect(page.locator(".board-column")).to_have_count(1)

    # 合规检查 by rule: the first rule's bar opens the findings of that rule
    page.go_back()
    first = page.locator("#compliance-rule table a").first
    count = int(first.text_content())
    rule = page.locator("#compliance-rule table code").first.text_content()
    click_point(page, "chart-compliance-rule", 0, 0, count)
    page.wait_for_url(f"**/compliance/?as_of={DAY}&rule={rule}")
    expect(page.locator(".shown-count strong")).to_have_text(str(count))


def test_a_slice_of_the_rectification_chart_opens_the_ledger_of_that_status(live_server, world, page,  # noqa: F811
                                                                            settings):
    from playwright.sync_api import expect

    settings.DEFAULT_AS_OF = DAY.isoformat()
    log_in(page, live_server, "admin", PASSWORD)
    expect(page.locator('[data-chart="chart-rectification-status"][data-drawn="1"]')).to_have_count(1)
    # the slice of 已完成待销号 (2 of 4): ECharts' own hit test, through its zrender handler
    page.evaluate("""() => {
        const el = document.querySelector('[data-chart="chart-rectification-status"]');
        const chart = echarts.getInstanceByDom(el);
        const option = chart.getOption();
        const index = option.series[0].data.findIndex(d => d.name === "已完成待销号");
        const layout = chart.getModel().getSeriesByIndex(0).getData().getItemLayout(index);
        const angle = (layout.startAngle + layout.endAngle) / 2;
        const r = (layout.r0 + layout.r) / 2;
        window.__slice = [layout.cx + r * Math.cos(angle), layout.cy + r * Math.sin(angle)];
    }""")
    page.locator('[data-chart="chart-rectification-status"]').scroll_into_view_if_needed()
    x, y = page.evaluate("window.__slice")
    box = page.locator('[data-chart="chart-rectification-status"]').bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)
    page.wait_for_url("**/rectification/?year=2018&status=completed")
    expect(page.locator("tr[data-number]")).to_have_count(2)


def test_the_tooltip_shows_an_organisation_name_as_text_not_markup(live_server, world, page,  # noqa: F811
                                                                   settings):
    from playwright.sync_api import expect

    from dangjian.organizations.services import update_organization

    settings.DEFAULT_AS_OF = DAY.isoformat()
    name = '甲市<img src=x onerror="window.__injected=1">党委'
    update_organization(world.a01, actor=None, name=name)
    log_in(page, live_server, "admin", PASSWORD)
    chart = "chart-compliance-org"
    expect(page.locator(f'[data-chart="{chart}"][data-drawn="1"]')).to_have_count(1)
    page.locator(f'[data-chart="{chart}"]').scroll_into_view_if_needed()
    x, y = page.evaluate(
        """(id) => {
            const chart = echarts.getInstanceByDom(document.querySelector(`[data-chart="${id}"]`));
            return chart.convertToPixel({seriesIndex: 0}, [0, 1]);  // the row of A01, the second unit
        }""", chart)
    box = page.locator(f'[data-chart="{chart}"]').bounding_box()
    page.mouse.move(box["x"] + x + 5, box["y"] + y)
    tooltip = page.locator(f'[data-chart="{chart}"] div', has_text="onerror").last
    expect(tooltip).to_be_visible()
    assert name in tooltip.inner_text()  # the whole name, as the user typed it
    assert page.locator(f'[data-chart="{chart}"] img').count() == 0  # no element made of the name
    page.wait_for_timeout(200)  # an onerror would have fired by now
    assert page.evaluate("window.__injected") is None
