"""Create the demo users and a small deterministic data set in every app (no-op when already loaded)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from reference.services.demo import load_demo_data


class Command(BaseCommand):
    help = "Load demo users, enterprises and the other apps' demo data (deterministic; skipped when present)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--per-district", type=int, default=12, help="Enterprises per district")
        parser.add_argument("--seed", type=int, default=2025)

    def handle(self, *args: Any, **options: Any) -> None:
        for line in load_demo_data(seed=options["seed"], per_district=options["per_district"]):
            self.stdout.write(line)
