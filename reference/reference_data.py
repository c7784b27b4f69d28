"""Reference data of the registry: jurisdictions, divisions, industries, tiers."""

from __future__ import annotations

from reference.models import District, Industry, Jurisdiction, Tier
from reference.services.sync import LoadResult, by_code, read_yaml, upsert


def load_jurisdictions() -> LoadResult:
    return upsert(Jurisdiction, read_yaml("reference/jurisdictions.yaml"))


def load_districts() -> LoadResult:
    return upsert(District, read_yaml("reference/districts.yaml"), resolve={"jurisdiction": by_code(Jurisdiction)})


def load_industries() -> LoadResult:
    return upsert(Industry, read_yaml("reference/industries.yaml"))


def load_tiers() -> LoadResult:
    return upsert(Tier, read_yaml("reference/tiers.yaml"), resolve={"jurisdiction": by_code(Jurisdiction)})


LOADERS = [
    ("jurisdictions", load_jurisdictions),
    ("districts", load_districts),
    ("industries", load_industries),
    ("tiers", load_tiers),
]
