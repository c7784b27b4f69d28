"""GET /metrics for Prometheus.

Per process (django-prometheus): requests, latencies and responses per view, database queries and
their errors. Under gunicorn the workers' figures are merged through PROMETHEUS_MULTIPROC_DIR
(deploy/gunicorn.conf.py). Read at scrape time, the same from every node: the depth of the Celery
queue, failed tasks per task (counted by the workers in Redis), seconds since each worker's last
heartbeat, and the time of the last success of each scheduled job (JobRun).
Only addresses in ZJTX_METRICS_ALLOWED may read it.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Iterator

from django.conf import settings
from django.db.models import Max
from django.http import HttpRequest, HttpResponse
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest, multiprocess
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from ops import broker
from ops.readiness import job_runs, scheduled_jobs


class SharedStateCollector(Collector):
    def collect(self) -> Iterator[Metric]:
        queue = GaugeMetricFamily("zjtx_celery_queue_length", "Tasks waiting in the Celery queue", labels=["queue"])
        queue.add_metric([settings.CELERY_TASK_DEFAULT_QUEUE], broker.queue_depth(settings.CELERY_TASK_DEFAULT_QUEUE))
        yield queue
        failed = CounterMetricFamily("zjtx_celery_task_failures", "Celery tasks that ended in failure", labels=["task"])
        for task, count in sorted(broker.failures().items()):
            failed.add_metric([task], count)
        yield failed
        beats = GaugeMetricFamily(
            "zjtx_celery_worker_heartbeat_age_seconds", "Seconds since each worker's last heartbeat", labels=["worker"]
        )
        for worker, age in sorted(broker.heartbeats().items()):
            beats.add_metric([worker], age)
        yield beats
        last = GaugeMetricFamily(
            "zjtx_job_last_success_timestamp_seconds",
            "When each scheduled job last finished successfully (Unix time; 0: never)",
            labels=["job"],
        )
        for job in scheduled_jobs():
            finished = job_runs(job).filter(status="done").aggregate(at=Max("finished_at"))["at"]
            last.add_metric([job], finished.timestamp() if finished else 0)
        yield last


def _allowed(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(net, strict=False) for net in settings.ZJTX_METRICS_ALLOWED)


def metrics(request: HttpRequest) -> HttpResponse:
    if not _allowed(request.META.get("REMOTE_ADDR", "")):
        return HttpResponse("Forbidden\n", status=403, content_type="text/plain")
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        process = CollectorRegistry()
        multiprocess.MultiProcessCollector(process)
    else:
        process = REGISTRY
    shared = CollectorRegistry()
    shared.register(SharedStateCollector())
    body = generate_latest(process) + generate_latest(shared)
    return HttpResponse(body, content_type="text/plain; version=0.0.4; charset=utf-8")
