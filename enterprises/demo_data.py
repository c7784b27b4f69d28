"""Demo data of the registry (see enterprises/services/demo.py)."""

from enterprises import demo_eligibility
from enterprises.services.demo import load_demo as _load


def load_demo(seed: int = 2025, per_district: int = 12) -> str:
    s = _load(enterprises_per_district=per_district, seed=seed)
    return (
        f"demo: {s.users} users, {s.enterprises} enterprises, {s.facts} yearly facts, "
        f"{s.certifications} certifications, {s.applications} applications\n"
    ) + demo_eligibility.load_demo(seed=seed)
