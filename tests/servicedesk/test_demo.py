"""The demo's demands carry the dates they were raised and moved on, not the moment the demo was loaded."""

from itertools import pairwise

from django.utils import timezone

from reference.services.demo import load_demo_data
from servicedesk.models import Demand, DemandEvent


def test_demo_demand_history_is_dated_from_the_day_raised(db):
    load_demo_data(per_district=3, until="servicedesk")
    demands = list(Demand.objects.all())
    assert len(demands) >= 5
    for demand in demands:
        events = list(DemandEvent.objects.filter(demand=demand).order_by("at", "id"))
        assert timezone.localtime(events[0].at).date() == demand.raised_on
        assert timezone.localtime(demand.created_at).date() == demand.raised_on
        assert all(a.at <= b.at for a, b in pairwise(events))
        assert events[-1].at <= timezone.now()
    # Most demo demands were raised weeks ago: not all on the day of loading.
    assert sum(1 for d in demands if d.raised_on < timezone.localdate()) == len(demands)
