"""Benefit applications: an enterprise asks for the money a measure promises, with the inputs of its rule.

District data (scoped by the enterprise's district).  The services in
programs/services/benefits.py are the only writers; every transition leaves an
event row.  Amounts are what the engine computed: `amount` when submitted,
`approved_amount` when approved (computed again then, against the budget and
the enterprise's caps).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from programs.rules.benefits import BenefitStatus as B
from tiers.models.lifecycle import TransitionEvent
from zjtx.access import RestrictedQuerySet


class BenefitStatusChoices(models.TextChoices):
    SUBMITTED = B.SUBMITTED, _("Submitted")
    APPROVED = B.APPROVED, _("Approved")
    REJECTED = B.REJECTED, _("Rejected")
    PAID = B.PAID, _("Paid")


class BenefitApplication(models.Model):
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="benefit_applications",
    )
    measure = models.ForeignKey(
        "programs.Measure", verbose_name=_("measure"), on_delete=models.PROTECT, related_name="benefit_applications"
    )
    rule = models.ForeignKey(
        "programs.SubsidyRule", verbose_name=_("subsidy rule"), on_delete=models.PROTECT, related_name="applications"
    )
    basis_date = models.DateField(
        _("basis date"), help_text=_("The day the facts refer to; the rule in force on this day applies.")
    )
    inputs = models.JSONField(_("inputs"), default=dict, blank=True)
    amount = models.DecimalField(_("amount quoted (yuan)"), max_digits=16, decimal_places=2)
    approved_amount = models.DecimalField(
        _("amount approved (yuan)"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    trace = models.JSONField(_("explanation"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=BenefitStatusChoices.choices, default=B.SUBMITTED)
    note = models.TextField(_("note"), blank=True)
    submitted_at = models.DateTimeField(_("submitted"), auto_now_add=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("submitted by"), on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = RestrictedQuerySet.as_manager()

    access_policy = "district"
    district_path = "enterprise__district"
    officials_may_change = True

    class Meta:
        verbose_name = _("benefit application")
        verbose_name_plural = _("benefit applications")
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="benefit_amount_not_negative"),
            models.CheckConstraint(
                condition=models.Q(approved_amount__isnull=True)
                | models.Q(approved_amount__gte=0, approved_amount__lte=models.F("amount")),
                name="benefit_approved_within_quote",
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=sorted(B.COMMITTED)) | models.Q(approved_amount__isnull=False),
                name="benefit_committed_has_amount",
            ),
        ]
        indexes = [
            models.Index(fields=["measure", "status"], name="benefit_measure_status"),
            models.Index(fields=["enterprise", "measure", "status"], name="benefit_enterprise_measure"),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_id} · {self.measure_id}（{self.get_status_display()}）"


# The words of a benefit application's actions (programs/rules/benefits.py).
BENEFIT_ACTIONS = {
    "submit": _("submit"),
    "approve": _("approve"),
    "reject": _("reject"),
    "pay": _("mark as paid"),
}


class BenefitApplicationTransition(TransitionEvent):
    application = models.ForeignKey(BenefitApplication, on_delete=models.CASCADE, related_name="transitions")

    action_labels = BENEFIT_ACTIONS
    status_choices = BenefitStatusChoices

    district_path = "application__enterprise__district"

    class Meta(TransitionEvent.Meta):
        verbose_name = _("benefit application transition")
        verbose_name_plural = _("benefit application transitions")
