"""Demo benefit applications (see programs/services/demo.py), then a first policy matching for today."""

from django.utils import timezone

from programs.services.demo import load_benefit_demo
from programs.services.matching import benefit_matching_run


def load_demo(seed: int = 2025) -> str:
    made = load_benefit_demo()
    run = benefit_matching_run(timezone.localdate())
    return f"program demo: {made} benefit applications; policy matching: {run['qualifies']} qualifying pairs"
