"""The operations checks of /readyz (registered in zjtx.health's registry), beside the platform's database, cache and
task-queue checks (zjtx/readiness.py).

Migrations not applied take the node out of service (critical); no recent worker heartbeat and a failed
last run of a nightly job make it "degraded": the node still serves every page and records queued work,
and taking every node out of the load balancer would not run the job again.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models import QuerySet

from ops import broker
from reference.models import JobRun
from zjtx.celery import app
from zjtx.health import readiness_check

_migrated_at = 0.0


@readiness_check("migrations")
def migrations() -> str | None:
    global _migrated_at
    # Loading the migration graph costs ~0.1 s: a positive answer is kept for a minute.
    if time.monotonic() - _migrated_at < 60:
        return None
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        return f"{len(plan)} migrations not applied, e.g. {plan[0][0]}"
    _migrated_at = time.monotonic()
    return None


@readiness_check("worker", critical=False)
def worker() -> str | None:
    limit = settings.ZJTX_WORKER_HEARTBEAT_MAX_AGE
    ages = broker.heartbeats()
    if not any(age <= limit for age in ages.values()):
        seen = f"last seen {min(ages.values()):.0f} s ago" if ages else "never seen"
        return f"no Celery worker heartbeat within {limit} s ({seen})"
    return None


def scheduled_jobs() -> list[str]:
    """The task names of the beat schedule."""
    return sorted({entry["task"] for entry in app.conf.beat_schedule.values()})


def job_runs(task: str) -> QuerySet[JobRun]:
    """The JobRun rows of a scheduled task: recorded under the task's name, or (the service desk's daily
    check) under the name without its app prefix."""
    return JobRun.objects.filter(job__in=[task, task.split(".", 1)[-1]])


@readiness_check("nightly_jobs", critical=False)
def nightly_jobs() -> str | None:
    failed = []
    for job in scheduled_jobs():
        last = job_runs(job).order_by("-started_at", "-id").values("status", "key").first()
        if last is not None and last["status"] == "failed":
            failed.append(f"{job} [{last['key']}]")
    return f"last run failed: {', '.join(failed)}" if failed else None
