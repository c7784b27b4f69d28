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

Only the indicators of the assessment's kind count: a document may judge a re-review
(复核) by other indicators than a new application.
"""

from __future__ import annotations

from decimal import Decimal

from .model import (
    AssessmentKind,
    CategoryShortfall,
    Facts,
    Indicator,
    IndicatorResult,
    Reader,
    Result,
    Role,
    RuleSet,
)

ZERO = Decimal(0)


def measure(ind: Indicator, facts: Facts) -> IndicatorResult:
    """One indicator's finding: the values it read, met or points, and the facts it lacked if undecided."""
    reader = Reader(facts)
    points: Decimal | None = None
    met: bool | None = None
    if ind.points is not None:
        points = ind.points.score(reader)
        met = None if points is None else points == ind.max_points
        undecided = points is None
    else:
        assert ind.test is not None
        met = ind.test.met(reader)
        undecided = met is None
    # The values the decision read (a test that decided early leaves the rest unread, and unshown).
    texts = [hit[0].text for v in ind.shown if (hit := reader.cache.get(id(v))) is not None]
    display = None if not texts or all(t == "—" for t in texts) else "; ".join(texts)
    return IndicatorResult(
        code=ind.code,
        value=display,
        met=met,
        points=points,
        missing_facts=tuple(dict.fromkeys(reader.missing)) if undecided else (),
    )


def _category_points(rule_set: RuleSet, points: dict[str, Decimal]) -> dict[str, Decimal]:
    by_category = {c.code: ZERO for c in rule_set.categories}
    category_of = rule_set.category_of
    for code, p in points.items():
        category = category_of.get(code)
        if category in by_category:
            by_category[category] += p
    return by_category


def shortfalls(rule_set: RuleSet, points: dict[str, Decimal]) -> tuple[CategoryShortfall, ...]:
    """The categories below their minimum, with what they scored."""
    got = _category_points(rule_set, points)
    return tuple(
        CategoryShortfall(c.code, got[c.code], c.minimum) for c in rule_set.categories if got[c.code] < c.minimum
    )


def _score_passes(rule_set: RuleSet, points: dict[str, Decimal]) -> bool:
    assert rule_set.pass_mark is not None
    if sum(points.values(), ZERO) < rule_set.pass_mark:
        return False
    if not any(c.minimum for c in rule_set.categories):
        return True
    return not shortfalls(rule_set, points)


def _score_distance(
    rule_set: RuleSet, scored: tuple[Indicator, ...], points: dict[str, Decimal]
) -> tuple[int, tuple[str, ...]]:
    """0 if the score passes; 1 (with the indicators that would do it) if one indicator at full points would; else 2."""
    if _score_passes(rule_set, points):
        return 0, ()
    closers = tuple(
        ind.code
        for ind in scored
        if points[ind.code] < (ind.max_points or ZERO)
        and _score_passes(rule_set, {**points, ind.code: ind.max_points or ZERO})
    )
    return (1, closers) if closers else (2, ())


def evaluate(
    rule_set: RuleSet,
    facts: Facts,
    *,
    kind: AssessmentKind = AssessmentKind.NEW_APPLICATION,
    provisional: bool = False,
) -> Result:
    indicators = rule_set.for_kind(kind)
    found = tuple(measure(ind, facts) for ind in indicators)
    by_code = {r.code: r for r in found}
    roles = {i.code: i.role for i in indicators}

    def leaf_range(role: Role) -> tuple[int, int]:
        low = sum(1 for r in found if roles[r.code] == role and r.met is False)
        unknown = sum(1 for r in found if roles[r.code] == role and r.met is None)
        return low, low + unknown

    direct = next((r.code for r in found if roles[r.code] == Role.DIRECT and r.met), None)
    hard_low, hard_high = leaf_range(Role.HARD)
    waivable_low, waivable_high = leaf_range(Role.WAIVABLE)

    scored = tuple(i for i in indicators if i.role == Role.SCORED)
    score = score_max = None
    closers: tuple[str, ...] = ()
    short: tuple[CategoryShortfall, ...] = ()
    score_low = score_high = 0
    if scored:
        known = {i.code: by_code[i.code].points for i in scored}
        low_points = {c: ZERO if p is None else p for c, p in known.items()}
        high_points = {c: p if p is not None else rule_set.max_points(c) for c, p in known.items()}
        score = sum(low_points.values(), ZERO)
        score_max = sum(high_points.values(), ZERO)
        score_low, _ = _score_distance(rule_set, scored, high_points)
        score_high, closers = _score_distance(rule_set, scored, low_points)
        short = shortfalls(rule_set, low_points)
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
    return Result(
        tier=rule_set.tier,
        rule_set=rule_set.document.key,
        kind=kind,
        provisional=provisional,
        passed=high == 0,
        near=low == high == 1,
        missing_data=low < high and low <= 1,
        score=score,
        score_max=score_max,
        direct_qualification=direct,
        distance=(low, high),
        indicators=found,
        lacking=tuple(lacking),
        unknown=tuple(unknown),
        score_closers=closers,
        category_shortfalls=short if score_high > 0 and not direct else (),
    )
