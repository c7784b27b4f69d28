"""Subsidy formulas as data (rules as code): dated, parameterised, explained.

A rule is a kind of formula plus its parameters, a half-open period of effect
[effective_from, effective_until) and the clause it comes from.  `compute`
answers with an amount in yuan (Decimal) and a trace: which rule and clause,
each band, each cap and whether it bit, the rounding.  A rule asked about a day
outside its period raises RuleNotInForce instead of answering.

Kinds of formula:

- share_with_cap: `rate` × the input named by `base`, at most `cap` (no cap when
  absent).  Beijing 五: 20% of the contract value up to 1,000,000.
- fixed_cap: an award of at most `cap`; the amount asked for (input `input`,
  default "requested_amount") or, when none is given, the maximum.  Beijing 六:
  specialised board, up to 300,000 once.
- marginal_bands: each band (above, up_to] pays its `rate` on the part of the
  base that lies inside it (nothing on the part below the first band), the sum
  at most `total_cap`.  Beijing 六: 2‰ on (2.0, 2.5] billion, 3‰ above.
- per_enterprise_cap: the award asked for (input `input`), limited by what is
  left of `cap` for this enterprise after its earlier awards.  Beijing 一:
  first-of-a-kind awards, at most 30,000,000 per enterprise.

Every kind also takes `one_time` (a second award pays nothing) and
`enterprise_cap` (a total per enterprise across its awards under the measure).
The enterprise's earlier awards come in as `History`.

Money: inputs are yuan with at most two decimals; intermediate results are
exact; caps are compared before rounding; the result is rounded once, half up,
to the fen (0.01 yuan).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

FEN = Decimal("0.01")
MAX_MONEY = Decimal("1e13")  # ten trillion yuan: above any real figure, below the database column's limit
ROUNDING = "ROUND_HALF_UP to 0.01 yuan"

SHARE_WITH_CAP = "share_with_cap"
FIXED_CAP = "fixed_cap"
MARGINAL_BANDS = "marginal_bands"
PER_ENTERPRISE_CAP = "per_enterprise_cap"
KINDS = (SHARE_WITH_CAP, FIXED_CAP, MARGINAL_BANDS, PER_ENTERPRISE_CAP)

# Parameters each kind requires, and the ones it may carry besides; shared by the database guard.
COMMON_OPTIONAL = frozenset({"one_time", "enterprise_cap"})
REQUIRED: dict[str, frozenset[str]] = {
    SHARE_WITH_CAP: frozenset({"base", "rate"}),
    FIXED_CAP: frozenset({"cap"}),
    MARGINAL_BANDS: frozenset({"base", "bands"}),
    PER_ENTERPRISE_CAP: frozenset({"input", "cap"}),
}
OPTIONAL: dict[str, frozenset[str]] = {
    SHARE_WITH_CAP: frozenset({"cap"}),
    FIXED_CAP: frozenset({"input"}),
    MARGINAL_BANDS: frozenset({"total_cap"}),
    PER_ENTERPRISE_CAP: frozenset(),
}
DEFAULT_REQUESTED = "requested_amount"
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,49}$")


class RuleError(ValueError):
    """A rule that cannot answer: `kind` and `params` let the caller word it for the reader."""

    def __init__(self, kind: str, message: str, **params: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.params = params


class RuleNotInForce(RuleError):
    """The day asked about lies outside the rule's period of effect."""


class RuleInputError(RuleError):
    """The inputs given to a rule are missing, unknown or not amounts of money."""


class RuleDefinitionError(RuleError):
    """The rule's own parameters are not a valid formula (caught when an admin saves it)."""


@dataclass(frozen=True)
class Band:
    above: Decimal
    up_to: Decimal | None
    rate: Decimal


@dataclass(frozen=True)
class Formula:
    """Validated parameters of a rule."""

    kind: str
    base: str = ""
    rate: Decimal = Decimal(0)
    cap: Decimal | None = None
    input: str = ""
    bands: tuple[Band, ...] = ()
    total_cap: Decimal | None = None
    one_time: bool = False
    enterprise_cap: Decimal | None = None

    @property
    def inputs(self) -> tuple[str, ...]:
        """Names of the inputs the formula reads."""
        return tuple(name for name in (self.base, self.input) if name)

    @property
    def required_inputs(self) -> tuple[str, ...]:
        return (self.base,) if self.base else (self.input,) if self.kind == PER_ENTERPRISE_CAP else ()


@dataclass(frozen=True)
class Rule:
    code: str
    kind: str
    params: Mapping[str, Any]
    effective_from: date
    effective_until: date | None = None
    clause: str = ""

    def in_force_on(self, day: date) -> bool:
        return self.effective_from <= day and (self.effective_until is None or day < self.effective_until)


@dataclass(frozen=True)
class History:
    """What the enterprise has already been granted under the same measure (approved or paid)."""

    awarded: Decimal = Decimal(0)
    awards: int = 0


@dataclass(frozen=True)
class Quote:
    rule: str
    amount: Decimal
    trace: tuple[dict[str, str], ...] = field(default_factory=tuple)


# --- reading numbers -----------------------------------------------------------------------


def _decimal(value: Any) -> Decimal | None:
    # Only numbers and text: Decimal() also reads a list such as [0, [3], 2] as a number (found by hypothesis).
    if isinstance(value, bool) or not isinstance(value, (str, int, float, Decimal)):
        return None
    try:
        number = Decimal(str(value).strip().replace(",", "")) if isinstance(value, (str, float)) else Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return None
    return number if number.is_finite() else None


def _whole_fen(number: Decimal) -> bool:
    """At most MAX_MONEY and no fraction of a fen (checked in that order: quantize needs the size bound)."""
    return number <= MAX_MONEY and number == number.quantize(FEN)


def _param_money(params: Mapping[str, Any], name: str, *, where: str = "") -> Decimal:
    label = f"{where}{name}"
    number = _decimal(params.get(name))
    if number is None:
        raise RuleDefinitionError("not_a_number", f"{label} must be an amount in yuan", param=label)
    if number <= 0 or not _whole_fen(number):
        raise RuleDefinitionError(
            "bad_money", f"{label} must be a positive amount in yuan with at most two decimals", param=label
        )
    return number


def _param_rate(params: Mapping[str, Any], name: str, *, where: str = "") -> Decimal:
    label = f"{where}{name}"
    number = _decimal(params.get(name))
    if number is None or not (0 < number <= 1):
        raise RuleDefinitionError("bad_rate", f"{label} must be a rate above 0 and at most 1", param=label)
    return number


def _param_name(params: Mapping[str, Any], name: str) -> str:
    value = params.get(name)
    if not isinstance(value, str) or not _NAME.match(value):
        raise RuleDefinitionError(
            "bad_input_name", f"{name} must name an input in lower_snake_case", param=name, value=str(value)
        )
    return value


def parse(kind: str, params: Any) -> Formula:
    """Check a rule's parameters and return them typed; RuleDefinitionError says what is wrong."""
    if kind not in KINDS:
        raise RuleDefinitionError("unknown_kind", f"unknown kind {kind!r}", formula=str(kind), known=", ".join(KINDS))
    if not isinstance(params, Mapping):
        raise RuleDefinitionError("not_an_object", "parameters must be an object of names and values")
    missing = sorted(REQUIRED[kind] - set(params))
    if missing:
        raise RuleDefinitionError("missing_param", f"missing {', '.join(missing)}", param=", ".join(missing))
    unknown = sorted(set(params) - REQUIRED[kind] - OPTIONAL[kind] - COMMON_OPTIONAL)
    if unknown:
        allowed = ", ".join(sorted(REQUIRED[kind] | OPTIONAL[kind] | COMMON_OPTIONAL))
        raise RuleDefinitionError(
            "unknown_param", f"unknown {', '.join(unknown)}", param=", ".join(unknown), allowed=allowed
        )
    one_time = params.get("one_time", False)
    if not isinstance(one_time, bool):
        raise RuleDefinitionError("bad_flag", "one_time must be true or false", param="one_time")
    common: dict[str, Any] = {
        "one_time": one_time,
        "enterprise_cap": _param_money(params, "enterprise_cap") if params.get("enterprise_cap") is not None else None,
    }
    if kind == SHARE_WITH_CAP:
        cap = _param_money(params, "cap") if params.get("cap") is not None else None
        return Formula(kind, base=_param_name(params, "base"), rate=_param_rate(params, "rate"), cap=cap, **common)
    if kind == FIXED_CAP:
        name = _param_name(params, "input") if "input" in params else DEFAULT_REQUESTED
        return Formula(kind, cap=_param_money(params, "cap"), input=name, **common)
    if kind == PER_ENTERPRISE_CAP:
        return Formula(kind, input=_param_name(params, "input"), cap=_param_money(params, "cap"), **common)
    total_cap = _param_money(params, "total_cap") if params.get("total_cap") is not None else None
    return Formula(kind, base=_param_name(params, "base"), bands=_bands(params["bands"]), total_cap=total_cap, **common)


def _bands(raw: Any) -> tuple[Band, ...]:
    if not isinstance(raw, list) or not raw or not all(isinstance(b, Mapping) for b in raw):
        raise RuleDefinitionError("bad_bands", "bands must be a non-empty list of {above, up_to, rate}")
    bands = []
    for i, item in enumerate(raw, start=1):
        where = f"bands[{i}]."
        extra = sorted(set(item) - {"above", "up_to", "rate"})
        if extra:
            raise RuleDefinitionError(
                "unknown_param", f"unknown {where}{extra[0]}", param=f"{where}{extra[0]}", allowed="above, up_to, rate"
            )
        above = _decimal(item.get("above"))
        if above is None or above < 0 or not _whole_fen(above):
            raise RuleDefinitionError("bad_money", f"{where}above must be an amount ≥ 0", param=f"{where}above")
        up_to = _param_money(item, "up_to", where=where) if item.get("up_to") is not None else None
        bands.append(Band(above, up_to, _param_rate(item, "rate", where=where)))
    for i, band in enumerate(bands, start=1):
        if band.up_to is not None and band.up_to <= band.above:
            raise RuleDefinitionError("empty_band", f"band {i} is empty", band=str(i))
        if i < len(bands) and band.up_to != bands[i].above:
            raise RuleDefinitionError(
                "bands_not_contiguous", f"band {i + 1} must start where band {i} ends", band=str(i)
            )
    return tuple(bands)


def _input_money(inputs: Mapping[str, Any], name: str) -> Decimal:
    number = _decimal(inputs[name])
    if number is None:
        raise RuleInputError("not_a_number", f"{name} must be an amount in yuan", input=name)
    if number < 0:
        raise RuleInputError("negative", f"{name} cannot be negative", input=name)
    if number > MAX_MONEY:
        raise RuleInputError("too_large", f"{name} is implausibly large", input=name)
    if not _whole_fen(number):
        raise RuleInputError("too_precise", f"{name} has more than two decimals", input=name)
    return number


# --- computing -----------------------------------------------------------------------------


def _s(value: Decimal | None) -> str:
    """Plain digits: whole fen with two decimals (1000000.00), finer values as exact as they are."""
    if value is None:
        return ""
    fen = value.quantize(FEN, rounding=ROUND_HALF_UP)
    return f"{fen:f}" if fen == value else f"{value.normalize():f}"


def _period(rule: Rule) -> dict[str, str]:
    return {"effective_from": rule.effective_from.isoformat(), "effective_until": _until(rule)}


def _until(rule: Rule) -> str:
    return rule.effective_until.isoformat() if rule.effective_until else ""


def compute(rule: Rule, inputs: Mapping[str, Any], *, on: date, history: History | None = None) -> Quote:
    """The amount `rule` pays on day `on` for these inputs, with the trace that explains it."""
    history = history or History()
    if not rule.in_force_on(on):
        raise RuleNotInForce(
            "not_in_force", f"{rule.code} is not in force on {on}", rule=rule.code, day=on.isoformat(), **_period(rule)
        )
    formula = parse(rule.kind, rule.params)
    unknown = sorted(set(inputs) - set(formula.inputs))
    if unknown:
        raise RuleInputError(
            "unknown_input",
            f"unknown input {unknown[0]}",
            input=unknown[0],
            expected=", ".join(formula.inputs) or "—",
        )
    for name in formula.required_inputs:
        if inputs.get(name) in (None, ""):
            raise RuleInputError("missing_input", f"{name} is required", input=name)
    values = {name: _input_money(inputs, name) for name in formula.inputs if inputs.get(name) not in (None, "")}

    trace: list[dict[str, str]] = [
        {"step": "rule", "rule": rule.code, "clause": rule.clause, "kind": rule.kind, "day": on.isoformat()}
        | _period(rule)
    ]
    amount = _FORMULAS[formula.kind](formula, values, history, trace)
    if formula.one_time:
        applies = history.awards > 0
        trace.append({"step": "one_time", "awards": str(history.awards), "applied": _flag(applies)})
        if applies:
            amount = Decimal(0)
    if formula.enterprise_cap is not None:
        amount = _enterprise_cap(formula.enterprise_cap, amount, history, trace)
    rounded = amount.quantize(FEN, rounding=ROUND_HALF_UP)
    if rounded != amount:
        trace.append({"step": "rounding", "before": _s(amount), "after": _s(rounded), "method": ROUNDING})
    trace.append({"step": "result", "amount": _s(rounded)})
    return Quote(rule=rule.code, amount=rounded, trace=tuple(trace))


def _flag(value: bool) -> str:
    return "yes" if value else "no"


def _cap(cap: Decimal | None, amount: Decimal, trace: list[dict[str, str]], step: str = "cap") -> Decimal:
    if cap is None:
        return amount
    applies = amount > cap
    trace.append({"step": step, "cap": _s(cap), "before": _s(amount), "applied": _flag(applies)})
    return cap if applies else amount


def _enterprise_cap(cap: Decimal, amount: Decimal, history: History, trace: list[dict[str, str]]) -> Decimal:
    remaining = max(Decimal(0), cap - history.awarded)
    applies = amount > remaining
    trace.append(
        {
            "step": "enterprise_cap",
            "cap": _s(cap),
            "awarded": _s(history.awarded),
            "remaining": _s(remaining),
            "before": _s(amount),
            "applied": _flag(applies),
        }
    )
    return remaining if applies else amount


def _share(f: Formula, values: dict[str, Decimal], history: History, trace: list[dict[str, str]]) -> Decimal:
    base = values[f.base]
    raw = base * f.rate
    trace.append({"step": "share", "input": f.base, "base": _s(base), "rate": _s(f.rate), "amount": _s(raw)})
    return _cap(f.cap, raw, trace)


def _fixed(f: Formula, values: dict[str, Decimal], history: History, trace: list[dict[str, str]]) -> Decimal:
    assert f.cap is not None
    requested = values.get(f.input)
    if requested is None:
        trace.append({"step": "maximum", "input": f.input, "cap": _s(f.cap)})
        return f.cap
    trace.append({"step": "requested", "input": f.input, "requested": _s(requested)})
    return _cap(f.cap, requested, trace)


def _per_enterprise(f: Formula, values: dict[str, Decimal], history: History, trace: list[dict[str, str]]) -> Decimal:
    requested = values[f.input]
    trace.append({"step": "requested", "input": f.input, "requested": _s(requested)})
    assert f.cap is not None
    return _enterprise_cap(f.cap, requested, history, trace)


def _marginal(f: Formula, values: dict[str, Decimal], history: History, trace: list[dict[str, str]]) -> Decimal:
    base = values[f.base]
    total = Decimal(0)
    for i, band in enumerate(f.bands, start=1):
        top = base if band.up_to is None else min(base, band.up_to)
        part = max(Decimal(0), top - band.above)
        pays = part * band.rate
        contains = base > band.above and (band.up_to is None or base <= band.up_to)
        trace.append(
            {
                "step": "band",
                "band": str(i),
                "input": f.base,
                "base": _s(base),
                "above": _s(band.above),
                "up_to": _s(band.up_to),
                "rate": _s(band.rate),
                "part": _s(part),
                "amount": _s(pays),
                "contains_base": _flag(contains),
            }
        )
        total += pays
    if base <= f.bands[0].above:
        trace.append({"step": "below_bands", "base": _s(base), "above": _s(f.bands[0].above)})
    return _cap(f.total_cap, total, trace, step="total_cap")


_FORMULAS = {
    SHARE_WITH_CAP: _share,
    FIXED_CAP: _fixed,
    MARGINAL_BANDS: _marginal,
    PER_ENTERPRISE_CAP: _per_enterprise,
}


def validate(kind: str, params: Any) -> None:
    """Raise RuleDefinitionError unless the parameters make a valid formula of this kind."""
    parse(kind, params)


def input_names(kind: str, params: Any) -> dict[str, bool]:
    """The inputs a valid rule reads, each with whether it is required."""
    formula = parse(kind, params)
    return {name: name in formula.required_inputs for name in formula.inputs}
