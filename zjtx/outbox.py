"""Queued work waits in the database: the run row is the outbox, the broker only carries a wake-up.

A service records its run (an import, a report, a tier list's preview or apply, …) and queues it
with `zjtx.queue.enqueue_on_commit(task, run)`. The row notes when the work was asked for
(`enqueued_at`); once the transaction commits, the task message is published with short timeouts,
and the row notes when the broker took it (`sent_at`). If the broker does not answer, the request
goes on all the same: the run stays recorded with no `sent_at`, the pages say the queue is down,
and a periodic sweep (beat, and every worker when it starts) sends every such run once the broker
is back.

Each kind of run registers itself from its app's `AppConfig.ready()`:

    outbox.register("enterprises.run_import", "enterprises.ImportRun", waiting={"status": ["pending"]})

(the task's one argument is the run's primary key; `waiting` names the field values of the rows
that still wait for that task), its model inherits `QueuedRun`'s fields, and its task starts with
`if not outbox.claim(task, run_id): return`.

Exactly once: a message may be sent twice (a sweep after a publish whose answer was lost, a resend,
a copy restored by Redis), so the first message to claim a run records its task id on the row under
a row lock; another message for the same run is skipped; the same message again (redelivered after
its worker died or lost its connection) continues the run, as the services expect.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from celery import current_app
from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

log = logging.getLogger(__name__)


class QueuedRun(models.Model):
    """The outbox fields of a run row (abstract): when its work was asked for, sent, and claimed."""

    enqueued_at = models.DateTimeField(gettext_lazy("queued"), null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(gettext_lazy("sent to the task queue"), null=True, blank=True, editable=False)
    task_id = models.CharField(gettext_lazy("task"), max_length=64, blank=True, editable=False)
    claimed_at = models.DateTimeField(gettext_lazy("taken by a worker"), null=True, blank=True, editable=False)
    claims = models.PositiveSmallIntegerField(gettext_lazy("times taken by a worker"), default=0, editable=False)

    class Meta:
        abstract = True


OUTBOX_FIELDS = ("enqueued_at", "sent_at", "task_id", "claimed_at", "claims")


@dataclass(frozen=True)
class Kind:
    """A kind of queued run: the task that does it, its model, and which of its rows wait for the task."""

    task: str
    model_label: str
    waiting: dict[str, tuple[Any, ...]]

    @property
    def waiting_q(self) -> Q:
        return Q(**{f"{name}__in": values for name, values in self.waiting.items()})

    def waits(self, row: Any) -> bool:
        """Whether a row (a model instance or a dict of its values) still waits for this task."""
        get = row.get if isinstance(row, dict) else lambda name: getattr(row, name)
        return all(get(name) in values for name, values in self.waiting.items())

    @property
    def rows(self) -> models.QuerySet[Any]:
        model = apps.get_model(self.model_label)
        assert issubclass(model, QueuedRun), f"{self.model_label} must inherit zjtx.outbox.QueuedRun"
        return model._default_manager.all()


KINDS: dict[str, Kind] = {}
# Further sweeps run with the outbox's own, e.g. the catch-up of nightly jobs missed while the broker
# was down (reference/services/catch_up.py); each returns what it sent.
EXTRA_SWEEPS: list[Callable[[], dict[str, int]]] = []


def register(task: str, model_label: str, *, waiting: dict[str, Any]) -> None:
    """Make the sweeper look after `task`'s runs (called from the app's AppConfig.ready)."""
    KINDS[task] = Kind(task, model_label, {name: tuple(values) for name, values in waiting.items()})


def register_sweep(sweep: Callable[[], dict[str, int]]) -> None:
    if sweep not in EXTRA_SWEEPS:
        EXTRA_SWEEPS.append(sweep)


def kind_of(task: str) -> Kind:
    try:
        return KINDS[task]
    except KeyError:
        raise LookupError(f"{task} is not a registered kind of run (zjtx.outbox.register)") from None


def task_named(name: str) -> Any:
    """The registered task; the apps' tasks modules are discovered on first use, as a worker does at start."""
    if name not in current_app.tasks:
        current_app.loader.import_default_modules()
    return current_app.tasks[name]


# --- the broker: send, and remember for a moment that it is down --------------------------------

_broker_down_until = 0.0


def broker_down() -> bool:
    """True while this process found the broker unavailable within ZJTX_QUEUE_RETRY_SECONDS."""
    return time.monotonic() < _broker_down_until


def publish(task: str, *args: Any) -> bool:
    """Hand a task message to the broker; False (logged) when it does not take it."""
    global _broker_down_until
    if current_app.conf.task_always_eager:
        # The embedded demo (no broker) runs the task here and now; its errors are its own.
        task_named(task).apply_async(args=list(args), ignore_result=True)
        return True
    if broker_down():
        return False
    try:
        # No result is kept: the run row is the record (and a result backend that is down would
        # otherwise make the call wait for it).
        current_app.send_task(task, args=list(args), ignore_result=True, retry=True)
    except Exception as exc:  # kombu's OperationalError, redis errors, timeouts: the broker is down
        _broker_down_until = time.monotonic() + settings.ZJTX_QUEUE_RETRY_SECONDS
        log.warning("queue: %s%s not sent, the sweeper will send it (%s)", task, list(args), exc)
        return False
    _broker_down_until = 0.0
    return True


def _send(kind: Kind, run_id: int, enqueued_at: dt.datetime, run: Any = None) -> bool:
    if not publish(kind.task, run_id):
        return False
    now = timezone.now()
    # Only if the row was not queued again meanwhile (a newer request's send notes its own time).
    kind.rows.filter(pk=run_id, enqueued_at=enqueued_at).update(sent_at=now)
    if run is not None:
        run.sent_at = now
    return True


def enqueue(task: str, run: Any) -> None:
    """Record the run as waiting for `task` now, and send the message once the transaction commits."""
    kind = kind_of(task)
    enqueued_at = timezone.now()
    values = {"enqueued_at": enqueued_at, "sent_at": None, "task_id": "", "claimed_at": None}
    kind.rows.filter(pk=run.pk).update(**values)
    for name, value in values.items():
        setattr(run, name, value)
    transaction.on_commit(lambda: _send(kind, run.pk, enqueued_at, run))


# --- the worker: claim a run exactly once ------------------------------------------------------------


def claim(task: Any, run_id: int) -> bool:
    """Whether this task message may do the run's work: the first message to claim a waiting run,
    or the same message again (redelivered). A message for a run that no longer waits for its task
    goes on to the service, which leaves a finished run alone; a task called in-process (no message
    id) always goes on."""
    kind = kind_of(task.name)
    task_id = (getattr(task.request, "id", None) or "")[:64]
    if not task_id:
        return True
    fields = ["task_id", *kind.waiting]
    with transaction.atomic():
        row = kind.rows.order_by().select_for_update(of=("self",)).filter(pk=run_id).values(*fields).first()
        if row is None:
            return True  # the service answers for a missing row as it always did
        if row["task_id"] and row["task_id"] != task_id:
            log.info("queue: %s for run %s skipped: taken by task %s", task.name, run_id, row["task_id"])
            return False
        if row["task_id"] or kind.waits(row):
            kind.rows.filter(pk=run_id).update(
                task_id=task_id, claimed_at=timezone.now(), claims=models.F("claims") + 1
            )
    return True


# --- the sweeper ---------------------------------------------------------------------------------------


def sweep(*, everything: bool = False) -> dict[str, int]:
    """Send every run that waits with no message taken by the broker (asked for more than
    ZJTX_QUEUE_SEND_DELAY s ago), or whose message was taken ZJTX_QUEUE_RESEND_HOURS ago and never
    claimed; `everything`: every waiting, unclaimed run now (after Redis lost its data). Returns the
    number sent per task."""
    now = timezone.now()
    unsent = Q(sent_at__isnull=True, enqueued_at__lte=now - dt.timedelta(seconds=settings.ZJTX_QUEUE_SEND_DELAY))
    lost = Q(sent_at__lte=now - dt.timedelta(hours=settings.ZJTX_QUEUE_RESEND_HOURS), claimed_at__isnull=True)
    if everything:
        unsent, lost = Q(sent_at__isnull=True), Q(claimed_at__isnull=True)
    sent: dict[str, int] = {}
    for kind in KINDS.values():
        due = kind.rows.filter(kind.waiting_q).filter(unsent | lost).order_by("pk")
        for run_id in list(due.values_list("pk", flat=True)[:1000]):
            with transaction.atomic():
                # Another sweeper has it (locked) or took it (no longer due): leave it.
                mine = due.select_for_update(skip_locked=True).filter(pk=run_id).values_list("pk", flat=True)
                if not list(mine):
                    continue
                # Noted as asked for now: no other sweep sends it again within the delay.
                kind.rows.filter(pk=run_id).update(enqueued_at=now, sent_at=None)
            if not _send(kind, run_id, now):
                break  # the broker is still down: the next sweep tries again
            sent[kind.task] = sent.get(kind.task, 0) + 1
    if not everything:
        for extra in EXTRA_SWEEPS:
            for task, count in extra().items():
                sent[task] = sent.get(task, 0) + count
    if sent:
        log.info("queue: sweep sent %s", sent)
    return sent


# --- what the pages say ---------------------------------------------------------------------------------


def waiting_notice(run: Any) -> str:
    """A sentence for a run that waits on the queue (the broker down, or no worker), else ''."""
    if not isinstance(run, QueuedRun) or run.enqueued_at is None or run.claimed_at is not None:
        return ""
    if not any(k.model_label == run._meta.label and k.waits(run) for k in KINDS.values()):
        return ""
    if run.sent_at is None:
        return _(
            "The background task queue is unavailable right now. The work is recorded and will run "
            "automatically once the queue is back."
        )
    if (timezone.now() - run.sent_at).total_seconds() > settings.ZJTX_QUEUE_WORKER_WAIT_SECONDS:
        return _("Waiting for a background worker: none has taken this work yet; it will run when one is available.")
    return ""


def waiting_counts() -> dict[str, int]:
    """Runs per task recorded but not yet taken by the broker."""
    counts = {}
    for kind in KINDS.values():
        count = kind.rows.filter(kind.waiting_q, sent_at__isnull=True, enqueued_at__isnull=False).count()
        if count:
            counts[kind.task] = count
    return counts
