"""Models of the enterprise registry: enterprises, their yearly figures and eligibility facts, import runs."""

from enterprises.models.eligibility import EligibilityProfile
from enterprises.models.registry import Enterprise, EnterpriseYearFact, ImportRun, ListingStatus, SizeClass

__all__ = [
    "EligibilityProfile",
    "Enterprise",
    "EnterpriseYearFact",
    "ImportRun",
    "ListingStatus",
    "SizeClass",
]
