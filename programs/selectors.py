"""Read queries of the programs: scoped lists with their joins, and the sums the services decide on (in SQL)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, QuerySet, Sum

from enterprises.models import EligibilityProfile, Enterprise, EnterpriseYearFact
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


def applicants_between(
    first_id: int, last_id: int, day: date, facts: frozenset[str] = frozenset()
) -> dict[int, eligibility.Applicant]:
    """What is known on `day` of the enterprises with ids in [first_id, last_id]: region, tiers held, industry
    and the registry `facts` named (up to four queries, whatever the range).

    The one reader of these facts, for the nightly matching (ranges of thousands) and for a single
    enterprise's check (a range of one).  It reads the tables directly: callers check access first.
    """
    own = sorted(facts & {"listing_status", "size_class"})
    rows = (
        Enterprise.objects.filter(pk__gte=first_id, pk__lte=last_id)
        .order_by()
        .values_list("id", "district__jurisdiction__code", "industry__code", *own)
    )
    in_range = {"enterprise_id__gte": first_id, "enterprise_id__lte": last_id}
    held: dict[int, set[str]] = defaultdict(set)
    for enterprise_id, code in (
        Certification.objects.filter(**in_range, status__in=C.HOLDING, valid_from__lte=day, valid_until__gt=day)
        .order_by()
        .values_list("enterprise_id", "tier__code")
    ):
        held[enterprise_id].add(code)
    known: dict[int, dict[str, Any]] = defaultdict(dict)
    yearly = sorted(facts & eligibility.YEAR_FACTS)
    if yearly:
        for row in (
            EnterpriseYearFact.objects.filter(**in_range, year=day.year - 1).order_by().values("enterprise_id", *yearly)
        ):
            known[row.pop("enterprise_id")].update(row)
    flags = sorted(facts & eligibility.PROFILE_FACTS)
    if flags:
        for row in EligibilityProfile.objects.filter(**in_range).order_by().values("enterprise_id", *flags):
            known[row.pop("enterprise_id")].update(row)
    found = {}
    for enterprise_id, region, industry, *values in rows:
        facts_of = known.get(enterprise_id, {})
        facts_of.update(zip(own, values, strict=True))
        found[enterprise_id] = eligibility.Applicant.of(region, held.get(enterprise_id, ()), industry, facts_of)
    return found


def award_histories(
    *, enterprise_ids: list[int] | None = None, measure_ids: list[int] | None = None
) -> dict[tuple[int, int], engine.History]:
    """(enterprise, measure) → what was granted (approved or paid), summed in SQL; pairs without awards are absent."""
    qs = BenefitApplication.objects.filter(status__in=B.COMMITTED)
    if enterprise_ids is not None:
        qs = qs.filter(enterprise_id__in=enterprise_ids)
    if measure_ids is not None:
        qs = qs.filter(measure_id__in=measure_ids)
    rows = (
        qs.order_by()
        .values("enterprise_id", "measure_id")
        .annotate(awarded=Sum("approved_amount"), awards=Count("id"))
        .values_list("enterprise_id", "measure_id", "awarded", "awards")
    )
    return {(e, m): engine.History(awarded=awarded or Decimal(0), awards=awards) for e, m, awarded, awards in rows}


def award_history(enterprise_id: int, measure_id: int) -> engine.History:
    """What the enterprise has been granted under the measure (approved or paid)."""
    found = award_histories(enterprise_ids=[enterprise_id], measure_ids=[measure_id])
    return found.get((enterprise_id, measure_id), engine.History())


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
        conditions=eligibility.parse_conditions(measure.conditions),
    )
