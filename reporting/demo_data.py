"""Demo figures for targets: district shares of the Chongqing targets, hand-entered figures, a year of snapshots.

Demo only: real district shares are made by an admin with the split action.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from reference.models import District, Jurisdiction
from reporting.models import ManualValue, Metric, MetricKind, MetricSnapshot, Target
from reporting.rules.progress import split_proportionally
from reporting.services.metrics import metric_values
from reporting.services.snapshots import ensure_deadline_snapshots, snapshot_day
from reporting.services.targets import target_split
from zjtx.audit_context import audit_context


@transaction.atomic
def load_demo(seed: int = 2025) -> str:
    if MetricSnapshot.objects.exists():
        return "reporting demo: already loaded"
    rng = random.Random(seed)
    admin = User.objects.filter(is_superuser=True).order_by("pk").first()
    if admin is None:
        return "reporting demo: no superuser, skipped"
    today = timezone.localdate()
    chongqing = Jurisdiction.objects.get(code="500000")
    districts = list(District.objects.filter(jurisdiction=chongqing))
    with audit_context(actor=admin, source="demo"):
        for metric in Metric.objects.filter(kind=MetricKind.MANUAL, targets__jurisdiction=chongqing).distinct():
            for district in rng.sample(districts, 6):
                for months_ago in (9, 3):
                    ManualValue.objects.create(
                        metric=metric,
                        jurisdiction=chongqing,
                        district=district,
                        as_of=today - dt.timedelta(days=30 * months_ago),
                        value=rng.randint(0, 3) + (3 - months_ago // 3),
                        entered_by=admin,
                        note="演示数据",
                    )
        splits = 0
        for target in Target.objects.filter(jurisdiction=chongqing, district__isnull=True).select_related("metric"):
            if target.deadline < today.replace(year=today.year - 1):
                continue
            weights = metric_values(target.metric, chongqing, today).by_district
            shares = split_proportionally(target.value, {d.code: weights.get(d.pk, 0) + 1 for d in districts})
            target_split(actor=admin, target_id=target.pk, shares=shares)
            splits += 1
    days = sorted(
        {today - dt.timedelta(days=n) for n in range(0, 30)} | {today - dt.timedelta(days=30 * m) for m in range(1, 13)}
    )
    rows = sum(snapshot_day(day) for day in days)
    # The deadline days of the targets already closed, as the nightly job would have taken them.
    days += ensure_deadline_snapshots(today)
    return f"reporting demo: {splits} targets split into districts, {len(days)} days of snapshots ({rows} rows)"
