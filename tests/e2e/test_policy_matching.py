"""Policy matching in a real browser: the official reads the uptake against the budget, staff claim a benefit."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import Select, WebDriverWait

from programs.models import BenefitApplication, Measure
from programs.services.benefits import benefit_application_submit, benefit_application_transition
from programs.services.matching import benefit_matching_run
from tiers.services import lifecycle

ON_BOARD = {"listing_status": "regional_equity", "listed_on": dt.date(2024, 6, 1)}


def wait(browser, seconds=30):
    return WebDriverWait(browser, seconds)


@pytest.fixture
def board_firms(users, ref, make_enterprise):
    """Three Haidian firms on the SRDI board under 六.1 (≤ 300,000 once, budget 500,000): one granted, two not."""
    board = Measure.objects.get(policy__code="bj-2023-ten-actions", clause="六.1")
    board.budget = Decimal("500000")
    board.save()
    firms = []
    for name in ("海淀专板甲有限公司", "海淀专板乙有限公司", "海淀专板丙有限公司"):
        firm = make_enterprise("110108", name=name, **ON_BOARD)
        lifecycle.certification_import(
            actor=users.superuser, enterprise=firm, tier=ref.tiers["srdi_sme"],
            valid_from=timezone.localdate() - dt.timedelta(days=40),
        )  # fmt: skip
        firms.append(firm)
    granted = benefit_application_submit(actor=users.staff_bj, enterprise=firms[0], measure=board, inputs={})
    benefit_application_transition(actor=users.official_bj, application_id=granted.pk, action="approve")
    benefit_matching_run(timezone.localdate())
    return board, firms


def test_official_reads_the_uptake_against_the_budget(live_server, browser, login, screenshot, users, board_firms):
    login("official_bj")
    wait(browser).until(ec.presence_of_element_located((By.LINK_TEXT, "兑现与预算"))).click()
    row = wait(browser).until(
        ec.presence_of_element_located((By.CSS_SELECTOR, '#uptake-measures tr[data-clause="六.1"]'))
    )
    cells = [c.text for c in row.find_elements(By.TAG_NAME, "td")]
    # Two firms qualify and have not claimed; 300,000 committed + 2 × 300,000 would pass the 500,000 budget.
    assert cells[1:7] == ["2", "2", "1", "1", "0", "500000.00"]
    assert "900000.00" in row.find_element(By.CSS_SELECTOR, "td.projected").text
    assert "off-track" in row.get_attribute("class")
    districts = browser.find_element(By.ID, "uptake-districts").text
    assert "海淀区" in districts
    export = browser.find_element(By.ID, "uptake-export")
    assert export.get_attribute("href").endswith("/programs/uptake/export/")
    screenshot("official-uptake-and-budgets")


def test_staff_claim_a_benefit_in_one_click(live_server, browser, login, screenshot, users, board_firms):
    board, firms = board_firms
    login("staff_bj")
    wait(browser).until(ec.presence_of_element_located((By.LINK_TEXT, "待申领政策"))).click()
    filters = wait(browser).until(ec.presence_of_element_located((By.ID, "match-filters")))
    Select(filters.find_element(By.NAME, "measure")).select_by_value(str(board.pk))
    filters.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait(browser).until(ec.url_contains(f"measure={board.pk}"))
    table = browser.find_element(By.ID, "unclaimed-matches")
    # 甲 was granted the one-time award: it no longer qualifies under 六.1.
    assert "海淀专板乙有限公司" in table.text and "海淀专板甲有限公司" not in table.text
    screenshot("staff-benefits-to-claim")
    row = next(
        r for r in table.find_elements(By.CSS_SELECTOR, "tbody tr")
        if "海淀专板乙有限公司" in r.text and board.clause in r.text
    )  # fmt: skip
    row.find_element(By.CSS_SELECTOR, "a.apply").click()
    form = wait(browser).until(ec.presence_of_element_located((By.ID, "benefit-form")))
    assert form.find_element(By.NAME, "basis_date").get_attribute("value") == timezone.localdate().isoformat()
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait(browser).until(ec.url_contains(f"/enterprises/{firms[1].credit_code}/"))
    assert "政策兑现申请已提交" in browser.find_element(By.CSS_SELECTOR, ".messages").text
    assert "可享政策" in browser.find_element(By.ID, "matches").text
    screenshot("staff-benefit-submitted")
    application = BenefitApplication.objects.get(enterprise=firms[1], measure=board)
    assert application.amount == Decimal("300000.00") and application.status == "submitted"
