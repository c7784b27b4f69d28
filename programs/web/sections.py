"""The programs' sections of the enterprise page: the benefits it qualifies for (可享政策), its applications."""

from __future__ import annotations

from typing import Any

from enterprises.models import Enterprise
from programs.web.matching import enterprise_matches
from zjtx.page_sections import ENTERPRISE_PAGE, PageSection, contribute


def _context(user: Any, enterprise: Enterprise) -> dict[str, Any]:
    return {
        "benefits": enterprise.benefit_applications.select_related("measure__policy").order_by(  # type: ignore[attr-defined]
            "-submitted_at"
        )[:20],
    }


def contribute_enterprise_sections() -> None:
    contribute(
        ENTERPRISE_PAGE,
        "programs",
        PageSection(order=50, template="programs/_enterprise_section.html", context=_context),
    )
    # 可享政策: the measures of the nightly matching, just above the applications made.
    contribute(
        ENTERPRISE_PAGE,
        "programs-matches",
        PageSection(order=45, template="programs/_matches_section.html", context=enterprise_matches),
    )
