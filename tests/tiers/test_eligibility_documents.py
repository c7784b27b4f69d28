"""Which criteria document judges an enterprise, on the database: new applications before and after 2026-04-01,
re-reviews by the certificate's origin, the verdicts of one enterprise over the API, a category minimum explained."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from enterprises.models import EligibilityProfile, EnterpriseYearFact
from tiers.services import eligibility, lifecycle

BEFORE, AFTER = dt.date(2026, 3, 31), dt.date(2026, 6, 30)  # the same reference year (2025) either side of 2号


@pytest.fixture
def one_firm(users, ref, make_enterprise):
    """Holds 创新型中小企业 since 2026-03-01 (under 63号, valid to 2029). 12M revenue (over 63号's 10M, under 2号's
    15M); this year's development score 45, last year's 52."""
    firm = make_enterprise("500112", name="渝北一家企业")
    lifecycle.certification_import(
        actor=users.superuser, enterprise=firm, tier=ref.tiers["innovative_sme"], valid_from=dt.date(2026, 3, 1)
    )
    years = {
        2026: {"development_score": Decimal(45)},
        2025: {
            "revenue": Decimal(12_000_000), "main_business_revenue": Decimal(10_800_000),
            "rd_expense": Decimal(1_200_000), "net_profit": Decimal(1_200_000), "total_assets": Decimal(20_000_000),
            "total_liabilities": Decimal(9_000_000), "employees": 60, "rd_staff": 12, "equity_financing": Decimal(0),
            "class_i_ip": 2, "development_score": Decimal(52),
        },
        2024: {"revenue": Decimal(11_000_000), "main_business_revenue": Decimal(9_900_000),
               "rd_expense": Decimal(1_100_000), "equity_financing": Decimal(0)},
        2023: {"revenue": Decimal(10_000_000), "main_business_revenue": Decimal(9_000_000)},
    }  # fmt: skip
    for year, values in years.items():
        EnterpriseYearFact.objects.create(enterprise=firm, year=year, **values)
    EligibilityProfile.objects.create(
        enterprise=firm, niche_market_since=dt.date(2018, 5, 1), product_domain="key_chain", digital_level=3,
        quality_items=2, local_feature_points=Decimal(10), ip_grade="own_class_i", rd_institution="municipal",
        award_level="none", maker_china="none", high_tech=True,
    )  # fmt: skip
    return firm


def test_one_enterprise_new_application_before_and_after_2026_04_01(one_firm):
    tier, before = eligibility.assess_enterprise(one_firm, BEFORE)
    assert tier.code == "srdi_sme" and before.rule_set == "MIIT-2022-63" and before.passed
    tier, after = eligibility.assess_enterprise(one_firm, AFTER)
    assert tier.code == "srdi_sme" and after.rule_set == "MIIT-2026-2" and not after.passed
    assert set(after.lacking) == {"revenue", "development_score"}


def test_one_enterprise_re_review_follows_its_certificates_origin(one_firm):
    found = {(v.tier.code, v.purpose): v for v in eligibility.verdicts(one_firm, AFTER)}
    assert set(found) == {("srdi_sme", "next_tier"), ("innovative_sme", "re_review"), ("innovative_sme", "in_force")}
    review = found[("innovative_sme", "re_review")]
    assert review.choice.reason == "certificate_origin" and review.result.rule_set == "MIIT-2022-63"
    assert review.result.kind == "re_review" and review.result.passed  # high-tech: a direct route of 附件1
    in_force = found[("innovative_sme", "in_force")]
    assert in_force.result.rule_set == "MIIT-2026-2" and in_force.result.kind == "new_application"
    # before 2026-04-01 both documents are one: no second verdict for the held tier
    assert [v.purpose for v in eligibility.verdicts(one_firm, BEFORE)] == ["next_tier", "re_review"]


def test_the_verdicts_of_one_enterprise_over_the_api(api, users, one_firm):
    url = reverse("eligibilityassessment-verdicts")
    body = api(users.staff_a).get(url, {"enterprise": one_firm.credit_code}).json()
    today = timezone.localdate()
    purposes = [(r["tier"], r["purpose"], r["kind"], r["document"]["number"]) for r in body]
    assert purposes[0] == ("srdi_sme", "next_tier", "new_application", "工信部企业〔2026〕2号")
    review = next(r for r in body if r["purpose"] == "re_review")
    assert review["document"]["number"] == "工信部企业〔2022〕63号" and review["reason"] == "certificate_origin"
    assert review["certification"]["valid_from"] == "2026-03-01"
    assert review["assessed_on"] == today.isoformat()
    assert {r["purpose"] for r in body} == {"next_tier", "re_review", "in_force"}
    assert api(users.staff_b).get(url, {"enterprise": one_firm.credit_code}).status_code == 404
    missing = api(users.staff_a).get(url)
    assert missing.status_code == 400 and "enterprise" in missing.json()["errors"]


def test_a_score_that_fails_on_a_category_minimum_says_which_and_by_how_much(api, users, ref, make_enterprise):
    """80 points on 63号 附件1 (the standard for 创新型中小企业 under both documents), growth 10 of 15."""
    firm = make_enterprise("500112", name="渝北成长不足企业")
    day = timezone.localdate()
    reference = day.year - 1
    EnterpriseYearFact.objects.create(
        enterprise=firm, year=reference, revenue=Decimal(100), main_business_revenue=Decimal(80),
        rd_expense=Decimal(6), total_assets=Decimal(100), total_liabilities=Decimal(80),
    )  # fmt: skip
    EnterpriseYearFact.objects.create(enterprise=firm, year=reference - 1, main_business_revenue=Decimal("76.19"))
    EligibilityProfile.objects.create(
        enterprise=firm, ip_grade="high_value_class_i", strategic_emerging=True, high_tech=False,
        innovation_honour=False, rd_institution="none", award_level="none",
    )  # fmt: skip
    eligibility.assess_all(day)
    rows = api(users.staff_a).get(reverse("candidates"), {"tier": "innovative_sme"}).json()["results"]
    row = next(r for r in rows if r["enterprise"]["name"] == "渝北成长不足企业")
    (gap,) = row["lacking"]
    assert gap["code"] == "score" and gap["value"] == "80.00" and gap["shortfall"] == "0"
    assert gap["categories"] == [{"code": "growth", "name": "Growth", "points": "10", "minimum": "15", "short_by": "5"}]


def test_the_enterprise_page_shows_the_verdict_under_both_documents_while_a_63_re_review_is_possible(
    client, users, one_firm
):
    client.force_login(users.staff_a)
    page = client.get(reverse("enterprises:detail", args=[one_firm.credit_code])).content.decode()
    section = page.split('id="eligibility"')[1].split("</section>")[0]
    assert 'id="both-documents"' in section
    assert 'data-purpose="re_review" data-document="MIIT-2022-63"' in section
    assert 'data-purpose="in_force" data-document="MIIT-2026-2"' in section
    assert 'data-purpose="next_tier" data-document="MIIT-2026-2"' in section
    assert "工信部企业〔2022〕63号" in section and "工信部企业〔2026〕2号" in section
    # the next tier under 2号: this year's development score and the revenue are short
    next_tier = section.split('data-purpose="next_tier"')[1].split('<div class="verdict"')[0]
    assert "本年度专精特新发展评价得分" in next_tier and "附件1 (六)" in next_tier
