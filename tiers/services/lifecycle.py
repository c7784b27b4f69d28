"""Use cases of the tier lifecycle: submit an application, move it, certify, re-review, revoke, expire.

Each service owns its transaction and locks the row it moves
(`select_for_update`), so two people acting on the same application at once
end with exactly one winner; the loser gets a TransitionError that names the
state it found.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import F, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import record_many
from accounts.models import AuditAction
from enterprises.models import Enterprise
from reference.models import Tier
from tiers.models import Application, ApplicationTransition, Certification, CertificationTransition
from tiers.rule_messages import transition_message
from tiers.rules import lifecycle as rules
from tiers.rules.lifecycle import ApplicationStatus as A
from tiers.rules.lifecycle import CertificationStatus as C
from zjtx.access import Action, actor_role, can, locked_in_scope
from zjtx.errors import DomainError, NotFound
from zjtx.rules import transitions


def _role(actor: Any) -> str:
    return rules.SYSTEM if actor is None else actor_role(actor)


def _check(
    table: tuple[rules.Transition, ...], *, current: str, action: str, actor: Any, reason: str
) -> rules.Transition:
    try:
        return transitions.check(
            table,
            current=current,
            action=action,
            role=_role(actor),
            is_superuser=bool(getattr(actor, "is_superuser", False)),
            reason=reason,
        )
    except transitions.TransitionError as exc:
        raise DomainError(transition_message(exc), code="illegal_transition") from exc


def held_levels(enterprise: Enterprise, on: date) -> set[int]:
    return set(
        Certification.objects.filter(
            enterprise=enterprise, status__in=C.HOLDING, valid_from__lte=on, valid_until__gt=on
        ).values_list("tier__level", flat=True)
    )


@transaction.atomic
def application_submit(
    *, actor: Any, enterprise: Enterprise, tier: Tier, batch_year: int, note: str = ""
) -> Application:
    """District staff file an enterprise's application for a tier."""
    today = timezone.localdate()
    if not can(actor, Action.CHANGE, enterprise):
        raise NotFound(_("No such enterprise."))
    if _role(actor) != rules.DISTRICT and not getattr(actor, "is_superuser", False):
        raise DomainError(_("Only district service staff submit applications."), code="forbidden_role")
    if not tier.in_force_on(today):
        raise DomainError(
            _("The tier %(tier)s is not open for applications on %(day)s.") % {"tier": tier, "day": today}
        )
    if not tier.applies_to(enterprise.district.jurisdiction_id):
        raise DomainError(_("The tier %(tier)s does not apply in this jurisdiction.") % {"tier": tier})
    needed = rules.prerequisite_level(tier.level)
    held = held_levels(enterprise, today)
    if needed is not None and needed not in held and not any(level >= tier.level for level in held):
        raise DomainError(
            _("An application for %(tier)s needs a certified tier of level %(level)s first.")
            % {"tier": tier, "level": needed},
            code="prerequisite_missing",
        )
    if Certification.objects.filter(enterprise=enterprise, tier=tier, status__in=C.HOLDING).exists():
        raise DomainError(_("The enterprise already holds this tier."), code="already_certified")
    # Lock the enterprise so two simultaneous submissions for the same tier cannot both pass the check.
    Enterprise.objects.select_for_update().filter(pk=enterprise.pk).first()
    if Application.objects.filter(enterprise=enterprise, tier=tier, status__in=A.OPEN).exists():
        raise DomainError(_("An application for this tier is already in progress."), code="duplicate_application")
    application = Application.objects.create(
        enterprise=enterprise, tier=tier, batch_year=batch_year, note=note, submitted_by=actor
    )
    ApplicationTransition.objects.create(
        application=application, action="submit", from_status="", to_status=A.SUBMITTED, actor=actor
    )
    return application


@transaction.atomic
def application_transition(
    *, actor: Any, application_id: int, action: str, reason: str = "", valid_from: date | None = None
) -> Application:
    """Move an application one step; `certify` also creates the certification."""
    application = locked_in_scope(
        Application.objects.select_related("tier", "enterprise"), actor, application_id, _("No such application.")
    )
    t = _check(rules.APPLICATION_TRANSITIONS, current=application.status, action=action, actor=actor, reason=reason)
    before = application.status
    application.status = t.target
    if t.target in A.FINAL:
        application.decided_at = timezone.now()
    application.save(update_fields=["status", "decided_at", "updated_at"])
    ApplicationTransition.objects.create(
        application=application, action=action, from_status=before, to_status=t.target, actor=actor, reason=reason
    )
    if t.target == A.CERTIFIED:
        _certify(actor=actor, application=application, valid_from=valid_from or timezone.localdate())
    return application


def _certify(*, actor: Any, application: Application, valid_from: date) -> Certification:
    if Certification.objects.filter(
        enterprise_id=application.enterprise_id, tier_id=application.tier_id, status__in=C.HOLDING
    ).exists():
        raise DomainError(_("The enterprise already holds this tier."), code="already_certified")
    start, until = rules.validity_period(valid_from, application.tier.validity_years)
    cert = Certification.objects.create(
        enterprise_id=application.enterprise_id,
        tier_id=application.tier_id,
        application=application,
        valid_from=start,
        valid_until=until,
    )
    CertificationTransition.objects.create(
        certification=cert, action="certify", from_status="", to_status=C.ACTIVE, actor=actor
    )
    refresh_current_tier([application.enterprise_id])
    return cert


@transaction.atomic
def certification_transition(*, actor: Any, certification_id: int, action: str, reason: str = "") -> Certification:
    """Re-review, confirm, revoke or expire a certification."""
    cert = locked_in_scope(
        Certification.objects.select_related("tier"), actor, certification_id, _("No such certification.")
    )
    t = _check(rules.CERTIFICATION_TRANSITIONS, current=cert.status, action=action, actor=actor, reason=reason)
    before = cert.status
    cert.status = t.target
    cert.reason = reason
    if action == "confirm":
        cert.valid_until = rules.renewed_until(cert.valid_until, cert.tier.validity_years)
    if t.target in C.FINAL:
        cert.ended_on = min(timezone.localdate(), cert.valid_until)
    cert.save(update_fields=["status", "reason", "valid_until", "ended_on", "updated_at"])
    CertificationTransition.objects.create(
        certification=cert, action=action, from_status=before, to_status=t.target, actor=actor, reason=reason
    )
    refresh_current_tier([cert.enterprise_id])
    return cert


def certification_import(
    *, actor: Any, enterprise: Enterprise, tier: Tier, valid_from: date, valid_until: date | None = None
) -> Certification:
    """Record a certification granted before this system existed (no application behind it)."""
    start, until = rules.validity_period(valid_from, tier.validity_years)
    with transaction.atomic():
        cert = Certification.objects.create(
            enterprise=enterprise, tier=tier, valid_from=start, valid_until=valid_until or until
        )
        CertificationTransition.objects.create(
            certification=cert, action="import", from_status="", to_status=C.ACTIVE, actor=actor
        )
        refresh_current_tier([enterprise.pk])
    return cert


def certifications_expire(*, today: date | None = None) -> int:
    """Expire every held certification whose period has ended; safe to run twice (the second finds none)."""
    today = today or timezone.localdate()
    expired = 0
    while True:
        with transaction.atomic():
            # The enterprise comes along (the audit entry names its district) but is not locked: only the
            # certifications change here.
            batch = list(
                Certification.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("enterprise")
                .filter(status__in=C.HOLDING, valid_until__lte=today)
                .order_by("id")[:1000]
            )
            if not batch:
                return expired
            ids = [c.pk for c in batch]
            Certification.objects.filter(pk__in=ids).update(
                status=C.EXPIRED, ended_on=F("valid_until"), updated_at=timezone.now()
            )
            CertificationTransition.objects.bulk_create(
                CertificationTransition(
                    certification=c, action="expire", from_status=c.status, to_status=C.EXPIRED, reason="valid_until"
                )
                for c in batch
            )
            record_many(AuditAction.TRANSITION, ((c, {"status": [c.status, C.EXPIRED]}) for c in batch))
            refresh_current_tier({c.enterprise_id for c in batch}, today=today)
            expired += len(batch)


def refresh_current_tier(enterprise_ids: Iterable[int], *, today: date | None = None) -> None:
    """Recompute `current_tier` (the highest held tier in its period) for these enterprises, in SQL."""
    today = today or timezone.localdate()
    best = Certification.objects.filter(
        enterprise=OuterRef("pk"), status__in=C.HOLDING, valid_from__lte=today, valid_until__gt=today
    ).order_by("-tier__level", "-valid_until")
    ids = list(enterprise_ids)
    Enterprise.objects.filter(pk__in=ids).update(
        current_tier=Subquery(best.values("tier")[:1]),
        current_tier_until=Subquery(best.values("valid_until")[:1]),
    )
