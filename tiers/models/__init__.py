"""Models of the tier lifecycle (applications, certifications, transitions), list imports, assessments."""

from tiers.models.eligibility import EligibilityAssessment
from tiers.models.lifecycle import (
    Application,
    ApplicationStatusChoices,
    ApplicationTransition,
    Certification,
    CertificationStatusChoices,
    CertificationTransition,
    TransitionEvent,
)
from tiers.models.tier_lists import ListKindChoices, TierListImport, TierListStatus

__all__ = [
    "Application",
    "ApplicationStatusChoices",
    "ApplicationTransition",
    "Certification",
    "CertificationStatusChoices",
    "CertificationTransition",
    "EligibilityAssessment",
    "ListKindChoices",
    "TierListImport",
    "TierListStatus",
    "TransitionEvent",
]
