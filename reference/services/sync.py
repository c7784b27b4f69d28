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
    """Create or update one row per mapping, matched on `key`; `resolve` turns natural keys into objects.

    Many-to-many fields take a list of objects (resolve them with `many(...)`) and are set after the row.
    """
    keys = (key,) if isinstance(key, str) else key
    resolve = resolve or {}
    result = LoadResult(label or str(model._meta.verbose_name_plural))
    with transaction.atomic():
        for raw in rows:
            values = {name: (resolve[name](v) if name in resolve and v is not None else v) for name, v in raw.items()}
            lookup = {k: values.pop(k) for k in keys}
            links = {name: values.pop(name) for name in list(values) if _is_many_to_many(model, name)}
            obj = model._default_manager.filter(**lookup).first()
            result.keys.append("/".join(str(v) for v in lookup.values()))
            if obj is None:
                obj = model(**lookup, **values)
                obj.full_clean()
                obj.save()
                for name, targets in links.items():
                    if targets:
                        getattr(obj, name).add(*targets)
                result.created += 1
                continue
            changed = [name for name, v in values.items() if _differs(obj, name, v)]
            relinked = _set_links(obj, links)
            if not changed and not relinked:
                result.unchanged += 1
                continue
            if changed:
                for name in changed:
                    setattr(obj, name, values[name])
                obj.full_clean()
                obj.save()
            result.updated += 1
    return result


def _is_many_to_many(model: type[models.Model], name: str) -> bool:
    return isinstance(model._meta.get_field(name), models.ManyToManyField)


def _set_links(obj: models.Model, links: Mapping[str, Any]) -> bool:
    """Make many-to-many fields hold exactly the given objects; True when one changed."""
    changed = False
    for name, targets in links.items():
        manager = getattr(obj, name)
        wanted = {t.pk for t in targets or []}
        if set(manager.values_list("pk", flat=True)) != wanted:
            manager.set(list(targets or []))
            changed = True
    return changed


def _differs(obj: models.Model, name: str, value: Any) -> bool:
    field_obj = obj._meta.get_field(name)
    current = getattr(obj, name)
    if isinstance(field_obj, models.ForeignKey) or not isinstance(field_obj, models.Field):
        return bool(getattr(current, "pk", None) != getattr(value, "pk", None))
    return bool(field_obj.to_python(value) != current)


def many(get: Callable[[Any], Any]) -> Callable[[Any], list[Any]]:
    """Resolve a list of natural keys (for a many-to-many field)."""
    return lambda keys: [get(k) for k in keys]


def by_code(model: type[models.Model]) -> Callable[[Any], Any]:
    cache: dict[str, Any] = {}

    def get(code: Any) -> Any:
        code = str(code)
        if code not in cache:
            cache[code] = model._default_manager.get(code=code)
        return cache[code]

    return get
