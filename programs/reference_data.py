"""Reference data of the policy programs: responsible units, the two policy documents, subsidy rules.

Each policy document is one YAML file under fixtures/programs/ (the policy, its
groups with their measures, its quantitative commitments); the loaders flatten
it and upsert by natural key: units, policies and commitments by code, groups
and measures by (policy, clause).  Subsidy rules are seeded: a missing rule is
created, an existing one is left as program administrators last saved it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from programs.models import Commitment, Measure, MeasureGroup, Policy, ResponsibleUnit, SubsidyRule
from reference.models import Industry, Jurisdiction, Tier
from reference.services.sync import LoadResult, by_code, many, read_yaml, upsert

POLICY_FILES = ("programs/beijing-2023-ten-actions.yaml", "programs/chongqing-2022-2025-action-plan.yaml")
UNITS_FILE = "programs/responsible_units.yaml"
RULES_FILE = "programs/subsidy_rules.yaml"

# A group's kind decides the kind of the measures under it.
MEASURE_KIND = {"action": "measure", "task_group": "task", "safeguards": "safeguard"}


def documents() -> list[dict[str, Any]]:
    return [read_yaml(name) for name in POLICY_FILES]


def groups_of(document: dict[str, Any]) -> Iterator[dict[str, Any]]:
    code = document["policy"]["code"]
    for order, group in enumerate(document["groups"], start=1):
        row = {k: v for k, v in group.items() if k != "measures"}
        yield {**row, "policy": code, "sort_order": order, "units": row.get("units") or []}


def measures_of(document: dict[str, Any]) -> Iterator[dict[str, Any]]:
    code = document["policy"]["code"]
    order = 0
    for group in document["groups"]:
        for measure in group["measures"]:
            order += 1
            yield {
                "kind": MEASURE_KIND[group["kind"]],
                "funding": False,
                "beneficiary": "enterprise",
                **measure,
                "clause": str(measure["clause"]),
                "policy": code,
                "group": (code, group["clause"]),
                "sort_order": order,
                "tiers": measure.get("tiers") or [],
                "industries": measure.get("industries") or [],
                "conditions": measure.get("conditions") or [],
                "units": measure.get("units") or [],
            }


def commitments_of(document: dict[str, Any]) -> Iterator[dict[str, Any]]:
    code = document["policy"]["code"]
    for order, row in enumerate(document.get("commitments") or [], start=1):
        measure = row.get("measure")
        yield {
            "approximate": False,
            "target_year": None,
            **row,
            "clause": str(row["clause"]),
            "policy": code,
            "measure": f"{code}/{measure}" if measure is not None else None,
            "sort_order": order,
        }


def _by_policy_clause(model: type[MeasureGroup] | type[Measure]) -> Callable[[Any], Any]:
    cache: dict[tuple[str, str], Any] = {}

    def get(key: Any) -> Any:
        policy, clause = key.split("/", 1) if isinstance(key, str) else key
        if (policy, clause) not in cache:
            cache[(policy, clause)] = model._default_manager.get(policy__code=policy, clause=str(clause))
        return cache[(policy, clause)]

    return get


def load_units() -> LoadResult:
    return upsert(ResponsibleUnit, read_yaml(UNITS_FILE), resolve={"jurisdiction": by_code(Jurisdiction)})


def load_policies() -> LoadResult:
    rows = [d["policy"] for d in documents()]
    return upsert(Policy, rows, resolve={"jurisdiction": by_code(Jurisdiction), "tiers": many(by_code(Tier))})


def load_groups() -> LoadResult:
    rows = [row for d in documents() for row in groups_of(d)]
    return upsert(
        MeasureGroup,
        rows,
        key=("policy", "clause"),
        resolve={"policy": by_code(Policy), "units": many(by_code(ResponsibleUnit))},
    )


def load_measures() -> LoadResult:
    rows = [row for d in documents() for row in measures_of(d)]
    return upsert(
        Measure,
        rows,
        key=("policy", "clause"),
        resolve={
            "policy": by_code(Policy),
            "group": _by_policy_clause(MeasureGroup),
            "tiers": many(by_code(Tier)),
            "industries": many(by_code(Industry)),
            "units": many(by_code(ResponsibleUnit)),
        },
    )


def load_commitments() -> LoadResult:
    rows = [row for d in documents() for row in commitments_of(d)]
    return upsert(Commitment, rows, resolve={"policy": by_code(Policy), "measure": _by_policy_clause(Measure)})


def load_rules() -> LoadResult:
    rows = read_yaml(RULES_FILE)
    existing = set(SubsidyRule.objects.values_list("code", flat=True))
    result = upsert(
        SubsidyRule,
        [row for row in rows if row["code"] not in existing],
        resolve={"measure": _by_policy_clause(Measure)},
    )
    # Kept as administrators last saved them (see the module docstring), except the one-time move of the
    # English reading of the text to notes_en (issue 14): a rule whose notes are still the fixture's English
    # text gets the Chinese reading, and the English one moves beside it.
    for row in rows:
        if row["code"] not in existing or not row.get("notes_en"):
            continue
        moved = SubsidyRule.objects.filter(code=row["code"], notes=row["notes_en"], notes_en="").update(
            notes=row["notes"], notes_en=row["notes_en"]
        )
        result.updated += moved
        result.unchanged += 1 - moved
    result.unchanged += sum(1 for row in rows if row["code"] in existing and not row.get("notes_en"))
    return result


LOADERS = [
    ("responsible units", load_units),
    ("policies", load_policies),
    ("measure groups", load_groups),
    ("measures", load_measures),
    ("commitments", load_commitments),
    ("subsidy rules", load_rules),
]
