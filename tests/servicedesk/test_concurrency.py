"""Two people assigning a specialist or moving a demand at the same moment: one wins, the loser is told why."""

import pytest
from django.utils import timezone

from programs.models import ResponsibleUnit
from servicedesk import services as servicedesk
from servicedesk.models import DemandEvent, ServiceAssignment
from tests.tiers.test_concurrency import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_concurrent_first_assignments_leave_one_active_specialist(users, ref, make_user, make_enterprise):
    colleagues = [users.staff_a, make_user("staff_a2", "district_staff", district="500112")]
    for _round in range(3):
        ent = make_enterprise("500112")
        outcomes = race([
            lambda person=person, ent=ent: servicedesk.specialist_assign(
                actor=users.staff_a, enterprise=ent, specialist=person
            )
            for person in colleagues
        ])  # fmt: skip
        # The second in line finds an active specialist and, having given no reason, is refused.
        assert outcomes.count("ok") == 1, outcomes
        assert "give a reason" in next(o for o in outcomes if o != "ok")
        assert ServiceAssignment.objects.filter(enterprise=ent, ended_at__isnull=True).count() == 1


def test_concurrent_closes_of_a_demand_end_with_one_winner(users, ref, make_enterprise):
    d = servicedesk.demand_create(
        actor=users.staff_a,
        enterprise=make_enterprise("500112"),
        category="land",
        description="用地",
        due_on=timezone.localdate(),
        unit=ResponsibleUnit.objects.get(code="cq-districts"),
    )
    servicedesk.demand_transition(actor=users.staff_a, demand_id=d.pk, action="start")
    servicedesk.demand_transition(actor=users.staff_a, demand_id=d.pk, action="resolve", note="ok")
    outcomes = race([
        lambda satisfaction=satisfaction: servicedesk.demand_transition(
            actor=users.staff_a, demand_id=d.pk, action="close", satisfaction=satisfaction
        )
        for satisfaction in ("satisfied", "unsatisfied")
    ])  # fmt: skip
    assert outcomes.count("ok") == 1, outcomes
    assert "Cannot close an item that is Closed" in next(o for o in outcomes if o != "ok")
    assert DemandEvent.objects.filter(demand=d, action="close").count() == 1
