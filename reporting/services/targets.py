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
from zjtx.access import Action, can_change_model, restrict
from zjtx.errors import DomainError, NotFound


@transaction.atomic
def target_split(*, actor: Any, target_id: int, shares: dict[str, int]) -> list[Target]:
    """Replace the district targets of a city-wide target; the shares (district code → value) must add up."""
    target = (
        restrict(Target.objects.select_related("jurisdiction", "metric", "policy"), actor, Action.CHANGE)
        .select_for_update(of=("self",))
        .filter(pk=target_id)
        .first()
    )
    if target is None:
        raise NotFound(_("No such target."))
    if target.district_id:
        raise DomainError(_("Only a city-wide target can be split into district targets."), code="not_city_target")
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
    if getattr(actor, "jurisdiction_id", None) not in (None, jurisdiction.pk) and not actor.is_superuser:
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
