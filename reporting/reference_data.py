"""Reference data of targets: the metrics and the city-wide targets of the policy documents."""

from __future__ import annotations

from programs.models import Commitment
from reference.models import District, Jurisdiction
from reference.services.sync import LoadResult, by_code, read_yaml, upsert
from reporting.models import Metric, Target


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
            "commitment": by_code(Commitment),
        },
    )


LOADERS = [("metrics", load_metrics), ("targets", load_targets)]
