"""The service desk's admin pages: writes go through the services, refusals come back as messages, not 500s."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from programs.models import Measure, ResponsibleUnit
from servicedesk import services as servicedesk
from servicedesk.models import Demand, ServiceAssignment, Visit

CQ_PLAN, BJ_MEASURES = "cq-2022-2025-action-plan", "bj-2023-ten-actions"


def measure(clause, policy=CQ_PLAN):
    return Measure.objects.get(policy__code=policy, clause=clause)


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
        for name in ("serviceassignment", "visit", "demand", "servicedeskdailycheck"):
            assert client.get(reverse(f"admin:servicedesk_{name}_changelist")).status_code == 200, (user, name)
        for name in ("serviceassignment", "visit", "demand"):
            assert client.get(reverse(f"admin:servicedesk_{name}_add")).status_code == 200, (user, name)
        for name, obj in (("serviceassignment", a), ("visit", v), ("demand", d)):
            assert client.get(reverse(f"admin:servicedesk_{name}_change", args=[obj.pk])).status_code == 200
        overdue = client.get(reverse("admin:servicedesk_demand_changelist"), {"overdue": "1"})
        assert overdue.status_code == 200
    client.force_login(users.staff_a)
    assert client.get(reverse("admin:reference_jobrun_changelist")).status_code == 403
    client.force_login(users.auditor)
    assert client.get(reverse("admin:reference_jobrun_changelist")).status_code == 200


def test_admin_writes_go_through_the_services(client, users, ref, make_enterprise):
    ent = make_enterprise("500112")
    client.force_login(users.staff_a)
    page = client.get(reverse("admin:servicedesk_serviceassignment_add")).content.decode()
    # The measures offered are those of the user's jurisdiction, in a filter_horizontal widget.
    assert "selectfilter" in page and f'value="{measure("22").pk}"' in page
    assert f'value="{measure("六.2", BJ_MEASURES).pk}"' not in page
    added = client.post(
        reverse("admin:servicedesk_serviceassignment_add"),
        {
            "enterprise": ent.pk,
            "specialist": users.staff_a.pk,
            "policy_measures": [measure("22").pk, measure("14").pk],
            "policy_notes": "",
        },
    )
    assert added.status_code == 302, added.content.decode()[:2000]
    assignment = ServiceAssignment.objects.get()
    assert assignment.started_by == users.staff_a
    assert set(assignment.policy_measures.all()) == {measure("22"), measure("14")}
    changed = client.post(
        reverse("admin:servicedesk_serviceassignment_change", args=[assignment.pk]),
        {"policy_measures": [measure("28").pk], "policy_notes": "智能化改造"},
    )
    assert changed.status_code == 302, changed.content.decode()[:2000]
    assignment.refresh_from_db()
    assert list(assignment.policy_measures.all()) == [measure("28")] and assignment.policy_notes == "智能化改造"

    today = timezone.localdate()
    visit = client.post(
        reverse("admin:servicedesk_visit_add"),
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
        reverse("admin:servicedesk_demand_add"),
        {
            "enterprise": ent.pk,
            "category": "talent",
            "description": "引进博士",
            "unit": ResponsibleUnit.objects.get(code="cq-hrss").pk,
            "raised_on": today.isoformat(),
            "due_on": (today + timedelta(days=30)).isoformat(),
            **DEMAND_INLINE,
        },
    )
    assert demand.status_code == 302
    d = Demand.objects.get()
    assert d.status == "assigned" and d.events.count() == 2
    started = client.post(
        reverse("admin:servicedesk_demand_changelist"), {"action": "demand_start", "_selected_action": [d.pk]}
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
        reverse("admin:servicedesk_demand_add"),
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
        reverse("admin:servicedesk_serviceassignment_add"),
        {"enterprise": ent.pk, "specialist": users.staff_a.pk, "reason": ""},
        follow=True,
    )
    assert again.status_code == 200 and "already the enterprise" in again.content.decode()
    assert ServiceAssignment.objects.count() == 1


def test_a_measure_of_another_jurisdiction_is_refused_in_the_admin(client, users, ref, make_enterprise):
    ent = make_enterprise("500112")
    client.cookies["django_language"] = "en"  # pages are Chinese unless English is chosen
    body = {"enterprise": ent.pk, "specialist": users.staff_a.pk, "reason": ""}
    beijing = measure("六.2", BJ_MEASURES).pk
    # District staff are not offered Beijing's measures at all.
    client.force_login(users.staff_a)
    page = client.post(reverse("admin:servicedesk_serviceassignment_add"), {**body, "policy_measures": [beijing]})
    assert page.status_code == 200 and "Select a valid choice" in page.content.decode()
    # A superuser is offered every measure; the service refuses the wrong region's with a message.
    client.force_login(users.superuser)
    page = client.post(
        reverse("admin:servicedesk_serviceassignment_add"), {**body, "policy_measures": [beijing]}, follow=True
    )
    assert page.status_code == 200 and "where the enterprise is: bj-2023-ten-actions:六.2" in page.content.decode()
    assert not ServiceAssignment.objects.exists()


def test_an_empty_package_in_the_admin_carries_the_current_one_over(client, users, ref, make_user, make_enterprise):
    ent = make_enterprise("500112")
    colleague = make_user("staff_a2", "district_staff", district="500112")
    servicedesk.specialist_assign(
        actor=users.staff_a, enterprise=ent, specialist=users.staff_a, policy_measures=[measure("22")]
    )
    client.force_login(users.staff_a)
    moved = client.post(
        reverse("admin:servicedesk_serviceassignment_add"),
        {"enterprise": ent.pk, "specialist": colleague.pk, "reason": "岗位调整", "policy_notes": ""},
    )
    assert moved.status_code == 302, moved.content.decode()[:2000]
    current = ServiceAssignment.objects.get(ended_at__isnull=True)
    assert current.specialist == colleague and list(current.policy_measures.all()) == [measure("22")]
