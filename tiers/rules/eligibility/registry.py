"""Which rule set applies to a tier on a day.

The 2022 criteria (工信部企业〔2022〕63号) were in force from 2022-08-01 until the revised
《优质中小企业梯度培育管理办法》 took effect on 2026-04-01.  The revised annexes (专精特新中小企业
认定标准, 小巨人认定标准, 部分指标和要求说明) could not be found, so no 2026 rule set is encoded:
on later days the 2022 rule set is applied *provisionally* and every result says so
(`provisional=True`).  Adding the 2026 rule sets to RULE_SETS ends that without other changes.
"""

from __future__ import annotations

from datetime import date

from tiers.rules.eligibility import miit_2022
from tiers.rules.eligibility.model import RuleSet

RULE_SETS: tuple[RuleSet, ...] = miit_2022.RULE_SETS

_BY_KEY = {r.key: r for r in RULE_SETS}


def rule_set_for(tier: str, day: date) -> tuple[RuleSet, bool] | None:
    """(rule set, provisional) for the tier on the day; None when no criteria of the tier are encoded for it.

    provisional: the day is after the rule set's period and no successor is encoded.
    """
    started = [r for r in RULE_SETS if r.tier == tier and r.effective_from <= day]
    if not started:
        return None
    latest = max(started, key=lambda r: r.effective_from)
    in_force = latest.effective_until is None or day < latest.effective_until
    return latest, not in_force


def rule_set_by_key(key: str) -> RuleSet | None:
    """The rule set stored with an assessment ("MIIT-2022-63/srdi_sme")."""
    return _BY_KEY.get(key)


def tiers_with_rules() -> frozenset[str]:
    return frozenset(r.tier for r in RULE_SETS)
