"""Idempotent loading of reference data from fixtures/, upserting by natural key.

Each app that owns reference data exposes `reference_data.LOADERS`, a list of
(label, function) pairs run in order by `manage.py load_reference_data`.
A row that already holds the fixture's values is not written again, so a
second run reports everything unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.db import models, transaction

FIXTURES = Path(settings.BASE_DIR) / "fixtures"


@dataclass
class LoadResult:
    label: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    keys: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return f"{self.label}: {self.created} created, {self.updated} updated, {self.unchanged} unchanged"


def read_yaml(relative: str) -> Any:
    with open(FIXTURES / relative, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def upsert(
    model: type[models.Model],
    rows: Iterable[Mapping[str, Any]],
    *,
    key: str | tuple[str, ...] = "code",
    resolve: Mapping[str, Callable[[Any], Any]] | None = None,
    label: str | None = None,
) -> LoadResult:
    """Create or update one row per mapping, matched on `key`; `resolve` turns natural keys into objects."""
    keys = (key,) if isinstance(key, str) else key
    resolve = resolve or {}
    result = LoadResult(label or str(model._meta.verbose_name_plural))
    with transaction.atomic():
        for raw in rows:
            values = {name: (resolve[name](v) if name in resolve and v is not None else v) for name, v in raw.items()}
            lookup = {k: values.pop(k) for k in keys}
            obj = model._default_manager.filter(**lookup).first()
            result.keys.append("/".join(str(v) for v in lookup.values()))
            if obj is None:
                obj = model(**lookup, **values)
                obj.full_clean()
                obj.save()
                result.created += 1
                continue
            changed = [name for name, v in values.items() if _differs(obj, name, v)]
            if not changed:
                result.unchanged += 1
                continue
            for name in changed:
                setattr(obj, name, values[name])
            obj.full_clean()
            obj.save()
            result.updated += 1
    return result


def _differs(obj: models.Model, name: str, value: Any) -> bool:
    field_obj = obj._meta.get_field(name)
    current = getattr(obj, name)
    if isinstance(field_obj, models.ForeignKey) or not isinstance(field_obj, models.Field):
        return bool(getattr(current, "pk", None) != getattr(value, "pk", None))
    return bool(field_obj.to_python(value) != current)


def by_code(model: type[models.Model]) -> Callable[[Any], Any]:
    cache: dict[str, Any] = {}

    def get(code: Any) -> Any:
        code = str(code)
        if code not in cache:
            cache[code] = model._default_manager.get(code=code)
        return cache[code]

    return get
