"""Imports of published tier lists (名单导入): one run per uploaded list, previewed before it is applied.

The run keeps the file, what the official chose (tier, kind), the preview's counts and the rows
worth reading (conflicts, exceptions, rejected rows, and the first rows of each outcome), and then
what was written.  Written by tiers/services/tier_lists.py only.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tiers.rules.tier_lists import ListKind
from zjtx.access import RestrictedQuerySet
from zjtx.outbox import QueuedRun


class ListKindChoices(models.TextChoices):
    CERTIFICATION = ListKind.CERTIFICATION, _("Certification (new or renewal)")
    RE_REVIEW_PASSED = ListKind.RE_REVIEW_PASSED, _("Re-review passed")
    RE_REVIEW_FAILED = ListKind.RE_REVIEW_FAILED, _("Re-review failed")
    REVOCATION = ListKind.REVOCATION, _("Revocation")


class TierListStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the preview")
    PREVIEWING = "previewing", _("Preview running")
    PREVIEWED = "previewed", _("Preview ready: confirm or cancel")
    APPLYING = "applying", _("Being written")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled: nothing written")
    FAILED = "failed", _("Failed: nothing written")


class TierListImport(QueuedRun):
    file_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    stored_file = models.FileField(_("stored file"), upload_to="tier-lists/%Y/%m/")
    tier = models.ForeignKey("reference.Tier", verbose_name=_("tier"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind of list"), max_length=20, choices=ListKindChoices.choices)
    jurisdiction = models.ForeignKey(
        "reference.Jurisdiction",
        verbose_name=_("jurisdiction"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text=_("The official's jurisdiction; rows of other jurisdictions are rejected. Empty: any."),
    )
    # Always empty: a list is city-wide, so district staff read none (as with city-wide reports).
    district = models.ForeignKey(
        "reference.District", verbose_name=_("district"), on_delete=models.PROTECT, null=True, editable=False
    )
    default_industry = models.ForeignKey(
        "reference.Industry",
        verbose_name=_("industry of new enterprises"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("For rows that create an enterprise and have no 行业门类 column."),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=TierListStatus.choices, default=TierListStatus.PENDING
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    accept_exceptions = models.BooleanField(_("exceptions accepted"), default=False)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    rows_total = models.PositiveIntegerField(_("rows read"), default=0)
    counts = models.JSONField(_("rows by outcome"), default=dict, blank=True)
    written = models.JSONField(_("written"), default=dict, blank=True)
    rows = models.JSONField(_("rows to read"), default=list, blank=True)
    message = models.TextField(_("message"), blank=True)
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    previewed_at = models.DateTimeField(_("previewed"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    # Officials (and auditors, program admins: read) of the list's jurisdiction; district staff see none.
    access_policy = "jurisdiction"
    jurisdiction_path = "jurisdiction"
    district_path = "district"

    class Meta:
        verbose_name = _("tier list import")
        verbose_name_plural = _("tier list imports")
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"
