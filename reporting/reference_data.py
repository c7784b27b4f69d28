"""Reference data of targets: the metrics and the city-wide targets of the policy documents."""

from __future__ import annotations

from programs.models import Commitment, Policy
from reference.models import District, Jurisdiction
from reference.services.sync import FIXTURES, LoadResult, by_code, read_yaml, upsert
from reporting.models import Metric, Target
from reporting.services.plans import plan_load, read_plan_yaml

# Plan periods shipped as reference data: every YAML file here is loaded, no code names them.
PLANS_DIR = FIXTURES / "plans"


def load_metrics() -> LoadResult:
    return upsert(Metric, read_yaml("reference/metrics.yaml"))


def load_targets() -> LoadResult:
    return upsert(
        Target,
        read_yaml("reference/targets.yaml"),
        key=("metric", "jurisdiction", "district", "deadline"),
        resolve={
            "metric": by_code(Metric),
            "jurisdiction": by_code(Jurisdiction),
            "district": by_code(District),
            "policy": by_code(Policy),
            "commitment": by_code(Commitment),
        },
    )


def load_plans() -> LoadResult:
    result = LoadResult("plan periods")
    for path in sorted(PLANS_DIR.glob("*.yaml")):
        loaded = plan_load(actor=None, document=read_plan_yaml(path.read_bytes()))
        result.created += loaded.created
        result.updated += loaded.updated
        result.unchanged += loaded.unchanged
        result.keys.append(loaded.plan.code)
    return result


LOADERS = [("metrics", load_metrics), ("targets", load_targets), ("plans", load_plans)]
