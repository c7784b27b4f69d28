"""Celery tasks of the registry: thin, idempotent wrappers over services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from accounts.audit import audit_context
from enterprises.models import EligibilityAssessment
from enterprises.selectors import assessment_counts
from enterprises.services import eligibility, importing, lifecycle, servicedesk, tier_lists
from enterprises.services.jobs import job_run
from zjtx.access import dangerously_unrestricted

TRANSIENT = (OperationalError, InterfaceError)


@shared_task(acks_late=True, name="enterprises.run_import")
def run_import(run_id: int) -> str | None:
    run = importing.import_execute(run_id)
    return run.status if run else None


@shared_task(acks_late=True, name="enterprises.expire_certifications")
def expire_certifications() -> int:
    """Nightly: certifications whose period has ended stop counting. Running it twice expires nothing more."""
    with audit_context(source="nightly"):
        return lifecycle.certifications_expire()


@shared_task(acks_late=True, name="enterprises.servicedesk_daily_check")
def servicedesk_daily_check(day: str | None = None) -> dict[str, Any]:
    """Daily: overdue demands and enterprises due for a visit, per district. A second run for the day replaces it."""
    with audit_context(source="nightly"):
        run = servicedesk.daily_check_run(day=dt.date.fromisoformat(day) if day else None)
    return {"run": run.pk, "day": run.key, **run.result}


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


@shared_task(acks_late=True, name="enterprises.tier_list_preview")
def tier_list_preview(run_id: int) -> str | None:
    run = tier_lists.tier_list_preview(run_id)
    return run.status if run else None


@shared_task(acks_late=True, name="enterprises.tier_list_apply")
def tier_list_apply(run_id: int) -> str | None:
    run = tier_lists.tier_list_apply(run_id)
    return run.status if run else None
