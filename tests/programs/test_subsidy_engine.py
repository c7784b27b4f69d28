"""The subsidy engine's checks of rule definitions and inputs (pure, no database)."""

from datetime import date
from decimal import Decimal

import pytest

from programs.rules import subsidy
from programs.rules.subsidy import RuleDefinitionError, RuleInputError, RuleNotInForce

BANDS = [
    {"above": "2000000000", "up_to": "2500000000", "rate": "0.002"},
    {"above": "2500000000", "up_to": None, "rate": "0.003"},
]


@pytest.mark.parametrize(
    ("kind", "params", "error"),
    [
        ("percentage", {}, "unknown_kind"),
        ("share_with_cap", ["rate"], "not_an_object"),
        ("share_with_cap", {"base": "contract_value"}, "missing_param"),
        ("share_with_cap", {"base": "contract_value", "rate": "0.2", "rat": "1"}, "unknown_param"),
        ("share_with_cap", {"base": "contract_value", "rate": "20"}, "bad_rate"),
        ("share_with_cap", {"base": "contract_value", "rate": "0"}, "bad_rate"),
        ("share_with_cap", {"base": "contract_value", "rate": "abc"}, "bad_rate"),
        ("share_with_cap", {"base": "Contract Value", "rate": "0.2"}, "bad_input_name"),
        ("share_with_cap", {"base": "contract_value", "rate": "0.2", "cap": "-5"}, "bad_money"),
        ("share_with_cap", {"base": "contract_value", "rate": "0.2", "cap": "10.001"}, "bad_money"),
        ("share_with_cap", {"base": "contract_value", "rate": "0.2", "cap": True}, "not_a_number"),
        ("share_with_cap", {"base": "contract_value", "rate": "0.2", "cap": "NaN"}, "not_a_number"),
        ("fixed_cap", {"cap": "300000", "one_time": "yes"}, "bad_flag"),
        ("fixed_cap", {"cap": "1e20"}, "bad_money"),
        # Decimal() reads a list as a sign/digits/exponent triple: not an amount (found by hypothesis).
        ("fixed_cap", {"cap": [0, [3, 0, 0], 3]}, "not_a_number"),
        ("marginal_bands", {"base": "x", "bands": [{"above": [0, [1], 0], "rate": "0.1"}]}, "bad_money"),
        ("per_enterprise_cap", {"cap": "30000000"}, "missing_param"),
        ("marginal_bands", {"base": "x", "bands": []}, "bad_bands"),
        ("marginal_bands", {"base": "x", "bands": "2‰"}, "bad_bands"),
        ("marginal_bands", {"base": "x", "bands": [{"above": "10", "up_to": "5", "rate": "0.1"}]}, "empty_band"),
        (
            "marginal_bands",
            {"base": "x", "bands": [{"above": "0", "up_to": "5", "rate": "0.1"}, {"above": "6", "rate": "0.2"}]},
            "bands_not_contiguous",
        ),
        ("marginal_bands", {"base": "x", "bands": [{"above": "0", "rate": "0.1", "below": "1"}]}, "unknown_param"),
        ("marginal_bands", {"base": "x", "bands": [{"above": "-1", "rate": "0.1"}]}, "bad_money"),
    ],
)
def test_invalid_definitions_are_refused_with_a_reason(kind, params, error):
    with pytest.raises(RuleDefinitionError) as raised:
        subsidy.validate(kind, params)
    assert raised.value.kind == error


def test_valid_definitions_and_their_inputs():
    assert subsidy.input_names("share_with_cap", {"base": "contract_value", "rate": "0.2"}) == {"contract_value": True}
    assert subsidy.input_names("fixed_cap", {"cap": "1"}) == {"requested_amount": False}
    assert subsidy.input_names("per_enterprise_cap", {"input": "award_amount", "cap": "1"}) == {"award_amount": True}
    assert subsidy.input_names("marginal_bands", {"base": "x", "bands": BANDS, "total_cap": "2000000"}) == {"x": True}
    # Numbers may be given as JSON numbers as well as strings.
    subsidy.validate("share_with_cap", {"base": "contract_value", "rate": 0.2, "cap": 1000000})


def make(kind, params, start=date(2023, 6, 13), until=date(2029, 1, 1)):
    return subsidy.Rule("r", kind, params, start, until, "北京 五.2")


def test_a_rule_without_end_date_answers_any_day_from_its_start():
    rule = make("share_with_cap", {"base": "v", "rate": "0.5"}, until=None)
    assert subsidy.compute(rule, {"v": "10"}, on=date(2099, 1, 1)).amount == Decimal("5.00")
    with pytest.raises(RuleNotInForce) as raised:
        subsidy.compute(rule, {"v": "10"}, on=date(2023, 6, 12))
    assert raised.value.params["effective_until"] == ""


def test_inputs_may_be_numbers_or_strings_with_separators():
    rule = make("share_with_cap", {"base": "v", "rate": "0.2", "cap": "1000000"})
    assert subsidy.compute(rule, {"v": 1000}, on=date(2024, 1, 1)).amount == Decimal("200.00")
    assert subsidy.compute(rule, {"v": "1,000,000"}, on=date(2024, 1, 1)).amount == Decimal("200000.00")
    with pytest.raises(RuleInputError) as raised:
        subsidy.compute(rule, {"v": True}, on=date(2024, 1, 1))
    assert raised.value.kind == "not_a_number"
    with pytest.raises(RuleInputError) as raised:
        subsidy.compute(rule, {"v": "1e30"}, on=date(2024, 1, 1))
    assert raised.value.kind == "too_large"


def test_the_double_inclusive_boundary_pays_the_same_under_either_reading():
    """Read "(含)" as closing band 2 instead: (2.0, 2.5) and [2.5, ∞) — marginally identical at 2.5 billion."""
    ours = make("marginal_bands", {"base": "x", "bands": BANDS, "total_cap": "2000000"})
    shifted = [
        {"above": "2000000000", "up_to": "2499999999.99", "rate": "0.002"},
        {"above": "2499999999.99", "up_to": None, "rate": "0.003"},
    ]
    other = make("marginal_bands", {"base": "x", "bands": shifted, "total_cap": "2000000"})
    day = date(2024, 1, 1)
    at = {"x": "2500000000"}
    assert subsidy.compute(ours, at, on=day).amount == Decimal("1000000.00")
    assert subsidy.compute(other, at, on=day).amount == Decimal("1000000.00")  # 0.01 at 3‰ instead of 2‰


def test_the_whole_amount_reading_would_always_hit_the_cap():
    """Why the bands are marginal: 2‰ of the whole 2 billion is already twice the 2,000,000 cap."""
    assert Decimal("2000000000") * Decimal("0.002") > Decimal("2000000")


def test_enterprise_cap_combines_with_any_kind():
    rule = make("share_with_cap", {"base": "v", "rate": "0.5", "enterprise_cap": "100"})
    quote = subsidy.compute(rule, {"v": "150"}, on=date(2024, 1, 1), history=subsidy.History(Decimal("40"), 1))
    assert quote.amount == Decimal("60.00")
    assert [s["step"] for s in quote.trace] == ["rule", "share", "enterprise_cap", "result"]
