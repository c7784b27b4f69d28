"""Running every app's demo data in the order of INSTALLED_APPS (the order imports run), once.

Each app that has demo data exposes `<app>.demo_data.load_demo(seed=...)` (and `per_district=` when it
sizes the data set); each is a no-op when its data is already there.  The apps are found by name, so
this module imports none of them.
"""

from __future__ import annotations

import inspect
from importlib import import_module
from typing import Any

from django.apps import apps


def load_demo_data(*, seed: int = 2025, per_district: int = 12, until: str | None = None) -> list[str]:
    """Load the demo of every app (or of the apps up to and including `until`); returns each app's summary."""
    lines = []
    for app in apps.get_app_configs():
        try:
            module = import_module(f"{app.name}.demo_data")
        except ModuleNotFoundError as exc:
            if exc.name != f"{app.name}.demo_data":
                raise
            module = None
        if module is not None:
            kwargs: dict[str, Any] = {"seed": seed}
            if "per_district" in inspect.signature(module.load_demo).parameters:
                kwargs["per_district"] = per_district
            lines.append(module.load_demo(**kwargs))
        if app.label == until:
            break
    return lines
