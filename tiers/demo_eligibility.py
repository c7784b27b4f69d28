"""Demo data for eligibility scoring: the extra facts of the demo enterprises, and a first assessment.

Deterministic (seeded); a no-op once any eligibility facts exist.  About one firm in six
is left without them, so the demo also shows "missing data".  Demo only.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from enterprises.models import EligibilityProfile, Enterprise, EnterpriseYearFact
from tiers.services.eligibility import assess_all


def _profile(rng: random.Random, enterprise: Enterprise, level: int, today: dt.date) -> EligibilityProfile:
    founded = enterprise.founded_on or dt.date(2010, 1, 1)
    since = founded + dt.timedelta(days=rng.randint(0, max(1, (today - founded).days - 400)))
    strong = level + rng.random()  # firms higher up the ladder tend to have more of what the criteria ask
    return EligibilityProfile(
        enterprise=enterprise,
        niche_market_since=since,
        high_tech=rng.random() < 0.2 + 0.2 * level,
        innovation_honour=rng.random() < 0.05,
        rd_institution=rng.choices(
            ["none", "below_municipal", "municipal", "provincial", "national"], weights=[4, 3, 3, 1 + level, 0.2]
        )[0],
        award_level=rng.choices(["none", "provincial", "national"], weights=[20, 2, 0.3])[0],
        award_year=today.year - rng.randint(1, 5),
        award_rank=rng.randint(1, 8),
        maker_china=rng.choices(["none", "top500", "top50"], weights=[30, 2, 0.3])[0],
        maker_china_year=today.year - rng.randint(1, 4),
        ip_grade=rng.choice(["none", "class_ii", "class_i", "own_class_i", "high_value_class_i"][: 3 + min(level, 2)]),
        strategic_emerging=rng.random() < 0.5,
        product_domain=rng.choices(["other", "six_basics", "key_chain"], weights=[5, 3, 1 + level])[0],
        digital_level=rng.choice([1, 2, 2, 3]),
        quality_items=rng.randint(0, 3),
        local_feature_points=Decimal(rng.randint(0, 15)) if strong > 1 else None,
        info_system=rng.random() < 0.7,
        management_certification=rng.random() < 0.6,
        national_market_share=Decimal(rng.randint(1, 25)),
        own_brand=rng.random() < 0.7,
        chain_key_link=rng.random() < 0.4 + 0.1 * level,
        key_field=rng.random() < 0.5,
    )


@transaction.atomic
def load_demo(seed: int = 2025) -> str:
    if EligibilityProfile.objects.exists():
        return "eligibility demo: already loaded"
    rng = random.Random(seed + 9)
    today = timezone.localdate()
    enterprises = list(Enterprise.objects.select_related("current_tier").order_by("pk"))
    profiles = [
        _profile(rng, e, e.current_tier.level if e.current_tier else 0, today)
        for e in enterprises
        if rng.random() > 1 / 6
    ]
    EligibilityProfile.objects.bulk_create(profiles, batch_size=1000)
    facts = list(EnterpriseYearFact.objects.filter(total_liabilities__isnull=True, total_assets__isnull=False))
    for f in facts:
        assert f.total_assets is not None
        f.total_liabilities = (f.total_assets * Decimal(rng.randint(25, 80)) / 100).quantize(Decimal("0.01"))
    EnterpriseYearFact.objects.bulk_update(facts, ["total_liabilities"], batch_size=1000)
    run = assess_all(today)
    return (
        f"eligibility demo: {len(profiles)} enterprises' extra facts; {run.assessed} assessed in {run.seconds:.1f} s "
        f"({run.eligible} eligible now, {run.near} within one indicator, {run.missing_data} missing data)"
    )
