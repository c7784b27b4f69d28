"""Policy documents as data: the policy, its groups (actions, task groups), measures, units and commitments.

Reference data of one jurisdiction each (access policy "program"), loaded from
fixtures/programs/ by `manage.py load_reference_data` and maintained by the program
administrators of that jurisdiction.  Every row cites its clause in the
document (Beijing action 六, measure 六.2; Chongqing task 18; safeguard 三(二)).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from programs.rule_messages import condition_error_message
from programs.rules.eligibility import ENTERPRISE, ConditionError, parse_conditions
from reference.models import Bilingual
from zjtx.access import RestrictedQuerySet


class CodeQuerySet(RestrictedQuerySet):
    def get_by_natural_key(self, code: str) -> models.Model:
        return self.get(code=code)


def _period_constraint(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=models.Q(effective_until__isnull=True) | models.Q(effective_until__gt=models.F("effective_from")),
        name=name,
    )


class UnitKind(models.TextChoices):
    MUNICIPAL_DEPARTMENT = "municipal_department", _("Municipal department")
    DISTRICT_GOVERNMENTS = "district_governments", _("District and county governments")
    CENTRAL_BRANCH = "central_branch", _("Local branch of a central agency")
    OTHER = "other", _("Other")


class ResponsibleUnit(Bilingual):
    """A body a policy makes responsible for its tasks (责任单位)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    jurisdiction = models.ForeignKey(
        "reference.Jurisdiction", verbose_name=_("jurisdiction"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=30, choices=UnitKind.choices)

    objects = CodeQuerySet.as_manager()

    access_policy = "program"
    jurisdiction_path = "jurisdiction"

    class Meta:
        verbose_name = _("responsible unit")
        verbose_name_plural = _("responsible units")
        ordering = ["jurisdiction__code", "code"]


class Policy(Bilingual):
    """One policy document: who issued it, when, for which region and tiers, and its period of effect."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("title"), max_length=200)
    issuer = models.CharField(_("issuer"), max_length=100)
    issuer_en = models.CharField(_("issuer (English)"), max_length=150, blank=True)
    document_date = models.DateField(_("document date"))
    jurisdiction = models.ForeignKey(
        "reference.Jurisdiction", verbose_name=_("region"), on_delete=models.PROTECT, related_name="policies"
    )
    effective_from = models.DateField(_("in force from"))
    effective_until = models.DateField(_("in force until (exclusive)"), null=True, blank=True)
    period_note = models.CharField(_("period as written"), max_length=200, blank=True)
    tiers = models.ManyToManyField(
        "reference.Tier",
        verbose_name=_("applies to tiers"),
        blank=True,
        related_name="+",
        help_text=_("Enterprises holding one of these tiers may benefit; a measure may narrow this."),
    )
    source = models.CharField(_("source"), max_length=300, blank=True)

    objects = CodeQuerySet.as_manager()

    access_policy = "program"
    jurisdiction_path = "jurisdiction"

    class Meta:
        verbose_name = _("policy")
        verbose_name_plural = _("policies")
        ordering = ["jurisdiction__code", "-document_date", "code"]
        constraints = [_period_constraint("policy_period_not_empty")]

    def clean(self) -> None:
        super().clean()
        if self.effective_until and self.effective_from and self.effective_until <= self.effective_from:
            raise ValidationError({"effective_until": _("Must be after the start of the period.")})


class GroupKind(models.TextChoices):
    ACTION = "action", _("Action")
    TASK_GROUP = "task_group", _("Group of tasks")
    SAFEGUARDS = "safeguards", _("Safeguard mechanisms")


class MeasureGroup(Bilingual):
    """A heading of the document: one of Beijing's ten actions, a Chongqing task group, the safeguards."""

    policy = models.ForeignKey(Policy, verbose_name=_("policy"), on_delete=models.CASCADE, related_name="groups")
    clause = models.CharField(_("clause"), max_length=20, help_text=_("As numbered in the document, e.g. 六 or 二(三)"))
    kind = models.CharField(_("kind"), max_length=20, choices=GroupKind.choices)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)
    units = models.ManyToManyField(
        ResponsibleUnit, verbose_name=_("responsible units"), blank=True, related_name="measure_groups"
    )

    objects = RestrictedQuerySet.as_manager()

    access_policy = "program"
    jurisdiction_path = "policy__jurisdiction"

    class Meta:
        verbose_name = _("measure group")
        verbose_name_plural = _("measure groups")
        ordering = ["policy", "sort_order"]
        constraints = [models.UniqueConstraint(fields=["policy", "clause"], name="one_group_per_policy_clause")]


class MeasureKind(models.TextChoices):
    MEASURE = "measure", _("Measure")
    TASK = "task", _("Task")
    SAFEGUARD = "safeguard", _("Safeguard mechanism")


class Beneficiary(models.TextChoices):
    ENTERPRISE = ENTERPRISE, _("Enterprises")
    MARKET_OPERATOR = "market_operator", _("The regional equity market")
    SERVICE_PROVIDER = "service_provider", _("Service providers")
    GOVERNMENT = "government", _("Government bodies")


class Measure(Bilingual):
    """One measure, task or safeguard of a policy, with whom it is for and who answers for it."""

    policy = models.ForeignKey(Policy, verbose_name=_("policy"), on_delete=models.CASCADE, related_name="measures")
    group = models.ForeignKey(MeasureGroup, verbose_name=_("group"), on_delete=models.CASCADE, related_name="measures")
    clause = models.CharField(_("clause"), max_length=20, help_text=_("e.g. 六.2 (action 六, second measure) or 18"))
    kind = models.CharField(_("kind"), max_length=20, choices=MeasureKind.choices)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=250, blank=True)
    text = models.TextField(_("text of the clause"))
    funding = models.BooleanField(
        _("grants money"), default=False, help_text=_("The clause promises a grant, award or subsidy.")
    )
    beneficiary = models.CharField(
        _("money goes to"), max_length=20, choices=Beneficiary.choices, default=Beneficiary.ENTERPRISE
    )
    tiers = models.ManyToManyField(
        "reference.Tier",
        verbose_name=_("tiers"),
        blank=True,
        related_name="+",
        help_text=_("Empty: the tiers of the policy."),
    )
    industries = models.ManyToManyField(
        "reference.Industry",
        verbose_name=_("industry sections"),
        blank=True,
        related_name="+",
        help_text=_("Empty: every industry."),
    )
    units = models.ManyToManyField(
        ResponsibleUnit,
        verbose_name=_("responsible units"),
        blank=True,
        related_name="measures",
        help_text=_("Units named for this clause itself; the group's units answer for it too."),
    )
    effective_from = models.DateField(_("in force from"), null=True, blank=True, help_text=_("Empty: the policy's."))
    effective_until = models.DateField(_("in force until (exclusive)"), null=True, blank=True)
    budget = models.DecimalField(
        _("budget (yuan)"),
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("Total that approvals under this measure may commit; empty: no budget set."),
    )
    conditions = models.JSONField(
        _("conditions on the enterprise's facts"),
        default=list,
        blank=True,
        help_text=_(
            "What the text asks of the enterprise beyond tier, industry and region, as a list such as "
            '[{"fact": "listing_status", "op": "in", "value": ["star", "bse"]}] or '
            '[{"fact": "invention_patents", "op": "at_least", "value": 1}] (last year\'s figure).'
        ),
    )

    objects = RestrictedQuerySet.as_manager()

    access_policy = "program"
    jurisdiction_path = "policy__jurisdiction"

    class Meta:
        verbose_name = _("measure")
        verbose_name_plural = _("measures")
        ordering = ["policy", "sort_order"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "clause"], name="one_measure_per_policy_clause"),
            models.CheckConstraint(condition=models.Q(budget__gte=0), name="measure_budget_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.clause} {self.display_name}"

    def check_conditions(self) -> None:
        try:
            parse_conditions(self.conditions)
        except ConditionError as exc:
            raise ValidationError({"conditions": condition_error_message(exc)}) from exc

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A guard, not workflow: the eligibility check must be able to read every stored condition.
        self.check_conditions()
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        self.check_conditions()
        if self.group_id and self.policy_id and self.group.policy_id != self.policy_id:
            raise ValidationError({"group": _("The group belongs to another policy.")})
        if not self.policy_id:
            return
        start, until = self.period()
        if until is not None and until <= start:
            raise ValidationError({"effective_until": _("Must be after the start of the period.")})

    def period(self) -> tuple[date, date | None]:
        """The measure's own period where the document sets one (从其规定), else the policy's."""
        return (
            self.effective_from or self.policy.effective_from,
            self.effective_until or self.policy.effective_until,
        )


class CommitmentKind(models.TextChoices):
    TARGET = "target", _("Target level")
    NEW = "new", _("New ones to build or add")
    RESERVE = "reserve", _("Reserve pool")
    PER_YEAR = "per_year", _("Each year")


class Commitment(Bilingual):
    """A number the document commits to (e.g. 400 digital workshops, task 7)."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    policy = models.ForeignKey(Policy, verbose_name=_("policy"), on_delete=models.CASCADE, related_name="commitments")
    measure = models.ForeignKey(
        Measure,
        verbose_name=_("measure"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="commitments",
        help_text=_("Empty for the policy's overall goals."),
    )
    clause = models.CharField(_("clause"), max_length=20)
    name = models.CharField(_("what"), max_length=200)
    name_en = models.CharField(_("English"), max_length=250, blank=True)
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)])
    unit = models.CharField(_("counted in"), max_length=10)
    kind = models.CharField(_("kind"), max_length=20, choices=CommitmentKind.choices)
    approximate = models.BooleanField(_("approximate (左右)"), default=False)
    target_year = models.PositiveSmallIntegerField(_("by year"), null=True, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    objects = CodeQuerySet.as_manager()

    access_policy = "program"
    jurisdiction_path = "policy__jurisdiction"

    class Meta:
        verbose_name = _("quantitative commitment")
        verbose_name_plural = _("quantitative commitments")
        ordering = ["policy", "sort_order", "code"]
