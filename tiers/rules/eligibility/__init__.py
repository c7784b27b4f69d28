"""Eligibility of an enterprise for a tier: criteria documents as data, evaluated on plain facts.

No Django here (tests/test_rules_are_pure.py), and no import of this package by its absolute
name, so the folder can move.  `Criteria.from_directory(path)` reads the documents
(fixtures/criteria/*.yaml), `criteria.choose(tier, kind, basis, granted_on)` says which one
judges an assessment, `evaluate(rule_set, facts, kind=...)` gives per-indicator findings,
score, verdict and "near".
"""

from .criteria import CriteriaError
from .evaluate import evaluate
from .model import AssessmentKind, Facts, Result, RuleSet, YearFigures
from .registry import Choice, Criteria

__all__ = [
    "AssessmentKind",
    "Choice",
    "Criteria",
    "CriteriaError",
    "Facts",
    "Result",
    "RuleSet",
    "YearFigures",
    "evaluate",
]
