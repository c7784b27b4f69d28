"""Eligibility of an enterprise for a tier, as rules-as-code: dated, cited rule sets evaluated on plain facts.

No Django here (tests/test_rules_are_pure.py).  `rule_set_for(tier, day)` picks the criteria in
force, `evaluate(rule_set, facts)` gives per-indicator findings, score, verdict and "near".
"""

from tiers.rules.eligibility.evaluate import evaluate
from tiers.rules.eligibility.model import Facts, Result, RuleSet, YearFigures
from tiers.rules.eligibility.registry import RULE_SETS, rule_set_by_key, rule_set_for

__all__ = ["RULE_SETS", "Facts", "Result", "RuleSet", "YearFigures", "evaluate", "rule_set_by_key", "rule_set_for"]
