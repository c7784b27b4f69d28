"""Who may benefit under a measure: the one check behind benefit applications, quotes and the nightly matching.

Pure: the selectors collect the facts (the enterprise's region, the tiers it holds
on the day, its industry section, the few registry facts a measure's conditions
read, its earlier awards) and the measure's scope; `verdict` answers

- QUALIFIES: every condition is met;
- DOES_NOT: at least one condition is not met, with every reason (`refusals`);
- CANNOT_TELL: nothing known refuses, but a condition reads a fact the registry
  does not hold for this enterprise (`missing` names those facts).

Conditions: the policy's region, a tier of the measure held on the day, the
measure's industries and period, whom the money goes to, the one-time and
per-enterprise limits of the rule against the enterprise's earlier awards, and
the measure's own conditions on registry facts (`Condition`, data kept on the
measure: "listed on an exchange", "at least one invention patent last year").
Each refusal has a `kind` and parameters that programs/benefit_messages.py words.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from programs.rules import subsidy as engine

ENTERPRISE = "enterprise"

QUALIFIES = "qualifies"
DOES_NOT = "does_not"
CANNOT_TELL = "cannot_tell"
VERDICTS = (QUALIFIES, DOES_NOT, CANNOT_TELL)

# The registry facts a measure's conditions may read, and a rule's inputs may be filled from, by kind.
# Yearly figures are the last complete year's (the year before the day); flags come from the
# enterprise's eligibility facts; an empty value is "not known", never "no".
TEXT, NUMBER, FLAG = "text", "number", "flag"
FACTS: dict[str, str] = {
    "listing_status": TEXT,
    "size_class": TEXT,
    "revenue": NUMBER,
    "rd_expense": NUMBER,
    "equity_financing": NUMBER,
    "employees": NUMBER,
    "invention_patents": NUMBER,
    "class_i_ip": NUMBER,
    "high_tech": FLAG,
    "own_brand": FLAG,
}
YEAR_FACTS = frozenset({"revenue", "rd_expense", "equity_financing", "employees", "invention_patents", "class_i_ip"})
PROFILE_FACTS = frozenset({"high_tech", "own_brand"})
# Which comparisons each kind of fact takes.
OPERATORS: dict[str, frozenset[str]] = {
    TEXT: frozenset({"in"}),
    NUMBER: frozenset({"at_least", "at_most"}),
    FLAG: frozenset({"is"}),
}


@dataclass(frozen=True)
class Refusal:
    kind: str
    params: dict[str, str]

    def __hash__(self) -> int:
        return hash((self.kind, tuple(sorted(self.params.items()))))

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "params": dict(self.params)}


class ConditionError(ValueError):
    """A measure's conditions that cannot be read: `kind` and `params` let the caller word it."""

    def __init__(self, kind: str, message: str, **params: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.params = params


@dataclass(frozen=True)
class Condition:
    """A measure's condition on one registry fact: `fact` `op` `value` (e.g. listing_status in [star, bse])."""

    fact: str
    op: str
    value: Any  # a tuple of texts for "in", a Decimal for numbers, a bool for flags

    def holds(self, actual: Any) -> bool:
        if self.op == "in":
            return str(actual) in self.value
        if self.op == "is":
            return bool(actual) is self.value
        number = Decimal(actual)
        return number >= self.value if self.op == "at_least" else number <= self.value

    def describe(self) -> str:
        value = ", ".join(self.value) if self.op == "in" else str(self.value).lower()
        return f"{self.fact} {self.op} {value}"


def parse_conditions(raw: Any) -> tuple[Condition, ...]:
    """A measure's conditions as stored (a list of {fact, op, value}), checked; ConditionError says what is wrong."""
    if raw in (None, ""):
        return ()
    if not isinstance(raw, list) or not all(isinstance(item, Mapping) for item in raw):
        raise ConditionError("not_a_list", "conditions must be a list of {fact, op, value}")
    return tuple(_condition(i, item) for i, item in enumerate(raw, start=1))


def _condition(position: int, item: Mapping[str, Any]) -> Condition:
    where = str(position)
    extra = sorted(set(item) - {"fact", "op", "value"})
    if extra:
        raise ConditionError("unknown_key", f"condition {where}: unknown {extra[0]}", position=where, key=extra[0])
    fact, op, value = item.get("fact"), item.get("op"), item.get("value")
    if fact not in FACTS:
        raise ConditionError(
            "unknown_fact", f"condition {where}: unknown fact {fact!r}", position=where, fact=str(fact),
            known=", ".join(FACTS),
        )  # fmt: skip
    kind = FACTS[str(fact)]
    if op not in OPERATORS[kind]:
        raise ConditionError(
            "bad_operator", f"condition {where}: {fact} takes {sorted(OPERATORS[kind])}", position=where,
            fact=str(fact), op=str(op), allowed=", ".join(sorted(OPERATORS[kind])),
        )  # fmt: skip
    if kind == TEXT:
        if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
            raise ConditionError("bad_value", f"condition {where}: a list of values", position=where, fact=str(fact))
        return Condition(str(fact), str(op), tuple(sorted(set(value))))
    if kind == FLAG:
        if not isinstance(value, bool):
            raise ConditionError("bad_value", f"condition {where}: true or false", position=where, fact=str(fact))
        return Condition(str(fact), str(op), value)
    number = _number(value)
    if number is None:
        raise ConditionError("bad_value", f"condition {where}: a number", position=where, fact=str(fact))
    return Condition(str(fact), str(op), number)


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, (int, str, Decimal)):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() and abs(number) <= engine.MAX_MONEY else None


@dataclass(frozen=True)
class Applicant:
    """What is known of an enterprise on a day. `facts` holds only the known facts, as sorted (name, value) pairs."""

    region: str
    tiers: frozenset[str]
    industry: str
    facts: tuple[tuple[str, Any], ...] = ()

    @classmethod
    def of(cls, region: str, tiers: Iterable[str], industry: str, facts: Mapping[str, Any] | None = None) -> Applicant:
        known = tuple(sorted((k, v) for k, v in (facts or {}).items() if v is not None and v != ""))
        return cls(region=region, tiers=frozenset(tiers), industry=industry, facts=known)

    def fact(self, name: str) -> Any:
        for key, value in self.facts:
            if key == name:
                return value
        return None


@dataclass(frozen=True)
class Scope:
    """A measure's reach: its policy's region, the tiers and industries it names (empty = all), its period,
    whom the money goes to, and its conditions on registry facts."""

    region: str
    tiers: frozenset[str]
    industries: frozenset[str]
    effective_from: date
    effective_until: date | None
    beneficiary: str = ENTERPRISE
    conditions: tuple[Condition, ...] = ()

    @property
    def facts(self) -> frozenset[str]:
        """The registry facts its conditions read."""
        return frozenset(c.fact for c in self.conditions)


@dataclass(frozen=True)
class Limits:
    """What the rule in force allows one enterprise in all: one award, or a total."""

    one_time: bool = False
    enterprise_cap: Decimal | None = None

    @classmethod
    def of(cls, rule: engine.Rule | None) -> Limits:
        if rule is None:
            return cls()
        formula = engine.parse(rule.kind, rule.params)
        cap = formula.cap if formula.kind == engine.PER_ENTERPRISE_CAP else formula.enterprise_cap
        return cls(one_time=formula.one_time, enterprise_cap=cap)


NO_LIMITS = Limits()


@dataclass(frozen=True)
class Verdict:
    status: str
    refusals: tuple[Refusal, ...] = ()
    missing: tuple[str, ...] = field(default=())

    @property
    def qualifies(self) -> bool:
        return self.status == QUALIFIES


def in_period(day: date, start: date, until: date | None) -> bool:
    """Periods are half-open: [start, until)."""
    return start <= day and (until is None or day < until)


def verdict(
    applicant: Applicant,
    scope: Scope,
    day: date,
    *,
    limits: Limits = NO_LIMITS,
    history: engine.History | None = None,
) -> Verdict:
    """Whether the enterprise may benefit under the measure on `day`: every reason it may not, or the facts missing."""
    found = _refusals(applicant, scope, day)
    found.extend(_limits_used(limits, history or engine.History()))
    missing: list[str] = []
    for condition in scope.conditions:
        actual = applicant.fact(condition.fact)
        if actual is None:
            missing.append(condition.fact)
        elif not condition.holds(actual):
            params = {"fact": condition.fact, "op": condition.op, "value": _text(condition.value)}
            found.append(Refusal("condition_not_met", {**params, "actual": _text(actual)}))
    if found:
        return Verdict(DOES_NOT, refusals=tuple(found))
    if missing:
        return Verdict(CANNOT_TELL, missing=tuple(dict.fromkeys(missing)))
    return Verdict(QUALIFIES)


def _text(value: Any) -> str:
    if isinstance(value, tuple):
        return ", ".join(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return f"{value:f}" if isinstance(value, Decimal) else str(value)


def _refusals(applicant: Applicant, scope: Scope, day: date) -> list[Refusal]:
    found = []
    if scope.beneficiary != ENTERPRISE:
        found.append(Refusal("not_for_enterprises", {"beneficiary": scope.beneficiary}))
    if applicant.region != scope.region:
        found.append(Refusal("wrong_region", {"region": applicant.region, "expected": scope.region}))
    if not in_period(day, scope.effective_from, scope.effective_until):
        until = scope.effective_until.isoformat() if scope.effective_until else ""
        found.append(
            Refusal(
                "outside_period",
                {"day": day.isoformat(), "effective_from": scope.effective_from.isoformat(), "effective_until": until},
            )
        )
    if scope.tiers and not applicant.tiers & scope.tiers:
        found.append(Refusal("tier_not_held", {"day": day.isoformat(), "tiers": ", ".join(sorted(scope.tiers))}))
    if scope.industries and applicant.industry not in scope.industries:
        found.append(
            Refusal(
                "industry_excluded", {"industry": applicant.industry, "industries": ", ".join(sorted(scope.industries))}
            )
        )
    return found


def _limits_used(limits: Limits, history: engine.History) -> list[Refusal]:
    found = []
    if limits.one_time and history.awards > 0:
        found.append(Refusal("one_time_used", {"awards": str(history.awards)}))
    if limits.enterprise_cap is not None and history.awarded >= limits.enterprise_cap:
        found.append(
            Refusal("enterprise_cap_used", {"cap": f"{limits.enterprise_cap:f}", "awarded": f"{history.awarded:f}"})
        )
    return found


def known_inputs(rule_inputs: Iterable[str], applicant: Applicant) -> dict[str, str]:
    """The rule's inputs that are registry facts known for the enterprise (as the engine reads amounts)."""
    found = {}
    for name in rule_inputs:
        if FACTS.get(name) == NUMBER:
            value = applicant.fact(name)
            if value is not None:
                found[name] = f"{Decimal(value):f}"
    return found
