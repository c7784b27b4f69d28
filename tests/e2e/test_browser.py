"""The main journeys in a real browser: staff work in their district, officials read the dashboard."""

import datetime as dt

from django.utils import timezone
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import Select, WebDriverWait

from reporting.models import Metric, Target
from reporting.services.snapshots import ensure_deadline_snapshots, snapshot_day
from reporting.services.targets import target_split
from tiers.services import lifecycle


def wait(browser, seconds=30):
    return WebDriverWait(browser, seconds)


def seed(users, ref, make_enterprise):
    mine = make_enterprise("500112", name="渝北测试精密有限公司")
    lifecycle.certification_import(
        actor=users.superuser,
        enterprise=mine,
        tier=ref.tiers["srdi_sme"],
        valid_from=timezone.localdate() - dt.timedelta(days=1060),
    )
    other = make_enterprise("500105", name="江北测试软件有限公司")
    for district, n in (("500112", 2), ("500105", 1)):
        for _ in range(n):
            lifecycle.certification_import(
                actor=users.superuser, enterprise=make_enterprise(district), tier=ref.tiers["srdi_sme"],
                valid_from=timezone.localdate() - dt.timedelta(days=40),
            )  # fmt: skip
    # A running target (test figures: no real plan after 2022–2025 is known); the 2025 targets are final results.
    target = Target.objects.create(
        metric=Metric.objects.get(code="srdi_smes"), jurisdiction=ref.jurisdictions["500000"], value=2500,
        start=timezone.localdate() - dt.timedelta(days=90), deadline=timezone.localdate() + dt.timedelta(days=400),
    )  # fmt: skip
    target_split(actor=users.progadmin, target_id=target.pk, shares={"500112": 1500, "500105": 1000})
    for days in (60, 30, 0):
        snapshot_day(timezone.localdate() - dt.timedelta(days=days))
    ensure_deadline_snapshots(timezone.localdate())
    return mine, other


def test_district_staff_finds_an_enterprise_and_reads_its_tier_history(
    live_server, browser, login, screenshot, users, ref, make_enterprise
):
    _mine, _other = seed(users, ref, make_enterprise)
    login("staff_a")
    wait(browser).until(ec.url_contains("/work/"))  # district staff land on their work queue
    screenshot("staff-work-queue-home")
    browser.find_element(By.LINK_TEXT, "我的企业").click()
    search = browser.find_element(By.NAME, "q")
    search.send_keys("精密")
    search.submit()
    # The unfiltered list shows the firm too: wait for the search's page, or the click may hit the old one.
    wait(browser).until(ec.url_contains("q=%E7%B2%BE%E5%AF%86"))
    wait(browser).until(ec.element_to_be_clickable((By.LINK_TEXT, "渝北测试精密有限公司"))).click()
    wait(browser).until(ec.presence_of_element_located((By.ID, "tier-history")))
    history = browser.find_element(By.ID, "tier-history").text
    assert "专精特新中小企业" in history
    assert "有认定将在 90 天内到期" in browser.find_element(By.ID, "expiring-alert").text
    screenshot("staff-enterprise-page")


def test_staff_cannot_open_another_districts_enterprise(
    live_server, browser, login, screenshot, users, ref, make_enterprise
):
    _mine, other = seed(users, ref, make_enterprise)
    login("staff_a")
    wait(browser).until(ec.url_contains("/work/"))
    browser.get(f"{live_server.url}/enterprises/{other.credit_code}/")
    page = browser.find_element(By.ID, "error-page")
    assert page.get_attribute("data-code") == "404"
    assert "未找到" in page.text and "江北测试软件" not in browser.page_source
    screenshot("staff-other-district-404")


def test_official_dashboard_draws_charts_and_sorts_the_ranking(
    live_server, browser, login, screenshot, users, ref, make_enterprise
):
    seed(users, ref, make_enterprise)
    login("official")
    wait(browser).until(ec.url_contains("/dashboard/"))
    wait(browser).until(lambda b: b.execute_script("return (window.zjtxCharts || []).length") == 2)
    canvases = browser.find_elements(By.CSS_SELECTOR, "#trend-chart canvas, #completion-chart canvas")
    assert len(canvases) == 2 and all(c.size["width"] > 100 for c in canvases)
    series = browser.execute_script(
        "return window.zjtxCharts.map(function (c) { return c.getOption().series.length; })"
    )
    assert all(n >= 1 for n in series)
    rows = browser.find_elements(By.CSS_SELECTOR, "#ranking-table tbody tr")
    assert [r.get_attribute("data-district") for r in rows] == ["500112", "500105"]  # rank: 2/1500 vs 1/1000
    assert all("off-track" in r.get_attribute("class") for r in rows)
    # The ended 2022–2025 plan follows the running targets as final results, none of them "off track".
    final = browser.find_element(By.ID, "final-cq-2022-2025-action-plan")
    assert "终期结果" in final.text and not final.find_elements(By.CSS_SELECTOR, "tr.off-track")
    browser.find_element(By.ID, "sort-percent").click()
    # htmx swaps the whole table: read the header by script so a swap in between cannot leave a stale element.
    sorted_by = "var e = document.getElementById('sort-percent'); return e ? e.textContent : '';"
    wait(browser).until(lambda b: "▼" in b.execute_script(sorted_by))
    screenshot("official-dashboard")
    browser.find_element(By.LINK_TEXT, "渝北区").click()
    wait(browser).until(lambda b: b.execute_script("return (window.zjtxCharts || []).length") == 2)
    screenshot("official-district-drilldown")


def test_district_staff_logs_a_visit_and_sees_it_in_the_history(
    live_server, browser, login, screenshot, users, ref, make_enterprise
):
    mine, _other = seed(users, ref, make_enterprise)
    login("staff_a")
    wait(browser).until(ec.url_contains("/work/"))
    browser.get(f"{live_server.url}/enterprises/{mine.credit_code}/")
    browser.find_element(By.ID, "log-visit").click()
    wait(browser).until(ec.presence_of_element_located((By.ID, "visit-form")))
    day = browser.find_element(By.NAME, "visited_on")
    day.send_keys(timezone.localdate().isoformat())  # typed: nothing is pre-filled
    Select(browser.find_element(By.NAME, "mode")).select_by_value("on_site")
    browser.find_element(By.NAME, "met_with").send_keys("张总经理")
    browser.find_element(By.NAME, "notes").send_keys("走访了解扩产用地需求")
    browser.find_element(By.NAME, "raise_demand").click()
    Select(browser.find_element(By.NAME, "demand-category")).select_by_value("land")
    browser.find_element(By.NAME, "demand-description").send_keys("扩产需要新增工业用地30亩")
    due = browser.find_element(By.NAME, "demand-due_on")
    browser.execute_script(
        "arguments[0].value = arguments[1]", due, (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    )
    screenshot("staff-visit-form")
    browser.find_element(By.CSS_SELECTOR, "#visit-form button[type=submit]").click()
    wait(browser).until(ec.presence_of_element_located((By.ID, "visits")))
    assert "走访记录已保存" in browser.find_element(By.CSS_SELECTOR, ".messages").text
    visits = browser.find_element(By.ID, "visits").text
    assert "走访了解扩产用地需求" in visits and "张总经理" in visits
    assert "扩产需要新增工业用地30亩" in browser.find_element(By.ID, "demands").text
    screenshot("staff-enterprise-after-visit")


def test_visit_form_shows_field_errors(live_server, browser, login, screenshot, users, ref, make_enterprise):
    mine, _other = seed(users, ref, make_enterprise)
    login("staff_a")
    wait(browser).until(ec.url_contains("/work/"))
    browser.get(f"{live_server.url}/enterprises/{mine.credit_code}/visits/new/")
    browser.find_element(By.NAME, "visited_on").send_keys(timezone.localdate().isoformat())
    follow = browser.find_element(By.NAME, "follow_up_on")
    browser.execute_script("arguments[0].value = '2020-01-01'", follow)
    browser.find_element(By.CSS_SELECTOR, "#visit-form button[type=submit]").click()
    error = wait(browser).until(ec.presence_of_element_located((By.CSS_SELECTOR, "#field-follow_up_on .field-error")))
    assert "回访日期不能早于走访日期" in error.text
    # The untouched mode is an error too: a visit is never saved with a guessed mode.
    assert browser.find_element(By.CSS_SELECTOR, "#field-mode .field-error").text
    screenshot("staff-visit-form-errors")
