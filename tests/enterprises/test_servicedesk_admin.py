"""The service desk's admin pages: writes go through the services, refusals come back as messages, not 500s."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from enterprises.models import Demand, ServiceAssignment, ServiceUnit, Visit
from enterprises.services import servicedesk

# The read-only inlines still post their (empty) management forms, as a browser would.
VISIT_INLINE = {"demands-TOTAL_FORMS": "0", "demands-INITIAL_FORMS": "0"}
DEMAND_INLINE = {"events-TOTAL_FORMS": "0", "events-INITIAL_FORMS": "0"}


def test_pages_open_for_staff_and_superuser(client, users, ref, make_enterprise):
    ent = make_enterprise("500112")
    a = servicedesk.specialist_assign(actor=users.staff_a, enterprise=ent, specialist=users.staff_a)
    v = servicedesk.visit_log(actor=users.staff_a, enterprise=ent, visited_on=timezone.localdate(), mode="phone")
    d = servicedesk.demand_create(
        actor=users.staff_a, enterprise=ent, category="land", description="x", due_on=timezone.localdate(), visit=v
    )
    servicedesk.daily_check_run()
    for user in (users.staff_a, users.superuser):
        client.force_login(user)
        for name in ("serviceassignment", "visit", "demand", "servicedeskdailycheck", "serviceunit"):
            assert client.get(reverse(f"admin:enterprises_{name}_changelist")).status_code == 200, (user, name)
        for name in ("serviceassignment", "visit", "demand"):
            assert client.get(reverse(f"admin:enterprises_{name}_add")).status_code == 200, (user, name)
        for name, obj in (("serviceassignment", a), ("visit", v), ("demand", d)):
            assert client.get(reverse(f"admin:enterprises_{name}_change", args=[obj.pk])).status_code == 200
        overdue = client.get(reverse("admin:enterprises_demand_changelist"), {"overdue": "1"})
        assert overdue.status_code == 200
    client.force_login(users.staff_a)
    assert client.get(reverse("admin:enterprises_jobrun_changelist")).status_code == 403
    client.force_login(users.auditor)
    assert client.get(reverse("admin:enterprises_jobrun_changelist")).status_code == 200


def test_admin_writes_go_through_the_services(client, users, ref, make_enterprise):
    ent = make_enterprise("500112")
    client.force_login(users.staff_a)
    added = client.post(
        reverse("admin:enterprises_serviceassignment_add"),
        {"enterprise": ent.pk, "specialist": users.staff_a.pk, "policy_measures": '["CQ-22"]', "policy_notes": ""},
    )
    assert added.status_code == 302, added.content.decode()[:2000]
    assignment = ServiceAssignment.objects.get()
    assert assignment.started_by == users.staff_a and assignment.policy_measures == ["CQ-22"]

    today = timezone.localdate()
    visit = client.post(
        reverse("admin:enterprises_visit_add"),
        {
            "enterprise": ent.pk,
            "visited_on": today.isoformat(),
            "mode": "online",
            "met_with": "王经理",
            "notes": "",
            **VISIT_INLINE,
        },
    )
    assert visit.status_code == 302 and Visit.objects.get().visitor == users.staff_a

    demand = client.post(
        reverse("admin:enterprises_demand_add"),
        {
            "enterprise": ent.pk,
            "category": "talent",
            "description": "引进博士",
            "unit": ServiceUnit.objects.get(code="cq-human-resources").pk,
            "raised_on": today.isoformat(),
            "due_on": (today + timedelta(days=30)).isoformat(),
            **DEMAND_INLINE,
        },
    )
    assert demand.status_code == 302
    d = Demand.objects.get()
    assert d.status == "assigned" and d.events.count() == 2
    started = client.post(
        reverse("admin:enterprises_demand_changelist"), {"action": "demand_start", "_selected_action": [d.pk]}
    )
    assert started.status_code == 302
    d.refresh_from_db()
    assert d.status == "in_progress"


def test_admin_refusals_are_messages(client, users, ref, make_enterprise):
    ent = make_enterprise("500112")
    servicedesk.specialist_assign(actor=users.staff_a, enterprise=ent, specialist=users.staff_a)
    client.force_login(users.superuser)
    client.cookies["django_language"] = "en"  # pages are Chinese unless English is chosen
    today = timezone.localdate()
    refused = client.post(
        reverse("admin:enterprises_demand_add"),
        {
            "enterprise": ent.pk,
            "category": "land",
            "description": "x",
            "raised_on": (today + timedelta(days=3)).isoformat(),
            "due_on": (today + timedelta(days=5)).isoformat(),
            **DEMAND_INLINE,
        },
        follow=True,
    )
    assert refused.status_code == 200
    assert "still to come" in refused.content.decode()
    assert not Demand.objects.exists()
    # The enterprise already has this specialist: the service's refusal is shown on the page.
    again = client.post(
        reverse("admin:enterprises_serviceassignment_add"),
        {"enterprise": ent.pk, "specialist": users.staff_a.pk, "policy_measures": "[]", "reason": ""},
        follow=True,
    )
    assert again.status_code == 200 and "already the enterprise" in again.content.decode()
    assert ServiceAssignment.objects.count() == 1


def test_a_package_that_is_not_a_list_is_refused_in_the_admin(client, users, ref, make_enterprise):
    ent = make_enterprise("500112")
    client.force_login(users.staff_a)
    client.cookies["django_language"] = "en"  # pages are Chinese unless English is chosen
    page = client.post(
        reverse("admin:enterprises_serviceassignment_add"),
        {"enterprise": ent.pk, "specialist": users.staff_a.pk, "policy_measures": '"CQ-22"', "reason": ""},
        follow=True,
    )
    assert page.status_code == 200 and "must be a list of references" in page.content.decode()
    assert not ServiceAssignment.objects.exists()
