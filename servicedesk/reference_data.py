"""Reference data of the service desk: how often each tier is visited, per city."""

from __future__ import annotations

from reference.models import Jurisdiction, Tier
from reference.services.sync import LoadResult, by_code, read_yaml, upsert
from servicedesk.models import VisitCadence


def load_visit_cadence() -> LoadResult:
    return upsert(
        VisitCadence,
        read_yaml("servicedesk/visit_cadence.yaml"),
        key=("jurisdiction", "tier"),
        resolve={"jurisdiction": by_code(Jurisdiction), "tier": by_code(Tier)},
    )


LOADERS = [("visit cadence", load_visit_cadence)]
