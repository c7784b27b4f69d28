"""The service desk's daily check executed by a real `celery worker` process over Redis, against the test database."""

from datetime import timedelta

import pytest
from django.utils import timezone

from programs.models import ResponsibleUnit
from reference.models import District, JobRun
from servicedesk import services as servicedesk
from servicedesk.models import ServiceAssignment, ServiceDeskDailyCheck
from servicedesk.tasks import servicedesk_daily_check

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def test_daily_check_flags_overdue_and_unvisited_per_district_and_is_idempotent(
    celery_worker, users, ref, make_enterprise
):
    today = timezone.localdate()
    yubei = make_enterprise("500112", name="渝北久未走访有限公司")
    visited = make_enterprise("500112", name="渝北刚走访有限公司")
    jiangbei = make_enterprise("500105", name="江北逾期有限公司")
    for ent, staff in ((yubei, users.staff_a), (visited, users.staff_a), (jiangbei, users.staff_b)):
        a = servicedesk.specialist_assign(actor=staff, enterprise=ent, specialist=staff)
        # The worker uses the default interval (90 days): these specialists started 120 days ago.
        ServiceAssignment.objects.filter(pk=a.pk).update(started_at=timezone.now() - timedelta(days=120))
    servicedesk.visit_log(actor=users.staff_a, enterprise=visited, visited_on=today - timedelta(days=10), mode="phone")

    def demand(ent, staff, due_days, **kw):
        return servicedesk.demand_create(
            actor=staff,
            enterprise=ent,
            category="energy",
            description="用能指标不足",
            raised_on=today - timedelta(days=30),
            due_on=today + timedelta(days=due_days),
            **kw,
        )

    late = demand(yubei, users.staff_a, -5, unit=ResponsibleUnit.objects.get(code="cq-econ-info"))
    demand(yubei, users.staff_a, 5)
    jb_late = demand(jiangbei, users.staff_b, -1)
    solved = demand(jiangbei, users.staff_b, -20, unit=ResponsibleUnit.objects.get(code="cq-districts"))
    servicedesk.demand_transition(actor=users.staff_b, demand_id=solved.pk, action="start")
    servicedesk.demand_transition(actor=users.staff_b, demand_id=solved.pk, action="resolve", note="已解决")

    first = servicedesk_daily_check.delay().get(timeout=60)
    assert first["day"] == today.isoformat()
    assert (first["overdue_demands"], first["unvisited_enterprises"], first["visit_interval_days"]) == (2, 2, 90)

    rows = {r.district.code: r for r in ServiceDeskDailyCheck.objects.filter(day=today).select_related("district")}
    assert len(rows) == District.objects.count()
    yb, jb = rows["500112"], rows["500105"]
    assert (yb.open_demands, yb.overdue_demands, yb.unvisited_enterprises) == (2, 1, 1)
    assert (jb.open_demands, jb.overdue_demands, jb.resolved_demands, jb.unvisited_enterprises) == (1, 1, 1, 1)
    assert [(d["id"], d["days_overdue"], d["unit_code"]) for d in yb.details["overdue_demands"]] == [
        (late.pk, 5, "cq-econ-info")
    ]
    assert [d["enterprise_name"] for d in yb.details["unvisited_enterprises"]] == ["渝北久未走访有限公司"]
    assert [d["id"] for d in jb.details["overdue_demands"]] == [jb_late.pk]
    assert sum(r.overdue_demands for r in rows.values()) == 2

    # Twice for the same day — once more in sequence, then two at once — still one row per district and day.
    assert servicedesk_daily_check.delay(today.isoformat()).get(timeout=60)["overdue_demands"] == 2
    together = [servicedesk_daily_check.delay(today.isoformat()) for _ in range(2)]
    assert [r.get(timeout=60)["overdue_demands"] for r in together] == [2, 2]
    assert ServiceDeskDailyCheck.objects.filter(day=today).count() == District.objects.count()
    assert ServiceDeskDailyCheck.objects.count() == District.objects.count()
    runs = JobRun.objects.filter(job="servicedesk_daily_check")
    assert runs.count() == 4 and set(runs.values_list("status", flat=True)) == {"done"}
    assert all(r.finished_at >= r.started_at for r in runs)
    latest = ServiceDeskDailyCheck.objects.get(day=today, district__code="500112")
    assert latest.run_id in set(runs.values_list("pk", flat=True))
    assert latest.details == yb.details
