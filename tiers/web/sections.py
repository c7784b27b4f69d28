"""The tiers' section of the enterprise page: certifications (ending soon flagged), applications with their steps."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import Prefetch
from django.utils import timezone

from enterprises.models import Enterprise
from tiers.models import ApplicationTransition
from tiers.rules.lifecycle import CertificationStatus
from zjtx.page_sections import ENTERPRISE_PAGE, PageSection, contribute


def _context(user: Any, enterprise: Enterprise) -> dict[str, Any]:
    today = timezone.localdate()
    soon = today + timedelta(days=settings.ZJTX_EXPIRING_SOON_DAYS)
    certifications = list(enterprise.certifications.select_related("tier").order_by("-valid_from"))  # type: ignore[attr-defined]
    return {
        "certifications": certifications,
        "expiring": [
            c for c in certifications if c.status in CertificationStatus.HOLDING and today < c.valid_until <= soon
        ],
        "applications": enterprise.applications.select_related("tier").prefetch_related(  # type: ignore[attr-defined]
            Prefetch("transitions", queryset=ApplicationTransition.objects.select_related("actor"))
        ),
        "soon_days": settings.ZJTX_EXPIRING_SOON_DAYS,
    }


def contribute_enterprise_sections() -> None:
    contribute(
        ENTERPRISE_PAGE, "tiers", PageSection(order=10, template="tiers/_enterprise_section.html", context=_context)
    )
