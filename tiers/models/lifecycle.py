"""The tier lifecycle: applications (申报) and the certifications (认定) they lead to.

States and who may move them are in tiers/rules/lifecycle.py; the
services in tiers/services/lifecycle.py are the only writers.  Every
transition leaves one event row (who, when, from, to, why).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tiers.rules.lifecycle import ApplicationStatus as A
from tiers.rules.lifecycle import CertificationStatus as C
from zjtx.access import RestrictedQuerySet


class ApplicationStatusChoices(models.TextChoices):
    SUBMITTED = A.SUBMITTED, _("Submitted")
    RECOMMENDED = A.RECOMMENDED, _("Recommended by the district")
    UNDER_REVIEW = A.UNDER_REVIEW, _("Under municipal review")
    PUBLICISED = A.PUBLICISED, _("In public notice")
    CERTIFIED = A.CERTIFIED, _("Certified")
    NOT_RECOMMENDED = A.NOT_RECOMMENDED, _("Not recommended")
    REJECTED = A.REJECTED, _("Rejected")
    WITHDRAWN = A.WITHDRAWN, _("Withdrawn")


class CertificationStatusChoices(models.TextChoices):
    ACTIVE = C.ACTIVE, _("Active")
    RE_REVIEW = C.RE_REVIEW, _("Under re-review")
    EXPIRED = C.EXPIRED, _("Expired")
    REVOKED = C.REVOKED, _("Revoked")


# The words of the lifecycle's actions (tiers/rules/lifecycle.py), for histories, admin actions and errors.
ACTION_LABELS = {
    "submit": _("submit"),
    "recommend": _("recommend"),
    "decline": _("decline to recommend"),
    "withdraw": _("withdraw"),
    "start_review": _("start the municipal review"),
    "publicise": _("publish for public notice"),
    "certify": _("certify"),
    "reject": _("reject"),
    "start_re_review": _("start the re-review"),
    "confirm": _("confirm after re-review"),
    "revoke": _("revoke"),
    "expire": _("expire"),
    "import": _("import"),
}


class Application(models.Model):
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name=_("enterprise"), on_delete=models.PROTECT, related_name="applications"
    )
    tier = models.ForeignKey("reference.Tier", verbose_name=_("tier"), on_delete=models.PROTECT, related_name="+")
    batch_year = models.PositiveSmallIntegerField(_("batch year"))
    status = models.CharField(_("status"), max_length=20, choices=ApplicationStatusChoices.choices, default=A.SUBMITTED)
    note = models.TextField(_("note"), blank=True)
    submitted_at = models.DateTimeField(_("submitted"), auto_now_add=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("submitted by"), on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = RestrictedQuerySet.as_manager()

    access_policy = "district"
    district_path = "enterprise__district"
    officials_may_change = True

    class Meta:
        db_table = "enterprises_application"  # the table kept its name when the model moved here
        verbose_name = _("tier application")
        verbose_name_plural = _("tier applications")
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "tier"],
                condition=models.Q(status__in=sorted(A.OPEN)),
                name="one_open_application_per_enterprise_tier",
            )
        ]
        indexes = [models.Index(fields=["status", "tier"], name="application_status_tier")]

    def __str__(self) -> str:
        return f"{self.enterprise_id} → {self.tier_id}（{self.get_status_display()}）"


class Certification(models.Model):
    """An enterprise holds a tier for a half-open period [valid_from, valid_until)."""

    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="certifications",
    )
    tier = models.ForeignKey("reference.Tier", verbose_name=_("tier"), on_delete=models.PROTECT, related_name="+")
    application = models.OneToOneField(
        Application,
        verbose_name=_("application"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="certification",
        help_text=_("Empty for certifications imported from earlier records."),
    )
    status = models.CharField(_("status"), max_length=20, choices=CertificationStatusChoices.choices, default=C.ACTIVE)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until (exclusive)"))
    reason = models.TextField(_("reason of the last change"), blank=True)
    # The day it stopped being held early (revoked) or at its end (expired); with the period this
    # answers "who held the tier on day d" for any past day.
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = RestrictedQuerySet.as_manager()

    access_policy = "district"
    district_path = "enterprise__district"
    officials_may_change = True

    class Meta:
        db_table = "enterprises_certification"  # the table kept its name when the model moved here
        verbose_name = _("certification")
        verbose_name_plural = _("certifications")
        ordering = ["-valid_from", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "tier"],
                condition=models.Q(status__in=sorted(C.HOLDING)),
                name="one_held_certification_per_enterprise_tier",
            ),
            models.CheckConstraint(condition=models.Q(valid_until__gt=models.F("valid_from")), name="cert_period"),
        ]
        indexes = [
            models.Index(fields=["tier", "status", "valid_until"], name="cert_tier_status_until"),
            models.Index(fields=["status", "valid_until"], name="cert_status_until"),
            # The list's order (issue 16): without it a page sorted all 124,000 certifications of the
            # national set (an external merge sort on disk, ~100 ms) before joining the district;
            # with it the page is read off the index and stops after 50 rows in scope.
            models.Index(fields=["-valid_from", "-id"], name="cert_list_order"),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.tier_id} [{self.valid_from}, {self.valid_until})"


class TransitionEvent(models.Model):
    """One step of a lifecycle: who moved the item, when, from which state to which, and why.

    Subclasses name the words of their actions and states, so histories never print raw codes.
    """

    action_labels: ClassVar[Mapping[str, Any]] = {}
    status_choices: ClassVar[Any] = None
    action = models.CharField(_("action"), max_length=30)
    from_status = models.CharField(_("from"), max_length=20)
    to_status = models.CharField(_("to"), max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty for the nightly system job."),
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    reason = models.TextField(_("reason"), blank=True)

    objects = RestrictedQuerySet.as_manager()

    access_policy = "district"

    class Meta:
        abstract = True
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} → {self.get_to_status_display()}"

    def _status_label(self, code: str) -> str:
        choices = self.status_choices
        if choices is not None and code in choices.values:
            return str(choices(code).label)
        return code

    def get_action_display(self) -> str:
        return str(self.action_labels.get(self.action, self.action))

    def get_from_status_display(self) -> str:
        return self._status_label(self.from_status) if self.from_status else "—"

    def get_to_status_display(self) -> str:
        return self._status_label(self.to_status)


class ApplicationTransition(TransitionEvent):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="transitions")

    action_labels = ACTION_LABELS
    status_choices = ApplicationStatusChoices

    district_path = "application__enterprise__district"

    class Meta(TransitionEvent.Meta):
        db_table = "enterprises_applicationtransition"  # the table kept its name when the model moved here
        verbose_name = _("application transition")
        verbose_name_plural = _("application transitions")


class CertificationTransition(TransitionEvent):
    certification = models.ForeignKey(Certification, on_delete=models.CASCADE, related_name="transitions")

    action_labels = ACTION_LABELS
    status_choices = CertificationStatusChoices

    district_path = "certification__enterprise__district"

    class Meta(TransitionEvent.Meta):
        db_table = "enterprises_certificationtransition"  # the table kept its name when the model moved here
        verbose_name = _("certification transition")
        verbose_name_plural = _("certification transitions")
