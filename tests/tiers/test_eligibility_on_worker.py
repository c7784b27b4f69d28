"""The nightly eligibility job through a real Celery worker: stored verdicts, per-district counts, idempotency."""

import pytest
from django.utils import timezone

from reference.models import JobRun
from tiers.models import EligibilityAssessment
from tiers.tasks import assess_eligibility

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def test_assess_eligibility_on_the_worker_is_recorded_and_idempotent(celery_worker, ref, eligibility_firms):
    day = timezone.localdate().isoformat()
    first = assess_eligibility.delay(day).get(timeout=120)
    rows = {
        (a.pk, a.enterprise_id, a.tier_id, a.passed, a.near, a.missing_data)
        for a in EligibilityAssessment.objects.all()
    }
    second = assess_eligibility.delay(day).get(timeout=120)
    again = {
        (a.pk, a.enterprise_id, a.tier_id, a.passed, a.near, a.missing_data)
        for a in EligibilityAssessment.objects.all()
    }

    assert rows == again and len(rows) == 7  # one row per (enterprise, tier), rewritten in place
    assert {k: first[k] for k in ("assessed", "eligible", "near", "missing_data")} == {
        "assessed": 7, "eligible": 3, "near": 2, "missing_data": 1,
    }  # fmt: skip
    assert (
        first["districts"]
        == second["districts"]
        == {
            "500112/srdi_sme": [1, 2, 1],
            "500112/innovative_sme": [1, 0, 0],
            "500105/srdi_sme": [1, 0, 0],
        }
    )
    runs = JobRun.objects.filter(job="enterprises.assess_eligibility", key=day)
    assert [r.status for r in runs] == ["done", "done"]
    assert all(r.finished_at and r.result["assessed"] == 7 for r in runs)
    near = EligibilityAssessment.objects.get(enterprise=eligibility_firms.near_condition)
    assert near.near and near.lacking == ["niche_years"] and near.assessed_on.isoformat() == day
