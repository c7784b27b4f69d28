"""Policy matching (政策找企业): each enterprise's standing under each measure in force, kept by the nightly job.

One row per (enterprise, measure) of the measure's region: qualifies, does not (with the
reasons) or cannot tell (with the facts missing), and the amount where the rule's inputs
are known from the enterprise's facts.  District data (scoped by the enterprise's
district).  programs/services/matching.py is the only writer; it rewrites a row only when
its verdict changes (`since` is the first day of the current verdict).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from programs.rules import eligibility as rules
from zjtx.access import RestrictedQuerySet


class MatchVerdict(models.TextChoices):
    QUALIFIES = rules.QUALIFIES, _("Qualifies")
    DOES_NOT = rules.DOES_NOT, _("Does not qualify")
    CANNOT_TELL = rules.CANNOT_TELL, _("Cannot tell")


class BenefitMatch(models.Model):
    # No single-column indexes on the keys: the unique (enterprise, measure) index serves lookups by
    # enterprise, and every index less is less to write for millions of rows a night.
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("enterprise"),
        on_delete=models.CASCADE,
        related_name="benefit_matches",
        db_index=False,
    )
    measure = models.ForeignKey(
        "programs.Measure", verbose_name=_("measure"), on_delete=models.CASCADE, related_name="matches", db_index=False
    )
    verdict = models.CharField(_("verdict"), max_length=12, choices=MatchVerdict.choices)
    reasons = models.JSONField(_("reasons"), default=list, blank=True, help_text=_("Why it does not qualify."))
    missing = models.JSONField(_("facts missing"), default=list, blank=True)
    rule = models.ForeignKey(
        "programs.SubsidyRule",
        verbose_name=_("subsidy rule"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # rules are seldom deleted; a scan then is cheaper than an index written nightly
    )
    inputs = models.JSONField(_("inputs known from the facts"), default=dict, blank=True)
    amount = models.DecimalField(
        _("amount (yuan)"),
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Empty: the rule needs inputs the enterprise's facts do not give."),
    )
    since = models.DateField(_("verdict since"))

    objects = RestrictedQuerySet.as_manager()

    access_policy = "district"
    district_path = "enterprise__district"

    class Meta:
        verbose_name = _("policy match")
        verbose_name_plural = _("policy matches")
        ordering = ["enterprise_id", "measure_id"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "measure"], name="one_match_per_enterprise_measure"),
            models.CheckConstraint(condition=models.Q(verdict__in=rules.VERDICTS), name="benefit_match_known_verdict"),
            models.CheckConstraint(
                condition=models.Q(amount__isnull=True) | models.Q(verdict=rules.QUALIFIES, amount__gte=0),
                name="benefit_match_amount_only_when_qualifying",
            ),
        ]
        # Most rows say "does not" (no tier held); the pages and the uptake read the others, so only those
        # are indexed by measure (a small index, and nothing to write for the many).
        indexes = [
            models.Index(
                fields=["measure", "enterprise"],
                # Written as IN (not <> does_not) so that PostgreSQL sees that verdict = 'qualifies' uses it.
                condition=models.Q(verdict__in=[rules.QUALIFIES, rules.CANNOT_TELL]),
                name="benefit_match_open",
            )
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_id} · {self.measure_id}: {self.verdict}"
