"""Nightly jobs whose time fell in a broker outage, sent once the broker is back.

Beat sends each scheduled job at its time; when Redis does not answer then, beat logs the error
and waits for the next occurrence, so a night's assessment or snapshot would be lost. The queue's
sweep (zjtx/outbox.py, every ZJTX_QUEUE_SWEEP_SECONDS) calls `send_missed_jobs`: a job of the beat
schedule that records its runs in JobRun, whose last run started before an occurrence that is more
than ZJTX_JOB_CATCH_UP_MINUTES past (time enough for a queue of nightly jobs to drain), is sent
now, once: a JobRun marks the catch-up (key "catch-up"), so the next sweep finds it recent. The
jobs are idempotent for their day or period, so a job that was only late runs to the same result.

A job that never ran on this installation is not caught up (nothing says it was due), nor is a
job that records no JobRun (the certification expiry: the next night's run expires everything due).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from celery.schedules import crontab
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from reference.models import JobRun, JobStatus
from zjtx import outbox
from zjtx.celery import app


def _job_names(task: str) -> list[str]:
    # The service desk's daily check records its runs under its name without the app prefix.
    return [task, task.split(".", 1)[-1]]


def _due_since(schedule: crontab, last_run: dt.datetime, until: dt.datetime) -> bool:
    """Whether the schedule had an occurrence after `last_run` and no later than `until`."""
    probe = crontab(
        minute=schedule._orig_minute,
        hour=schedule._orig_hour,
        day_of_week=schedule._orig_day_of_week,
        day_of_month=schedule._orig_day_of_month,
        month_of_year=schedule._orig_month_of_year,
        nowfun=lambda: until,
        app=app,
    )
    return bool(probe.is_due(last_run)[0])


def send_missed_jobs(now: dt.datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    until = now - dt.timedelta(minutes=settings.ZJTX_JOB_CATCH_UP_MINUTES)
    sent: dict[str, int] = {}
    for entry in app.conf.beat_schedule.values():
        schedule: Any = entry["schedule"]
        if not isinstance(schedule, crontab):
            continue
        task = entry["task"]
        runs = JobRun.objects.filter(job__in=_job_names(task)).order_by("-started_at")
        last = runs.values_list("started_at", flat=True).first()
        if last is None or not _due_since(schedule, last, until):
            continue
        with transaction.atomic():
            JobRun.objects.create(
                job=task,
                key="catch-up",
                status=JobStatus.DONE,
                finished_at=now,
                result={"sent_again": True, "last_run": last.isoformat(), "reason": "missed while the broker was down"},
            )
            if not outbox.publish(task):
                transaction.set_rollback(True)  # not sent: the next sweep tries again
                continue
        sent[task] = 1
    return sent
