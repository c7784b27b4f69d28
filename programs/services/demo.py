"""Demo benefit applications on top of the registry demo (`manage.py load_demo_data`), in Haidian.

Run by `manage.py load_program_demo`; deterministic, and a no-op once benefit
applications exist.  Kept apart from the registry and tiers demos, which it
only reads: it needs the demo users and certified enterprises from there.
"""

from __future__ import annotations

from django.utils import timezone

from accounts.models import User
from enterprises.models import Enterprise
from programs.models import BenefitApplication, Measure
from programs.services.benefits import benefit_application_submit, benefit_application_transition
from programs.services.eligibility import eligibility_of
from zjtx.audit_context import audit_context
from zjtx.errors import DomainError

BEIJING = "bj-2023-ten-actions"
# (clause, inputs, what the official does): cloud adoption, trade fairs, the SRDI board award.
PLAN: tuple[tuple[str, dict[str, str], str], ...] = (
    ("五.3", {"contract_value": "860000"}, "approve"),
    ("九.4", {"actual_cost": "125000"}, "pay"),
    ("六.1", {}, ""),
    ("五.3", {"contract_value": "1200000"}, "reject"),
)


def load_benefit_demo() -> int:
    """Submit (and move) a few applications for Haidian's certified demo enterprises; return how many."""
    if BenefitApplication.objects.exists():
        return 0
    staff = User.objects.filter(username="staff_haidian").first()
    official = User.objects.filter(username="official_bj").first()
    if staff is None or official is None:
        return 0
    today = timezone.localdate()
    firms = list(
        Enterprise.objects.filter(district=staff.district, current_tier__code__in=("srdi_sme", "little_giant"))
        .select_related("district__jurisdiction", "industry")
        .order_by("credit_code")
    )
    made = 0
    used: set[int] = set()
    with audit_context(actor=staff, source="load_program_demo"):
        for clause, inputs, step in PLAN:
            measure = Measure.objects.get(policy__code=BEIJING, clause=clause)
            # The first firm not used yet that qualifies (the SRDI-board award needs a firm on the board).
            firm = next(
                (f for f in firms if f.pk not in used and eligibility_of(f, measure, today).qualifies),
                None,
            )
            if firm is None:
                continue
            used.add(firm.pk)
            try:
                app = benefit_application_submit(
                    actor=staff, enterprise=firm, measure=measure, inputs=inputs, basis_date=today
                )
            except DomainError:
                continue
            made += 1
            if step in ("approve", "pay"):
                benefit_application_transition(actor=official, application_id=app.pk, action="approve")
            if step == "pay":
                benefit_application_transition(actor=official, application_id=app.pk, action="pay")
            if step == "reject":
                benefit_application_transition(
                    actor=official, application_id=app.pk, action="reject", reason="演示:合同不属于上云上平台改造"
                )
    return made
