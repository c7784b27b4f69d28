"""Benchmark of the service desk at a realistic size: the daily check, the counts and the list endpoints.

Not part of the test run (pytest ignores tests/bench).  Run it against a scratch PostgreSQL database
that it may fill:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/zjtx_bench .venv/bin/python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/zjtx_bench .venv/bin/python tests/bench/bench_servicedesk.py

It adds ENTERPRISES enterprises (default 100,000) spread over Chongqing's districts, a specialist for
half of them, two visits for a third of them and ~0.4 demands per enterprise in mixed states, then times
the work.  Data goes in with bulk_create: this measures reading, not the services' per-row writes.
"""

from __future__ import annotations

import os
import random
import sys
import time
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zjtx.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from accounts.models import User  # noqa: E402
from enterprises.models import Enterprise  # noqa: E402
from enterprises.rules import credit_code  # noqa: E402
from programs.models import ResponsibleUnit  # noqa: E402
from reference.models import District, Industry  # noqa: E402
from servicedesk import services as servicedesk  # noqa: E402
from servicedesk.models import Demand, DemandEvent, ServiceAssignment, Visit  # noqa: E402
from servicedesk.selectors import demand_counts_by_district  # noqa: E402

N = int(os.environ.get("ENTERPRISES", "100000"))


def timed(label: str, fn, repeat: int = 3):
    best = float("inf")
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    print(f"{label:60} {best * 1000:9.1f} ms")
    return result


def fill() -> None:
    if Enterprise.objects.filter(name__startswith="基准").exists():
        return
    rng = random.Random(1)
    call_command("load_reference_data", stdout=open(os.devnull, "w"))  # noqa: SIM115
    districts = list(District.objects.filter(jurisdiction__code="500000"))
    industry = Industry.objects.get(code="C")
    staff = {}
    for d in districts:
        staff[d.pk], _ = User.objects.get_or_create(
            username=f"bench_{d.code}", defaults={"role": "district_staff", "district": d}
        )
    today = timezone.localdate()
    ents = [
        Enterprise(
            credit_code=credit_code.make(f"91{d.gb2260_code}{i:09d}"),
            name=f"基准企业{i}",
            district=d,
            industry=industry,
        )
        for i in range(N)
        for d in [districts[i % len(districts)]]
    ]
    Enterprise.objects.bulk_create(ents, batch_size=5000)
    # values, not .only(): audited models read every field when loaded.
    ents = [
        SimpleNamespace(pk=pk, district_id=district_id)
        for pk, district_id in Enterprise.objects.filter(name__startswith="基准").values_list("pk", "district_id")
    ]
    now = timezone.now()
    assignments = [
        ServiceAssignment(enterprise_id=e.pk, specialist=staff[e.district_id], started_at=now) for e in ents[: N // 2]
    ]
    ServiceAssignment.objects.bulk_create(assignments, batch_size=5000)
    ServiceAssignment.objects.update(started_at=now - timedelta(days=200))
    visits = [
        Visit(
            enterprise_id=e.pk,
            visitor=staff[e.district_id],
            visited_on=today - timedelta(days=rng.randint(0, 300)),
            mode="phone",
        )
        for e in ents[: N // 3]
        for _ in range(2)
    ]
    Visit.objects.bulk_create(visits, batch_size=5000)
    unit = ResponsibleUnit.objects.get(code="cq-districts")
    statuses = ["open", "assigned", "in_progress", "resolved", "closed", "reopened"]
    demands = []
    for e in rng.sample(ents, k=int(N * 0.4)):
        status = rng.choice(statuses)
        raised = today - timedelta(days=rng.randint(0, 200))
        demands.append(
            Demand(
                enterprise_id=e.pk,
                category="land",
                description="基准诉求",
                unit=unit,
                raised_on=raised,
                due_on=raised + timedelta(days=rng.choice([15, 30, 90])),
                status=status,
                satisfaction="satisfied" if status == "closed" else None,
                raised_by=staff[e.district_id],
            )
        )
    Demand.objects.bulk_create(demands, batch_size=5000)
    events = []
    for pk, status in Demand.objects.values_list("pk", "status"):
        events.append(DemandEvent(demand_id=pk, action="raise", from_status="", to_status="open"))
        if status != "open":
            events.append(DemandEvent(demand_id=pk, action="x", from_status="open", to_status=status))
    DemandEvent.objects.bulk_create(events, batch_size=10000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def main() -> None:
    fill()
    print(
        f"enterprises {Enterprise.objects.count()}, assignments {ServiceAssignment.objects.count()}, "
        f"visits {Visit.objects.count()}, demands {Demand.objects.count()}, events {DemandEvent.objects.count()}"
    )
    run = timed("daily check (whole system, upsert 55 rows)", lambda: servicedesk.daily_check_run(), repeat=3)
    print("   result:", run.result)
    timed("demand_counts_by_district(None) today", lambda: demand_counts_by_district(None))
    timed(
        "demand_counts_by_district(None) 30 days ago (event log)",
        lambda: demand_counts_by_district(None, on=timezone.localdate() - timedelta(days=30)),
    )
    official = User.objects.filter(username="bench_official").first() or User.objects.create(
        username="bench_official", role="municipal_official"
    )
    staff = User.objects.get(username="bench_500112")
    for user in (official, staff):
        client = APIClient()
        client.force_authenticate(user)
        for name, params in (
            ("demand-list", {"page_size": 50}),
            ("demand-list", {"page_size": 50, "overdue": "true"}),
            ("serviceassignment-list", {"page_size": 50}),
            ("serviceassignment-list", {"page_size": 50, "visit_due": "true"}),
            ("serviceassignment-unassigned", {"page_size": 50}),
            ("visit-list", {"page_size": 50}),
            ("servicedeskdailycheck-list", {"page_size": 50}),
            ("demand-counts", {}),
        ):
            with CaptureQueriesContext(connection) as queries:
                response = timed(
                    f"GET {name} {params} as {user.username}",
                    lambda c=client, n=name, p=params: c.get(reverse(n), p),
                    repeat=3,
                )
            assert response.status_code == 200, response.content[:300]
            print(f"   queries per request: {len(queries) // 3}")


if __name__ == "__main__":
    main()
