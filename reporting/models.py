"""Targets, their daily snapshots, hand-entered figures, job runs and generated reports."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from reference.models import Bilingual, ReferenceQuerySet
from zjtx.access import RestrictedQuerySet
from zjtx.outbox import QueuedRun


def one_per_place(
    before: list[str], after: list[str], name: str, only: Q | None = None
) -> list[models.UniqueConstraint]:
    """Rows kept per place: one per jurisdiction for city-wide rows (district empty), one per district otherwise.

    Two partial constraints, because a NULL district would never collide in a plain unique constraint;
    `only` narrows both to some rows.
    """
    city, district = Q(district__isnull=True), Q(district__isnull=False)
    if only is not None:
        city, district = city & only, district & only
    return [
        models.UniqueConstraint(fields=[*before, "jurisdiction", *after], condition=city, name=f"one_city_{name}"),
        models.UniqueConstraint(fields=[*before, "district", *after], condition=district, name=f"one_district_{name}"),
    ]


class MetricKind(models.TextChoices):
    TIER_HOLDERS = "tier_holders", _("Enterprises holding a tier")
    NEW_LISTINGS = "new_listings", _("Newly listed enterprises")
    MANUAL = "manual", _("Entered by hand")


class Metric(Bilingual):
    """What a target counts. `params` depends on the kind:

    - tier_holders: {"tiers": ["srdi_sme"]}, enterprises holding any of these tiers on the day;
    - new_listings: {"since": "2022-01-01"}, enterprises listed on an exchange since that day;
    - manual: {}, figures the registry cannot count (alliances, parks, workshops…), entered by hand.
    """

    code = models.SlugField(_("code"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=MetricKind.choices)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    unit = models.CharField(_("unit"), max_length=20, default="家")
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)
    source = models.CharField(_("source"), max_length=300, blank=True)

    objects = ReferenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("metric")
        verbose_name_plural = _("metrics")
        ordering = ["sort_order", "code"]

    def clean(self) -> None:
        super().clean()
        from reporting.rules.metrics import MetricParamsError, check_params

        try:
            check_params(self.kind, self.params)
        except MetricParamsError as exc:
            raise ValidationError({"params": str(exc)}) from exc


class Target(models.Model):
    """A target value of a metric for a jurisdiction (city-wide) or one district, due by a deadline.

    A target belongs to a plan period: the policy document (programs.Policy) that set it, whose period
    bounds its deadline.  The day after its deadline a target is closed and has a final result.
    """

    metric = models.ForeignKey(Metric, verbose_name=_("metric"), on_delete=models.PROTECT, related_name="targets")
    jurisdiction = models.ForeignKey(
        "reference.Jurisdiction", verbose_name=_("jurisdiction"), on_delete=models.PROTECT, related_name="+"
    )
    district = models.ForeignKey(
        "reference.District",
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty for a city-wide target."),
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("split from"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="parts",
        help_text=_("The city-wide target this district target is a share of."),
    )
    value = models.PositiveIntegerField(_("target value"))
    # The policy's own words for this figure, where the target comes from a policy document.
    commitment = models.ForeignKey(
        "programs.Commitment",
        verbose_name=_("commitment in the policy"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="targets",
    )
    # The plan period: the policy document that set the target (a district target shares its city target's).
    policy = models.ForeignKey(
        "programs.Policy",
        verbose_name=_("plan"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="targets",
        help_text=_("The policy document whose plan period this target belongs to; its period bounds the deadline."),
    )
    start = models.DateField(_("counting from"), help_text=_("Start of the plan period, for pace and projection."))
    deadline = models.DateField(_("deadline"))
    source = models.CharField(_("source"), max_length=300, blank=True)

    objects = RestrictedQuerySet.as_manager()

    access_policy = "jurisdiction"
    jurisdiction_path = "jurisdiction"
    district_path = "district"

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["metric__sort_order", "deadline", "district__sort_order"]
        constraints = [
            *one_per_place(["metric"], ["deadline"], "target_per_metric_deadline"),
            models.CheckConstraint(condition=Q(deadline__gt=models.F("start")), name="target_period_not_empty"),
        ]

    def __str__(self) -> str:
        where = self.district or self.jurisdiction
        return f"{self.metric} · {where} · {self.value} ({self.deadline:%Y-%m-%d})"

    def clean(self) -> None:
        super().clean()
        district, parent = self.district, self.parent
        if district is not None and district.jurisdiction_id != self.jurisdiction_id:
            raise ValidationError({"district": _("The district is not in this jurisdiction.")})
        if parent is not None and (parent.district_id or parent.metric_id != self.metric_id):
            raise ValidationError(
                {"parent": _("A district target is split from a city-wide target of the same metric.")}
            )
        errors = self.plan_errors()
        if errors:
            raise ValidationError(errors)

    def plan_errors(self) -> dict[str, Any]:
        """What is wrong with the target's plan: of another jurisdiction, or a period without the deadline."""
        plan = self.policy
        if plan is None:
            return {}
        if plan.jurisdiction_id != self.jurisdiction_id:
            return {"policy": _("The plan is of another jurisdiction.")}
        if self.deadline and not (
            plan.effective_from <= self.deadline
            and (plan.effective_until is None or self.deadline < plan.effective_until)
        ):
            return {
                "deadline": _("The deadline lies outside the plan's period (%(period)s).")
                % {"period": plan_period(plan)}
            }
        return {}


def plan_period(plan: Any) -> str:
    """A plan's period as people write it: first and last day (the stored end is exclusive)."""
    if plan.effective_until is None:
        return f"{plan.effective_from:%Y-%m-%d} –"
    return f"{plan.effective_from:%Y-%m-%d} – {plan.effective_until - dt.timedelta(days=1):%Y-%m-%d}"


class ManualValue(models.Model):
    """A hand-entered cumulative figure of a manual metric, as of a day, for a district or city-wide."""

    metric = models.ForeignKey(Metric, verbose_name=_("metric"), on_delete=models.PROTECT, related_name="+")
    jurisdiction = models.ForeignKey(
        "reference.Jurisdiction", verbose_name=_("jurisdiction"), on_delete=models.PROTECT, related_name="+"
    )
    district = models.ForeignKey(
        "reference.District", verbose_name=_("district"), on_delete=models.PROTECT, null=True, blank=True
    )
    as_of = models.DateField(_("as of"))
    value = models.PositiveIntegerField(_("value"))
    note = models.TextField(_("note"), blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("entered by"), on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField(_("entered at"), auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()

    access_policy = "jurisdiction"
    jurisdiction_path = "jurisdiction"
    district_path = "district"

    class Meta:
        verbose_name = _("hand-entered figure")
        verbose_name_plural = _("hand-entered figures")
        ordering = ["-as_of", "-entered_at"]
        indexes = [models.Index(fields=["metric", "jurisdiction", "as_of"], name="manual_metric_day")]

    def __str__(self) -> str:
        return f"{self.metric} {self.district or self.jurisdiction} {self.as_of}: {self.value}"


class MetricSnapshot(models.Model):
    """The value of a metric on a day, for one district or (district empty) the whole jurisdiction."""

    day = models.DateField(_("day"))
    metric = models.ForeignKey(Metric, verbose_name=_("metric"), on_delete=models.CASCADE, related_name="+")
    jurisdiction = models.ForeignKey(
        "reference.Jurisdiction", verbose_name=_("jurisdiction"), on_delete=models.CASCADE, related_name="+"
    )
    district = models.ForeignKey(
        "reference.District", verbose_name=_("district"), on_delete=models.CASCADE, null=True, blank=True
    )
    value = models.PositiveIntegerField(_("value"))
    taken_at = models.DateTimeField(_("taken at"), auto_now=True)

    objects = RestrictedQuerySet.as_manager()

    access_policy = "jurisdiction"
    jurisdiction_path = "jurisdiction"
    district_path = "district"

    class Meta:
        verbose_name = _("snapshot")
        verbose_name_plural = _("snapshots")
        ordering = ["day"]
        constraints = [
            *one_per_place(["day", "metric"], [], "snapshot_per_day"),
        ]
        indexes = [models.Index(fields=["metric", "district", "day"], name="snapshot_series")]

    def __str__(self) -> str:
        return f"{self.day} {self.metric_id} {self.district_id or '—'}: {self.value}"


class ReportKind(models.TextChoices):
    DISTRICT = "district", _("District progress report")
    CITY = "city", _("City-wide summary")
    CLOSING = "closing", _("Closing evaluation")


class ReportStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ReportRun(QueuedRun):
    """A progress report for a period (YYYY-MM): one row per kind, place and period, regenerated in place.

    A closing evaluation (终期评估) is the city-wide report of one ended plan: one row per plan, its
    period the month of the plan's last day.
    """

    kind = models.CharField(_("kind"), max_length=10, choices=ReportKind.choices)
    jurisdiction = models.ForeignKey(
        "reference.Jurisdiction", verbose_name=_("jurisdiction"), on_delete=models.PROTECT, related_name="+"
    )
    district = models.ForeignKey(
        "reference.District", verbose_name=_("district"), on_delete=models.PROTECT, null=True, blank=True
    )
    period = models.CharField(_("period"), max_length=7, help_text=_("Month reported on, YYYY-MM"))
    plan = models.ForeignKey(
        "programs.Policy",
        verbose_name=_("plan"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The ended plan a closing evaluation is about."),
    )
    as_of = models.DateField(_("figures as of"), null=True, blank=True)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, default="zh-hans")
    status = models.CharField(_("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    pdf = models.FileField(_("PDF"), upload_to="reports/", blank=True)
    xlsx = models.FileField(_("workbook"), upload_to="reports/", blank=True)
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    access_policy = "jurisdiction"
    jurisdiction_path = "jurisdiction"
    district_path = "district"

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-period", "kind", "district__sort_order"]
        constraints = [
            *one_per_place(["kind"], ["period"], "report_per_period", only=~Q(kind="closing")),
            models.UniqueConstraint(fields=["plan"], condition=Q(kind="closing"), name="one_closing_report_per_plan"),
            models.CheckConstraint(
                condition=Q(kind="city", district__isnull=True, plan__isnull=True)
                | Q(kind="district", district__isnull=False, plan__isnull=True)
                | Q(kind="closing", district__isnull=True, plan__isnull=False),
                name="report_kind_matches_scope",
            ),
        ]

    def __str__(self) -> str:
        if self.kind == ReportKind.CLOSING:
            return f"{self.get_kind_display()} {self.plan}"
        return f"{self.get_kind_display()} {self.district or self.jurisdiction} {self.period}"
