"""Create the demo users and a small deterministic data set in every app (no-op when already loaded).

Each app that has demo data exposes `<app>.demo_data.load_demo(seed=...)`, run in INSTALLED_APPS order.
"""

from __future__ import annotations

import inspect
from importlib import import_module
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from enterprises.services.demo import DEMO_PASSWORD, DEMO_USERS


class Command(BaseCommand):
    help = "Load demo users, enterprises and the other apps' demo data (deterministic; skipped when present)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--per-district", type=int, default=12, help="Enterprises per district")
        parser.add_argument("--seed", type=int, default=2025)

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            # The demo creates a superuser whose password is printed in the README.
            raise CommandError("load_demo_data refuses to run with ZJTX_PRODUCTION=1: its logins are public.")
        for app in apps.get_app_configs():
            try:
                module = import_module(f"{app.name}.demo_data")
            except ModuleNotFoundError as exc:
                if exc.name != f"{app.name}.demo_data":
                    raise
                continue
            kwargs: dict[str, Any] = {"seed": options["seed"]}
            if "per_district" in inspect.signature(module.load_demo).parameters:
                kwargs["per_district"] = options["per_district"]
            self.stdout.write(module.load_demo(**kwargs))
        self.stdout.write(f"demo logins (password for all: {DEMO_PASSWORD}):")
        for username, role, district, jurisdiction, _superuser in DEMO_USERS:
            scope = district or jurisdiction or "all"
            self.stdout.write(f"  {username:16} {role or 'superuser':20} {scope}")
