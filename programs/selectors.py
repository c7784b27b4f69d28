"""Read queries of the programs: scoped lists with their joins, and the sums the services decide on (in SQL)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, QuerySet, Sum

from enterprises.models import Enterprise
from programs.models import BenefitApplication, BenefitApplicationTransition, Measure, Policy, SubsidyRule
from programs.rules import eligibility
from programs.rules import subsidy as engine
from programs.rules.benefits import BenefitStatus as B
from tiers.models import Certification
from tiers.rules.lifecycle import CertificationStatus as C
from zjtx.access import restrict


def policies() -> QuerySet[Policy]:
    return Policy.objects.select_related("jurisdiction").prefetch_related("tiers")


def measures() -> QuerySet[Measure]:
    return Measure.objects.select_related("policy", "policy__jurisdiction", "group").prefetch_related(
        "tiers",
        "industries",
        "units",
        "group__units",
        "policy__tiers",
        Prefetch("subsidy_rules", queryset=SubsidyRule.objects.order_by("effective_from")),
    )


def subsidy_rules() -> QuerySet[SubsidyRule]:
    return SubsidyRule.objects.select_related("measure", "measure__policy")


def benefit_applications() -> QuerySet[BenefitApplication]:
    return BenefitApplication.objects.select_related(
        "enterprise", "enterprise__district", "measure", "measure__policy", "rule", "submitted_by"
    )


def with_transitions(qs: QuerySet[BenefitApplication]) -> QuerySet[BenefitApplication]:
    return qs.prefetch_related(
        Prefetch("transitions", queryset=BenefitApplicationTransition.objects.select_related("actor"))
    )


def policies_for(user: Any) -> QuerySet[Policy]:
    return restrict(policies(), user)


def measures_for(user: Any) -> QuerySet[Measure]:
    return restrict(measures(), user)


def benefit_applications_for(user: Any) -> QuerySet[BenefitApplication]:
    return restrict(benefit_applications(), user)


def rule_in_force(measure: Measure, on: date) -> SubsidyRule | None:
    """The one rule of the measure that answers for this day (periods of a measure's rules do not overlap)."""
    return (
        SubsidyRule.objects.filter(measure=measure, effective_from__lte=on)
        .exclude(effective_until__lte=on)
        .select_related("measure")
        .first()
    )


def held_tier_codes(enterprise_id: int, on: date) -> frozenset[str]:
    return frozenset(
        Certification.objects.filter(
            enterprise_id=enterprise_id, status__in=C.HOLDING, valid_from__lte=on, valid_until__gt=on
        ).values_list("tier__code", flat=True)
    )


def award_history(enterprise_id: int, measure_id: int) -> engine.History:
    """What the enterprise has been granted under the measure (approved or paid), summed in SQL."""
    row = BenefitApplication.objects.filter(
        enterprise_id=enterprise_id, measure_id=measure_id, status__in=B.COMMITTED
    ).aggregate(awarded=Sum("approved_amount"), awards=Count("id"))
    return engine.History(awarded=row["awarded"] or Decimal(0), awards=row["awards"])


def committed_amount(measure_id: int) -> Decimal:
    """Money approved or paid under the measure, over all applications (the budget's use)."""
    row = BenefitApplication.objects.filter(measure_id=measure_id, status__in=B.COMMITTED).aggregate(
        total=Sum("approved_amount")
    )
    return row["total"] or Decimal(0)


def measure_scope(measure: Measure) -> eligibility.Scope:
    start, until = measure.period()
    tiers = [t.code for t in measure.tiers.all()] or [t.code for t in measure.policy.tiers.all()]
    return eligibility.Scope(
        region=measure.policy.jurisdiction.code,
        tiers=frozenset(tiers),
        industries=frozenset(i.code for i in measure.industries.all()),
        effective_from=start,
        effective_until=until,
        beneficiary=measure.beneficiary,
    )


def applicant(enterprise: Enterprise, on: date) -> eligibility.Applicant:
    return eligibility.Applicant(
        region=enterprise.district.jurisdiction.code,
        tiers=held_tier_codes(enterprise.pk, on),
        industry=enterprise.industry.code,
    )


def refusals(enterprise: Enterprise, measure: Measure, on: date) -> list[eligibility.Refusal]:
    """Every reason the enterprise cannot apply under the measure for this day (none: it may)."""
    return eligibility.refusals(applicant(enterprise, on), measure_scope(measure), on)
