"""The nightly matching through a real Celery worker: recorded in JobRun, idempotent, and a measure whose tier
condition changes is matched anew the next night."""

from datetime import date, timedelta

import pytest

from programs.models import BenefitMatch
from programs.tasks import match_benefits
from reference.models import JobRun

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]

NIGHT = date(2026, 3, 1)


def test_a_measure_whose_tier_condition_changes_is_rematched_the_next_night(celery_worker, ref, certified, measure):
    srdi, giant = certified(tier="srdi_sme"), certified(tier="little_giant")
    cloud = measure("五.3")

    def verdicts():
        return {m.enterprise_id: (m.verdict, m.since) for m in BenefitMatch.objects.filter(measure=cloud)}

    first = match_benefits.delay(NIGHT.isoformat()).get(timeout=120)
    assert verdicts() == {srdi.pk: ("qualifies", NIGHT), giant.pk: ("qualifies", NIGHT)}
    again = match_benefits.delay(NIGHT.isoformat()).get(timeout=120)
    assert (again["created"], again["updated"], again["removed"]) == (0, 0, 0)
    assert again["pairs"] == first["pairs"] == 2 * 9

    cloud.tiers.set([ref.tiers["little_giant"]])  # a program administrator narrows the measure
    next_night = NIGHT + timedelta(days=1)
    changed = match_benefits.delay(next_night.isoformat()).get(timeout=120)
    assert changed["updated"] == 1
    assert verdicts() == {srdi.pk: ("does_not", next_night), giant.pk: ("qualifies", NIGHT)}
    stored = BenefitMatch.objects.get(measure=cloud, enterprise=srdi)
    assert stored.reasons == [{"kind": "tier_not_held", "params": {"tiers": "little_giant"}}]

    runs = JobRun.objects.filter(job="programs.match_benefits").order_by("started_at")
    assert [(r.key, r.status) for r in runs] == [
        (NIGHT.isoformat(), "done"), (NIGHT.isoformat(), "done"), (next_night.isoformat(), "done"),
    ]  # fmt: skip
    assert runs.last().result["qualifies"] == changed["qualifies"]
