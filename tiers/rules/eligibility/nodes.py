"""The small language a criteria document is written in: values read from the facts, tests, points tables.

An indicator of a document (fixtures/criteria/*.yaml) has either a `test` (met or not) or
`points`; both are trees of the nodes below, built by criteria.py from the data file.

Values (what is measured): a profile fact, a yearly figure, a ratio or growth in percent,
the average growth over years, a sum or mean over years, full years since a date, or the
first of several readings that is known.

Tests: `at_least` / `at_most` (the number itself included: 以上 / 以下 / 不低于 / 不高于,
民法典 第1259条), `is`, `in`, `not_in`, `within_years`, `all`, `any`, and `bands` (a table
of conditions by the band a value falls in).  Three-valued: a test on an unknown fact is
None, unless what is known already decides it (a sum of non-negative amounts that already
reaches its threshold; `any` with one branch met; `all` with one branch not met).

Points: `bands` (closed at both ends; a value on an edge two bands share takes the higher
score), `table` (points per category), `every` (points per full step, capped), `clamp`
(the value itself within limits) and `best` (the better of several tables).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cached_property
from typing import Any

from .reading import MONEY_FIGURES, Reader

HUNDRED = Decimal(100)
ZERO = Decimal(0)


def all3(values: Sequence[bool | None]) -> bool | None:
    """Three-valued AND: False if any is False, else None if any is unknown, else True."""
    if any(v is False for v in values):
        return False
    return None if any(v is None for v in values) else True


def any3(values: Sequence[bool | None]) -> bool | None:
    """Three-valued OR: True if any is True, else None if any is unknown, else False."""
    if any(v is True for v in values):
        return True
    return None if any(v is None for v in values) else False


def fmt_pct(value: Decimal | None) -> str:
    return "—" if value is None else f"{value.quantize(Decimal('0.01'))}%"


def fmt_money(value: Decimal | None) -> str:
    return "—" if value is None else f"¥{value:,.2f}"


def fmt(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral_value() else str(value)
    return str(value)


def number(value: object) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


@dataclass(frozen=True)
class Quantity:
    """A measured value (None: unknown) with its display text.

    `known` is set by sums of non-negative amounts: the part already known, which can decide
    a threshold before every term is (a sum that reaches it already will only grow).
    """

    value: object | None
    text: str
    known: Decimal | None = None


# --- values -------------------------------------------------------------------------------------


class Value:
    def read(self, r: Reader) -> Quantity:
        """The value, once per indicator: a second read returns the first one's quantity and its missing facts."""
        hit = r.cache.get(id(self))
        if hit is not None:
            r.missing += hit[1]
            return hit[0]  # type: ignore[no-any-return]
        start = len(r.missing)
        q = self._read(r)
        r.cache[id(self)] = (q, r.missing[start:])
        return q

    def _read(self, r: Reader) -> Quantity:
        raise NotImplementedError

    def facts(self) -> Iterator[str]:
        raise NotImplementedError

    def values(self) -> Iterator[Value]:
        yield self


@dataclass(frozen=True)
class Fact(Value):
    """A fact of the enterprise that does not change by year (a profile fact, size class, held tier level)."""

    name: str

    def _read(self, r: Reader) -> Quantity:
        value = r.get(self.name)
        return Quantity(value, fmt(value))

    def facts(self) -> Iterator[str]:
        yield self.name


@dataclass(frozen=True)
class Figure(Value):
    """A yearly figure: `back` years before the reference year (上年度); -1 is the assessment year (本年度)."""

    name: str
    back: int = 0

    def _read(self, r: Reader) -> Quantity:
        value = r.year(self.name, self.back)
        if value is None:
            return Quantity(None, "—")
        if self.name in MONEY_FIGURES:
            return Quantity(value, fmt_money(number(value)))
        return Quantity(value, fmt(value))

    def facts(self) -> Iterator[str]:
        yield self.name


def _positive_whole(r: Reader, name: str, back: int) -> Decimal | None:
    """A yearly figure used as a divisor: a zero or negative one is named like a missing fact."""
    value = r.year(name, back)
    if value is None:
        return None
    if number(value) <= 0:
        r.missing.append(f"{name}:{r.facts.reference_year - back}:not_positive")
        return None
    return number(value)


@dataclass(frozen=True)
class Ratio(Value):
    """part / whole of one year, in percent."""

    part: str
    whole: str
    back: int = 0

    def _read(self, r: Reader) -> Quantity:
        part = r.year(self.part, self.back)
        whole = _positive_whole(r, self.whole, self.back)
        if part is None or whole is None:
            return Quantity(None, "—")
        value = number(part) * HUNDRED / whole
        return Quantity(value, fmt_pct(value))

    def facts(self) -> Iterator[str]:
        yield from (self.part, self.whole)


def _growth(r: Reader, name: str, back: int) -> Decimal | None:
    current = r.year(name, back)
    previous = _positive_whole(r, name, back + 1)
    if current is None or previous is None:
        return None
    return (number(current) - previous) * HUNDRED / previous


@dataclass(frozen=True)
class Growth(Value):
    """Growth of a yearly figure over the year before, in percent."""

    name: str
    back: int = 0

    def _read(self, r: Reader) -> Quantity:
        value = _growth(r, self.name, self.back)
        return Quantity(value, fmt_pct(value))

    def facts(self) -> Iterator[str]:
        yield self.name


@dataclass(frozen=True)
class AverageGrowth(Value):
    """近N年平均增长率: the mean of the last N yearly growth rates (needs N + 1 years of figures)."""

    name: str
    years: int = 2

    def _read(self, r: Reader) -> Quantity:
        rates = [_growth(r, self.name, back) for back in reversed(range(self.years))]
        if any(g is None for g in rates):
            return Quantity(None, "—")
        value = sum((g for g in rates if g is not None), ZERO) / self.years
        return Quantity(value, fmt_pct(value))

    def facts(self) -> Iterator[str]:
        yield self.name


@dataclass(frozen=True)
class Total(Value):
    """The sum (or the mean) of a non-negative yearly amount over the last N years."""

    name: str
    years: int
    mean: bool = False

    def _read(self, r: Reader) -> Quantity:
        amounts = [r.year(self.name, back) for back in range(self.years)]
        known_terms = [number(a) for a in amounts if a is not None]
        divisor = Decimal(self.years) if self.mean else Decimal(1)
        known = sum(known_terms, ZERO) / divisor
        label = "avg " if self.mean else ""
        if len(known_terms) < self.years:
            return Quantity(None, f"{label}{fmt_money(known)} ({len(known_terms)}/{self.years} years known)", known)
        return Quantity(known, f"{label}{fmt_money(known)}", known)

    def facts(self) -> Iterator[str]:
        yield self.name


@dataclass(frozen=True)
class YearsSince(Value):
    """Full years from a date fact to the assessment day, or to the end of the reference year (截至上年末)."""

    name: str
    as_of: str = "assessment_day"  # or "end_of_reference_year"

    def _read(self, r: Reader) -> Quantity:
        since = r.get(self.name)
        if not isinstance(since, date):
            return Quantity(None, "—")
        day = r.facts.assessed_on if self.as_of == "assessment_day" else date(r.facts.reference_year, 12, 31)
        years = max(day.year - since.year - ((day.month, day.day) < (since.month, since.day)), 0)
        return Quantity(years, str(years))

    def facts(self) -> Iterator[str]:
        yield self.name


@dataclass(frozen=True)
class FirstKnown(Value):
    """The first of several readings of the same thing that is known (e.g. years in the niche, as entered or
    from the date of entry); its missing facts are named only when none is known."""

    options: tuple[Value, ...]

    def _read(self, r: Reader) -> Quantity:
        missing: list[str] = []
        for option in self.options:
            sub = r.sub()
            q = option.read(sub)
            if q.value is not None:
                return q
            missing += sub.missing
        r.missing += missing
        return Quantity(None, "—")

    def facts(self) -> Iterator[str]:
        for option in self.options:
            yield from option.facts()


# --- tests --------------------------------------------------------------------------------------


class Check:
    def met(self, r: Reader) -> bool | None:
        raise NotImplementedError

    def children(self) -> Iterator[Check | Value]:
        raise NotImplementedError

    def edges(self) -> Iterator[Decimal]:
        for child in self.children():
            if isinstance(child, Check):
                yield from child.edges()


@dataclass(frozen=True)
class Compare(Check):
    of: Value
    op: str  # at_least, at_most, is, in, not_in, within_years
    operand: Any

    def met(self, r: Reader) -> bool | None:
        q = self.of.read(r)
        op, operand = self.op, self.operand
        if q.value is None:
            if q.known is not None and op == "at_least" and q.known >= operand:
                return True
            if q.known is not None and op == "at_most" and q.known > operand:
                return False
            return None
        value = q.value
        if op == "at_least":
            return number(value) >= operand
        if op == "at_most":
            return number(value) <= operand
        if op == "is":
            return _key(value) == _key(operand)
        if op == "in":
            return _key(value) in {_key(o) for o in operand}
        if op == "not_in":
            return _key(value) not in {_key(o) for o in operand}
        if op == "within_years":  # the N calendar years before the assessment year, and that year
            year = int(number(value))
            return r.facts.assessed_on.year - int(operand) <= year <= r.facts.assessed_on.year
        raise ValueError(op)

    def children(self) -> Iterator[Check | Value]:
        yield self.of

    def edges(self) -> Iterator[Decimal]:
        if self.op in ("at_least", "at_most"):
            yield self.operand


def _combine(r: Reader, checks: Sequence[Check], decisive: bool) -> bool | None:
    """Three-valued AND (decisive=False) or OR (decisive=True), stopping at the first branch that decides; only the
    missing facts of undecided branches are kept, and only when nothing decided (otherwise they cannot matter)."""
    missing: list[str] = []
    unknown = False
    for c in checks:
        sub = r.sub()
        result = c.met(sub)
        if result is decisive:
            return decisive
        if result is None:
            unknown = True
            missing += sub.missing
    if unknown:
        r.missing += missing
        return None
    return not decisive


@dataclass(frozen=True)
class AllOf(Check):
    checks: tuple[Check, ...]

    def met(self, r: Reader) -> bool | None:
        return _combine(r, self.checks, decisive=False)

    def children(self) -> Iterator[Check | Value]:
        yield from self.checks


@dataclass(frozen=True)
class AnyOf(Check):
    checks: tuple[Check, ...]

    def met(self, r: Reader) -> bool | None:
        return _combine(r, self.checks, decisive=True)

    def children(self) -> Iterator[Check | Value]:
        yield from self.checks


def _contains(low: Decimal | None, high: Decimal | None, value: Decimal) -> bool:
    return (low is None or value >= low) and (high is None or value <= high)


@dataclass(frozen=True)
class Band:
    low: Decimal | None  # included
    high: Decimal | None  # included
    then: Check | None = None
    points: Decimal | None = None


@dataclass(frozen=True)
class BandCheck(Check):
    """A table of conditions: the condition of the band the value falls in; on a shared edge, either band's."""

    of: Value
    bands: tuple[Band, ...]

    def met(self, r: Reader) -> bool | None:
        q = self.of.read(r)
        if q.value is None:
            return None
        value = number(q.value)
        matching = [b.then for b in self.bands if _contains(b.low, b.high, value) and b.then is not None]
        return AnyOf(tuple(matching)).met(r) if matching else False

    def children(self) -> Iterator[Check | Value]:
        yield self.of
        yield from (b.then for b in self.bands if b.then is not None)

    def edges(self) -> Iterator[Decimal]:
        for b in self.bands:
            yield from (e for e in (b.low, b.high) if e is not None)
        yield from super().edges()


def _key(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, Decimal)):
        return fmt(number(value))
    return str(value)


# --- points -------------------------------------------------------------------------------------


class Points:
    def score(self, r: Reader) -> Decimal | None:
        raise NotImplementedError

    def most(self) -> Decimal:
        """The most points this table can give."""
        raise NotImplementedError

    def children(self) -> Iterator[Points | Value]:
        raise NotImplementedError

    def edges(self) -> Iterator[Decimal]:
        for child in self.children():
            if isinstance(child, Points):
                yield from child.edges()

    def keys(self) -> Iterator[str]:
        for child in self.children():
            if isinstance(child, Points):
                yield from child.keys()


@dataclass(frozen=True)
class PointBands(Points):
    of: Value
    bands: tuple[Band, ...]
    otherwise: Decimal = ZERO

    def score(self, r: Reader) -> Decimal | None:
        q = self.of.read(r)
        if q.value is None:
            return None
        value = number(q.value)
        matching = [b.points for b in self.bands if _contains(b.low, b.high, value) and b.points is not None]
        return max(matching) if matching else self.otherwise

    def most(self) -> Decimal:
        return max([self.otherwise, *(b.points for b in self.bands if b.points is not None)])

    def children(self) -> Iterator[Points | Value]:
        yield self.of

    def edges(self) -> Iterator[Decimal]:
        for b in self.bands:
            yield from (e for e in (b.low, b.high) if e is not None)


@dataclass(frozen=True)
class Table(Points):
    """Points per value of a categorical fact (IP grade, R&D institution level, yes / no)."""

    of: Value
    table: tuple[tuple[str, Decimal], ...]
    otherwise: Decimal = ZERO

    @cached_property
    def _points(self) -> dict[str, Decimal]:
        return dict(self.table)

    def score(self, r: Reader) -> Decimal | None:
        q = self.of.read(r)
        if q.value is None:
            return None
        return self._points.get(_key(q.value), self.otherwise)

    def most(self) -> Decimal:
        return max([self.otherwise, *(p for _k, p in self.table)])

    def children(self) -> Iterator[Points | Value]:
        yield self.of

    def keys(self) -> Iterator[str]:
        yield from (k for k, _p in self.table)


@dataclass(frozen=True)
class Every(Points):
    """`points` for every full `step` of the value, at most `cap` (每满2年得1分, 最高不超过5分)."""

    of: Value
    step: Decimal
    points: Decimal
    cap: Decimal

    def score(self, r: Reader) -> Decimal | None:
        q = self.of.read(r)
        if q.value is None:
            return None
        steps = max(int(number(q.value) // self.step), 0)
        return min(steps * self.points, self.cap)

    def most(self) -> Decimal:
        return self.cap

    def children(self) -> Iterator[Points | Value]:
        yield self.of

    def edges(self) -> Iterator[Decimal]:
        """Each step up to the one that reaches the cap."""
        k = 1
        while (k - 1) * self.points < self.cap:
            yield self.step * k
            k += 1


@dataclass(frozen=True)
class Clamp(Points):
    """The value itself as points, within [low, high] (points the province awards on its own indicators)."""

    of: Value
    low: Decimal
    high: Decimal

    def score(self, r: Reader) -> Decimal | None:
        q = self.of.read(r)
        if q.value is None:
            return None
        return min(max(number(q.value), self.low), self.high)

    def most(self) -> Decimal:
        return self.high

    def children(self) -> Iterator[Points | Value]:
        yield self.of

    def edges(self) -> Iterator[Decimal]:
        yield from (self.low, self.high)


@dataclass(frozen=True)
class Best(Points):
    """The better of several tables (R&D input by amount or by share).  Decided once every table is, or once a
    known one gives at least what any undecided one could."""

    parts: tuple[Points, ...]

    def score(self, r: Reader) -> Decimal | None:
        best: Decimal | None = None
        open_most: list[Decimal] = []
        missing: list[str] = []
        for i, part in enumerate(self.parts):
            sub = r.sub()
            got = part.score(sub)
            if got is None:
                open_most.append(part.most())
                missing += sub.missing
            elif best is None or got > best:
                best = got
            rest = [p.most() for p in self.parts[i + 1 :]]
            if best is not None and best >= max([*open_most, *rest], default=best):
                return best  # no other table can give more
        r.missing += missing
        return None

    def most(self) -> Decimal:
        return max(p.most() for p in self.parts)

    def children(self) -> Iterator[Points | Value]:
        yield from self.parts


def shown(node: Check | Points) -> tuple[Value, ...]:
    """The distinct values a test or table reads, in order: what its finding displays."""
    return tuple(dict.fromkeys(values_of(node)))


def values_of(node: Check | Points | Value) -> Iterator[Value]:
    """Every value a test or table reads, in order."""
    if isinstance(node, Value):
        yield node
        return
    for child in node.children():
        yield from values_of(child)
