"""The criteria documents of fixtures/criteria/, read and checked once per process.

A mistake in a document stops the process at start (the first call) with the place it is at,
rather than a wrong verdict later: tests/tiers/test_criteria_cases.py loads the same files.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from django.conf import settings

from tiers.rules.eligibility import Criteria, RuleSet


@lru_cache(maxsize=1)
def criteria() -> Criteria:
    return Criteria.from_directory(Path(settings.BASE_DIR) / "fixtures" / "criteria")


def rule_set_by_key(key: str) -> RuleSet | None:
    """The rule set an assessment was made with ("MIIT-2026-2/srdi_sme")."""
    return criteria().rule_set(key)
