"""Change logging: who changed which object, when, from where, with before/after values.

Models opt in with `register(Model)`.  Each instance remembers the values it was
loaded with, and the post_save/post_delete signals write one AuditEntry with
the fields that differ.  Signals carry only this audit context, never domain
flow.  The actor and address come from the current `audit_context`: the web
middleware opens one per request, and tasks and commands open their own.
Bulk writes (the importer) bypass signals and call `record_many` themselves.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models.signals import post_delete, post_init, post_save
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from accounts.models import AuditAction, AuditEntry
from zjtx.access import redact_changes
from zjtx.audit_context import AuditContext, current_context


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def _raw_values(instance: models.Model, exclude: Iterable[str] = ()) -> dict[str, Any]:
    skip = set(exclude)
    return {
        f.attname: getattr(instance, f.attname)
        for f in instance._meta.concrete_fields
        if f.attname not in skip and f.name not in skip
    }


def snapshot(instance: models.Model, exclude: Iterable[str] = ()) -> dict[str, Any]:
    """The instance's field values as JSON-ready data."""
    return _jsonable(_raw_values(instance, exclude))  # type: ignore[no-any-return]


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    return {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}


def _district_id(instance: models.Model) -> int | None:
    path = getattr(instance, "district_path", None)
    if not path:
        return None
    obj: Any = instance
    parts = path.split("__")
    for part in parts[:-1]:
        obj = getattr(obj, part, None)
        if obj is None:
            return None
    return getattr(obj, f"{parts[-1]}_id", None)


def _repr(instance: models.Model | None) -> str:
    """The object as the log names it, in the system's language (Chinese), whatever the actor's."""
    if instance is None:
        return ""
    with translation.override(settings.LANGUAGE_CODE):
        return str(instance)


def readable_changes(model: type[models.Model] | None, changes: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    """An entry's changes as (field's label, before, after), with the labels of choice values, for people."""
    rows = []
    for name, change in changes.items():
        before, after = [*list(change), None, None][:2] if isinstance(change, list | tuple) else (None, change)
        label: Any = name
        field: Any = None
        if model is not None:
            try:
                field = model._meta.get_field(name)
                label = getattr(field, "verbose_name", name)
            except FieldDoesNotExist:
                field = None
        if field is not None and getattr(field, "choices", None):
            words = dict(field.flatchoices)
            before, after = words.get(before, before), words.get(after, after)
        rows.append((str(label), "—" if before in (None, "") else before, "—" if after in (None, "") else after))
    return rows


SOURCE_LABELS = {
    "demo": _("demo data"),
    "nightly": _("nightly job"),
    "command": _("command"),
    "import": _("import"),
    "web": _("web page"),
    "api": _("API"),
    "admin": _("administration"),
    "load_reference_data": _("reference data"),
    "load_program_demo": _("demo data"),
    "subsidy_rules": _("subsidy rules"),
    "tier_list": _("tier list import"),
}


def actor_label(entry: AuditEntry) -> str:
    """Who made the change: the user's name, or in words the system source that acted for nobody."""
    if entry.actor_id is None and entry.actor_name in SOURCE_LABELS:
        return str(SOURCE_LABELS[entry.actor_name])
    return entry.actor_name


def changes_text(model: type[models.Model] | None, changes: dict[str, Any]) -> str:
    return "；".join(f"{label}：{before} → {after}" for label, before, after in readable_changes(model, changes))


def _entry(
    action: str,
    instance: models.Model | None,
    *,
    changes: dict[str, Any] | None = None,
    object_repr: str | None = None,
    actor: Any = None,
    ctx: AuditContext | None = None,
) -> AuditEntry:
    ctx = ctx or current_context()
    who = actor if actor is not None else ctx.resolve_actor()
    addr = ctx.remote_addr
    return AuditEntry(
        actor=who if getattr(who, "pk", None) else None,
        actor_name=getattr(who, "username", "") or ctx.source,
        action=action,
        # get_for_model reads _meta, which also works through the lazy request.user wrapper.
        content_type=ContentType.objects.get_for_model(instance) if instance is not None else None,
        object_id=str(instance.pk) if instance is not None else "",
        object_repr=(object_repr if object_repr is not None else _repr(instance))[:255],
        district_id=_district_id(instance) if instance is not None else None,
        changes=changes or {},
        remote_addr=addr,
        source=ctx.source,
    )


def record(
    action: str,
    instance: models.Model | None = None,
    *,
    changes: dict[str, Any] | None = None,
    object_repr: str | None = None,
    actor: Any = None,
) -> AuditEntry:
    entry = _entry(action, instance, changes=changes, object_repr=object_repr, actor=actor)
    entry.save()
    return entry


def record_many(action: str, items: Iterable[tuple[models.Model, dict[str, Any]]]) -> int:
    """One entry per (instance, changes) pair, written in one bulk insert."""
    ctx = current_context()
    entries = [_entry(action, obj, changes=changes, ctx=ctx) for obj, changes in items]
    AuditEntry.objects.bulk_create(entries, batch_size=1000)
    return len(entries)


def sql_insert(action: str, model: type[models.Model], source: str) -> tuple[str, dict[str, Any]]:
    """An INSERT of one audit entry per row of `source`, for set-based writes that log in the same statement.

    `source` is a FROM clause (e.g. a CTE over the written rows) whose rows expose `object_id`,
    `object_repr`, `district_id` and `changes` (jsonb).  Who, from where and when come from the current
    audit context, as in `record_many`; returns the SQL and its named parameters (prefixed `audit_`).
    """
    ctx = current_context()
    who = ctx.resolve_actor()
    params = {
        "audit_at": timezone.now(),
        "audit_actor": who.pk if getattr(who, "pk", None) else None,
        "audit_actor_name": getattr(who, "username", "") or ctx.source,
        "audit_action": action,
        "audit_content_type": ContentType.objects.get_for_model(model).pk,
        "audit_addr": ctx.remote_addr,
        "audit_source": ctx.source,
    }
    table = AuditEntry._meta.db_table
    sql = (
        f"INSERT INTO {table} (at, actor_id, actor_name, action, content_type_id, object_id, object_repr, "
        "district_id, changes, remote_addr, source) "
        "SELECT %(audit_at)s, %(audit_actor)s, %(audit_actor_name)s, %(audit_action)s, %(audit_content_type)s, "
        "object_id::text, left(object_repr, 255), district_id, changes, %(audit_addr)s::inet, %(audit_source)s "
        f"FROM {source}"
    )
    return sql, params


# --- signal wiring -------------------------------------------------------------------------

_EXCLUDED: dict[type[models.Model], tuple[str, ...]] = {}


def _remember(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    # Runs for every loaded row, so it only copies references; JSON conversion waits for a save.
    instance._audit_before = _raw_values(instance, _EXCLUDED[sender]) if instance.pk else {}  # type: ignore[attr-defined]


def _saved(sender: type[models.Model], instance: models.Model, created: bool, raw: bool = False, **kwargs: Any) -> None:
    if raw:  # fixtures loaded with loaddata
        return
    after = snapshot(instance, _EXCLUDED[sender])
    before = {} if created else _jsonable(getattr(instance, "_audit_before", {}))
    changes = diff(before, after)
    if changes or created:
        record(AuditAction.CREATE if created else AuditAction.UPDATE, instance, changes=changes)
    instance._audit_before = _raw_values(instance, _EXCLUDED[sender])  # type: ignore[attr-defined]


def _deleted(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    before = _jsonable(getattr(instance, "_audit_before", {}) or _raw_values(instance, _EXCLUDED[sender]))
    record(AuditAction.DELETE, instance, changes={k: [v, None] for k, v in before.items()})


def register(model: type[models.Model], exclude: Iterable[str] = ("created_at", "updated_at")) -> None:
    _EXCLUDED[model] = tuple(exclude)
    uid = f"audit-{model._meta.label}"
    post_init.connect(_remember, sender=model, dispatch_uid=uid, weak=False)
    post_save.connect(_saved, sender=model, dispatch_uid=uid, weak=False)
    post_delete.connect(_deleted, sender=model, dispatch_uid=uid, weak=False)


def history(instance: models.Model) -> models.QuerySet[AuditEntry]:
    ct = ContentType.objects.get_for_model(type(instance))
    return AuditEntry.objects.filter(content_type=ct, object_id=str(instance.pk))


def history_rows(instance: models.Model, limit: int = 50) -> list[tuple[str, str, str, list[tuple[str, Any, Any]]]]:
    """The object's latest audit entries as (when, who, what, changes) for its admin page.

    Admin display methods get no request, so contact numbers are always masked here.
    """
    return [
        (
            date_format(timezone.localtime(e.at), "DATETIME_FORMAT"),
            actor_label(e),
            e.get_action_display(),
            readable_changes(type(instance), redact_changes(None, e.district_id, e.changes)),
        )
        for e in history(instance)[:limit]
    ]
