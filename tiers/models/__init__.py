"""Models of the tier lifecycle (applications, certifications, their transitions) and the eligibility assessments."""

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

__all__ = [
    "Application",
    "ApplicationStatusChoices",
    "ApplicationTransition",
    "Certification",
    "CertificationStatusChoices",
    "CertificationTransition",
    "EligibilityAssessment",
    "TransitionEvent",
]
