"""Eligibility assessments: the verdict of one criteria document on one enterprise for the tier above its current one.

The criteria are pure data in tiers/rules/eligibility/; the facts they read are the enterprise's
yearly figures and its profile (enterprises.models.EligibilityProfile).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from zjtx.access import RestrictedQuerySet


class EligibilityAssessment(models.Model):
    """The current verdict on an enterprise for one tier; the nightly job keeps one row per (enterprise, tier)."""

    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name=_("enterprise"), on_delete=models.CASCADE, related_name="assessments"
    )
    tier = models.ForeignKey("reference.Tier", verbose_name=_("tier"), on_delete=models.CASCADE, related_name="+")
    rule_set = models.CharField(_("rule set"), max_length=60)
    provisional = models.BooleanField(
        _("provisional"), default=False, help_text=_("The rule set's period has ended and no successor is encoded.")
    )
    assessed_on = models.DateField(_("assessed on"))
    passed = models.BooleanField(_("eligible now"))
    near = models.BooleanField(_("within one indicator"))
    missing_data = models.BooleanField(_("missing data"))
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=2, null=True, blank=True)
    score_max = models.DecimalField(
        _("score with missing data at full points"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    direct_qualification = models.CharField(_("direct qualification"), max_length=40, blank=True)
    indicators_met = models.PositiveSmallIntegerField(_("indicators met"), default=0)
    indicators = models.JSONField(_("indicators"), default=list)
    lacking = models.JSONField(_("lacking"), default=list, help_text=_("Indicators not met."))
    unknown = models.JSONField(_("unknown"), default=list, help_text=_("Indicators without the data to decide."))
    score_closers = models.JSONField(_("indicators that alone would reach the pass mark"), default=list)

    objects = RestrictedQuerySet.as_manager()

    access_policy = "district"
    district_path = "enterprise__district"

    class Meta:
        db_table = "enterprises_eligibilityassessment"  # the table kept its name when the model moved here
        verbose_name = _("eligibility assessment")
        verbose_name_plural = _("eligibility assessments")
        ordering = ["-passed", "-near", "-score", "-indicators_met", "enterprise_id"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "tier"], name="one_assessment_per_enterprise_tier"),
        ]
        indexes = [
            models.Index(fields=["tier", "passed", "near"], name="assessment_tier_verdict"),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_id} → {self.tier_id} ({self.assessed_on})"

    @property
    def status(self) -> str:
        if self.passed:
            return "eligible"
        if self.near:
            return "near"
        return "missing_data" if self.missing_data else "not_eligible"
