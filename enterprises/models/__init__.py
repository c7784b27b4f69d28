"""Models of the enterprise registry: reference data, enterprises, the tier lifecycle and the service desk."""

from enterprises.models.eligibility import EligibilityAssessment, EligibilityProfile
from enterprises.models.jobs import JobRun, JobStatus
from enterprises.models.lifecycle import (
    Application,
    ApplicationTransition,
    Certification,
    CertificationTransition,
)
from enterprises.models.reference import District, DistrictKind, Industry, Jurisdiction, Tier
from enterprises.models.registry import Enterprise, EnterpriseYearFact, ImportRun, ListingStatus, SizeClass
from enterprises.models.servicedesk import (
    Demand,
    DemandCategory,
    DemandEvent,
    DemandStatusChoices,
    SatisfactionChoices,
    ServiceAssignment,
    ServiceDeskDailyCheck,
    Visit,
    VisitMode,
)
from enterprises.models.tier_lists import ListKindChoices, TierListImport, TierListStatus

__all__ = [
    "Application",
    "ApplicationTransition",
    "Certification",
    "CertificationTransition",
    "Demand",
    "DemandCategory",
    "DemandEvent",
    "DemandStatusChoices",
    "District",
    "DistrictKind",
    "EligibilityAssessment",
    "EligibilityProfile",
    "Enterprise",
    "EnterpriseYearFact",
    "ImportRun",
    "Industry",
    "JobRun",
    "JobStatus",
    "Jurisdiction",
    "ListKindChoices",
    "ListingStatus",
    "SatisfactionChoices",
    "ServiceAssignment",
    "ServiceDeskDailyCheck",
    "SizeClass",
    "Tier",
    "TierListImport",
    "TierListStatus",
    "Visit",
    "VisitMode",
]
