"""Subsidy rules as data: a formula kind, its parameters, a period of effect and the clause it comes from.

Program administrators add and change rules (a new rate, a new cap, a new end
date) in the admin or the API without code changes.  The parameters are
checked by the pure engine (programs/rules/subsidy.py) on every save, and the
database refuses unknown kinds, empty periods and parameters without the keys
their kind needs.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from programs.models.policy import CodeQuerySet, Measure, _period_constraint
from programs.rule_messages import rule_error_message
from programs.rules import subsidy as engine
from reference.models import Bilingual


class RuleKind(models.TextChoices):
    SHARE_WITH_CAP = engine.SHARE_WITH_CAP, _("Share of an amount, with a cap")
    FIXED_CAP = engine.FIXED_CAP, _("Award up to a fixed cap")
    MARGINAL_BANDS = engine.MARGINAL_BANDS, _("Marginal bands, with a total cap")
    PER_ENTERPRISE_CAP = engine.PER_ENTERPRISE_CAP, _("Awards up to a total per enterprise")


def _params_have_required_keys() -> models.Q:
    condition = models.Q()
    for kind, keys in engine.REQUIRED.items():
        condition |= models.Q(kind=kind, params__has_keys=sorted(keys))
    return condition


class SubsidyRule(Bilingual):
    code = models.SlugField(_("code"), max_length=60, unique=True)
    measure = models.ForeignKey(
        Measure, verbose_name=_("measure"), on_delete=models.PROTECT, related_name="subsidy_rules"
    )
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=250, blank=True)
    kind = models.CharField(_("kind of formula"), max_length=30, choices=RuleKind.choices)
    params = models.JSONField(
        _("parameters"),
        help_text=_('Amounts in yuan and rates as decimal strings, e.g. {"base": "contract_value", "rate": "0.20"}.'),
    )
    effective_from = models.DateField(_("in force from"))
    effective_until = models.DateField(_("in force until (exclusive)"), null=True, blank=True)
    clause = models.CharField(_("clause"), max_length=60, help_text=_("Where the document says it, e.g. 北京 六.2"))
    source_text = models.TextField(_("text of the clause"), blank=True)
    notes = models.TextField(_("reading of the text"), blank=True, help_text=_("How ambiguous wording is read."))
    notes_en = models.TextField(_("reading of the text (English)"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = CodeQuerySet.as_manager()

    access_policy = "program"
    jurisdiction_path = "measure__policy__jurisdiction"

    class Meta:
        verbose_name = _("subsidy rule")
        verbose_name_plural = _("subsidy rules")
        ordering = ["measure__policy", "measure__sort_order", "effective_from", "code"]
        constraints = [
            _period_constraint("subsidy_rule_period_not_empty"),
            models.CheckConstraint(condition=models.Q(kind__in=engine.KINDS), name="subsidy_rule_known_kind"),
            models.CheckConstraint(condition=_params_have_required_keys(), name="subsidy_rule_params_complete"),
        ]

    def as_rule(self) -> engine.Rule:
        return engine.Rule(
            code=self.code,
            kind=self.kind,
            params=self.params,
            effective_from=self.effective_from,
            effective_until=self.effective_until,
            clause=self.clause,
        )

    def check_params(self) -> None:
        try:
            engine.validate(self.kind, self.params)
        except engine.RuleDefinitionError as exc:
            raise ValidationError({"params": rule_error_message(exc)}) from exc

    def clean(self) -> None:
        super().clean()
        self.check_params()
        if self.effective_until and self.effective_from and self.effective_until <= self.effective_from:
            raise ValidationError({"effective_until": _("Must be after the start of the period.")})
        if self.measure_id and self.effective_from:
            overlapping = (
                SubsidyRule.objects.filter(measure_id=self.measure_id)
                .exclude(pk=self.pk)
                .filter(models.Q(effective_until__isnull=True) | models.Q(effective_until__gt=self.effective_from))
            )
            if self.effective_until:
                overlapping = overlapping.filter(effective_from__lt=self.effective_until)
            clash = overlapping.first()
            if clash is not None:
                raise ValidationError(
                    {
                        "effective_from": _(
                            "The rule %(code)s of the same measure is in force in an overlapping period; "
                            "end it first so that one rule answers for each day."
                        )
                        % {"code": clash.code}
                    }
                )

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A guard, not workflow: no code path may store parameters the engine cannot compute with.
        self.check_params()
        super().save(*args, **kwargs)

    @property
    def display_notes(self) -> str:
        """The reading of the text in the reader's language (Chinese unless English is asked for)."""
        if self.notes_en and (get_language() or "").startswith("en"):
            return self.notes_en
        return self.notes
