"""Read queries of the registry: always scoped, with the joins a page needs, counted in SQL."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from enterprises.models import Application, Certification, Enterprise
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
