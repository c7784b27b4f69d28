"""Take today's progress snapshot and produce the monthly report of every district and city.

By default the work runs here, in this process (each step recorded like the scheduled jobs);
with --via-celery it is queued for the workers and the command waits for the results.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from reference.services.jobs import job_run
from reporting.models import ReportRun, ReportStatus
from reporting.services import reports
from reporting.services.snapshots import ensure_deadline_snapshots, snapshot_day
from zjtx.errors import DomainError


class Command(BaseCommand):
    help = "Snapshot today's progress and generate every district's and city's report for a period."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--period", help="YYYY-MM (default: last month)")
        parser.add_argument("--via-celery", action="store_true", help="Queue the work for Celery workers and wait")
        parser.add_argument("--timeout", type=int, default=600, help="Seconds to wait with --via-celery")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            period = reports.check_period(options["period"] or reports.previous_period())
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        today = timezone.localdate()
        started = time.monotonic()
        if options["via_celery"]:
            from reporting.tasks import daily_snapshot, monthly_reports

            rows = daily_snapshot.delay(today.isoformat()).get(timeout=options["timeout"])
            ids = monthly_reports.delay(period).get(timeout=options["timeout"])
            self._wait(ids, options["timeout"])
        else:
            with job_run("reporting.daily_snapshot", today.isoformat()) as run:
                rows = snapshot_day(today)
                deadlines = ensure_deadline_snapshots(today)
                run.result = {"rows": rows, "deadline_days": [d.isoformat() for d in deadlines]}
            with job_run("reporting.monthly_reports", period) as run:
                ids = reports.monthly_reports(period, enqueue=False)
                for pk in ids:
                    reports.report_generate(pk)
                run.result = {"reports": len(ids)}
        done = ReportRun.objects.filter(pk__in=ids, status=ReportStatus.DONE).count()
        self.stdout.write(
            f"snapshot {today}: {rows} rows; reports {period}: {done}/{len(ids)} done "
            f"in {time.monotonic() - started:.1f}s"
        )
        if done != len(ids):
            raise CommandError("some reports failed; see /api/v1/reports/?status=failed")

    def _wait(self, ids: list[int], timeout: int) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pending = ReportRun.objects.filter(pk__in=ids).exclude(status__in=[ReportStatus.DONE, ReportStatus.FAILED])
            if not pending.exists():
                return
            time.sleep(0.5)
        raise CommandError(f"reports not finished after {timeout}s")
