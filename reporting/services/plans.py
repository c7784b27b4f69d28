"""A plan period as data: the policy document that sets it, its targets and their district shares, from one document.

The same document comes as a YAML file (`manage.py load_plan FILE`, a file under fixtures/plans/, an upload
in the admin) or as the JSON body of `POST /api/v1/plans/`:

    policy:                      # the policy document (programs.Policy), or the code of one already there
      code: cq-2026-2030-plan
      name: ...                  # title, issuer, document_date, jurisdiction, effective_from,
      ...                        # effective_until (exclusive), period_note, source, tiers, name_en, issuer_en
    targets:
      - metric: srdi_smes        # a metric code
        value: 3000
        deadline: 2030-12-31     # optional: the plan's last day
        start: 2026-01-01        # optional: the plan's first day
        source: 一、发展目标 …
        shares: {"500112": 300, ...}   # optional: district shares, adding up to the value

Everything is checked before anything is written, and written in one transaction: a bad document changes
nothing and names every problem by its place in the document ("targets[2].shares").  Loading the same
document again writes nothing; a target left out of a later version is kept (remove it in the admin).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import yaml
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from programs.models import Policy
from reference.models import District, Jurisdiction, Tier
from reporting.models import Metric, Target
from reporting.services.targets import district_shares_replace
from zjtx.access import can_change_model
from zjtx.errors import DomainError, NotFound

POLICY_FIELDS = {
    "code", "name", "name_en", "issuer", "issuer_en", "document_date", "jurisdiction",
    "effective_from", "effective_until", "period_note", "source", "tiers",
}  # fmt: skip
POLICY_DATES = ("document_date", "effective_from", "effective_until")
TARGET_FIELDS = {"metric", "value", "deadline", "start", "source", "shares"}


@dataclass
class PlanLoad:
    plan: Policy
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    split: int = 0

    def __str__(self) -> str:
        return _(
            "Plan %(code)s: %(created)s targets created, %(updated)s updated, %(unchanged)s unchanged; "
            "district shares set for %(split)s."
        ) % {
            "code": self.plan.code,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "split": self.split,
        }


class _Problems:
    """Every problem of a document, by where it is (the API's `errors`, the admin form's, the command's)."""

    def __init__(self) -> None:
        self.found: dict[str, list[str]] = {}

    def add(self, where: str, message: str) -> None:
        self.found.setdefault(where, []).append(message)

    def raise_any(self) -> None:
        if self.found:
            raise ValidationError(self.found)


def read_plan_yaml(content: str | bytes) -> Any:
    """The document in a plan file; a file that is not YAML is refused with the parser's reason."""
    try:
        return yaml.safe_load(content)
    except yaml.YAMLError as exc:
        raise ValidationError({"file": [_("This is not a YAML file: %(error)s") % {"error": exc}]}) from None


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return None
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _unknown_keys(given: dict[str, Any], allowed: set[str], where: str, problems: _Problems) -> None:
    for key in sorted(set(given) - allowed, key=str):
        problems.add(
            f"{where}.{key}", _("Unknown field; the fields are: %(fields)s.") % {"fields": ", ".join(sorted(allowed))}
        )


def _plan_policy(raw: Any, problems: _Problems) -> tuple[Policy | None, list[Tier] | None]:
    """The policy the document names or describes, with its values set but not saved."""
    if isinstance(raw, str):
        policy = Policy.objects.select_related("jurisdiction").filter(code=raw).first()
        if policy is None:
            problems.add("policy", _("No policy with the code %(code)s.") % {"code": raw})
        return policy, None
    if not isinstance(raw, dict):
        problems.add("policy", _("Give the policy document (a mapping) or the code of one already there."))
        return None, None
    _unknown_keys(raw, POLICY_FIELDS, "policy", problems)
    values = {k: v for k, v in raw.items() if k in POLICY_FIELDS}
    code = values.get("code")
    if not isinstance(code, str) or not code:
        problems.add("policy.code", _("Give the policy's code."))
        return None, None
    for name in POLICY_DATES:
        if values.get(name) is not None:
            day = _date(values[name])
            if day is None:
                problems.add(f"policy.{name}", _("Not a date (YYYY-MM-DD)."))
            values[name] = day
    jurisdiction = Jurisdiction.objects.filter(code=str(values.pop("jurisdiction", ""))).first()
    if jurisdiction is None:
        problems.add("policy.jurisdiction", _("Give the code of a jurisdiction (500000, 110000, ...)."))
    tiers = None
    if "tiers" in values:
        codes = values.pop("tiers") or []
        found = (
            {t.code: t for t in Tier.objects.filter(code__in=[str(c) for c in codes])}
            if isinstance(codes, list)
            else {}
        )
        missing = [str(c) for c in codes if str(c) not in found] if isinstance(codes, list) else ["?"]
        if missing:
            problems.add("policy.tiers", _("Unknown tiers: %(codes)s.") % {"codes": ", ".join(missing)})
        tiers = list(found.values())
    policy = Policy.objects.filter(code=code).first() or Policy(code=code)
    for name, value in values.items():
        setattr(policy, name, "" if value is None and name not in POLICY_DATES else value)
    if jurisdiction is not None:
        policy.jurisdiction = jurisdiction
    try:
        policy.full_clean(exclude=["jurisdiction"] if jurisdiction is None else None, validate_unique=False)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            for message in messages:
                problems.add(f"policy.{name}", message)
    return policy, tiers


@dataclass
class _Entry:
    where: str
    metric: Metric
    value: int
    start: dt.date
    deadline: dt.date
    source: str
    shares: dict[str, int] | None


def _plan_targets(raw: Any, policy: Policy, problems: _Problems) -> list[_Entry]:
    if not isinstance(raw, list) or not raw:
        problems.add("targets", _("Give the plan's targets: a list with at least one."))
        return []
    metrics = {m.code: m for m in Metric.objects.all()}
    districts = set(District.objects.filter(jurisdiction_id=policy.jurisdiction_id).values_list("code", flat=True))
    last_day = policy.effective_until - dt.timedelta(days=1) if policy.effective_until else None
    entries: list[_Entry] = []
    seen: set[tuple[str, dt.date]] = set()
    for i, item in enumerate(raw):
        where = f"targets[{i}]"
        if not isinstance(item, dict):
            problems.add(where, _("A target is a mapping with metric and value."))
            continue
        before = len(problems.found)
        _unknown_keys(item, TARGET_FIELDS, where, problems)
        metric = metrics.get(str(item.get("metric")))
        if metric is None:
            problems.add(f"{where}.metric", _("Unknown metric %(code)s.") % {"code": item.get("metric")})
        value: Any = item.get("value")
        if not _whole(value) or value <= 0:
            problems.add(f"{where}.value", _("The target value is a whole number above zero."))
        deadline = _date(item["deadline"]) if item.get("deadline") is not None else last_day
        start = _date(item["start"]) if item.get("start") is not None else policy.effective_from
        if deadline is None:
            problems.add(
                f"{where}.deadline", _("Give the deadline as a date (the plan has no last day to default to).")
            )
        elif not (policy.effective_from <= deadline and (last_day is None or deadline <= last_day)):
            problems.add(f"{where}.deadline", _("The deadline lies outside the plan's period."))
        if start is None:
            problems.add(f"{where}.start", _("Not a date (YYYY-MM-DD)."))
        elif deadline is not None and start >= deadline:
            problems.add(f"{where}.start", _("The start must come before the deadline."))
        shares = item.get("shares")
        if shares is not None:
            if not isinstance(shares, dict) or not all(_whole(v) and v >= 0 for v in shares.values()):
                problems.add(f"{where}.shares", _("Shares map district codes to whole numbers, zero or more."))
                shares = None
            else:
                shares = {str(k): v for k, v in shares.items()}
                unknown = sorted(set(shares) - districts)
                if unknown:
                    problems.add(
                        f"{where}.shares",
                        _("Not districts of this jurisdiction: %(codes)s.") % {"codes": ", ".join(unknown)},
                    )
                elif _whole(value) and sum(shares.values()) != value:
                    problems.add(
                        f"{where}.shares",
                        _("The shares add up to %(total)s, not to the target of %(value)s.")
                        % {"total": sum(shares.values()), "value": value},
                    )
        if len(problems.found) > before or metric is None or deadline is None or start is None:
            continue
        if (metric.code, deadline) in seen:
            problems.add(
                where,
                _("A second target of %(metric)s due on %(deadline)s.") % {"metric": metric.code, "deadline": deadline},
            )
            continue
        seen.add((metric.code, deadline))
        entries.append(_Entry(where, metric, value, start, deadline, str(item.get("source") or ""), shares))
    return entries


def _check_against_stored(entries: list[_Entry], policy: Policy, problems: _Problems) -> dict[str, Target]:
    """Stored city targets of the same metric and deadline: of this plan they are updated, of another refused."""
    stored: dict[str, Target] = {}
    for e in entries:
        found = (
            Target.objects.select_related("policy")
            .prefetch_related("parts__district")
            .filter(metric=e.metric, jurisdiction_id=policy.jurisdiction_id, district=None, deadline=e.deadline)
            .first()
        )
        if found is None:
            continue
        if found.policy_id not in (None, policy.pk):
            problems.add(
                e.where,
                _("%(metric)s due on %(deadline)s is already a target of the plan %(plan)s.")
                % {"metric": e.metric.code, "deadline": e.deadline, "plan": found.policy.code if found.policy else ""},
            )
            continue
        parts = sum(p.value for p in found.parts.all())
        if e.shares is None and parts and parts != e.value:
            problems.add(
                f"{e.where}.shares",
                _("The stored district shares add up to %(total)s, not to the new target of %(value)s: give shares.")
                % {"total": parts, "value": e.value},
            )
        stored[e.where] = found
    return stored


@transaction.atomic
def plan_load(*, actor: Any | None, document: Any) -> PlanLoad:
    """Add or update a plan period from its document (see the module docstring).

    `actor` None is the system (a command or the reference-data load); otherwise it must be a program
    administrator (or superuser) of the plan's jurisdiction.
    """
    if actor is not None and not (can_change_model(actor, Policy) and can_change_model(actor, Target)):
        raise DomainError(_("Only program administrators add plan periods."), code="forbidden_role")
    problems = _Problems()
    if not isinstance(document, dict):
        problems.add("document", _("A plan is a mapping with `policy` and `targets`."))
        problems.raise_any()
    _unknown_keys(document, {"policy", "targets"}, "document", problems)
    policy, tiers = _plan_policy(document.get("policy"), problems)
    if policy is None or not policy.jurisdiction_id or not policy.effective_from:
        problems.raise_any()
        raise ValidationError({"policy": [_("Give the policy document or its code.")]})
    if actor is not None and getattr(actor, "jurisdiction_id", None) not in (None, policy.jurisdiction_id):
        raise NotFound(_("No such jurisdiction."))
    entries = _plan_targets(document.get("targets"), policy, problems)
    problems.raise_any()
    stored = _check_against_stored(entries, policy, problems)
    problems.raise_any()

    policy.save()
    if tiers is not None:
        policy.tiers.set(tiers)
    result = PlanLoad(policy)
    for e in entries:
        target = stored.get(e.where)
        wanted = {"value": e.value, "start": e.start, "source": e.source, "policy": policy}
        changed = target is None or any(getattr(target, k) != v for k, v in wanted.items())
        if target is None:
            target = Target(metric=e.metric, jurisdiction=policy.jurisdiction, deadline=e.deadline, **wanted)
            result.created += 1
        elif changed:
            for k, v in wanted.items():
                setattr(target, k, v)
            result.updated += 1
        else:
            result.unchanged += 1
        if changed:
            target.full_clean()
            target.save()
        now = dict(target.parts.values_list("district__code", "value"))
        shares = now if e.shares is None else {k: v for k, v in e.shares.items() if v > 0}
        # District targets repeat their city target's period and source: made again when either changes.
        if shares and (shares != now or changed):
            district_shares_replace(target, shares)
            result.split += 1
    return result
