"""The national tier criteria as rules: boundary cases from the official text, score, verdict, "near", missing data.

Pure: no database.  The case table is tests/tiers/eligibility_cases.yaml.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from tiers.rules.eligibility import Facts, YearFigures, evaluate, rule_set_by_key, rule_set_for
from tiers.rules.eligibility.miit_2022 import INNOVATIVE_SME, LITTLE_GIANT, RULE_SETS, SRDI_SME
from tiers.rules.eligibility.model import Role

DAY = dt.date(2026, 6, 30)  # 上年度 = 2025
CASES = yaml.safe_load((Path(__file__).parent / "eligibility_cases.yaml").read_text(encoding="utf-8"))
BY_TIER = {r.tier: r for r in RULE_SETS}


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


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_official_boundary_case(case):
    profile = dict(case.get("profile") or {})
    if "size_class" in case:
        profile["size_class"] = case["size_class"]
    result = evaluate(BY_TIER[case["tier"]], facts(case.get("years"), **profile))
    got = found(result, case["indicator"])
    expect = case["expect"]
    if "met" in expect:
        assert got.met is expect["met"], (case["cite"], got)
    if "points" in expect:
        want = None if expect["points"] is None else Decimal(expect["points"])
        assert got.points == want, (case["cite"], got)
    if "missing" in expect:
        assert list(got.missing_facts) == expect["missing"], got
    elif got.met is not None or got.points is not None:
        assert got.missing_facts == ()


def test_every_rule_set_scores_out_of_100_and_cites_every_indicator():
    for rule_set in (INNOVATIVE_SME, SRDI_SME):
        assert sum(i.max_points for i in rule_set.of_role(Role.SCORED)) == 100, rule_set.tier
    for rule_set in RULE_SETS:
        assert all("〔" in i.citation or "《" in i.citation for i in rule_set.indicators), rule_set.tier
        assert rule_set.effective_from == dt.date(2022, 8, 1)
        assert len({i.code for i in rule_set.indicators}) == len(rule_set.indicators)


def test_every_indicator_of_the_case_table_exists():
    for case in CASES:
        assert BY_TIER[case["tier"]].indicator(case["indicator"]) is not None, case["id"]


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
    assert found(result, "direct_award").met is None and found(result, "direct_award").missing_facts == ("award_level",)


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


def test_rule_set_for_a_day():
    assert rule_set_for("srdi_sme", dt.date(2022, 7, 31)) is None
    assert rule_set_for("srdi_sme", dt.date(2022, 8, 1)) == (SRDI_SME, False)
    assert rule_set_for("srdi_sme", dt.date(2026, 3, 31)) == (SRDI_SME, False)
    # The revised 办法 applies from 2026-04-01; its annexes are not encoded, so the 2022 set is provisional.
    assert rule_set_for("srdi_sme", dt.date(2026, 4, 1)) == (SRDI_SME, True)
    assert rule_set_for("tech_sme", dt.date(2026, 6, 1)) is None
    assert rule_set_by_key("MIIT-2022-63/srdi_sme") is SRDI_SME
    assert evaluate(SRDI_SME, facts(), provisional=True).provisional
