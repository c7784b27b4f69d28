"""Models of the policy programs: policies and their measures as data, subsidy rules, benefit applications."""

from programs.models.benefits import BenefitApplication, BenefitApplicationTransition, BenefitStatusChoices
from programs.models.matching import BenefitMatch, MatchVerdict
from programs.models.policy import (
    Beneficiary,
    Commitment,
    CommitmentKind,
    GroupKind,
    Measure,
    MeasureGroup,
    MeasureKind,
    Policy,
    ResponsibleUnit,
    UnitKind,
)
from programs.models.subsidy import RuleKind, SubsidyRule

__all__ = [
    "Beneficiary",
    "BenefitApplication",
    "BenefitApplicationTransition",
    "BenefitMatch",
    "BenefitStatusChoices",
    "Commitment",
    "CommitmentKind",
    "GroupKind",
    "MatchVerdict",
    "Measure",
    "MeasureGroup",
    "MeasureKind",
    "Policy",
    "ResponsibleUnit",
    "RuleKind",
    "SubsidyRule",
    "UnitKind",
]
