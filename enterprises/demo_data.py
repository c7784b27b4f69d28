"""Demo data of the registry and the service desk (see enterprises/services/demo.py and servicedesk_demo.py)."""

from enterprises import demo_eligibility
from enterprises.services.demo import load_demo as _load_registry
from enterprises.services.servicedesk import daily_check_run
from enterprises.services.servicedesk_demo import load_servicedesk_demo


def load_demo(seed: int = 2025, per_district: int = 12) -> str:
    s = _load_registry(enterprises_per_district=per_district, seed=seed)
    desk = load_servicedesk_demo(seed=seed)
    run = daily_check_run()
    return (
        f"demo: {s.users} users, {s.enterprises} enterprises, {s.facts} yearly facts, "
        f"{s.certifications} certifications, {s.applications} applications; service desk: "
        f"{desk.assignments} assignments, {desk.visits} visits, {desk.demands} demands; daily check {run.result}"
        "\n"
    ) + demo_eligibility.load_demo(seed=seed)
