"""The registry's kind of work in the work queue: imports that failed (nothing was written)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from enterprises.models import ImportRun
from enterprises.models.registry import ImportStatus
from zjtx.access import restrict
from zjtx.work_queue import DISTRICT, WorkItem, WorkSource, capped_count, contribute

# A failed import stays in the queue this long (or until a later import of the district succeeds).
FAILED_IMPORT_DAYS = 14


def failed_imports(user: Any, today: date) -> QuerySet[ImportRun]:
    since = today - timedelta(days=FAILED_IMPORT_DAYS)
    return restrict(ImportRun.objects.all(), user).filter(status=ImportStatus.FAILED, started_at__date__gte=since)


def _items(user: Any, today: date, limit: int) -> list[WorkItem]:
    return [
        WorkItem(
            key=f"import:{r.pk}:failed",
            title=r.file_name,
            detail=_("failed on %(day)s: %(message)s")
            % {"day": date_format(r.started_at.date()), "message": (r.message or "—")[:120]},
            url=reverse("enterprises:import-detail", args=[r.pk]),
            action=_("Read the report and import again"),
        )
        for r in failed_imports(user, today).order_by("-started_at")[:limit]
    ]


def contribute_work() -> None:
    contribute(
        "failed_imports",
        WorkSource(
            order=90,
            title=gettext_lazy("Failed imports"),
            roles=DISTRICT,
            count=lambda user, today: capped_count(failed_imports(user, today)),
            items=_items,
            list_url=lambda _user: reverse("enterprises:import"),
            notify=True,
        ),
    )
