"""Enterprises with the facts the tier criteria need, for the eligibility tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone

from enterprises.models import EligibilityProfile, EnterpriseYearFact
from tiers.services import lifecycle

# An SRDI candidate scoring 69 on annex 2 of 工信部企业〔2022〕63号 and meeting every condition.
SRDI_PROFILE = {
    "niche_market_since": dt.date(2015, 1, 1),
    "product_domain": "six_basics",
    "digital_level": 2,
    "quality_items": 1,
    "local_feature_points": Decimal(6),
    "ip_grade": "class_i",
    "rd_institution": "municipal",
    "award_level": "none",
    "maker_china": "none",
}


# The last day new applications were judged by 63号; after it, by 工信部企业〔2026〕2号.
DAY_63 = dt.date(2026, 3, 31)


def srdi_years(reference: int, score: Decimal | None = Decimal(65)) -> dict[int, dict[str, object]]:
    """Figures an SRDI candidate meets both documents with; `score` is its development score of the next year."""
    years: dict[int, dict[str, object]] = {
        reference: {
            "revenue": Decimal(50_000_000), "main_business_revenue": Decimal(45_000_000),
            "rd_expense": Decimal(2_500_000), "net_profit": Decimal(5_000_000), "total_assets": Decimal(80_000_000),
            "total_liabilities": Decimal(30_000_000), "employees": 100, "rd_staff": 25, "equity_financing": Decimal(0),
            "class_i_ip": 1,
        },
        reference - 1: {
            "revenue": Decimal(45_000_000), "main_business_revenue": Decimal(40_000_000),
            "rd_expense": Decimal(2_000_000), "equity_financing": Decimal(0),
        },
        reference - 2: {"revenue": Decimal(40_000_000), "main_business_revenue": Decimal(36_000_000)},
    }  # fmt: skip
    if score is not None:
        years[reference + 1] = {"development_score": score}
    return years


def make_firms(users, ref, make_enterprise, day: dt.date) -> SimpleNamespace:
    """Yubei (500112): SRDI candidates eligible, near by a condition, near by the score (63号: 57 points; 2号: a
    development score of 45), missing data, far off; a firm without a tier; a little giant. Jiangbei (500105): one
    eligible SRDI candidate. Facts are relative to `day`, the assessment day."""
    reference = day.year - 1

    def firm(district, name, *, tier="innovative_sme", profile=None, years=None):
        ent = make_enterprise(district, name=name)
        if tier:
            lifecycle.certification_import(
                actor=users.superuser, enterprise=ent, tier=ref.tiers[tier], valid_from=day - dt.timedelta(days=100)
            )
        for year, values in (years if years is not None else srdi_years(reference)).items():
            EnterpriseYearFact.objects.create(enterprise=ent, year=year, **values)
        if profile is not None:
            EligibilityProfile.objects.create(enterprise=ent, **profile)
        return ent

    return SimpleNamespace(
        day=day,
        eligible=firm("500112", "渝北合格企业", profile=SRDI_PROFILE),
        near_condition=firm(
            "500112",
            "渝北差细分市场年限企业",
            profile={**SRDI_PROFILE, "niche_market_since": dt.date(reference, 6, 1)},
        ),
        near_score=firm(
            "500112",
            "渝北差分企业",
            profile={**SRDI_PROFILE, "local_feature_points": Decimal(0), "quality_items": 0, "digital_level": 1},
            years=srdi_years(reference, score=Decimal(45)),
        ),
        missing=firm("500112", "渝北缺数据企业", years=srdi_years(reference, score=None)),
        far=firm(
            "500112",
            "渝北差距大企业",
            profile=SRDI_PROFILE,
            years={
                reference: {
                    "revenue": Decimal(5_000_000),
                    "rd_expense": Decimal(10_000),
                    "equity_financing": Decimal(0),
                },
                reference - 1: {"equity_financing": Decimal(0)},
            },
        ),
        untiered=firm("500112", "渝北无梯度企业", tier=None, profile={"ip_grade": "class_i"}),
        top=firm("500112", "渝北小巨人企业", tier="little_giant", profile=SRDI_PROFILE),
        jiangbei=firm("500105", "江北合格企业", profile=SRDI_PROFILE),
    )


@pytest.fixture
def eligibility_firms(users, ref, make_enterprise):
    """The firms, with facts for an assessment today (by the document in force today)."""
    return make_firms(users, ref, make_enterprise, timezone.localdate())


@pytest.fixture
def firms_63(users, ref, make_enterprise):
    """The same firms, with facts for an assessment on 2026-03-31 (by 工信部企业〔2022〕63号)."""
    return make_firms(users, ref, make_enterprise, DAY_63)
