"""Runs of the scheduled jobs (expiry, service-desk check, snapshots, reports): one row per execution."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from zjtx.access import RestrictedQuerySet


class JobStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class JobRun(models.Model):
    """One execution of a job: for which day or period, when it started and ended, how, with what result."""

    job = models.CharField(_("job"), max_length=100)
    key = models.CharField(_("for"), max_length=60, blank=True, help_text=_("The day or period the job ran for."))
    status = models.CharField(_("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.RUNNING)
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)

    objects = RestrictedQuerySet.as_manager()

    access_policy = "system"

    class Meta:
        verbose_name = _("job run")
        verbose_name_plural = _("job runs")
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["job", "key"], name="jobrun_job_key")]

    def __str__(self) -> str:
        return f"{self.job} [{self.key}] {self.status}"
