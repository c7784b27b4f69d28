"""The tiers' kinds of work in the work queue: certifications ending, re-review windows, applications, lists."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tiers.models import Application, Certification, TierListImport
from tiers.models.tier_lists import TierListStatus
from tiers.rules.lifecycle import ApplicationStatus as A
from tiers.rules.lifecycle import CertificationStatus as C
from tiers.selectors import applications_for, certifications_for, expiring_certifications
from zjtx.access import restrict
from zjtx.work_queue import DISTRICT, OFFICIAL, WorkItem, WorkSource, capped_count, contribute


def ending_soon(user: Any, today: date) -> QuerySet[Certification]:
    """Certifications ending within ZJTX_EXPIRING_SOON_DAYS, the one ending first at the top."""
    return expiring_certifications(user, today=today).order_by("valid_until", "pk")


def re_review_opening(user: Any, today: date) -> QuerySet[Certification]:
    """Active certifications whose re-review window (ZJTX_RE_REVIEW_WINDOW_DAYS before the end) is open,
    not yet ending within the expiry warning (those are listed there) and not yet under re-review."""
    return (
        certifications_for(user)
        .filter(
            status=C.ACTIVE,
            valid_until__gt=today + timedelta(days=settings.ZJTX_EXPIRING_SOON_DAYS),
            valid_until__lte=today + timedelta(days=settings.ZJTX_RE_REVIEW_WINDOW_DAYS),
        )
        .order_by("valid_until", "pk")
    )


def applications_waiting(user: Any) -> QuerySet[Application]:
    """Applications the districts recommended, waiting for the municipal review to start."""
    return applications_for(user).filter(status=A.RECOMMENDED).order_by("submitted_at", "pk")


def lists_waiting(user: Any) -> QuerySet[TierListImport]:
    """Imported tier lists whose preview is ready and waits for the official's confirmation."""
    return restrict(TierListImport.objects.select_related("tier"), user).filter(status=TierListStatus.PREVIEWED)


def _last_day(c: Certification) -> str:
    return date_format(c.valid_until - timedelta(days=1))


def _certification_items(queryset: QuerySet[Certification], kind: str, today: date) -> list[WorkItem]:
    return [
        WorkItem(
            key=f"certification:{c.pk}:{kind}:{c.valid_until:%Y-%m-%d}",
            title=c.enterprise.name,
            detail=_("%(tier)s · valid until %(day)s, %(days)s days left")
            % {"tier": c.tier, "day": _last_day(c), "days": (c.valid_until - today).days},
            url=reverse("enterprises:detail", args=[c.enterprise.credit_code]) + "#tier-history",
            action=_("Prepare the re-review"),
            due_on=c.valid_until,
        )
        for c in queryset
    ]


def _application_items(user: Any, today: date, limit: int) -> list[WorkItem]:
    return [
        WorkItem(
            key=f"application:{a.pk}:recommended",
            title=a.enterprise.name,
            detail=_("%(tier)s · batch %(year)s · recommended by %(district)s")
            % {"tier": a.tier, "year": a.batch_year, "district": a.enterprise.district},
            url=reverse("admin:tiers_application_change", args=[a.pk]),
            action=_("Start the review"),
        )
        for a in applications_waiting(user)[:limit]
    ]


def _list_items(user: Any, today: date, limit: int) -> list[WorkItem]:
    return [
        WorkItem(
            key=f"tier-list:{r.pk}:previewed",
            title=r.file_name,
            detail=_("%(tier)s · %(kind)s · %(rows)s rows")
            % {"tier": r.tier, "kind": r.get_kind_display(), "rows": r.rows_total},
            url=reverse("tiers:tier-list-detail", args=[r.pk]),
            action=_("Confirm or cancel"),
        )
        for r in lists_waiting(user)[:limit]
    ]


def contribute_work() -> None:
    contribute(
        "certifications_ending",
        WorkSource(
            order=50,
            title=gettext_lazy("Certifications ending within 90 days"),
            roles=DISTRICT,
            count=lambda user, today: capped_count(ending_soon(user, today)),
            items=lambda user, today, limit: _certification_items(ending_soon(user, today)[:limit], "ending", today),
            notify=True,
        ),
    )
    contribute(
        "re_review_windows",
        WorkSource(
            order=60,
            title=gettext_lazy("Re-review windows open"),
            roles=DISTRICT,
            count=lambda user, today: capped_count(re_review_opening(user, today)),
            items=lambda user, today, limit: _certification_items(
                re_review_opening(user, today)[:limit], "re-review", today
            ),
            notify=True,
        ),
    )
    contribute(
        "applications_waiting",
        WorkSource(
            order=110,
            title=gettext_lazy("Applications recommended, waiting for review"),
            roles=OFFICIAL,
            count=lambda user, _today: capped_count(applications_waiting(user)),
            items=_application_items,
            list_url=lambda _user: reverse("admin:tiers_application_changelist") + "?status__exact=recommended",
            notify=True,
        ),
    )
    contribute(
        "lists_waiting",
        WorkSource(
            order=140,
            title=gettext_lazy("Tier lists waiting for confirmation"),
            roles=OFFICIAL,
            count=lambda user, _today: capped_count(lists_waiting(user)),
            items=_list_items,
            list_url=lambda _user: reverse("tiers:tier-lists"),
            notify=True,
        ),
    )
