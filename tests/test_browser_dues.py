"""党费 in headless Chromium: the branch secretary collects a month in the single form and reads the
statement it leaves. The clock is stopped on 2019-09-15 as in test_web_dues (the live server runs in this
process, so it reads the same stopped clock)."""
import re
from decimal import Decimal

import pytest
from django.db.models import Sum

from dangjian.dues.models import Payment

from .browser import browser, log_in, page  # noqa: F401  (fixtures)
from .cast import PASSWORD
from .test_web_dues import bases, frozen  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser


def test_it_lets_the_branch_secretary_collect_a_month_and_read_its_statement(live_server, frozen, bases, page):
    from playwright.sync_api import expect

    c = bases
    log_in(page, live_server, "shuji", PASSWORD)
    expect(page.locator("h1")).to_contain_text("工作台")
    page.click("nav.nav >> text=党费")
    expect(page.locator("h1")).to_contain_text("2019年9月")
    page.locator("table.dues-overview").get_by_role("link", name="甲市一支部").click()
    expect(page).to_have_url(re.compile(r"/orgs/A0101/dues/2019-09/$"))

    form = page.locator("#collection-form")
    zhang, li, wang = (form.get_by_label(f"{m.name}实缴金额") for m in (c.zhang, c.li, c.wang))
    expect(zhang).to_have_value("40.00")  # the amounts due, pre-filled
    expect(li).to_have_value("90.00")
    expect(wang).to_have_value("0.20")
    zhang.fill("")  # did not pay this time
    li.fill("80")   # paid less than due
    form.get_by_role("button", name="登记本月党费").click()

    expect(page.locator(".messages")).to_contain_text("已登记2019年9月党费2人")
    statement = page.locator("#statement")
    expect(statement.locator("#who-paid")).to_have_text("王志强")
    expect(statement.locator("#who-short")).to_have_text("李秀英（差10.00元）")
    expect(statement.locator("#who-unpaid")).to_have_text("张建国")
    expect(statement.locator("#total-due")).to_have_text("130.20元")
    expect(statement.locator("#total-paid")).to_have_text("80.20元")
    expect(statement.locator("#total-missing")).to_have_text("50.00元")
    paid = Payment.objects.filter(org=c.a0101, kind="regular").aggregate(s=Sum("amount"))["s"]
    assert paid == Decimal("80.20")
    assert {p.member.name: p.amount for p in Payment.objects.all()} == {"李秀英": Decimal("80.00"),
                                                                      "王志强": Decimal("0.20")}
    # 张 is left to collect: the only amount box, pre-filled again; the others show what was paid
    expect(page.locator("#collection-form input.amount")).to_have_count(1)
    expect(zhang).to_have_value("40.00")
    expect(page.locator(f"#dues-row-{c.li.pk} .paid-amount")).to_have_text("80.00")
