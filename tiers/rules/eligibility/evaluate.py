"""Evaluating a rule set on an enterprise's facts: per-indicator findings, score, verdict and "near".

Distance to the tier
--------------------
The verdict is the number of indicators that stand between the firm and the tier:

- each hard indicator not met counts 1;
- unless a direct qualification (直通条件) is met: each waivable indicator not met
  counts 1, and the score counts 0 when it reaches the pass mark (and every
  category minimum), 1 when raising a single scored indicator to its full points
  would reach it, 2 otherwise.

Direct routes are ways in, not gaps to close: an unmet or unknown direct route
counts nothing (it is listed, with its missing facts, but never makes a firm
"near" or "missing data").

A missing fact makes its indicator's contribution a range (0 or 1; 0 to full
points), so the distance is a range [low, high]:

- passed (eligible now): high == 0;
- near ("within one indicator"): low == high == 1;
- missing_data: the range decides between those (low < high and low <= 1);
- otherwise not eligible (low >= 2: at least two indicators short whatever the
  missing facts are).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal

from tiers.rules.eligibility.model import (
    Facts,
    IndicatorResult,
    Measure,
    Reader,
    Result,
    Role,
    RuleSet,
)

HUNDRED = Decimal(100)
ZERO = Decimal(0)


# --- helpers for the measure functions of the rule sets ------------------------------------


def all3(values: Iterable[bool | None]) -> bool | None:
    """Three-valued AND: False if any is False, else None if any is unknown, else True."""
    seen_unknown = False
    for v in values:
        if v is False:
            return False
        if v is None:
            seen_unknown = True
    return None if seen_unknown else True


def any3(values: Iterable[bool | None]) -> bool | None:
    """Three-valued OR: True if any is True, else None if any is unknown, else False."""
    seen_unknown = False
    for v in values:
        if v is True:
            return True
        if v is None:
            seen_unknown = True
    return None if seen_unknown else False


def at_least(value: Decimal | int | None, threshold: Decimal | int) -> bool | None:
    return None if value is None else Decimal(value) >= Decimal(threshold)


def at_most(value: Decimal | int | None, threshold: Decimal | int) -> bool | None:
    return None if value is None else Decimal(value) <= Decimal(threshold)


def percent(part: Decimal | int | None, whole: Decimal | int | None) -> Decimal | None:
    """part / whole in percent, exact where the decimal is; None when unknown or whole is not positive."""
    if part is None or whole is None or Decimal(whole) <= 0:
        return None
    return Decimal(part) * HUNDRED / Decimal(whole)


def sum_at_least(values: Sequence[Decimal | None], threshold: Decimal) -> bool | None:
    """Whether non-negative amounts add up to the threshold; decided early when the known part already does."""
    known = sum((v for v in values if v is not None), ZERO)
    if known >= threshold:
        return True
    return None if any(v is None for v in values) else False


Steps = Sequence[tuple[Decimal | int, int]]


def band_up(value: Decimal | None, steps: Steps, floor: int = 0) -> Decimal | None:
    """Points of the first band whose lower bound the value reaches: steps = ((lower, points), ...) descending."""
    if value is None:
        return None
    for lower, points in steps:
        if value >= Decimal(lower):
            return Decimal(points)
    return Decimal(floor)


def band_down(value: Decimal | None, steps: Steps, ceiling: int = 0) -> Decimal | None:
    """For "lower is better" tables: points of the first band whose upper bound (exclusive) the value stays below."""
    if value is None:
        return None
    for upper, points in steps:
        if value < Decimal(upper):
            return Decimal(points)
    return Decimal(ceiling)


def fmt_pct(value: Decimal | None) -> str:
    return "—" if value is None else f"{value.quantize(Decimal('0.01'))}%"


def fmt_money(value: Decimal | None) -> str:
    return "—" if value is None else f"¥{value:,.2f}"


def growth(current: Decimal | None, previous: Decimal | None) -> Decimal | None:
    """Year-on-year growth in percent; None when unknown or the previous year is not positive."""
    if current is None or previous is None or previous <= 0:
        return None
    return (current - previous) * HUNDRED / previous


# --- evaluation --------------------------------------------------------------------------


def _measure(rule_set: RuleSet, facts: Facts) -> tuple[IndicatorResult, ...]:
    results = []
    for ind in rule_set.indicators:
        reader = Reader(facts)
        m: Measure = ind.measure(reader)
        undecided = m.points is None if ind.role == Role.SCORED else m.met is None
        met = m.met
        if ind.role == Role.SCORED and m.points is not None:
            met = m.points == ind.max_points
        results.append(
            IndicatorResult(
                code=ind.code,
                value=m.value,
                met=met,
                points=m.points,
                missing_facts=tuple(dict.fromkeys(reader.missing)) if undecided else (),
            )
        )
    return tuple(results)


def _score_passes(rule_set: RuleSet, points: dict[str, Decimal]) -> bool:
    assert rule_set.pass_mark is not None
    if sum(points.values(), ZERO) < rule_set.pass_mark:
        return False
    for cat in rule_set.categories:
        got = sum((p for code, p in points.items() if rule_set.indicator(code).category == cat.code), ZERO)  # type: ignore[union-attr]
        if got < cat.minimum:
            return False
    return True


def _score_distance(rule_set: RuleSet, points: dict[str, Decimal]) -> tuple[int, tuple[str, ...]]:
    """0 if the score passes; 1 (with the indicators that would do it) if one indicator at full points would; else 2."""
    if _score_passes(rule_set, points):
        return 0, ()
    closers = tuple(
        ind.code
        for ind in rule_set.of_role(Role.SCORED)
        if points[ind.code] < (ind.max_points or ZERO)
        and _score_passes(rule_set, {**points, ind.code: ind.max_points or ZERO})
    )
    return (1, closers) if closers else (2, ())


def evaluate(rule_set: RuleSet, facts: Facts, *, provisional: bool = False) -> Result:
    found = _measure(rule_set, facts)
    by_code = {r.code: r for r in found}
    roles = {i.code: i.role for i in rule_set.indicators}

    def leaf_range(role: Role) -> tuple[int, int]:
        low = sum(1 for r in found if roles[r.code] == role and r.met is False)
        unknown = sum(1 for r in found if roles[r.code] == role and r.met is None)
        return low, low + unknown

    direct = next((r.code for r in found if roles[r.code] == Role.DIRECT and r.met), None)
    hard_low, hard_high = leaf_range(Role.HARD)
    waivable_low, waivable_high = leaf_range(Role.WAIVABLE)

    scored = rule_set.of_role(Role.SCORED)
    score = score_max = None
    closers: tuple[str, ...] = ()
    score_low = score_high = 0
    if scored:
        known = {i.code: by_code[i.code].points for i in scored}
        low_points = {c: ZERO if p is None else p for c, p in known.items()}
        high_points = {c: p if p is not None else rule_set.max_points(c) for c, p in known.items()}
        score = sum(low_points.values(), ZERO)
        score_max = sum(high_points.values(), ZERO)
        score_low, _ = _score_distance(rule_set, high_points)
        score_high, closers = _score_distance(rule_set, low_points)
    if direct:
        # A direct qualification waives the score and the waivable indicators.
        score_low = score_high = waivable_low = waivable_high = 0
        closers = ()
    low = hard_low + waivable_low + score_low
    high = hard_high + waivable_high + score_high

    gaps = {Role.HARD} if direct else {Role.HARD, Role.WAIVABLE}
    lacking = [r.code for r in found if roles[r.code] in gaps and r.met is False]
    unknown = [r.code for r in found if roles[r.code] in gaps and r.met is None]
    if score_low > 0:
        lacking.append("score")
    elif score_high > 0:
        unknown.append("score")
    passed = high == 0
    near = low == high == 1
    return Result(
        tier=rule_set.tier,
        rule_set=rule_set.version,
        provisional=provisional,
        passed=passed,
        near=near,
        missing_data=low < high and low <= 1,
        score=score,
        score_max=score_max,
        direct_qualification=direct,
        distance=(low, high),
        indicators=found,
        lacking=tuple(lacking),
        unknown=tuple(unknown),
        score_closers=closers,
    )
