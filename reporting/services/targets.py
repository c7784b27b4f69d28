"""Maintaining targets: splitting a city-wide target into district targets, entering manual figures."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.audit import record_many
from accounts.models import AuditAction
from reference.models import District
from reporting.models import ManualValue, Metric, MetricKind, Target
from zjtx.access import can_change_model, locked_in_scope, place_in_scope
from zjtx.errors import DomainError, NotFound

# Fields that say what a target is about; fixed when it is created (a share's come from the split).
TARGET_IDENTITY = ("metric", "jurisdiction", "district", "parent")
# Fields a split city target passes on to its district shares.
TARGET_INHERITED = ("policy", "start", "deadline", "source")


def _locked_target(actor: Any, target_id: int) -> Target:
    return locked_in_scope(
        Target.objects.select_related("jurisdiction", "metric", "policy"), actor, target_id, _("No such target.")
    )


def _share_message() -> str:
    return _("A district share changes only through the split of its city-wide target.")


@transaction.atomic
def target_update(*, actor: Any, target_id: int, **fields: Any) -> Target:
    """Change a city-wide target's value, period or source; its district shares follow the period and source.

    What the target is about (metric, jurisdiction, district, split from) is fixed once it exists; a district
    share changes only through the split, and so does the value of a city target that has been split (the
    split takes a new value together with shares that add up to it).
    """
    target = _locked_target(actor, target_id)
    changed = {name: value for name, value in fields.items() if getattr(target, name) != value}
    for name in TARGET_IDENTITY:
        if name in changed:
            raise DomainError(
                _("The %(field)s of a target cannot be changed; add a new target instead.") % {"field": name},
                field=name,
            )
    if not changed:
        return target
    if target.district_id:
        raise DomainError(_share_message(), code="district_share", field=next(iter(changed)))
    parts = list(target.parts.order_by("pk").select_for_update(of=("self",)))
    if "value" in changed and parts:
        raise DomainError(
            _("This target is split into district shares: change its value with the split (value and shares)."),
            code="split_target",
            field="value",
        )
    for name, value in changed.items():
        setattr(target, name, value)
    target.full_clean()
    target.save()
    for part in parts:
        for name in TARGET_INHERITED:
            setattr(part, name, getattr(target, name))
        part.save()
    return target


@transaction.atomic
def target_delete(*, actor: Any, target_id: int) -> None:
    """Remove a city-wide target with its district shares; a share alone goes only through the split (share 0)."""
    target = _locked_target(actor, target_id)
    if target.district_id:
        raise DomainError(_share_message(), code="district_share")
    target.delete()


@transaction.atomic
def target_split(*, actor: Any, target_id: int, shares: dict[str, int], value: int | None = None) -> list[Target]:
    """Replace the district targets of a city-wide target; the shares (district code → value) must add up
    to the target, or to `value`, which then becomes the target's new value."""
    target = _locked_target(actor, target_id)
    if target.district_id:
        raise DomainError(_("Only a city-wide target can be split into district targets."), code="not_city_target")
    if value is not None:
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise DomainError(_("The target value must be a positive whole number."), field="value")
        if value != target.value:
            target.value = value
            target.save(update_fields=["value"])
    return district_shares_replace(target, shares)


def district_shares_replace(target: Target, shares: dict[str, int]) -> list[Target]:
    """Check the shares against the city target and put them in place of its district targets.

    For callers that have already checked who may change the target (the split action, the plan loader).
    """
    districts = {d.code: d for d in District.objects.filter(jurisdiction=target.jurisdiction)}
    unknown = sorted(set(shares) - set(districts))
    if unknown:
        raise DomainError(
            _("Not districts of %(place)s: %(codes)s.") % {"place": target.jurisdiction, "codes": ", ".join(unknown)},
            field="shares",
        )
    if any(not isinstance(v, int) or isinstance(v, bool) or v < 0 for v in shares.values()):
        raise DomainError(_("Every share must be a whole number, zero or more."), field="shares")
    total = sum(shares.values())
    if total != target.value:
        raise DomainError(
            _("The shares add up to %(total)s, not to the target of %(value)s.")
            % {"total": total, "value": target.value},
            code="split_mismatch",
            field="shares",
        )
    target.parts.all().delete()
    parts = [
        Target(
            metric=target.metric,
            jurisdiction=target.jurisdiction,
            district=districts[code],
            parent=target,
            policy=target.policy,
            value=value,
            start=target.start,
            deadline=target.deadline,
            source=target.source,
        )
        for code, value in sorted(shares.items())
        if value > 0
    ]
    for part in parts:
        part.full_clean(validate_constraints=False)
    # District targets of the same metric and deadline not split from this target would be counted twice.
    Target.objects.filter(
        metric=target.metric, jurisdiction=target.jurisdiction, deadline=target.deadline, district__isnull=False
    ).delete()
    created = Target.objects.bulk_create(parts)
    record_many(AuditAction.CREATE, [(t, {"value": [None, t.value], "parent": [None, target.pk]}) for t in created])
    return created


def manual_value_record(
    *,
    actor: Any,
    metric: Metric,
    as_of: dt.date,
    value: int,
    district: District | None = None,
    jurisdiction: Any = None,
    note: str = "",
) -> ManualValue:
    """Enter a hand-counted figure (who and when are kept); only for metrics the registry cannot count."""
    if metric.kind != MetricKind.MANUAL:
        raise DomainError(_("This metric is counted from the registry, not entered by hand."), field="metric")
    if not can_change_model(actor, ManualValue):
        raise DomainError(_("Your role may not enter figures."), code="forbidden_role")
    jurisdiction = district.jurisdiction if district is not None else jurisdiction
    if jurisdiction is None:
        raise DomainError(_("Give a district or a jurisdiction."), field="district")
    if not place_in_scope(actor, jurisdiction.pk, district.pk if district is not None else None):
        raise NotFound(_("No such jurisdiction."))
    if value < 0:
        raise DomainError(_("The figure cannot be negative."), field="value")
    entry = ManualValue(
        metric=metric,
        jurisdiction=jurisdiction,
        district=district,
        as_of=as_of,
        value=value,
        note=note,
        entered_by=actor,
    )
    entry.full_clean()
    entry.save()
    return entry
