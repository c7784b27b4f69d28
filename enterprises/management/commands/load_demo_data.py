"""Create the demo users and a small deterministic data set (no-op when already loaded)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from enterprises.services.demo import DEMO_PASSWORD, DEMO_USERS, load_demo


class Command(BaseCommand):
    help = "Load demo users and enterprises (deterministic; skipped when enterprises already exist)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--per-district", type=int, default=12, help="Enterprises per district")
        parser.add_argument("--seed", type=int, default=2025)

    def handle(self, *args: Any, **options: Any) -> None:
        summary = load_demo(enterprises_per_district=options["per_district"], seed=options["seed"])
        self.stdout.write(
            f"demo: {summary.users} users, {summary.enterprises} enterprises, {summary.facts} yearly facts, "
            f"{summary.certifications} certifications, {summary.applications} applications"
        )
        self.stdout.write(f"demo logins (password for all: {DEMO_PASSWORD}):")
        for username, role, district, jurisdiction, _superuser in DEMO_USERS:
            scope = district or jurisdiction or "all"
            self.stdout.write(f"  {username:16} {role or 'superuser':20} {scope}")
