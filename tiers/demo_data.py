"""Demo tiers: the certifications of the demo registry's firms (by their planned rung), applications in every
state for the demo districts, and the eligibility facts and first assessment (tiers/demo_eligibility.py)."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from enterprises.demo_data import planned_level
from enterprises.models import Enterprise
from reference.models import Tier
from tiers import demo_eligibility
from tiers.models import Certification
from tiers.services import lifecycle
from zjtx.audit_context import audit_context
from zjtx.roles import Role


@transaction.atomic
def load_demo(seed: int = 2025) -> str:
    if Certification.objects.exists():
        return "tiers demo: already loaded"
    rng = random.Random(seed + 1)
    admin = User.objects.filter(is_superuser=True).order_by("pk").first()
    users = list(User.objects.filter(is_active=True))
    tiers = {t.code: t for t in Tier.objects.all()}
    today = timezone.localdate()
    created = [
        (e, planned_level(seed, e.credit_code)) for e in Enterprise.objects.select_related("district").order_by("pk")
    ]
    certs = 0
    ladder = ["innovative_sme", "srdi_sme", "little_giant"]
    with audit_context(source="demo"):
        for enterprise, level in created:
            for rung in range(level):
                # Some certifications end within the next 90 days, so the expiring list has content.
                start = today - timedelta(days=rng.randint(30, 3 * 365 - 1))
                if rng.random() < 0.1:
                    start = today - timedelta(days=3 * 365 - rng.randint(5, 80))
                lifecycle.certification_import(
                    actor=admin, enterprise=enterprise, tier=tiers[ladder[rung]], valid_from=start
                )
                certs += 1
        applications = _demo_applications(rng, users, tiers, created)
    return f"tiers demo: {certs} certifications, {applications} applications\n" + demo_eligibility.load_demo(seed=seed)


def _demo_applications(
    rng: random.Random, users: list[User], tiers: dict[str, Tier], created: list[tuple[Enterprise, int]]
) -> int:
    staff = {u.district_id: u for u in users if u.role == Role.DISTRICT_STAFF}
    official = {u.jurisdiction_id: u for u in users if u.role == Role.MUNICIPAL_OFFICIAL}
    ladder = ["innovative_sme", "srdi_sme", "little_giant"]
    steps: list[list[tuple[str, str]]] = [
        [],
        [("district", "recommend")],
        [("district", "recommend"), ("official", "start_review")],
        [("district", "recommend"), ("official", "start_review"), ("official", "publicise")],
    ]
    count = 0
    year = timezone.localdate().year
    for enterprise, level in created:
        actor = staff.get(enterprise.district_id)
        if actor is None or level >= 3 or rng.random() < 0.5:
            continue
        app = lifecycle.application_submit(
            actor=actor, enterprise=enterprise, tier=tiers[ladder[level]], batch_year=year
        )
        for who, action in rng.choice(steps):
            person: Any = actor if who == "district" else official[enterprise.district.jurisdiction_id]
            lifecycle.application_transition(actor=person, application_id=app.pk, action=action)
        count += 1
    return count
