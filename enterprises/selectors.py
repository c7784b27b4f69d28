"""Read queries of the registry: always scoped, with the joins a page needs, counted in SQL."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from enterprises.models import Application, Certification, EligibilityAssessment, Enterprise
from enterprises.rules import credit_code
from enterprises.rules.lifecycle import CertificationStatus as C
from zjtx.access import Action, restrict
from zjtx.errors import NotFound


def enterprises_for(user: Any) -> QuerySet[Enterprise]:
    return restrict(Enterprise.objects.select_related("district", "industry", "current_tier"), user)


def enterprise_in_scope(user: Any, code: str, action: str = Action.VIEW) -> Enterprise:
    """The enterprise with this credit code, if `user` may `action` it; otherwise NotFound (out of scope = absent)."""
    enterprise = (
        restrict(Enterprise.objects.select_related("district__jurisdiction", "industry"), user, action)
        .filter(credit_code=credit_code.normalise(code))
        .first()
    )
    if enterprise is None:
        raise NotFound(_("No such enterprise."))
    return enterprise


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

    The three verdicts are exclusive (see enterprises/rules/eligibility/evaluate.py).
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
