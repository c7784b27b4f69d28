"""The benchmark data set: generated with COPY, consistent like data the services write, the same for a seed."""

import io
import itertools
from contextlib import redirect_stdout

import pytest
from django.db import connection
from django.db.models import Count, F, Max, Q

from enterprises.models import Enterprise, EnterpriseYearFact
from enterprises.rules import credit_code
from servicedesk.models import Demand, DemandEvent, Visit
from tests.bench import dataset, generate_dataset
from tiers.models import Certification
from tiers.services.lifecycle import refresh_current_tier

pytestmark = pytest.mark.postgres

SMALL = ["--enterprises", "400", "--years", "3", "--visits", "900", "--demands", "300", "--seed", "3"]


def generate(*extra):
    out = io.StringIO()
    with redirect_stdout(out):
        generate_dataset.main([*SMALL, *extra])
    return out.getvalue()


def fingerprint():
    return (
        list(Enterprise.objects.order_by("id").values_list("credit_code", "name", "district_id", "current_tier_id")),
        list(Demand.objects.order_by("id").values_list("enterprise_id", "status", "raised_on", "due_on")),
        EnterpriseYearFact.objects.count(),
        Visit.objects.aggregate(Max("visited_on"))["visited_on__max"],
    )


def test_sizes_codes_and_tiers(ref):
    output = generate()
    assert "visits" in output and "database size" in output
    assert Enterprise.objects.count() == 400 and Visit.objects.count() == 900 and Demand.objects.count() == 300
    assert 0 < EnterpriseYearFact.objects.count() <= 400 * 3
    for code, division, gb in Enterprise.objects.values_list("credit_code", "district__code", "district__gb2260_code"):
        assert credit_code.is_valid(code)
        assert code[2:8] == (gb or "110115"), (code, division)
    # Higher tiers presuppose the lower: every SRDI or little-giant holder also has an innovative certification.
    levels = {t.pk: t.level for t in ref.tiers.values()}
    by_enterprise: dict[int, set[int]] = {}
    for enterprise_id, tier_id in Certification.objects.values_list("enterprise_id", "tier_id"):
        by_enterprise.setdefault(enterprise_id, set()).add(levels[tier_id])
    for held in by_enterprise.values():
        assert held == set(range(1, max(held) + 1)), held
    # current_tier was derived in one UPDATE exactly as the lifecycle services derive it.
    before = list(Enterprise.objects.order_by("id").values_list("current_tier_id", "current_tier_until"))
    refresh_current_tier(Enterprise.objects.values_list("id", flat=True))
    assert list(Enterprise.objects.order_by("id").values_list("current_tier_id", "current_tier_until")) == before
    assert Enterprise.objects.filter(current_tier__isnull=False).exists()


def test_service_desk_rows_are_consistent(ref):
    generate()
    # Visits by staff of the enterprise's own district.
    assert not Visit.objects.exclude(visitor__district=F("enterprise__district")).exists()
    # Every demand was raised (one raise event), its last event leads to its status, closed ones say how satisfied.
    raised = DemandEvent.objects.filter(action="raise").values("demand").annotate(n=Count("id"))
    assert raised.count() == 300 and all(r["n"] == 1 for r in raised)
    for demand in Demand.objects.prefetch_related("events"):
        events = sorted(demand.events.all(), key=lambda e: (e.at, e.id))
        assert events[0].action == "raise" and events[-1].to_status == demand.status
        assert all(a.to_status == b.from_status for a, b in itertools.pairwise(events))
        assert (demand.status == "closed") == (demand.satisfaction is not None)
        if demand.visit_id:
            assert demand.visit.enterprise_id == demand.enterprise_id and demand.visit.visited_on == demand.raised_on
    assert set(Demand.objects.values_list("status", flat=True)) >= {"open", "in_progress", "closed"}
    assert not Demand.objects.filter(~Q(status="open"), unit__isnull=True).exists()


def test_same_seed_same_data_and_refusal_without_reset(ref):
    generate()
    first = fingerprint()
    with pytest.raises(dataset.DatasetError, match="--reset"):
        generate()
    generate("--reset")
    assert fingerprint() == first
    assert Enterprise.objects.count() == 400


def test_refuses_other_databases(monkeypatch):
    monkeypatch.setattr(connection, "vendor", "sqlite")
    with pytest.raises(dataset.DatasetError, match="PostgreSQL"):
        dataset.generate(dataset.Sizes(enterprises=1, visits=0, demands=0))
