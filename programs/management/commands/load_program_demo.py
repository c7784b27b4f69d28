"""Add demo benefit applications in Haidian (after load_reference_data and load_demo_data)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from programs.services.demo import load_benefit_demo


class Command(BaseCommand):
    help = "Submit a few demo benefit applications under Beijing's measures (no-op when some exist)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"program demo: {load_benefit_demo()} benefit applications")
