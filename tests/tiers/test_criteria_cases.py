"""Every criteria document of fixtures/criteria/ against its case table, on the pure evaluator (no database).

One case table per document in tests/tiers/criteria_cases/<document>.yaml (format at its top). Besides each
case, the tables are checked for coverage: every indicator of every tier has cases, every numeric edge of every
table or threshold has a case below it, on it and above it, and every row of a points table by category has one.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from tiers.rules.eligibility import AssessmentKind, Criteria, Facts, YearFigures
from tiers.rules.eligibility.criteria import amount
from tiers.rules.eligibility.evaluate import measure
from tiers.rules.eligibility.nodes import Check, Compare, Points, Table

ROOT = Path(__file__).resolve().parents[2]
CRITERIA = Criteria.from_directory(ROOT / "fixtures" / "criteria")
CASES = Path(__file__).resolve().parent / "criteria_cases"
TABLES = {p.stem: yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted(CASES.glob("*.yaml"))}
DATE_FACTS = {"niche_market_since"}
DECIMAL_FACTS = {"national_market_share", "local_feature_points"}


def facts_of(case: dict, day: dt.date) -> Facts:
    figures = {}
    for back, values in (case.get("years") or {}).items():
        figures[day.year - 1 - int(back)] = YearFigures(
            **{k: Decimal(v) if isinstance(v, str) else v for k, v in values.items()}
        )
    profile = {"size_class": "small", **(case.get("profile") or {})}
    for key in DATE_FACTS & profile.keys():
        if isinstance(profile[key], str):
            profile[key] = dt.date.fromisoformat(profile[key])
    for key in DECIMAL_FACTS & profile.keys():
        if isinstance(profile[key], str):
            profile[key] = Decimal(profile[key])
    return Facts(assessed_on=day, years=figures, **profile)


def all_cases():
    for stem, table in TABLES.items():
        for case in table["cases"]:
            yield pytest.param(table, case, id=f"{stem}: {case['id']}")


def test_every_document_has_a_case_table_and_every_table_a_document():
    own = {d.key.lower() for d in CRITERIA.documents()}
    assert set(TABLES) == own
    for stem, table in TABLES.items():
        assert table["document"].lower() == stem
        ids = [c["id"] for c in table["cases"]]
        assert len(ids) == len(set(ids)), "case ids repeat"


@pytest.mark.parametrize(("table", "case"), list(all_cases()))
def test_case(table, case):
    rule_set = CRITERIA.rule_set(f"{table['document']}/{case['tier']}")
    assert rule_set is not None and rule_set.adopted_from is None, case["tier"]
    ind = rule_set.indicator(case["indicator"])
    assert ind is not None, case["indicator"]
    kind = AssessmentKind(case.get("kind", AssessmentKind.NEW_APPLICATION))
    assert kind in ind.applies_to, f"{ind.code} does not apply to a {kind}"
    got = measure(ind, facts_of(case, table["day"]))
    expect = case["expect"]
    if "met" in expect:
        assert got.met is expect["met"], (case["cite"], got)
    if "points" in expect:
        want = None if expect["points"] is None else Decimal(str(expect["points"]))
        assert got.points == want, (case["cite"], got)
    if "missing" in expect:
        assert list(got.missing_facts) == expect["missing"], got
    elif got.met is not None or got.points is not None:
        assert got.missing_facts == ()


def _edges(node: Check | Points) -> set[object]:
    found: set[object] = set()
    stack: list[object] = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, Compare) and n.op == "within_years":
            found |= {f"assessment_year-{n.operand}", "assessment_year"}
        if isinstance(n, (Check, Points)):
            found |= set(n.edges())
            stack.extend(c for c in n.children() if isinstance(c, (Check, Points)))
    return found


def _edge_key(raw: object) -> object:
    if isinstance(raw, str) and raw.startswith("assessment_year"):
        return raw
    return amount(raw, "edge")


@pytest.mark.parametrize("stem", sorted(TABLES))
def test_every_indicator_edge_and_table_row_has_cases(stem):
    table = TABLES[stem]
    cases = table["cases"]
    gaps = []
    for rule_set in (r for r in CRITERIA.rule_sets if r.document.key == table["document"] and r.adopted_from is None):
        for ind in rule_set.indicators:
            own = [c for c in cases if c["tier"] == rule_set.tier and c["indicator"] == ind.code]
            where = f"{rule_set.tier}/{ind.code}"
            if not own:
                gaps.append(f"{where}: no case")
                continue
            node = ind.test if ind.test is not None else ind.points
            assert node is not None
            sides: dict[object, set[str]] = {}
            for c in own:
                if "edge" in c:
                    sides.setdefault(_edge_key(c["edge"]), set()).add(c["side"])
            for edge in _edges(node):
                missing = {"below", "at", "above"} - sides.get(edge, set())
                if missing:
                    gaps.append(f"{where}: edge {edge} lacks {sorted(missing)}")
            if isinstance(ind.points, Table):
                keys = {str(c.get("key")) for c in own}
                gaps += [f"{where}: table row {k} has no case" for k in ind.points.keys() if k not in keys]  # noqa: SIM118
    assert gaps == []


def test_the_reading_of_boundaries_is_stated_in_every_document():
    for path in sorted((ROOT / "fixtures" / "criteria").glob("*.yaml")):
        reading = yaml.safe_load(path.read_text(encoding="utf-8"))["reading"]
        assert "民法典 第1259条" in reading, path.name


def test_an_unconfirmed_document_marks_every_indicator_unconfirmed_and_names_a_source():
    for rule_set in CRITERIA.rule_sets:
        if rule_set.document.confirmed or rule_set.adopted_from is not None:
            continue
        for ind in rule_set.indicators:
            assert ind.confirmed is False, ind.code
            assert ind.source and ind.source != rule_set.document.source, ind.code
