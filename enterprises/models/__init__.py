"""Models of the enterprise registry: reference data, enterprises, and the tier lifecycle."""

from enterprises.models.eligibility import EligibilityAssessment, EligibilityProfile
from enterprises.models.lifecycle import (
    Application,
    ApplicationTransition,
    Certification,
    CertificationTransition,
)
from enterprises.models.reference import District, DistrictKind, Industry, Jurisdiction, Tier
from enterprises.models.registry import Enterprise, EnterpriseYearFact, ImportRun, ListingStatus, SizeClass

__all__ = [
    "Application",
    "ApplicationTransition",
    "Certification",
    "CertificationTransition",
    "District",
    "DistrictKind",
    "EligibilityAssessment",
    "EligibilityProfile",
    "Enterprise",
    "EnterpriseYearFact",
    "ImportRun",
    "Industry",
    "Jurisdiction",
    "ListingStatus",
    "SizeClass",
    "Tier",
]
