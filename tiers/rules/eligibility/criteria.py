"""Reading a criteria document (one YAML file per document, fixtures/criteria/) into rule sets.

The format is described at the top of fixtures/criteria/miit-2022-63.yaml and in
docs/domain/eligibility.md.  Every mistake in a file is refused with the place it is at
("MIIT-2026-2 / srdi_sme / rd_expense: unknown fact 'rd_expence'"), before anything is
evaluated: a document that loads is one the evaluator can run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from . import nodes as n
from .model import (
    FACT_NAMES,
    FIGURE_NAMES,
    AssessmentKind,
    Category,
    Document,
    Indicator,
    Role,
    RuleSet,
)


class CriteriaError(ValueError):
    def __init__(self, where: str, message: str) -> None:
        super().__init__(f"{where}: {message}")
        self.where = where
        self.message = message


_SCALE = {"万": Decimal(10_000), "亿": Decimal(100_000_000)}


def amount(raw: Any, where: str) -> Decimal:
    """A number of the data file: 60, "3", 2.5, "100万", "1亿", "10%" (percent values are written as numbers)."""
    if isinstance(raw, bool) or raw is None:
        raise CriteriaError(where, f"not a number: {raw!r}")
    text = str(raw).strip().removesuffix("%")
    factor = Decimal(1)
    if text[-1:] in _SCALE:
        factor, text = _SCALE[text[-1]], text[:-1]
    try:
        value = Decimal(text) * factor
    except InvalidOperation:
        raise CriteriaError(where, f"not a number: {raw!r}") from None
    if not value.is_finite():
        raise CriteriaError(where, f"not a number: {raw!r}")
    return value


def _date(raw: Any, where: str, *, optional: bool = False) -> dt.date | None:
    if raw is None and optional:
        return None
    if isinstance(raw, dt.date):
        return raw
    try:
        return dt.date.fromisoformat(str(raw))
    except ValueError:
        raise CriteriaError(where, f"not a date (YYYY-MM-DD): {raw!r}") from None


def _one_of(spec: Mapping[str, Any], keys: tuple[str, ...], where: str) -> str:
    found = [k for k in keys if k in spec]
    if len(found) != 1:
        raise CriteriaError(where, f"expected exactly one of {', '.join(keys)}; got {sorted(spec)}")
    return found[0]


def _mapping(raw: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(raw, Mapping):
        raise CriteriaError(where, f"expected a mapping, got {raw!r}")
    return raw


def _fact(name: Any, where: str) -> str:
    if name not in FACT_NAMES:
        raise CriteriaError(where, f"unknown fact {name!r}")
    return str(name)


def _figure(name: Any, where: str) -> str:
    if name not in FIGURE_NAMES:
        raise CriteriaError(where, f"unknown yearly figure {name!r}")
    return str(name)


def _int(raw: Any, where: str, default: int) -> int:
    if raw is None:
        return default
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise CriteriaError(where, f"not a whole number: {raw!r}")
    return raw


_VALUES = ("fact", "figure", "ratio", "growth", "average_growth", "sum", "mean", "years_since", "first_known")


def value(raw: Any, where: str) -> n.Value:
    spec = _mapping(raw, where)
    kind = _one_of(spec, _VALUES, where)
    arg = spec[kind]
    back = _int(spec.get("back"), where, 0)
    if kind == "fact":
        return n.Fact(_fact(arg, where))
    if kind == "figure":
        return n.Figure(_figure(arg, where), back)
    if kind == "ratio":
        if not isinstance(arg, list) or len(arg) != 2:
            raise CriteriaError(where, "ratio takes [part, whole]")
        return n.Ratio(_figure(arg[0], where), _figure(arg[1], where), back)
    if kind == "growth":
        return n.Growth(_figure(arg, where), back)
    if kind == "average_growth":
        return n.AverageGrowth(_figure(arg, where), _int(spec.get("years"), where, 2))
    if kind in ("sum", "mean"):
        return n.Total(_figure(arg, where), _int(spec.get("years"), where, 1), mean=kind == "mean")
    if kind == "years_since":
        as_of = spec.get("as_of", "assessment_day")
        if as_of not in ("assessment_day", "end_of_reference_year"):
            raise CriteriaError(where, f"as_of is assessment_day or end_of_reference_year, not {as_of!r}")
        return n.YearsSince(_fact(arg, where), as_of)
    if not isinstance(arg, list) or not arg:
        raise CriteriaError(where, "first_known takes a list of values")
    return n.FirstKnown(tuple(value(o, f"{where}.first_known[{i}]") for i, o in enumerate(arg)))


_OPS = ("at_least", "at_most", "is", "in", "not_in", "within_years", "bands")


def _bands(raw: Any, where: str, *, points: bool) -> tuple[n.Band, ...]:
    if not isinstance(raw, list) or not raw:
        raise CriteriaError(where, "bands takes a list of {from, to, ...}")
    bands = []
    for i, b in enumerate(raw):
        here = f"{where}.bands[{i}]"
        b = _mapping(b, here)
        low = None if b.get("from") is None else amount(b["from"], here)
        high = None if b.get("to") is None else amount(b["to"], here)
        if low is None and high is None:
            raise CriteriaError(here, "a band needs from, to or both")
        if low is not None and high is not None and low > high:
            raise CriteriaError(here, "from is above to")
        if points:
            bands.append(n.Band(low, high, points=amount(b.get("points"), here)))
        else:
            bands.append(n.Band(low, high, then=check(b.get("then"), f"{here}.then")))
    return tuple(bands)


def check(raw: Any, where: str) -> n.Check:
    spec = _mapping(raw, where)
    if "all" in spec or "any" in spec:
        key = _one_of(spec, ("all", "any"), where)
        items = spec[key]
        if not isinstance(items, list) or not items:
            raise CriteriaError(where, f"{key} takes a list of tests")
        checks = tuple(check(c, f"{where}.{key}[{i}]") for i, c in enumerate(items))
        return n.AllOf(checks) if key == "all" else n.AnyOf(checks)
    op = _one_of(spec, _OPS, where)
    of = value(spec.get("of"), f"{where}.of")
    operand = spec[op]
    if op == "bands":
        return n.BandCheck(of, _bands(operand, where, points=False))
    if op in ("at_least", "at_most"):
        return n.Compare(of, op, amount(operand, f"{where}.{op}"))
    if op in ("in", "not_in"):
        if not isinstance(operand, list) or not operand:
            raise CriteriaError(where, f"{op} takes a list")
        return n.Compare(of, op, tuple(operand))
    if op == "within_years":
        return n.Compare(of, op, _int(operand, where, 0))
    return n.Compare(of, op, operand)


_POINTS = ("bands", "table", "every", "clamp", "best")


def points(raw: Any, where: str) -> n.Points:
    spec = _mapping(raw, where)
    kind = _one_of(spec, _POINTS, where)
    if kind == "best":
        parts = spec["best"]
        if not isinstance(parts, list) or len(parts) < 2:
            raise CriteriaError(where, "best takes two or more tables")
        return n.Best(tuple(points(p, f"{where}.best[{i}]") for i, p in enumerate(parts)))
    of = value(spec.get("of"), f"{where}.of")
    otherwise = amount(spec.get("otherwise", 0), f"{where}.otherwise")
    if kind == "bands":
        return n.PointBands(of, _bands(spec["bands"], where, points=True), otherwise)
    if kind == "table":
        table = _mapping(spec["table"], f"{where}.table")
        return n.Table(of, tuple((n._key(k), amount(v, f"{where}.table.{k}")) for k, v in table.items()), otherwise)
    if kind == "every":
        return n.Every(
            of, amount(spec["every"], where), amount(spec.get("points"), where), amount(spec.get("max"), where)
        )
    low_high = spec["clamp"]
    if not isinstance(low_high, list) or len(low_high) != 2:
        raise CriteriaError(where, "clamp takes [low, high]")
    return n.Clamp(of, amount(low_high[0], where), amount(low_high[1], where))


def _reads(node: n.Check | n.Points) -> set[str]:
    return {f for v in n.values_of(node) for f in v.facts()}


def _text(spec: Mapping[str, Any], key: str, where: str, *, required: bool = True) -> str:
    raw = spec.get(key)
    if raw is None or raw == "":
        if required:
            raise CriteriaError(where, f"{key} is required")
        return ""
    return str(raw).strip()


def indicator(raw: Any, where: str, *, number: str, source: str, categories: set[str]) -> Indicator:
    spec = _mapping(raw, where)
    code = _text(spec, "code", where)
    where = f"{where} {code}"
    try:
        role = Role(str(spec.get("role")))
    except ValueError:
        raise CriteriaError(where, f"role is one of {', '.join(Role)}") from None
    test = pts = None
    if role == Role.SCORED:
        if "test" in spec:
            raise CriteriaError(where, "a scored indicator has points, not a test")
        pts = points(spec.get("points"), f"{where}.points")
        body: n.Check | n.Points = pts
    else:
        if "points" in spec:
            raise CriteriaError(where, f"a {role} indicator has a test, not points")
        test = check(spec.get("test"), f"{where}.test")
        body = test
    reads = spec.get("reads")
    if not isinstance(reads, list) or not reads:
        raise CriteriaError(where, "reads lists the facts the indicator reads")
    if set(reads) != _reads(body):
        raise CriteriaError(where, f"reads {sorted(reads)} but the indicator reads {sorted(_reads(body))}")
    category = _text(spec, "category", where, required=role == Role.SCORED)
    if category and category not in categories:
        raise CriteriaError(where, f"unknown category {category!r}")
    max_points = None
    if pts is not None:
        max_points = amount(spec.get("max_points"), where) if "max_points" in spec else pts.most()
        if max_points != pts.most():
            raise CriteriaError(where, f"max_points {max_points} but the table gives at most {pts.most()}")
    kinds = spec.get("applies_to", [k.value for k in AssessmentKind])
    try:
        applies_to = frozenset(AssessmentKind(k) for k in kinds)
    except (TypeError, ValueError):
        raise CriteriaError(where, f"applies_to lists {', '.join(AssessmentKind)}") from None
    confirmed = spec.get("confirmed")
    if not isinstance(confirmed, bool):
        raise CriteriaError(where, "confirmed is true or false")
    clause = _text(spec, "clause", where)
    return Indicator(
        code=code,
        name=_text(spec, "name", where),
        name_en=_text(spec, "name_en", where),
        role=role,
        threshold=_text(spec, "threshold", where),
        threshold_en=_text(spec, "threshold_en", where),
        citation=clause if clause.startswith(("《", "工信", "国科")) else f"{number} {clause}",
        reads=tuple(reads),
        test=test,
        points=pts,
        shown=n.shown(body),
        category=category,
        max_points=max_points,
        applies_to=applies_to,
        confirmed=confirmed,
        source=_text(spec, "source", where, required=False) or source,
        note=_text(spec, "note", where, required=False),
    )


def document(raw: Any, where: str = "document") -> tuple[Document, list[dict[str, Any]]]:
    """The document's header and its tiers' raw entries (resolved by rule_sets once every document is read)."""
    spec = _mapping(raw, where)
    key = _text(spec, "key", where)
    where = key
    confirmed = spec.get("confirmed")
    if not isinstance(confirmed, bool):
        raise CriteriaError(where, "confirmed is true or false")
    for required in ("reading",):
        _text(spec, required, where)
    doc = Document(
        key=key,
        number=_text(spec, "number", where),
        title=_text(spec, "title", where),
        title_en=_text(spec, "title_en", where),
        issued_on=_date(spec.get("issued_on"), f"{where}.issued_on", optional=True),
        effective_from=_date(spec.get("effective_from"), f"{where}.effective_from"),  # type: ignore[arg-type]
        new_applications_until=_date(spec.get("new_applications_until"), f"{where}.until", optional=True),
        source=_text(spec, "source", where),
        confirmed=confirmed,
        note=_text(spec, "note", where, required=False),
    )
    tiers = spec.get("tiers")
    if not isinstance(tiers, list) or not tiers:
        raise CriteriaError(where, "tiers lists the criteria of each tier")
    return doc, [dict(_mapping(t, f"{where}.tiers[{i}]")) for i, t in enumerate(tiers)]


def rule_set(doc: Document, spec: Mapping[str, Any], adopted: Mapping[str, RuleSet]) -> RuleSet:
    """One tier of a document; `adopted` holds the rule sets already read, for a tier that adopts another's annex."""
    tier = _text(spec, "tier", doc.key)
    where = f"{doc.key} / {tier}"
    effective_from = _date(spec.get("effective_from", doc.effective_from), f"{where}.effective_from")
    until = (
        _date(spec["new_applications_until"], f"{where}.new_applications_until", optional=True)
        if "new_applications_until" in spec
        else doc.new_applications_until
    )
    assert effective_from is not None
    if until is not None and until <= effective_from:
        raise CriteriaError(where, "new_applications_until is not after effective_from")
    if "adopts" in spec:
        base = adopted.get(f"{spec['adopts']}/{tier}")
        if base is None:
            raise CriteriaError(where, f"adopts {spec['adopts']!r}, which has no criteria for {tier}")
        return RuleSet(
            tier=tier,
            document=doc,
            annex=base.annex,
            name=base.name,
            name_en=base.name_en,
            effective_from=effective_from,
            new_applications_until=until,
            indicators=base.indicators,
            pass_mark=base.pass_mark,
            categories=base.categories,
            adopted_from=base.document,
            clause=_text(spec, "clause", where),
            note=_text(spec, "note", where, required=False),
        )
    raw_categories = spec.get("categories") or []
    categories = tuple(
        Category(
            code=_text(c, "code", where),
            name=_text(c, "name", where),
            name_en=_text(c, "name_en", where),
            minimum=amount(c.get("minimum", 0), f"{where}.categories"),
        )
        for c in (_mapping(c, f"{where}.categories") for c in raw_categories)
    )
    raw_indicators = spec.get("indicators")
    if not isinstance(raw_indicators, list) or not raw_indicators:
        raise CriteriaError(where, "indicators lists the tier's indicators")
    indicators = tuple(
        indicator(i, f"{where} / indicators[{k}]", number=doc.number, source=doc.source,
                  categories={c.code for c in categories})
        for k, i in enumerate(raw_indicators)
    )  # fmt: skip
    codes = [i.code for i in indicators]
    if len(set(codes)) != len(codes):
        raise CriteriaError(where, "indicator codes repeat")
    pass_mark = amount(spec["pass_mark"], f"{where}.pass_mark") if spec.get("pass_mark") is not None else None
    if any(i.role == Role.SCORED for i in indicators) != (pass_mark is not None):
        raise CriteriaError(where, "a tier with scored indicators has a pass_mark, and only such a tier")
    return RuleSet(
        tier=tier,
        document=doc,
        annex=_text(spec, "annex", where),
        name=_text(spec, "name", where),
        name_en=_text(spec, "name_en", where),
        effective_from=effective_from,
        new_applications_until=until,
        indicators=indicators,
        pass_mark=pass_mark,
        categories=categories,
        note=_text(spec, "note", where, required=False),
    )
