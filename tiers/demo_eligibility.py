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


def _facts_of_the_2026_criteria(rng: random.Random, profiled: set[int], today: dt.date) -> None:
    """What 工信部企业〔2026〕2号 reads besides the figures, for the firms with eligibility facts: the development
    score of this year and the last, the national rank, a six-basics / key-chain product (higher tiers score more)."""
    levels = dict(Enterprise.objects.filter(pk__in=profiled).values_list("pk", "current_tier__level"))
    last = {
        f.enterprise_id: f for f in EnterpriseYearFact.objects.filter(enterprise_id__in=profiled, year=today.year - 1)
    }

    def score(level: int) -> Decimal:
        return Decimal(str(round(min(max(rng.gauss(44 + 7 * level, 9), 0), 100), 1)))

    for eid, fact in last.items():
        level = levels.get(eid) or 0
        fact.development_score = score(level)
        fact.national_market_rank = rng.randint(1, 12 - 2 * level)
        fact.chain_product = rng.random() < 0.3 + 0.15 * level
    EnterpriseYearFact.objects.bulk_update(
        list(last.values()), ["development_score", "national_market_rank", "chain_product"], batch_size=1000
    )
    this_year = [
        EnterpriseYearFact(enterprise_id=eid, year=today.year, development_score=score(levels.get(eid) or 0))
        for eid in sorted(last)
        if rng.random() < 0.9  # a few have no score for this year yet: "missing data"
    ]
    EnterpriseYearFact.objects.bulk_create(this_year, batch_size=1000)


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
    _facts_of_the_2026_criteria(rng, {p.enterprise_id for p in profiles}, today)
    run = assess_all(today)
    return (
        f"eligibility demo: {len(profiles)} enterprises' extra facts; {run.assessed} assessed in {run.seconds:.1f} s "
        f"({run.eligible} eligible now, {run.near} within one indicator, {run.missing_data} missing data)"
    )
