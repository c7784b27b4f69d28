"""Properties of the subsidy engine (hypothesis, no database): no crash, and no wrong acceptance.

Whatever an administrator types as parameters and whatever a client sends as
inputs, the engine either answers or raises one of its own RuleErrors, whose
message the API can word.  When it answers, the amount is never negative, is
in whole fen, never exceeds a cap that bit, and follows the formula.
"""

import itertools
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from programs.rule_messages import explained, rule_error_message
from programs.rules import subsidy
from programs.rules.subsidy import FEN, MAX_MONEY, History, Rule, RuleDefinitionError, RuleError

DAY = date(2025, 3, 1)
START, UNTIL = date(2023, 6, 13), date(2029, 1, 1)
PARAM_NAMES = sorted(
    set().union(*subsidy.REQUIRED.values(), *subsidy.OPTIONAL.values(), subsidy.COMMON_OPTIONAL) | {"bogus"}
)

# Anything JSON (or a careless admin) can put in a value.
junk = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(["1e30", "1e-30", "-0", "0.001", "1,000,000", " 12 ", "NaN", "Infinity", "0x10", "１０"]),
    st.lists(st.integers(min_value=-5, max_value=5), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)
money = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("1000000000000"), places=2)
amount_in = st.decimals(min_value=0, max_value=Decimal("1000000000000"), places=2)
rates = st.decimals(min_value=Decimal("0.0001"), max_value=1, places=4)
histories = st.builds(
    History, awarded=st.decimals(min_value=0, max_value=Decimal("1e10"), places=2), awards=st.integers(0, 5)
)


def rule(kind, params, start=START, until=UNTIL):
    return Rule("r", kind, params, start, until, "test")


@st.composite
def bands(draw):
    edges = sorted(draw(st.sets(st.decimals(min_value=0, max_value=Decimal("1e11"), places=2), min_size=1, max_size=4)))
    out = [{"above": str(a), "up_to": str(b), "rate": str(draw(rates))} for a, b in itertools.pairwise(edges)]
    out.append({"above": str(edges[-1]), "up_to": None, "rate": str(draw(rates))})
    return out


common = st.fixed_dictionaries({}, optional={"one_time": st.booleans(), "enterprise_cap": money.map(str)})
valid_rules = st.one_of(
    st.tuples(
        st.just("share_with_cap"),
        st.fixed_dictionaries({"base": st.just("v"), "rate": rates.map(str)}, optional={"cap": money.map(str)}),
    ),
    st.tuples(st.just("fixed_cap"), st.fixed_dictionaries({"input": st.just("v"), "cap": money.map(str)})),
    st.tuples(st.just("per_enterprise_cap"), st.fixed_dictionaries({"input": st.just("v"), "cap": money.map(str)})),
    st.tuples(
        st.just("marginal_bands"),
        st.fixed_dictionaries({"base": st.just("v"), "bands": bands()}, optional={"total_cap": money.map(str)}),
    ),
).flatmap(lambda kp: common.map(lambda extra: (kp[0], {**kp[1], **extra})))


@settings(max_examples=300)
@given(
    st.one_of(st.sampled_from(subsidy.KINDS), st.text(max_size=10)),
    st.one_of(junk, st.dictionaries(st.sampled_from(PARAM_NAMES), st.one_of(junk, money.map(str)), max_size=6)),
)
@example("marginal_bands", {"base": "x", "bands": [{"above": [0, [1], 0], "rate": "0.1"}]})
@example("fixed_cap", {"cap": [0, [3, 0, 0], 3]})
def test_any_definition_is_parsed_or_refused_with_a_reason(kind, params):
    try:
        formula = subsidy.parse(kind, params)
    except RuleDefinitionError as exc:
        assert rule_error_message(exc)
        return
    # Accepted: then it is a formula an administrator could have meant.
    assert formula.kind in subsidy.KINDS
    assert Decimal(0) <= formula.rate <= 1
    for cap in (formula.cap, formula.total_cap, formula.enterprise_cap):
        assert cap is None or (0 < cap <= MAX_MONEY and cap == cap.quantize(FEN))
    for band in formula.bands:
        assert 0 < band.rate <= 1 and band.above >= 0
        assert band.up_to is None or band.up_to > band.above
    for param in ("cap", "total_cap", "enterprise_cap", "rate"):
        if param in params and params[param] is not None:
            assert not isinstance(params[param], (bool, list, dict))


@settings(max_examples=300)
@given(valid_rules, st.dictionaries(st.sampled_from(["v", "requested_amount", "other"]), junk, max_size=3), histories)
def test_any_inputs_are_answered_or_refused_with_a_reason(kind_params, inputs, history):
    kind, params = kind_params
    try:
        quote = subsidy.compute(rule(kind, params), inputs, on=DAY, history=history)
    except RuleError as exc:
        assert rule_error_message(exc)
        return
    assert quote.amount >= 0 and quote.amount == quote.amount.quantize(FEN)
    assert all(step["text"] for step in explained(quote.trace))


@settings(max_examples=400)
@given(valid_rules, amount_in, histories)
def test_an_answer_respects_every_cap(kind_params, value, history):
    kind, params = kind_params
    quote = subsidy.compute(rule(kind, params), {"v": str(value)}, on=DAY, history=history)
    amount = quote.amount
    assert amount >= 0 and amount == amount.quantize(FEN)
    assert quote.trace[-1] == {"step": "result", "amount": f"{amount:f}"}
    for cap_name in ("cap", "total_cap"):
        if params.get(cap_name) is not None and kind != "per_enterprise_cap":
            assert amount <= Decimal(params[cap_name])
    if params.get("enterprise_cap") is not None:
        assert amount <= max(Decimal(0), Decimal(params["enterprise_cap"]) - history.awarded)
    if kind == "per_enterprise_cap":
        assert amount <= min(value, max(Decimal(0), Decimal(params["cap"]) - history.awarded))
    if kind == "fixed_cap":
        assert amount <= value
    if params.get("one_time") and history.awards:
        assert amount == 0
    if kind == "share_with_cap" and not params.get("one_time") and params.get("enterprise_cap") is None:
        exact = value * Decimal(params["rate"])
        if params.get("cap") is not None:
            exact = min(exact, Decimal(params["cap"]))
        assert amount == exact.quantize(FEN, rounding=ROUND_HALF_UP)


@settings(max_examples=200)
@given(valid_rules, amount_in, amount_in)
def test_more_base_never_pays_less(kind_params, a, b):
    kind, params = kind_params
    assume(kind in ("share_with_cap", "marginal_bands"))
    low, high = sorted((a, b))
    r = rule(kind, params)
    assert subsidy.compute(r, {"v": str(low)}, on=DAY).amount <= subsidy.compute(r, {"v": str(high)}, on=DAY).amount


@given(valid_rules, st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 1, 1)))
def test_a_day_outside_the_period_is_never_answered(kind_params, day):
    kind, params = kind_params
    r = rule(kind, params, start=START, until=START + timedelta(days=365))
    try:
        subsidy.compute(r, {"v": "100"}, on=day)
    except subsidy.RuleNotInForce as exc:
        assert not r.in_force_on(day) and rule_error_message(exc)
        return
    assert r.in_force_on(day)
