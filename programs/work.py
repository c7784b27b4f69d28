"""The programs' kinds of work in the work queue: benefit applications waiting, measures qualifying but unclaimed."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from programs.models import BenefitApplication
from programs.rules.benefits import BenefitStatus as B
from programs.selectors import benefit_applications_for, unclaimed_matches_for
from zjtx.templatetags.zjtx_tags import yuan
from zjtx.work_queue import DISTRICT, OFFICIAL, WorkItem, WorkSource, capped_count, contribute


def benefits_waiting(user: Any) -> QuerySet[BenefitApplication]:
    return benefit_applications_for(user).filter(status=B.SUBMITTED).order_by("submitted_at", "pk")


def _items(action: Any) -> Any:
    def items(user: Any, today: date, limit: int) -> list[WorkItem]:
        return [
            WorkItem(
                key=f"benefit:{b.pk}:submitted",
                title=b.enterprise.name,
                detail=_("%(measure)s · %(amount)s") % {"measure": b.measure.name, "amount": yuan(b.amount)},
                url=reverse("admin:programs_benefitapplication_change", args=[b.pk]),
                action=str(action),
            )
            for b in benefits_waiting(user)[:limit]
        ]

    return items


def contribute_work() -> None:
    contribute(
        "benefits_submitted",
        WorkSource(
            order=70,
            title=gettext_lazy("Benefit applications waiting for approval"),
            roles=DISTRICT,
            count=lambda user, _today: capped_count(benefits_waiting(user)),
            items=_items(gettext_lazy("Follow up")),
        ),
    )
    contribute(
        "benefits_to_approve",
        WorkSource(
            order=120,
            title=gettext_lazy("Benefit applications waiting for approval"),
            roles=OFFICIAL,
            count=lambda user, _today: capped_count(benefits_waiting(user)),
            items=_items(gettext_lazy("Approve or reject")),
            list_url=lambda _user: reverse("admin:programs_benefitapplication_changelist") + "?status__exact=submitted",
            notify=True,
        ),
    )
    contribute(
        "unclaimed_matches",
        WorkSource(
            order=80,
            title=gettext_lazy("Measures qualifying but unclaimed"),
            roles=DISTRICT,
            count=lambda user, _today: capped_count(unclaimed_matches_for(user)),
            items=_unclaimed_items,
            list_url=lambda _user: reverse("programs:matches"),
        ),
    )


def _unclaimed_items(user: Any, today: date, limit: int) -> list[WorkItem]:
    """The best-paying matches first, each one click from its prefilled application."""
    matches = unclaimed_matches_for(user).select_related("enterprise", "measure")[:limit]
    return [
        WorkItem(
            key=f"unclaimed:{m.enterprise_id}:{m.measure_id}",
            title=m.enterprise.name,
            detail=f"{m.measure.clause} {m.measure.name}" + (f" · {yuan(m.amount)}" if m.amount is not None else ""),
            url=reverse("programs:benefit-new", args=[m.enterprise.credit_code, m.measure_id]),
            action=str(gettext_lazy("Apply")),
        )
        for m in matches
    ]
