import datetime as dt

import pytest
from django.utils import timezone

from tiers.services import lifecycle


@pytest.fixture
def holders(users, ref, make_enterprise):
    """Yubei: 3 SRDI holders (one revoked 10 days ago), Jiangbei: 1; and 2 listed firms in Yubei."""
    today = timezone.localdate()

    def hold(district, tier="srdi_sme", days_ago=100):
        ent = make_enterprise(district)
        return lifecycle.certification_import(
            actor=users.superuser, enterprise=ent, tier=ref.tiers[tier], valid_from=today - dt.timedelta(days=days_ago)
        )

    certs = [hold("500112"), hold("500112"), hold("500112"), hold("500105")]
    lifecycle.certification_transition(
        actor=users.official, certification_id=certs[2].pk, action="revoke", reason="造假"
    )
    certs[2].__class__.objects.filter(pk=certs[2].pk).update(ended_on=today - dt.timedelta(days=10))
    make_enterprise("500112", listing_status="star", listed_on=dt.date(2023, 5, 1))
    make_enterprise("500112", listing_status="neeq", listed_on=dt.date(2023, 5, 1))  # 挂牌, not a listing
    make_enterprise("500105", listing_status="main_board", listed_on=dt.date(2021, 5, 1))  # before the plan
    return certs


@pytest.fixture
def running_target(ref):
    """A running city-wide target of municipal SRDI SMEs (the plan's 2025 targets are closed by now).

    Test figures, not a plan: no figure of a real plan after 2025 is known.
    """
    from reporting.models import Metric, Target

    today = timezone.localdate()
    return Target.objects.create(
        metric=Metric.objects.get(code="srdi_smes"),
        jurisdiction=ref.jurisdictions["500000"],
        value=2500,
        start=today - dt.timedelta(days=300),
        deadline=today + dt.timedelta(days=400),
        source="test",
    )
