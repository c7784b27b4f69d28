"""Create demo specialists, visits and demands (after load_demo_data; no-op when already loaded)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from enterprises.services.servicedesk import daily_check_run
from enterprises.services.servicedesk_demo import load_servicedesk_demo


class Command(BaseCommand):
    help = "Load demo service-desk data (specialists, visits, demands) and run today's daily check."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=2025)

    def handle(self, *args: Any, **options: Any) -> None:
        summary = load_servicedesk_demo(seed=options["seed"])
        run = daily_check_run()
        self.stdout.write(
            f"service desk demo: {summary.assignments} assignments, {summary.visits} visits, "
            f"{summary.demands} demands; daily check: {run.result}"
        )
