"""Fixtures of the programs tests: Beijing firms holding a tier, measures by clause."""

from datetime import date

import pytest

from programs.models import Measure
from tiers.services import lifecycle

BJ = "bj-2023-ten-actions"
# The registry facts that measures 六.1 (SRDI board award) and 六.5 (listing subsidy) ask for.
ON_BOARD = {"listing_status": "regional_equity", "listed_on": date(2024, 6, 1)}
LISTED = {"listing_status": "star", "listed_on": date(2024, 6, 1)}
CQ = "cq-2022-2025-action-plan"


@pytest.fixture
def measure(ref):
    def get(clause, policy=BJ):
        return Measure.objects.select_related("policy").get(policy__code=policy, clause=clause)

    return get


@pytest.fixture
def certified(users, ref, make_enterprise):
    """An enterprise that holds `tier` from 2024-01-01 (three years), in Haidian unless told otherwise."""

    def make(tier="srdi_sme", district="110108", industry="C", valid_from=date(2024, 1, 1), **kw):
        enterprise = make_enterprise(district, industry=industry, **kw)
        lifecycle.certification_import(
            actor=users.superuser, enterprise=enterprise, tier=ref.tiers[tier], valid_from=valid_from
        )
        return enterprise

    return make
