"""The tiers' sections of the enterprise page: certifications (ending soon flagged), applications with their steps;
the verdicts now, each under the criteria document that judges it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from enterprises.models import Enterprise
from tiers import eligibility_text
from tiers.models import ApplicationTransition
from tiers.rules.lifecycle import CertificationStatus
from tiers.services import eligibility
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


_PURPOSES = {
    "next_tier": _("New application for the tier above"),
    "re_review": _("Re-review of the certificate held"),
    "in_force": _("The tier held, under the document in force for new applications"),
}


def _eligibility(user: Any, enterprise: Enterprise) -> dict[str, Any]:
    """The enterprise's verdicts now, each under the document that judges it, with what it lacks."""
    today = timezone.localdate()
    rows = []
    found = eligibility.verdicts(enterprise, today)
    for verdict in found:
        row = verdict.as_assessment(enterprise.pk, today)
        rows.append(
            {
                "verdict": verdict,
                "purpose": _PURPOSES[verdict.purpose],
                "status": row.status,
                "document": eligibility_text.document(row),
                "score": row.score,
                "pass_mark": eligibility_text.pass_mark(row),
                "lacking": eligibility_text.gaps(row, list(row.lacking)),
                "unknown": eligibility_text.gaps(row, list(row.unknown)),
            }
        )
    both = any(v.purpose == "in_force" for v in found)
    return {"verdicts": rows, "under_both_documents": both}


def contribute_enterprise_sections() -> None:
    contribute(
        ENTERPRISE_PAGE, "tiers", PageSection(order=10, template="tiers/_enterprise_section.html", context=_context)
    )
    contribute(
        ENTERPRISE_PAGE,
        "eligibility",
        PageSection(order=11, template="tiers/_eligibility_section.html", context=_eligibility),
    )
