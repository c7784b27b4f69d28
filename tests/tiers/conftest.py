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


def srdi_years(reference: int) -> dict[int, dict[str, object]]:
    return {
        reference: {
            "revenue": Decimal(50_000_000), "main_business_revenue": Decimal(45_000_000),
            "rd_expense": Decimal(2_500_000), "net_profit": Decimal(5_000_000), "total_assets": Decimal(80_000_000),
            "total_liabilities": Decimal(30_000_000), "employees": 100, "rd_staff": 25, "equity_financing": Decimal(0),
        },
        reference - 1: {
            "revenue": Decimal(45_000_000), "main_business_revenue": Decimal(40_000_000),
            "rd_expense": Decimal(2_000_000), "equity_financing": Decimal(0),
        },
        reference - 2: {"revenue": Decimal(40_000_000), "main_business_revenue": Decimal(36_000_000)},
    }  # fmt: skip


@pytest.fixture
def eligibility_firms(users, ref, make_enterprise):
    """Yubei (500112): SRDI candidates eligible, near by a condition, near by the score, missing data, far off;
    a firm without a tier; a little giant. Jiangbei (500105): one eligible SRDI candidate."""
    today = timezone.localdate()
    reference = today.year - 1

    def firm(district, name, *, tier="innovative_sme", profile=None, years=None):
        ent = make_enterprise(district, name=name)
        if tier:
            lifecycle.certification_import(
                actor=users.superuser, enterprise=ent, tier=ref.tiers[tier], valid_from=today - dt.timedelta(days=100)
            )
        for year, values in (years if years is not None else srdi_years(reference)).items():
            EnterpriseYearFact.objects.create(enterprise=ent, year=year, **values)
        if profile is not None:
            EligibilityProfile.objects.create(enterprise=ent, **profile)
        return ent

    return SimpleNamespace(
        eligible=firm("500112", "渝北合格企业", profile=SRDI_PROFILE),
        near_condition=firm(
            "500112", "渝北差细分市场年限企业", profile={**SRDI_PROFILE, "niche_market_since": today.replace(day=1)}
        ),
        near_score=firm(
            "500112",
            "渝北差分企业",
            profile={**SRDI_PROFILE, "local_feature_points": Decimal(0), "quality_items": 0, "digital_level": 1},
        ),
        missing=firm("500112", "渝北缺数据企业"),
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
