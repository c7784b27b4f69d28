"""Read queries of the programs: scoped lists with their joins, and the sums the services decide on (in SQL)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from enterprises.models import EligibilityProfile, Enterprise, EnterpriseYearFact
from programs.models import (
    BenefitApplication,
    BenefitApplicationTransition,
    BenefitMatch,
    Measure,
    Policy,
    SubsidyRule,
)
from programs.rules import eligibility
from programs.rules import subsidy as engine
from programs.rules.benefits import BenefitStatus as B
from reference.models import District, JobRun, JobStatus
from tiers.models import Certification
from tiers.rules.lifecycle import CertificationStatus as C
from zjtx.access import dangerously_unrestricted, has_any_role, restrict

MATCH_JOB = "programs.match_benefits"  # the nightly matching's JobRun.job (programs/services/matching.py)


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


# --- policy matching (政策找企业) ------------------------------------------------------------


def _claims() -> QuerySet[BenefitApplication]:
    """Applications that claim the measure for the match's enterprise: any not rejected."""
    return BenefitApplication.objects.filter(
        enterprise_id=OuterRef("enterprise_id"), measure_id=OuterRef("measure_id")
    ).exclude(status=B.REJECTED)


def matches_for_everyone() -> QuerySet[BenefitMatch]:
    """Policy matches with their enterprise, measure and rule, and whether claimed (unscoped: restrict it)."""
    return BenefitMatch.objects.select_related(
        "enterprise", "enterprise__district", "measure", "measure__policy", "rule"
    ).annotate(claimed=Exists(_claims()))


def matches_for(user: Any) -> QuerySet[BenefitMatch]:
    """The policy matches the user may see."""
    return restrict(matches_for_everyone(), user)


def unclaimed_matches_for(user: Any) -> QuerySet[BenefitMatch]:
    """Measures enterprises in the user's scope qualify for and have not applied under (the staff's work list):
    largest known amounts first, then the ones whose amount needs inputs."""
    return (
        matches_for(user)
        .filter(verdict=eligibility.QUALIFIES)
        .exclude(Exists(_claims()))
        .order_by(F("amount").desc(nulls_last=True), "enterprise__name", "measure__sort_order", "pk")
    )


def last_matched_on() -> date | None:
    """The day of the last finished matching run (a system record, not district data: anyone may see the date)."""
    # Keys are the day matched; the queue's catch-up marks a resent job with the key "catch-up".
    runs = dangerously_unrestricted(JobRun.objects.filter(job=MATCH_JOB, status=JobStatus.DONE))
    key = runs.filter(key__regex=r"^\d{4}-\d{2}-\d{2}$").order_by("-started_at").values_list("key", flat=True).first()
    return date.fromisoformat(key) if key is not None else None


def measures_matched_for(user: Any, day: date | None = None) -> list[int]:
    """Ids of the measures with a rule in force (today by default) in the user's region: the ones matched."""
    day = day or timezone.localdate()
    if not has_any_role(user):
        return []
    qs = SubsidyRule.objects.filter(effective_from__lte=day).exclude(effective_until__lte=day)
    jurisdiction_id = getattr(user, "jurisdiction_id", None) or getattr(
        getattr(user, "district", None), "jurisdiction_id", None
    )
    if jurisdiction_id and not user.is_superuser:
        qs = qs.filter(measure__policy__jurisdiction_id=jurisdiction_id)
    return list(qs.values_list("measure_id", flat=True).distinct())


@dataclass
class Uptake:
    """How a measure is taken up, in a user's scope (all of it, or one district)."""

    measure: Measure
    district: District | None = None
    qualifying: int = 0
    unclaimed: int = 0  # qualifying firms without an application under the measure (other than rejected ones)
    estimable: int = 0  # unclaimed qualifying firms whose amount is known
    not_estimable: int = 0  # unclaimed qualifying firms whose rule needs inputs the facts do not give
    potential: Decimal = Decimal(0)  # what the unclaimed firms with known amounts would be granted
    applied: int = 0  # firms with an application (any status)
    approved: int = 0  # firms granted (approved or paid)
    paid: int = 0
    pending_amount: Decimal = Decimal(0)  # submitted, not decided
    committed_amount: Decimal = Decimal(0)  # approved or paid
    paid_amount: Decimal = Decimal(0)

    @property
    def claimed(self) -> int:
        return self.qualifying - self.unclaimed

    @property
    def projected(self) -> Decimal:
        """Committed, pending and the unclaimed firms' known amounts: the spend if every one of them claimed."""
        return self.committed_amount + self.pending_amount + self.potential

    @property
    def budget(self) -> Decimal | None:
        return self.measure.budget if self.district is None else None

    @property
    def budget_left(self) -> Decimal | None:
        return None if self.budget is None else self.budget - self.committed_amount

    @property
    def over_budget(self) -> bool:
        return self.budget is not None and self.projected > self.budget


def measure_uptake(user: Any, *, by_district: bool = False) -> list[Uptake]:
    """Per measure (and per district with `by_district`): firms qualifying, applied, approved, paid; money
    pending, committed and paid; what the unclaimed qualifying firms would be granted.  Three GROUP BYs."""
    key = ["measure_id", "enterprise__district_id"] if by_district else ["measure_id"]
    qualifying = restrict(BenefitMatch.objects.filter(verdict=eligibility.QUALIFIES), user).order_by()
    unclaimed = ~Exists(_claims())
    found: dict[tuple[int, ...], dict[str, Any]] = defaultdict(dict)
    for row in qualifying.values(*key).annotate(qualifying=Count("id")):
        found[tuple(row[k] for k in key)].update(row)
    for row in (
        qualifying.filter(unclaimed)
        .values(*key)
        .annotate(
            unclaimed=Count("id"),
            estimable=Count("id", filter=Q(amount__isnull=False)),
            not_estimable=Count("id", filter=Q(amount__isnull=True)),
            potential=Sum("amount"),
        )
    ):
        found[tuple(row[k] for k in key)].update(row)
    committed = Q(status__in=sorted(B.COMMITTED))
    for row in (
        restrict(BenefitApplication.objects.all(), user)
        .order_by()
        .values(*key)
        .annotate(
            applied=Count("enterprise_id", distinct=True),
            approved=Count("enterprise_id", distinct=True, filter=committed),
            paid=Count("enterprise_id", distinct=True, filter=Q(status=B.PAID)),
            pending_amount=Sum("amount", filter=Q(status=B.SUBMITTED)),
            committed_amount=Sum("approved_amount", filter=committed),
            paid_amount=Sum("approved_amount", filter=Q(status=B.PAID)),
        )
    ):
        found[tuple(row[k] for k in key)].update(row)
    if not by_district:
        # Every measure with a rule in force in the user's region shows, also when nobody qualifies.
        for measure_id in measures_matched_for(user):
            found.setdefault((measure_id,), {})
    measures = {m.pk: m for m in Measure.objects.filter(pk__in={k[0] for k in found}).select_related("policy")}
    districts = (
        {d.pk: d for d in District.objects.filter(pk__in={k[1] for k in found}).select_related("jurisdiction")}
        if by_district
        else {}
    )
    numbers = {f.name for f in fields(Uptake)} - {"measure", "district"}
    rows = [
        Uptake(
            measure=measures[k[0]],
            district=districts.get(k[1]) if by_district else None,
            **{name: value for name, value in values.items() if name in numbers and value is not None},
        )
        for k, values in found.items()
    ]
    return sorted(
        rows,
        key=lambda u: (u.measure.policy.code, u.measure.sort_order, u.district.code if u.district else ""),
    )
