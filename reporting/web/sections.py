"""Reporting's section of the policies overview: the city-wide targets and whether they are split into districts."""

from __future__ import annotations

from typing import Any

from reporting.models import Target
from zjtx.access import restrict
from zjtx.page_sections import POLICIES_PAGE, PageSection, contribute


def _context(user: Any, _obj: Any) -> dict[str, Any]:
    targets = restrict(Target.objects.select_related("metric", "jurisdiction"), user).filter(district__isnull=True)
    split = set(Target.objects.filter(parent__in=targets).values_list("parent_id", flat=True).distinct())
    return {"targets": targets, "split": split}


def contribute_policies_sections() -> None:
    contribute(
        POLICIES_PAGE, "targets", PageSection(order=10, template="reporting/_policies_targets.html", context=_context)
    )
