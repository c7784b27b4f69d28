"""Reporting's kind of work in the work queue: districts off track for a target still running."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reporting.selectors import ProgressRow, progress_rows, targets_for
from zjtx.work_queue import OFFICIAL, WorkItem, WorkSource, contribute


def off_track_districts(user: Any, today: date) -> list[ProgressRow]:
    """District targets whose deadline is still ahead and whose projection falls short, the furthest behind first."""
    running = targets_for(user).filter(district__isnull=False, deadline__gte=today)
    rows = [r for r in progress_rows(user, today=today, targets=running) if r.progress and r.progress.off_track]
    return sorted(rows, key=lambda r: (r.progress.percent if r.progress else 0, r.target.deadline))


def _items(user: Any, today: date, limit: int) -> list[WorkItem]:
    items = []
    for r in off_track_districts(user, today)[:limit]:
        assert r.progress is not None
        items.append(
            WorkItem(
                key=f"off-track:{r.target.pk}:{today:%Y-%m}",
                title=str(r.target.district),
                detail=_("%(metric)s · %(percent)s%% of %(target)s, %(gap)s short")
                % {
                    "metric": r.target.metric.display_name,
                    "percent": r.progress.percent,
                    "target": f"{r.target.value:,}",
                    "gap": f"{r.progress.gap:,}",
                },
                url=reverse("reporting:district", args=[r.target.district.code]),  # type: ignore[union-attr]
                action=_("Open the district"),
                due_on=r.target.deadline,
            )
        )
    return items


def contribute_work() -> None:
    contribute(
        "districts_off_track",
        WorkSource(
            order=130,
            title=gettext_lazy("Districts off track"),
            roles=OFFICIAL,
            count=lambda user, today: len(off_track_districts(user, today)),
            items=_items,
            list_url=lambda _user: reverse("reporting:dashboard"),
            notify=True,
        ),
    )
