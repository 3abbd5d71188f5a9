"""Headless Chromium for the browser tests, driven by Playwright's sync API.

Debian's chromium is used (Playwright's own browser download does not work on the intranet machines).
Playwright's sync API runs an event loop in the test thread, so Django's async-safety check must be
switched off while it runs (DJANGO_ALLOW_ASYNC_UNSAFE), and only then: the fixture restores it."""
import os
import time

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", "--no-first-run",
                 "--disable-sync"]


@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip("未安装 chromium（Debian 包 chromium）：浏览器测试已跳过")
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    in_flight = set()
    page.on("request", lambda request: in_flight.add(request))
    page.on("requestfinished", lambda request: in_flight.discard(request))
    page.on("requestfailed", lambda request: in_flight.discard(request))
    yield page
    settle(page, in_flight)
    context.close()


def settle(page, in_flight, seconds=5):
    """Wait until the page has no request in flight. A request the live server is still answering when the
    test ends (an htmx part of the last page) would run while the test database is flushed: SQLite answers
    "database table is locked" and the next test starts on a database that was not emptied."""
    deadline = time.monotonic() + seconds
    while in_flight and time.monotonic() < deadline:
        page.wait_for_timeout(50)


def log_in(page, live_server, username, password):
    page.goto(live_server.url + "/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button:has-text('登录')")
