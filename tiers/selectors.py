"""Read queries of the tiers: certifications and applications in scope, holders on a day, assessments and candidates."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from tiers.models import Application, Certification, EligibilityAssessment
from tiers.rules.lifecycle import CertificationStatus as C
from zjtx.access import restrict


def certifications_for(user: Any) -> QuerySet[Certification]:
    return restrict(
        Certification.objects.select_related("enterprise", "enterprise__district", "tier"),
        user,
    )


def applications_for(user: Any) -> QuerySet[Application]:
    return restrict(
        Application.objects.select_related("enterprise", "enterprise__district", "tier", "submitted_by"),
        user,
    )


def expiring_certifications(
    user: Any, *, within_days: int | None = None, today: date | None = None
) -> QuerySet[Certification]:
    today = today or timezone.localdate()
    days = settings.ZJTX_EXPIRING_SOON_DAYS if within_days is None else within_days
    return certifications_for(user).filter(
        status__in=C.HOLDING, valid_until__gt=today, valid_until__lte=today + timedelta(days=days)
    )


def held_on(day: date, prefix: str = "") -> Q:
    """Certifications that were held on `day`, also for past days (revoked or expired ones count until they ended)."""
    return Q(
        **{f"{prefix}valid_from__lte": day, f"{prefix}valid_until__gt": day},
    ) & (Q(**{f"{prefix}ended_on__isnull": True}) | Q(**{f"{prefix}ended_on__gt": day}))


def tier_holders_by_district(user: Any, *, on: date | None = None) -> list[dict[str, Any]]:
    """Enterprises holding each tier on a day, per district: one GROUP BY."""
    on = on or timezone.localdate()
    rows: Any = (
        restrict(Certification.objects.all(), user)
        .filter(held_on(on))
        .values("enterprise__district__code", "tier__code")
        .annotate(enterprises=Count("enterprise", distinct=True))
        .order_by("enterprise__district__code", "tier__code")
    )
    return list(rows)


# --- eligibility ------------------------------------------------------------------------------


def assessments_for(user: Any) -> QuerySet[EligibilityAssessment]:
    return restrict(
        EligibilityAssessment.objects.select_related("enterprise", "enterprise__district", "tier"),
        user,
    )


def assessment_counts(assessments: QuerySet[EligibilityAssessment]) -> list[dict[str, Any]]:
    """Per district and tier: assessed, eligible now, within one indicator, missing data — one GROUP BY.

    The three verdicts are exclusive (see tiers/rules/eligibility/evaluate.py).
    """
    rows: Any = (
        assessments.values(district=F("enterprise__district__code"), tier_code=F("tier__code"))
        .annotate(
            assessed=Count("id"),
            eligible=Count("id", filter=Q(passed=True)),
            near=Count("id", filter=Q(near=True)),
            missing_data=Count("id", filter=Q(missing_data=True)),
        )
        .order_by("district", "tier_code")
    )
    return list(rows)


def candidates_for(
    user: Any, *, tiers: list[str] | None = None, district: str | None = None, with_missing_data: bool = False
) -> QuerySet[EligibilityAssessment]:
    """Ranked candidates for the next tier: eligible first, then within one indicator (then, if asked, missing data);
    within each, by score and by the number of indicators met."""
    verdict = Q(passed=True) | Q(near=True)
    if with_missing_data:
        verdict |= Q(missing_data=True)
    qs = assessments_for(user).filter(verdict)
    if tiers:
        qs = qs.filter(tier__code__in=tiers)
    if district:
        qs = qs.filter(enterprise__district__code=district)
    return qs.order_by(
        F("passed").desc(),
        F("near").desc(),
        F("score").desc(nulls_last=True),
        F("indicators_met").desc(),
        "enterprise__name",
        "pk",
    )
