"""The one eligibility check as pure rules (no database): verdicts, conditions on registry facts, limits used."""

from datetime import date
from decimal import Decimal

import pytest

from programs.rules import eligibility as e
from programs.rules import subsidy as engine

DAY = date(2026, 3, 1)
SCOPE = e.Scope(
    region="110000",
    tiers=frozenset({"srdi_sme", "little_giant"}),
    industries=frozenset(),
    effective_from=date(2023, 6, 13),
    effective_until=date(2029, 1, 1),
)
HOLDER = e.Applicant.of("110000", {"srdi_sme"}, "C", {"listing_status": "star", "invention_patents": 3})


def with_conditions(*raw):
    return e.Scope(**{**SCOPE.__dict__, "conditions": e.parse_conditions(list(raw))})


def test_a_holder_in_the_region_qualifies():
    assert e.verdict(HOLDER, SCOPE, DAY) == e.Verdict(e.QUALIFIES)


def test_every_reason_is_given_at_once():
    outsider = e.Applicant.of("500000", {"innovative_sme"}, "I")
    scope = e.Scope(**{**SCOPE.__dict__, "industries": frozenset({"C"}), "beneficiary": "market_operator"})
    found = e.verdict(outsider, scope, date(2030, 1, 1))
    assert found.status == e.DOES_NOT
    assert [r.kind for r in found.refusals] == [
        "not_for_enterprises", "wrong_region", "outside_period", "tier_not_held", "industry_excluded",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("condition", "facts", "status"),
    [
        ({"fact": "listing_status", "op": "in", "value": ["star", "bse"]}, {"listing_status": "star"}, e.QUALIFIES),
        ({"fact": "listing_status", "op": "in", "value": ["regional_equity"]}, {"listing_status": "star"}, e.DOES_NOT),
        ({"fact": "invention_patents", "op": "at_least", "value": 1}, {"invention_patents": 1}, e.QUALIFIES),
        ({"fact": "invention_patents", "op": "at_least", "value": 1}, {"invention_patents": 0}, e.DOES_NOT),
        ({"fact": "invention_patents", "op": "at_least", "value": 1}, {}, e.CANNOT_TELL),
        ({"fact": "revenue", "op": "at_most", "value": "400000000"}, {"revenue": Decimal("4e8")}, e.QUALIFIES),
        ({"fact": "revenue", "op": "at_most", "value": "400000000"}, {"revenue": Decimal("400000000.01")}, e.DOES_NOT),
        ({"fact": "high_tech", "op": "is", "value": True}, {"high_tech": True}, e.QUALIFIES),
        ({"fact": "high_tech", "op": "is", "value": True}, {"high_tech": False}, e.DOES_NOT),
        ({"fact": "high_tech", "op": "is", "value": True}, {"high_tech": None}, e.CANNOT_TELL),
    ],
)
def test_conditions_on_registry_facts(condition, facts, status):
    applicant = e.Applicant.of("110000", {"srdi_sme"}, "C", facts)
    found = e.verdict(applicant, with_conditions(condition), DAY)
    assert found.status == status
    if status == e.CANNOT_TELL:
        assert found.missing == (condition["fact"],) and not found.refusals
    if status == e.DOES_NOT:
        assert found.refusals[0].kind == "condition_not_met" and found.refusals[0].params["fact"] == condition["fact"]


def test_a_known_refusal_decides_over_a_missing_fact():
    outsider = e.Applicant.of("110000", set(), "C")  # holds no tier, patents unknown
    found = e.verdict(outsider, with_conditions({"fact": "invention_patents", "op": "at_least", "value": 1}), DAY)
    assert found.status == e.DOES_NOT and [r.kind for r in found.refusals] == ["tier_not_held"]


def test_one_time_and_per_enterprise_limits_already_used():
    one_time = e.Limits.of(engine.Rule("r", "fixed_cap", {"cap": "300000", "one_time": True}, date(2023, 1, 1)))
    capped = e.Limits.of(engine.Rule("r", "per_enterprise_cap", {"input": "a", "cap": "100"}, date(2023, 1, 1)))
    assert one_time == e.Limits(one_time=True) and capped == e.Limits(enterprise_cap=Decimal("100"))
    granted = engine.History(awarded=Decimal("100"), awards=1)
    assert e.verdict(HOLDER, SCOPE, DAY, limits=one_time).qualifies
    assert [r.kind for r in e.verdict(HOLDER, SCOPE, DAY, limits=one_time, history=granted).refusals] == [
        "one_time_used"
    ]
    assert e.verdict(HOLDER, SCOPE, DAY, limits=capped, history=engine.History(Decimal("99.99"), 3)).qualifies
    assert [r.kind for r in e.verdict(HOLDER, SCOPE, DAY, limits=capped, history=granted).refusals] == [
        "enterprise_cap_used"
    ]


@pytest.mark.parametrize(
    ("raw", "kind"),
    [
        ({"fact": "x"}, "not_a_list"),
        ([{"fact": "listing_status", "op": "in", "value": ["a"], "extra": 1}], "unknown_key"),
        ([{"fact": "exports", "op": "is", "value": True}], "unknown_fact"),
        ([{"fact": "listing_status", "op": "at_least", "value": 1}], "bad_operator"),
        ([{"fact": "listing_status", "op": "in", "value": []}], "bad_value"),
        ([{"fact": "listing_status", "op": "in", "value": "star"}], "bad_value"),
        ([{"fact": "revenue", "op": "at_least", "value": "lots"}], "bad_value"),
        ([{"fact": "revenue", "op": "at_least", "value": True}], "bad_value"),
        ([{"fact": "revenue", "op": "at_least", "value": "1e99"}], "bad_value"),
        ([{"fact": "high_tech", "op": "is", "value": "yes"}], "bad_value"),
    ],
)
def test_conditions_that_cannot_be_read_are_refused(raw, kind):
    with pytest.raises(e.ConditionError) as raised:
        e.parse_conditions(raw)
    assert raised.value.kind == kind


def test_known_inputs_come_from_numeric_facts_only():
    applicant = e.Applicant.of("110000", (), "C", {"revenue": Decimal("12.50"), "listing_status": "star"})
    assert e.known_inputs(["revenue", "contract_value", "listing_status"], applicant) == {"revenue": "12.50"}


def test_applicants_with_the_same_facts_are_equal_and_hash_alike():
    a = e.Applicant.of("110000", ["srdi_sme"], "C", {"listing_status": "star", "revenue": None})
    b = e.Applicant.of("110000", {"srdi_sme"}, "C", {"listing_status": "star"})
    assert a == b and hash(a) == hash(b) and len({a, b}) == 1
