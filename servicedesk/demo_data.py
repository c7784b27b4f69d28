"""Demo data of the service desk: specialists, visits and demands in every state, for the demo districts.

Runs after the accounts and registry demos (which create the users and enterprises).
Deterministic (seeded) and a no-op when the desk already holds assignments.
Everything goes through the services, so events and audit entries are as real.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from accounts.models import User
from enterprises.models import Enterprise
from programs.models import Measure, ResponsibleUnit
from servicedesk import services as servicedesk
from servicedesk.models import Demand, DemandCategory, DemandEvent, ServiceAssignment, Visit, VisitMode
from zjtx.audit_context import audit_context
from zjtx.roles import Role

# The policy package's measures, by jurisdiction: (policy code, clauses) — Chongqing plan tasks, Beijing measures.
_PACKAGES = {
    "500000": ("cq-2022-2025-action-plan", ["22", "14", "19", "21", "23", "28"]),
    "110000": ("bj-2023-ten-actions", ["一.1", "四.1", "五.1", "六.1", "十.2"]),
}
_DEMANDS = {  # one per DemandCategory
    "land": "扩产项目需新增工业用地约20亩",
    "labour": "一线技工招聘困难，缺口约50人",
    "energy": "新产线投产后用电负荷不足，需增容",
    "supporting_facilities": "园区道路和污水管网配套不完善",
    "financing": "需流动资金贷款1000万元，缺少抵押物",
    "technology": "希望对接高校开展关键工艺联合攻关",
    "market": "希望参加智博会并对接链主企业采购",
    "talent": "引进博士研发人员，需人才公寓和子女入学支持",
    "other": "申请高新技术企业认定的辅导",
}
# Chongqing's municipal units by category (codes of fixtures/programs/responsible_units.yaml); other
# categories, and every Beijing demand, go to the jurisdiction's district governments.
_UNITS = {
    "land": "cq-planning",
    "labour": "cq-hrss",
    "energy": "cq-econ-info",
    "financing": "cq-financial-regulation",
    "technology": "cq-science",
    "market": "cq-commerce",
    "talent": "cq-hrss",
}
_DISTRICT_GOVERNMENTS = {"500000": "cq-districts", "110000": "bj-districts"}


@dataclass
class ServiceDeskDemoSummary:
    assignments: int = 0
    visits: int = 0
    demands: int = 0


def load_servicedesk_demo(*, seed: int = 2025) -> ServiceDeskDemoSummary:
    summary = ServiceDeskDemoSummary()
    if ServiceAssignment.objects.exists():
        return summary
    rng = random.Random(seed)
    today = timezone.localdate()
    units = {u.code: u for u in ResponsibleUnit.objects.all()}
    packages = {
        jurisdiction: list(Measure.objects.filter(policy__code=policy, clause__in=clauses).order_by("sort_order"))
        for jurisdiction, (policy, clauses) in _PACKAGES.items()
    }
    staff = User.objects.filter(role=Role.DISTRICT_STAFF, is_active=True).select_related("district").order_by("pk")
    with audit_context(source="demo"), transaction.atomic():
        for person in staff:
            jurisdiction = person.district.jurisdiction.code if person.district else ""
            package = packages.get(jurisdiction, [])
            # One specialist per enterprise: a second staff member of the district takes the rest.
            active = ServiceAssignment.objects.filter(enterprise=OuterRef("pk"), ended_at__isnull=True)
            enterprises = Enterprise.objects.filter(~Exists(active), district=person.district).order_by("credit_code")
            for i, ent in enumerate(enterprises):
                if i % 4 == 3:
                    continue  # some enterprises wait for a specialist
                servicedesk.specialist_assign(
                    actor=person,
                    enterprise=ent,
                    specialist=person,
                    policy_measures=rng.sample(package, k=min(2, len(package))),
                    policy_notes="",
                )
                summary.assignments += 1
                if i % 3 == 2:
                    continue  # and some have not been visited yet
                visited_on = today - timedelta(days=rng.randint(3, 150))
                categories = rng.sample(DemandCategory.values, k=rng.randint(0, 2))
                demands = []
                for category in categories:
                    unit_code = _UNITS.get(category) if jurisdiction == "500000" else None
                    demands.append(
                        {
                            "category": category,
                            "description": _DEMANDS[category],
                            "due_on": visited_on + timedelta(days=rng.choice([15, 30, 60])),
                            "unit": units.get(unit_code or _DISTRICT_GOVERNMENTS.get(jurisdiction, "")),
                        }
                    )
                visit = servicedesk.visit_log(
                    actor=person,
                    enterprise=ent,
                    visited_on=visited_on,
                    mode=rng.choice(VisitMode.values),
                    met_with=rng.choice(["总经理", "财务总监", "技术负责人", "董事长"]),
                    notes="了解企业生产经营情况和发展困难",
                    follow_up_on=visited_on + timedelta(days=30),
                    demands=demands,
                )
                Visit.objects.filter(pk=visit.pk).update(
                    created_at=timezone.make_aware(datetime.combine(visited_on, time(18)))
                )
                summary.visits += 1
                for demand in visit.demands.all():
                    _advance(demand.pk, person, rng)
                    _date_history(demand.pk, visited_on, today, rng)
                    summary.demands += 1
            # The specialists started before the demo's oldest visit (150 days back), not when it was loaded.
            ServiceAssignment.objects.filter(started_by=person).update(
                started_at=timezone.make_aware(datetime.combine(today - timedelta(days=180), time(9)))
            )
    return summary


def _date_history(demand_id: int, raised_on: date, today: date, rng: random.Random) -> None:
    """Date a demo demand's history from the day it was raised, as if it had been worked on since.

    The services stamp every row with the moment the demo is loaded; a report for a past month would
    then count every demand as raised and moved in the month of loading (issue 14: 0/0/0/0 for a month
    in which 19 demands existed).  Each step after raising happens some days after the one before,
    never later than today.
    """
    at = timezone.make_aware(datetime.combine(raised_on, time(10)))
    latest = timezone.make_aware(datetime.combine(today, time(8)))
    demand = Demand.objects.get(pk=demand_id)
    for event in DemandEvent.objects.filter(demand_id=demand_id).order_by("at", "id"):
        DemandEvent.objects.filter(pk=event.pk).update(at=min(at, latest))
        if event.to_status == "resolved":
            demand.resolved_at = min(at, latest)
        if event.to_status == "closed":
            demand.closed_at = min(at, latest)
        at += timedelta(days=rng.randint(2, 12), hours=rng.randint(0, 6))
    Demand.objects.filter(pk=demand_id).update(
        created_at=timezone.make_aware(datetime.combine(raised_on, time(10))),
        resolved_at=demand.resolved_at,
        closed_at=demand.closed_at,
    )


def _advance(demand_id: int, person: User, rng: random.Random) -> None:
    """Move a demand part of the way, so every state appears in the demo."""
    for action in ("start", "resolve", "close")[: rng.randint(0, 3)]:
        servicedesk.demand_transition(
            actor=person,
            demand_id=demand_id,
            action=action,
            note="已协调解决" if action == "resolve" else "",
            satisfaction=rng.choice(["satisfied", "satisfied", "basically_satisfied", "unsatisfied"])
            if action == "close"
            else None,
        )


def load_demo(seed: int = 2025) -> str:
    desk = load_servicedesk_demo(seed=seed)
    run = servicedesk.daily_check_run()
    return (
        f"service desk demo: {desk.assignments} assignments, {desk.visits} visits, {desk.demands} demands; "
        f"daily check {run.result}"
    )
