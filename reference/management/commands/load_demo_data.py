"""Create the demo users and a small deterministic data set in every app (no-op when already loaded)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from reference.services.demo import load_demo_data


class Command(BaseCommand):
    help = "Load demo users, enterprises and the other apps' demo data (deterministic; skipped when present)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--per-district", type=int, default=12, help="Enterprises per district")
        parser.add_argument("--seed", type=int, default=2025)

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            # The demo creates a superuser whose password is printed in the README.
            raise CommandError("load_demo_data refuses to run with ZJTX_PRODUCTION=1: its logins are public.")
        for line in load_demo_data(seed=options["seed"], per_district=options["per_district"]):
            self.stdout.write(line)
