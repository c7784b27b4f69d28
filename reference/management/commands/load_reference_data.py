"""Load every app's reference data from fixtures/, idempotently (upsert by natural key)."""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand

from zjtx.audit_context import audit_context


class Command(BaseCommand):
    help = "Load reference data (divisions, industries, tiers, policies, targets) from fixtures/."

    def handle(self, *args: Any, **options: Any) -> None:
        with audit_context(source="load_reference_data"):
            for app in apps.get_app_configs():
                try:
                    module = import_module(f"{app.name}.reference_data")
                except ModuleNotFoundError as exc:
                    if exc.name != f"{app.name}.reference_data":
                        raise
                    continue
                for _label, loader in module.LOADERS:
                    self.stdout.write(str(loader()))
