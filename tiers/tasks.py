"""Celery tasks of the tiers: the nightly expiry and eligibility assessment (thin wrappers over services)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from reference.services.jobs import job_run
from tiers.models import EligibilityAssessment
from tiers.selectors import assessment_counts
from tiers.services import eligibility, lifecycle, tier_lists
from zjtx import outbox
from zjtx.access import dangerously_unrestricted
from zjtx.audit_context import audit_context

TRANSIENT = (OperationalError, InterfaceError)

# Task names are persisted (beat schedule, queued messages, JobRun.job) and keep the prefix they had
# before the tiers moved out of the registry app.


@shared_task(acks_late=True, name="enterprises.expire_certifications")
def expire_certifications() -> int:
    """Nightly: certifications whose period has ended stop counting. Running it twice expires nothing more."""
    with audit_context(source="nightly"):
        return lifecycle.certifications_expire()


@shared_task(
    name="enterprises.assess_eligibility",
    acks_late=True,
    autoretry_for=TRANSIENT,
    retry_backoff=5,
    max_retries=5,
)
def assess_eligibility(day: str | None = None) -> dict[str, Any]:
    """Nightly: score every enterprise for the tier above its current one. A rerun for the same day changes nothing."""
    when = dt.date.fromisoformat(day) if day else timezone.localdate()
    with job_run("enterprises.assess_eligibility", when.isoformat()) as run:
        summary = eligibility.assess_all(when)
        counts = assessment_counts(dangerously_unrestricted(EligibilityAssessment.objects.all()))
        run.result = {
            **summary.as_dict(),
            "districts": {
                f"{c['district']}/{c['tier_code']}": [c["eligible"], c["near"], c["missing_data"]] for c in counts
            },
        }
    return run.result


@shared_task(
    bind=True,
    acks_late=True,
    name="tiers.tier_list_preview",
    autoretry_for=TRANSIENT,
    retry_backoff=5,
    max_retries=5,
)
def tier_list_preview(self: Any, run_id: int) -> str | None:
    if not outbox.claim(self, run_id):
        return None
    run = tier_lists.tier_list_preview(run_id)
    return run.status if run else None


@shared_task(
    bind=True,
    acks_late=True,
    name="tiers.tier_list_apply",
    autoretry_for=TRANSIENT,
    retry_backoff=5,
    max_retries=5,
)
def tier_list_apply(self: Any, run_id: int) -> str | None:
    if not outbox.claim(self, run_id):
        return None
    run = tier_lists.tier_list_apply(run_id)
    return run.status if run else None
