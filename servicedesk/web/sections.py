"""The service desk's section of the enterprise page: specialist and package, demands, visits."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from enterprises.models import Enterprise
from zjtx.page_sections import ENTERPRISE_PAGE, PageSection, contribute


def _context(user: Any, enterprise: Enterprise) -> dict[str, Any]:
    return {
        "assignment": enterprise.service_assignments.filter(ended_at__isnull=True)  # type: ignore[attr-defined]
        .select_related("specialist")
        .first(),
        "visits": enterprise.visits.select_related("visitor")  # type: ignore[attr-defined]
        .prefetch_related("demands")
        .order_by("-visited_on", "-id")[:10],
        "demands": enterprise.demands.select_related("unit").order_by("status", "due_on")[:30],  # type: ignore[attr-defined]
        "today": timezone.localdate(),
    }


def contribute_enterprise_sections() -> None:
    contribute(
        ENTERPRISE_PAGE,
        "servicedesk",
        PageSection(order=20, template="servicedesk/_enterprise_section.html", context=_context),
    )
