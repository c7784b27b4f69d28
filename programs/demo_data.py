"""Demo benefit applications (see programs/services/demo.py)."""

from programs.services.demo import load_benefit_demo


def load_demo(seed: int = 2025) -> str:
    return f"program demo: {load_benefit_demo()} benefit applications"
