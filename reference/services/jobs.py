"""Recording each run of a scheduled job (started, finished, status, error) in the database."""

from __future__ import annotations

import traceback
from collections.abc import Iterator
from contextlib import contextmanager

from django.utils import timezone

from reference.models import JobRun, JobStatus


@contextmanager
def job_run(job: str, key: str) -> Iterator[JobRun]:
    """Record a run; the body may put a JSON-able summary in `run.result`. Exceptions are recorded and re-raised."""
    run = JobRun.objects.create(job=job, key=key)
    try:
        yield run
    except BaseException as exc:
        run.status = JobStatus.FAILED
        run.error = "".join(traceback.format_exception_only(type(exc), exc)).strip()[:4000]
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "error", "finished_at"])
        raise
    run.status = JobStatus.DONE
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "finished_at", "result"])
