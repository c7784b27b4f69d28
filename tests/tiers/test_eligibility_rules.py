"""The criteria documents as rules: score, verdict, "near", missing data, which document applies, new documents.

Pure: no database.  The boundary cases of every indicator are in test_criteria_cases.py.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from tiers.rules.eligibility import AssessmentKind, Criteria, CriteriaError, Facts, YearFigures, evaluate
from tiers.rules.eligibility.model import Role

ROOT = Path(__file__).resolve().parents[2]
CRITERIA = Criteria.from_directory(ROOT / "fixtures" / "criteria")
DAY = dt.date(2026, 3, 31)  # 上年度 = 2025; new applications still under 63号
AFTER = dt.date(2026, 6, 30)  # the same reference year, under 2号
INNOVATIVE_SME = CRITERIA.rule_set("MIIT-2022-63/innovative_sme")
SRDI_SME = CRITERIA.rule_set("MIIT-2022-63/srdi_sme")
LITTLE_GIANT = CRITERIA.rule_set("MIIT-2022-63/little_giant")
SRDI_2026 = CRITERIA.rule_set("MIIT-2026-2/srdi_sme")
NEW, RE_REVIEW = AssessmentKind.NEW_APPLICATION, AssessmentKind.RE_REVIEW


def facts(years=None, day=DAY, **profile) -> Facts:
    figures = {}
    for back, values in (years or {}).items():
        figures[day.year - 1 - int(back)] = YearFigures(
            **{k: Decimal(v) if isinstance(v, str) else v for k, v in values.items()}
        )
    for key in ("niche_market_since",):
        if isinstance(profile.get(key), str):
            profile[key] = dt.date.fromisoformat(profile[key])
    for key in ("national_market_share", "local_feature_points"):
        if isinstance(profile.get(key), str):
            profile[key] = Decimal(profile[key])
    profile.setdefault("size_class", "small")
    return Facts(assessed_on=day, years=figures, **profile)


def found(result, code):
    return next(i for i in result.indicators if i.code == code)


def test_every_scored_rule_set_scores_out_of_100_and_cites_every_indicator():
    for rule_set in (INNOVATIVE_SME, SRDI_SME):
        assert sum(i.max_points for i in rule_set.of_role(Role.SCORED)) == 100, rule_set.tier
    for rule_set in CRITERIA.rule_sets:
        assert all("〔" in i.citation for i in rule_set.indicators), rule_set.key
        assert len({i.code for i in rule_set.indicators}) == len(rule_set.indicators)


# --- verdicts ----------------------------------------------------------------------------------

SRDI_COMPLETE = {
    "years": {
        0: {
            "revenue": "50000000",
            "main_business_revenue": "45000000",
            "rd_expense": "2500000",
            "net_profit": "5000000",
            "total_assets": "80000000",
            "total_liabilities": "30000000",
            "employees": 100,
            "rd_staff": 25,
            "equity_financing": "0",
        },
        1: {
            "revenue": "45000000",
            "main_business_revenue": "40000000",
            "rd_expense": "2000000",
            "equity_financing": "0",
        },
        2: {"main_business_revenue": "36000000"},
    },
    "niche_market_since": "2016-01-01",
    "product_domain": "six_basics",
    "digital_level": 2,
    "quality_items": 1,
    "local_feature_points": "6",
    "ip_grade": "class_i",
    "rd_institution": "municipal",
    "award_level": "none",
    "maker_china": "none",
}


def srdi(**overrides):
    values = {**SRDI_COMPLETE, **overrides}
    return evaluate(SRDI_SME, facts(**values))


def test_srdi_score_adds_up_the_annex_2_table():
    result = srdi()
    # 专业化 5+10+5+3, 精细化 3+3+10+5, 特色化 6, 创新能力 6+4+5+4
    assert result.score == result.score_max == Decimal(69)
    assert result.passed and not result.near and not result.missing_data
    assert result.lacking == () and result.unknown == ()


def test_srdi_one_hard_condition_short_is_near_and_says_which():
    result = srdi(niche_market_since="2025-01-01")  # 1 year in the niche
    assert not result.passed and result.near and not result.missing_data
    assert result.lacking == ("niche_years",)


def test_srdi_score_within_one_indicator_is_near_and_names_the_indicators_that_would_close_it():
    result = srdi(local_feature_points="0", quality_items=0)  # 69 - 6 - 3 = 60 → still passes
    assert result.passed
    result = srdi(local_feature_points="0", quality_items=0, digital_level=1)  # 57
    assert result.score == Decimal(57)
    assert result.near and result.lacking == ("score",)
    # Full points on any indicator with at least 3 points of room reach 60.
    assert "local_feature" in result.score_closers and "digital_level" in result.score_closers
    assert "main_share" not in result.score_closers  # already at its full 5 points


def test_srdi_far_below_the_pass_mark_is_not_near():
    result = srdi(
        local_feature_points="0", quality_items=0, digital_level=1, ip_grade="none", rd_institution="none",
        product_domain="other",
    )  # fmt: skip
    assert result.score == Decimal(44)  # even 15 more points (the largest room) stay below 60
    assert not result.near and not result.passed and not result.missing_data
    assert result.lacking == ("score",)


def test_hard_gap_and_score_gap_together_are_two_indicators_away():
    result = srdi(niche_market_since="2025-01-01", local_feature_points="0", quality_items=0, digital_level=1)
    assert result.distance == (2, 2)
    assert not result.near and set(result.lacking) == {"niche_years", "score"}


def test_a_direct_qualification_waives_the_score():
    result = srdi(
        local_feature_points="0", quality_items=0, digital_level=1, ip_grade="none", rd_institution="none",
        product_domain="other", maker_china="top500", maker_china_year=2025,
    )  # fmt: skip
    assert result.passed and result.direct_qualification == "direct_maker"
    assert "score" not in result.lacking


def test_a_direct_qualification_does_not_waive_the_hard_conditions():
    result = srdi(niche_market_since="2025-01-01", maker_china="top50", maker_china_year=2025)
    assert not result.passed and result.near and result.lacking == ("niche_years",)


def test_missing_facts_never_pass_or_fail_silently():
    result = srdi(local_feature_points=None)  # 63 known; 69 possible → passes whatever the missing points are
    assert result.passed and not result.missing_data
    assert found(result, "local_feature").missing_facts == ("local_feature_points",)
    result = srdi(local_feature_points=None, quality_items=0, digital_level=1)  # 57 known, 72 possible
    assert not result.passed and not result.near and result.missing_data
    assert result.unknown == ("score",) and result.distance == (0, 1)
    result = srdi(niche_market_since=None)  # a hard condition without data
    assert result.missing_data and result.unknown == ("niche_years",)
    assert found(result, "niche_years").met is None


def test_unknown_direct_routes_are_listed_but_do_not_block_a_verdict():
    result = srdi(award_level=None, maker_china=None)
    assert result.passed and not result.missing_data
    award = found(result, "direct_award")
    assert award.met is None and award.missing_facts == ("award_level", "award_rank", "award_year")


def test_innovative_sme_needs_every_category_minimum():
    base = {
        "years": {0: {"revenue": "100", "main_business_revenue": "80", "rd_expense": "6",
                      "total_assets": "100", "total_liabilities": "80"},
                  1: {"main_business_revenue": "80"}},
        "ip_grade": "high_value_class_i", "strategic_emerging": True,
        "high_tech": False, "innovation_honour": False, "rd_institution": "none", "award_level": "none",
    }  # fmt: skip
    # innovation 40, growth 5 (0% growth) + 0 (debt 80%) = 5 < 15, specialisation 30: 75 points but fails
    result = evaluate(INNOVATIVE_SME, facts(**base))
    assert result.score == Decimal(75) and not result.passed
    # One indicator at full points (growth 20, or debt ratio 10) lifts the growth category to 15: near
    assert result.near and set(result.score_closers) == {"growth", "debt_ratio"}


def test_little_giant_innovation_route_is_waived_by_a_direct_route():
    complete = {
        "years": {
            0: {"revenue": "200000000", "main_business_revenue": "180000000", "rd_expense": "8000000",
                "total_assets": "300000000", "total_liabilities": "100000000", "class_i_ip": 1},
            1: {"revenue": "180000000", "main_business_revenue": "160000000", "rd_expense": "6000000"},
            2: {"main_business_revenue": "140000000"},
        },
        "niche_market_since": "2010-01-01", "info_system": True, "management_certification": True,
        "national_market_share": "12", "own_brand": True, "chain_key_link": True, "key_field": True,
        "rd_institution": "provincial", "award_level": "none", "maker_china": "none",
    }  # fmt: skip
    result = evaluate(LITTLE_GIANT, facts(**complete))
    assert not result.passed and result.near and result.lacking == ("class_i_ip",)
    assert result.score is None  # the little-giant criteria have no score
    result = evaluate(LITTLE_GIANT, facts(**{**complete, "maker_china": "top50", "maker_china_year": 2024}))
    assert result.passed and result.direct_qualification == "direct_maker"


def test_a_category_minimum_failure_says_which_category_and_by_how_much():
    base = {
        "years": {0: {"revenue": "100", "main_business_revenue": "80", "rd_expense": "6",
                      "total_assets": "100", "total_liabilities": "70"},
                  1: {"main_business_revenue": "76.19"}},
        "ip_grade": "high_value_class_i", "strategic_emerging": True,
        "high_tech": False, "innovation_honour": False, "rd_institution": "none", "award_level": "none",
    }  # fmt: skip
    # innovation 40; growth 5% → 10 + debt 70% → 5 = 15; specialisation 30: 85 points and every minimum met
    assert evaluate(INNOVATIVE_SME, facts(**base)).passed
    base["years"][0]["total_liabilities"] = "80"  # debt 80% → 0: growth 10 of 15
    result = evaluate(INNOVATIVE_SME, facts(**base))
    assert result.score == Decimal(80) and not result.passed and result.lacking == ("score",)
    (short,) = result.category_shortfalls
    assert (short.code, short.points, short.minimum, short.short_by) == ("growth", 10, 15, 5)


def test_an_adopted_annex_is_the_other_documents_indicators_under_this_documents_name():
    adopted = CRITERIA.rule_set("MIIT-2026-2/innovative_sme")
    assert adopted.indicators is INNOVATIVE_SME.indicators and adopted.pass_mark == 60
    assert adopted.adopted_from.key == "MIIT-2022-63" and adopted.document.key == "MIIT-2026-2"
    assert adopted.source.startswith("工信部企业〔2026〕2号 第三十条") and "63号 附件1" in adopted.source
    assert evaluate(adopted, facts()).rule_set == "MIIT-2026-2"


# --- which document applies ----------------------------------------------------------------------


def test_new_applications_are_judged_by_the_document_in_force_on_the_basis_date():
    assert CRITERIA.for_new_application("srdi_sme", dt.date(2022, 7, 31)) is None
    before = CRITERIA.for_new_application("srdi_sme", dt.date(2026, 3, 31))
    after = CRITERIA.for_new_application("srdi_sme", dt.date(2026, 4, 1))
    assert (before.rule_set.key, before.provisional) == ("MIIT-2022-63/srdi_sme", False)
    assert (after.rule_set.key, after.provisional, after.reason) == ("MIIT-2026-2/srdi_sme", False, "in_force")
    assert (
        CRITERIA.for_new_application("innovative_sme", dt.date(2026, 4, 1)).rule_set.key == "MIIT-2026-2/innovative_sme"
    )
    assert CRITERIA.for_new_application("tech_sme", dt.date(2026, 6, 1)) is None  # evaluated under MOST's own rules


def test_a_re_review_follows_the_certificates_origin():
    old = CRITERIA.for_re_review("little_giant", dt.date(2026, 6, 1), granted_on=dt.date(2023, 7, 1))
    assert (old.rule_set.key, old.kind, old.reason) == ("MIIT-2022-63/little_giant", RE_REVIEW, "certificate_origin")
    new = CRITERIA.choose("srdi_sme", RE_REVIEW, dt.date(2029, 5, 1), granted_on=dt.date(2026, 9, 1))
    assert (new.rule_set.key, new.provisional) == ("MIIT-2026-2/srdi_sme", False)
    assert CRITERIA.for_re_review("srdi_sme", dt.date(2026, 6, 1), granted_on=dt.date(2021, 1, 1)).provisional
    with pytest.raises(ValueError):
        CRITERIA.choose("srdi_sme", RE_REVIEW, dt.date(2026, 6, 1))


# An SRDI SME certified in 2023 under 63号 that now holds level 2, with a development score of 45 this year and 52 last.
ONE_FIRM = {
    "years": {
        -1: {"development_score": "45"},
        0: {"revenue": "12000000", "main_business_revenue": "10800000", "rd_expense": "1200000",
            "net_profit": "1200000", "total_assets": "20000000", "total_liabilities": "9000000",
            "employees": 60, "rd_staff": 12, "equity_financing": "0", "class_i_ip": 2, "development_score": "52"},
        1: {"revenue": "11000000", "main_business_revenue": "9900000", "rd_expense": "1100000",
            "equity_financing": "0"},
        2: {"revenue": "10000000", "main_business_revenue": "9000000"},
    },
    "held_level": 1, "niche_market_since": "2018-05-01", "product_domain": "key_chain", "digital_level": 3,
    "quality_items": 2, "local_feature_points": "10", "ip_grade": "own_class_i", "rd_institution": "municipal",
    "award_level": "none", "maker_china": "none",
}  # fmt: skip


def test_one_enterprise_three_verdicts_new_application_before_and_after_2026_04_01_and_re_review():
    before = CRITERIA.for_new_application("srdi_sme", DAY)
    result = evaluate(before.rule_set, facts(**ONE_FIRM, day=DAY), kind=NEW)
    assert result.passed and result.rule_set == "MIIT-2022-63"  # revenue ≥ 1000万, 63号's score ≥ 60

    after = CRITERIA.for_new_application("srdi_sme", AFTER)
    result = evaluate(after.rule_set, facts(**ONE_FIRM, day=AFTER), kind=NEW)
    # 2号: revenue under 1500万, and this year's development score 45 < 50
    assert not result.passed and result.rule_set == "MIIT-2026-2"
    assert set(result.lacking) == {"revenue", "development_score"}

    # Certified under 2号 in July 2026 with a larger revenue, re-reviewed three years on
    firm = {**ONE_FIRM, "held_level": 2}
    firm["years"] = {
        **firm["years"],
        0: {**firm["years"][0], "revenue": "16000000", "main_business_revenue": "14400000"},
    }
    day = dt.date(2029, 6, 30)
    review = CRITERIA.for_re_review("srdi_sme", day, granted_on=dt.date(2026, 7, 1))
    assert review.rule_set.key == "MIIT-2026-2/srdi_sme"
    result = evaluate(review.rule_set, facts(**firm, day=day), kind=review.kind)
    # a re-review under 2号 takes either of the last two years' score: 52 last year is enough
    assert result.passed and result.kind == RE_REVIEW
    assert "development_score_2y" in {i.code for i in result.indicators}
    assert "development_score" not in {i.code for i in result.indicators}
    # the same facts as a new application: this year's 45 fails
    result = evaluate(review.rule_set, facts(**firm, day=day), kind=NEW)
    assert not result.passed and result.lacking == ("development_score",)


# --- a new document is a data file and its cases ---------------------------------------------------

PROVINCE = """
key: CQ-2027-1
number: 渝经信发〔2027〕1号
title: 重庆市专精特新中小企业认定标准(示例)
title_en: An example of a province's own standard
effective_from: 2027-01-01
confirmed: false
source: written in the test
reading: 以上、以下包括本数 (民法典 第1259条)
tiers:
  - tier: srdi_sme
    annex: 附件
    name: 认定标准
    name_en: Standard
    pass_mark: 10
    categories: [{code: growth, name: 成长性, name_en: Growth, minimum: 5}]
    indicators:
      - code: revenue
        name: 上年度营业收入
        name_en: Revenue
        role: hard
        clause: 一
        threshold: 2000万元以上
        threshold_en: ≥ ¥20m
        reads: [revenue]
        test: {of: {figure: revenue}, at_least: 2000万}
        confirmed: false
      - code: growth
        name: 营业收入增长率
        name_en: Revenue growth
        role: scored
        category: growth
        clause: 二
        threshold: 20%以上10分, 10%-20%5分
        threshold_en: "≥20%: 10, 10–20%: 5"
        reads: [revenue]
        points:
          of: {growth: revenue}
          bands: [{from: 20, points: 10}, {from: 10, to: 20, points: 5}]
        confirmed: false
"""


def test_a_document_written_in_the_test_is_read_chosen_and_evaluated_without_code():
    documents = [
        yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted((ROOT / "fixtures/criteria").glob("*.yaml"))
    ]
    province = yaml.safe_load(PROVINCE)
    # 2号 has no end date: a successor must close it first
    with pytest.raises(CriteriaError, match="overlaps MIIT-2026-2/srdi_sme"):
        Criteria.from_documents([*documents, province])
    documents[-1]["new_applications_until"] = dt.date(2027, 1, 1)
    criteria = Criteria.from_documents([*documents, province])
    choice = criteria.for_new_application("srdi_sme", dt.date(2027, 3, 1))
    assert choice.rule_set.key == "CQ-2027-1/srdi_sme"
    assert choice.rule_set.indicator("growth").citation == "渝经信发〔2027〕1号 二"
    day = dt.date(2027, 3, 1)
    edge = facts({0: {"revenue": "24000000"}, 1: {"revenue": "20000000"}}, day=day)  # exactly 20% growth
    result = evaluate(choice.rule_set, edge)
    assert result.passed and result.score == 10 and result.rule_set == "CQ-2027-1"
    short = evaluate(choice.rule_set, facts({0: {"revenue": "21000000"}, 1: {"revenue": "20000000"}}, day=day))
    assert not short.passed and short.category_shortfalls[0].short_by == 5
    assert criteria.for_new_application("srdi_sme", dt.date(2026, 12, 31)).rule_set.key == "MIIT-2026-2/srdi_sme"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda t: t["indicators"][0]["test"]["of"].update(figure="turnover"),
            "revenue.test.of: unknown yearly figure 'turnover'",
        ),
        (lambda t: t["indicators"][0].update(reads=["revenue", "employees"]), "reads ['employees', 'revenue'] but"),
        (lambda t: t["indicators"][1]["points"]["bands"][0].update(points="ten"), "not a number: 'ten'"),
        (lambda t: t["indicators"][1].update(category="nope"), "unknown category 'nope'"),
        (lambda t: t["indicators"][0].update(role="must"), "role is one of"),
        (lambda t: t["indicators"][0].pop("confirmed"), "confirmed is true or false"),
        (lambda t: t["indicators"][0]["test"].update(at_most=3), "expected exactly one of"),
        (lambda t: t.update(pass_mark=None), "has a pass_mark, and only such a tier"),
        (
            lambda t: t["indicators"][1]["points"]["bands"].append({"from": 30, "to": 20, "points": 1}),
            "from is above to",
        ),
    ],
)
def test_a_mistake_in_a_document_is_refused_with_its_place(change, message):
    province = yaml.safe_load(PROVINCE)
    change(province["tiers"][0])
    with pytest.raises(CriteriaError, match=re.escape(message)):
        Criteria.from_documents([province])
