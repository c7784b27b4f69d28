"""Every subsidy rule of the fixtures against its YAML cases, on the pure engine (no database).

One file per rule in tests/programs/rule_cases/<code>.yaml (format in _README.md there).
"""

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from programs.rules import subsidy

ROOT = Path(__file__).resolve().parents[2]
CASES = Path(__file__).resolve().parent / "rule_cases"
RULES = {row["code"]: row for row in yaml.safe_load((ROOT / "fixtures/programs/subsidy_rules.yaml").read_text())}


def rule(code):
    row = RULES[code]
    return subsidy.Rule(
        code=code,
        kind=row["kind"],
        params=row["params"],
        effective_from=row["effective_from"],
        effective_until=row["effective_until"],
        clause=row["clause"],
    )


def case_files():
    return sorted(CASES.glob("*.yaml"))


def all_cases():
    for path in case_files():
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        for case in doc["cases"]:
            yield pytest.param(doc["rule"], case, id=f"{doc['rule']}: {case['name']}")


def test_every_rule_has_a_case_file_and_every_file_a_rule():
    assert {p.stem for p in case_files()} == set(RULES)
    for path in case_files():
        assert yaml.safe_load(path.read_text(encoding="utf-8"))["rule"] == path.stem


def test_every_rule_of_the_fixtures_is_valid():
    for code in RULES:
        subsidy.validate(RULES[code]["kind"], RULES[code]["params"])


@pytest.mark.parametrize("path", case_files(), ids=lambda p: p.stem)
def test_every_file_tests_the_boundaries_and_the_period(path):
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    row = RULES[doc["rule"]]
    cases = doc["cases"]
    assert sum("boundary" in c.get("tags", []) for c in cases) >= 2
    start, until = row["effective_from"], row["effective_until"]
    refused = {c["day"] for c in cases if c.get("error") == "not_in_force"}
    answered = {c["day"] for c in cases if "amount" in c}
    assert start - timedelta(days=1) in refused and start in answered
    assert until in refused and until - timedelta(days=1) in answered


@pytest.mark.parametrize(("code", "case"), list(all_cases()))
def test_case(code, case):
    history = subsidy.History(
        awarded=Decimal(str(case.get("history", {}).get("awarded", "0"))),
        awards=int(case.get("history", {}).get("awards", 0)),
    )
    on = case["day"]
    assert isinstance(on, date)
    if "error" in case:
        with pytest.raises(subsidy.RuleError) as raised:
            subsidy.compute(rule(code), case["inputs"], on=on, history=history)
        assert raised.value.kind == case["error"]
        return
    quote = subsidy.compute(rule(code), case["inputs"], on=on, history=history)
    assert quote.amount == Decimal(case["amount"])
    assert str(quote.amount) == case["amount"], "amounts are quantised to the fen"
    assert quote.trace[0]["step"] == "rule" and quote.trace[0]["clause"] == RULES[code]["clause"]
    assert quote.trace[-1] == {"step": "result", "amount": case["amount"]}
    for expected in case.get("trace", []):
        assert any(expected.items() <= step.items() for step in quote.trace), (expected, quote.trace)
