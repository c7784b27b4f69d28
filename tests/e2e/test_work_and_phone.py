"""In a real browser: the work queue (an overdue demand appears, is moved, disappears), the notifications,
the staff's main path at phone width, the charts' targets and legends, and a screenshot of every page
as every role at 1440 and 390 px (test-artifacts/screenshots/pages/)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone, translation
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import Select, WebDriverWait

from accounts.models import User
from reference.services.demo import load_demo_data
from servicedesk import notifications, services
from servicedesk.models import Demand
from tests.e2e.conftest import ARTIFACTS
from tests.web.test_chinese_crawl import ROLES, page_urls

PHONE = (390, 844)
DESKTOP = (1440, 900)


def wait(browser, seconds=30):
    return WebDriverWait(browser, seconds)


def overdue_demand(users, make_enterprise, name="渝北逾期测试有限公司"):
    firm = make_enterprise("500112", name=name)
    unit = Demand._meta.get_field("unit").related_model.objects.filter(jurisdiction__code="500000").first()
    demand = services.demand_create(
        actor=users.staff_a,
        enterprise=firm,
        category="energy",
        description="用电增容",
        due_on=timezone.localdate() + dt.timedelta(days=10),
        unit=unit,
    )
    Demand.objects.filter(pk=demand.pk).update(
        raised_on=timezone.localdate() - dt.timedelta(days=30), due_on=timezone.localdate() - dt.timedelta(days=3)
    )
    return demand


def header_count(browser, element_id):
    return int(browser.find_element(By.ID, element_id).text.replace(",", ""))


def test_an_overdue_demand_appears_in_the_queue_is_moved_and_disappears(
    live_server, browser, login, screenshot, users, ref, make_enterprise
):
    demand = overdue_demand(users, make_enterprise)
    login("staff_a")
    wait(browser).until(ec.url_contains("/work/"))
    section = browser.find_element(By.ID, "work-overdue_demands")
    assert "渝北逾期测试有限公司" in section.text and "已逾期 3 天" in section.text
    before = header_count(browser, "work-count")
    screenshot("work-queue-with-overdue-demand")
    section.find_element(By.LINK_TEXT, "办理诉求").click()  # the next action, one click
    wait(browser).until(ec.url_contains(f"/enterprises/demands/{demand.pk}/"))
    Select(browser.find_element(By.NAME, "action")).select_by_value("start")
    browser.find_element(By.CSS_SELECTOR, "#demand-move button[type=submit]").click()
    wait(browser).until(ec.text_to_be_present_in_element((By.CSS_SELECTOR, ".messages"), "已保存"))
    Select(browser.find_element(By.NAME, "action")).select_by_value("resolve")
    browser.find_element(By.NAME, "note").send_keys("已协调供电公司增容")
    browser.find_element(By.CSS_SELECTOR, "#demand-move button[type=submit]").click()
    wait(browser).until(ec.text_to_be_present_in_element((By.ID, "demand-status"), "已办结"))
    assert "开始办理" in browser.find_element(By.ID, "demand-history").text  # the history in words
    browser.find_element(By.ID, "work-link").click()
    wait(browser).until(ec.url_contains("/work/"))
    assert "渝北逾期测试有限公司" not in browser.find_element(By.ID, "work-overdue_demands").text
    assert header_count(browser, "work-count") == before - 1
    screenshot("work-queue-after-moving-the-demand")


def test_notification_list_opens_the_item_and_marks_it_read(
    live_server, browser, login, screenshot, users, ref, make_enterprise
):
    demand = overdue_demand(users, make_enterprise)
    with translation.override("zh-hans"):
        notifications.collect(timezone.localdate())
    login("staff_a")
    wait(browser).until(ec.url_contains("/work/"))
    unread = header_count(browser, "unread-count")
    assert unread >= 1
    browser.find_element(By.ID, "notification-link").click()
    wait(browser).until(ec.presence_of_element_located((By.ID, "notification-list")))
    row = browser.find_element(By.CSS_SELECTOR, f'#notification-list tr[data-key^="demand:{demand.pk}:overdue"]')
    assert "渝北逾期测试有限公司" in row.text and "unread" in row.get_attribute("class")
    screenshot("notifications")
    row.find_element(By.CSS_SELECTOR, "button").click()
    wait(browser).until(ec.url_contains(f"/enterprises/demands/{demand.pk}/"))
    assert header_count(browser, "unread-count") == unread - 1


def test_staff_main_path_at_phone_width(live_server, browser, login, screenshot, users, ref, make_enterprise):
    overdue_demand(users, make_enterprise)
    firm = make_enterprise("500112", name="重庆渝北手机宽度测试精密机械制造有限公司")
    browser.set_window_size(*PHONE)
    login("staff_a")
    wait(browser).until(ec.url_contains("/work/"))
    header = browser.find_element(By.ID, "site-header")
    assert header.size["height"] <= 60  # one line: brand, work and notification counts, the menu button
    assert not browser.find_element(By.ID, "site-menu").is_displayed()
    assert no_sideways_scroll(browser)
    screenshot("phone-work-queue")
    browser.find_element(By.CSS_SELECTOR, ".menu-toggle").click()
    wait(browser).until(lambda b: b.find_element(By.ID, "site-menu").is_displayed())
    browser.find_element(By.LINK_TEXT, "我的企业").click()
    wait(browser).until(ec.presence_of_element_located((By.ID, "enterprise-list")))
    # Rows are cards: the name on a line of its own (not one character a line), nothing cut at the right.
    rows = browser.find_elements(By.CSS_SELECTOR, "#enterprise-list tbody tr")
    name_cell = rows[0].find_element(By.CSS_SELECTOR, "td")
    assert name_cell.value_of_css_property("display") in ("block", "flex")
    assert name_cell.size["width"] >= 300 and rows[0].size["height"] < 280
    assert no_sideways_scroll(browser)
    screenshot("phone-enterprise-list")
    browser.get(f"{live_server.url}/enterprises/{firm.credit_code}/visits/new/")
    browser.find_element(By.NAME, "visited_on").send_keys(timezone.localdate().isoformat())
    Select(browser.find_element(By.NAME, "mode")).select_by_value("phone")
    browser.find_element(By.CSS_SELECTOR, "#visit-form button[type=submit]").click()
    wait(browser).until(ec.presence_of_element_located((By.CSS_SELECTOR, ".messages")))
    assert "走访记录已保存" in browser.find_element(By.CSS_SELECTOR, ".messages").text
    assert no_sideways_scroll(browser)
    screenshot("phone-enterprise-after-visit")
    browser.get(f"{live_server.url}/districts/500112/")
    targets = browser.find_elements(By.CSS_SELECTOR, ".progress-table tbody tr")
    assert targets and all(r.size["height"] < 400 for r in targets) and no_sideways_scroll(browser)
    screenshot("phone-district")


def no_sideways_scroll(browser) -> bool:
    return bool(browser.execute_script("return document.documentElement.scrollWidth <= window.innerWidth + 1"))


def test_charts_carry_targets_and_legends_fit_on_a_phone(
    live_server, browser, login, screenshot, users, ref, make_enterprise
):
    from tests.e2e.test_browser import seed

    seed(users, ref, make_enterprise)
    browser.set_window_size(*PHONE)
    login("official")
    wait(browser).until(ec.url_contains("/dashboard/"))
    wait(browser).until(lambda b: b.execute_script("return (window.zjtxCharts || []).length") == 2)
    options = browser.execute_script(
        "return window.zjtxCharts.map(function (c) { var o = c.getOption();"
        " return {legend: o.legend.map(function (l) { return l.type; }), series: o.series.map(function (s) {"
        " return {type: s.type, marks: s.markLine ? s.markLine.data.length : 0,"
        " markLabel: s.markLine && s.markLine.label ? s.markLine.label.show : null,"
        " colours: s.type === 'bar' ? s.data.map(function (d) { return d.itemStyle.color; }) : []}; })}; })"
    )
    bars = next(o for o in options if o["series"][0]["type"] == "bar")["series"][0]
    lines = next(o for o in options if o["series"][0]["type"] == "line")
    assert "scroll" not in lines["legend"]  # every metric's name shows: no legend pages (1/2, 1/4)
    assert any(s["marks"] >= 1 for s in lines["series"])  # the target line (and the deadline when in view)
    assert bars["markLabel"] is False  # the 100 % line prints no second "100"
    assert set(bars["colours"]) <= {"#12b76a", "#1570ef", "#b42318", "#98a2b3"} and "#b42318" in bars["colours"]
    assert no_sideways_scroll(browser)
    screenshot("phone-dashboard-charts")


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["1440", "390"])
def test_screenshot_of_every_page_as_every_role(live_server, browser, ref, size):
    """Saved for people to look at (test-artifacts/screenshots/pages/<role>/<width>-<page>.png); it also
    fails on a server error or a page wider than the screen."""
    with translation.override("zh-hans"):
        load_demo_data(per_district=3)
        notifications.collect(timezone.localdate())
    pages = page_urls(User.objects.get(username="staff_yubei"))
    browser.set_window_size(*size)
    problems = []
    for username in ROLES:
        folder = ARTIFACTS / "pages" / username
        folder.mkdir(parents=True, exist_ok=True)
        browser.delete_all_cookies()
        browser.get(f"{live_server.url}/login/")
        browser.find_element(By.NAME, "username").send_keys(username)
        browser.find_element(By.NAME, "password").send_keys("zjtx-demo-2025")
        browser.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
        wait(browser).until(lambda b: "/login/" not in b.current_url)
        for url in pages:
            browser.get(live_server.url + url)
            if "data-chart" in browser.page_source:
                wait(browser, 10).until(lambda b: b.execute_script("return document.readyState") == "complete")
            code = browser.execute_script(
                "var e = document.getElementById('error-page'); return e ? e.dataset.code : '';"
            )
            if code == "500":
                problems.append(f"{username} {url}: server error")
            if not code and not no_sideways_scroll(browser):
                problems.append(f"{username} {url}: wider than {size[0]} px")
            name = re.sub(r"[^a-z0-9]+", "-", url.lower()).strip("-") or "home"
            height = browser.execute_script("return document.documentElement.scrollHeight")
            browser.set_window_size(size[0], min(max(height, size[1]), 8000))
            browser.save_screenshot(str(folder / f"{size[0]}-{name}.png"))
            browser.set_window_size(*size)
    assert problems == []
