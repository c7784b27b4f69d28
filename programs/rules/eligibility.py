"""Who may apply under a measure: region, tier held, industry, period, and who the money is for.

Pure: the services collect the facts (the enterprise's jurisdiction, the tiers it
holds on the day, its industry section) and the measure's scope; `refusals`
lists every reason the application cannot go ahead, each with a `kind` and
parameters that programs/rule_messages.py words for the reader.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

ENTERPRISE = "enterprise"


@dataclass(frozen=True)
class Refusal:
    kind: str
    params: dict[str, str]


@dataclass(frozen=True)
class Applicant:
    region: str
    tiers: frozenset[str]
    industry: str


@dataclass(frozen=True)
class Scope:
    """A measure's reach: its policy's region, the tiers and industries it names (empty = all), its period."""

    region: str
    tiers: frozenset[str]
    industries: frozenset[str]
    effective_from: date
    effective_until: date | None
    beneficiary: str = ENTERPRISE


def in_period(day: date, start: date, until: date | None) -> bool:
    """Periods are half-open: [start, until)."""
    return start <= day and (until is None or day < until)


def refusals(applicant: Applicant, scope: Scope, day: date) -> list[Refusal]:
    found = []
    if scope.beneficiary != ENTERPRISE:
        found.append(Refusal("not_for_enterprises", {"beneficiary": scope.beneficiary}))
    if applicant.region != scope.region:
        found.append(Refusal("wrong_region", {"region": applicant.region, "expected": scope.region}))
    if not in_period(day, scope.effective_from, scope.effective_until):
        until = scope.effective_until.isoformat() if scope.effective_until else ""
        found.append(
            Refusal(
                "outside_period",
                {"day": day.isoformat(), "effective_from": scope.effective_from.isoformat(), "effective_until": until},
            )
        )
    if scope.tiers and not applicant.tiers & scope.tiers:
        found.append(Refusal("tier_not_held", {"day": day.isoformat(), "tiers": ", ".join(sorted(scope.tiers))}))
    if scope.industries and applicant.industry not in scope.industries:
        found.append(
            Refusal(
                "industry_excluded", {"industry": applicant.industry, "industries": ", ".join(sorted(scope.industries))}
            )
        )
    return found
