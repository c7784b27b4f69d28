"""The service desk through its services: assignments and their history, visits, the demand lifecycle, checks."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.db.models import F
from django.utils import timezone

from accounts.models import AuditEntry
from programs.models import Measure, ResponsibleUnit
from reference.models import JobRun
from servicedesk import services as servicedesk
from servicedesk.models import Demand, DemandEvent, ServiceAssignment, ServiceDeskDailyCheck, Visit
from servicedesk.rules import demands as rules
from servicedesk.selectors import (
    demand_counts_by_district,
    enterprises_without_specialist,
    visit_due,
    visit_due_counts_by_district,
    with_visit_clock,
)
from zjtx.errors import Conflict, DomainError, NotFound

TODAY = timezone.localdate


CQ_PLAN, BJ_MEASURES = "cq-2022-2025-action-plan", "bj-2023-ten-actions"


def unit(code="cq-econ-info"):
    return ResponsibleUnit.objects.get(code=code)


def measure(clause, policy=CQ_PLAN):
    return Measure.objects.get(policy__code=policy, clause=clause)


def labels(assignment):
    return sorted(servicedesk.measure_label(m) for m in assignment.policy_measures.all())


def raise_demand(users, enterprise, actor=None, **kw):
    values = {"category": "land", "description": "扩产缺少工业用地", "due_on": TODAY() + timedelta(days=30), **kw}
    return servicedesk.demand_create(actor=actor or users.staff_a, enterprise=enterprise, **values)


# --- assignments ---------------------------------------------------------------------------


def test_reassignment_keeps_history_and_carries_the_package_over(users, ref, make_user, make_enterprise):
    ent = make_enterprise("500112")
    colleague = make_user("staff_a2", "district_staff", district="500112")
    first = servicedesk.specialist_assign(
        actor=users.staff_a, enterprise=ent, specialist=users.staff_a, policy_measures=[measure("22"), measure("14")]
    )
    assert labels(first) == [f"{CQ_PLAN}:14", f"{CQ_PLAN}:22"]
    with pytest.raises(DomainError, match="give a reason") as missing:
        servicedesk.specialist_assign(actor=users.staff_a, enterprise=ent, specialist=colleague)
    assert missing.value.field == "reason"
    second = servicedesk.specialist_assign(
        actor=users.staff_a, enterprise=ent, specialist="staff_a2", reason="岗位调整"
    )

    first.refresh_from_db()
    assert first.ended_at is not None and first.ended_by == users.staff_a and first.end_reason == "岗位调整"
    assert second.is_active and second.specialist == colleague and second.started_by == users.staff_a
    assert labels(second) == labels(first) == [f"{CQ_PLAN}:14", f"{CQ_PLAN}:22"]
    history = list(ServiceAssignment.objects.filter(enterprise=ent).order_by("started_at"))
    assert [a.specialist.username for a in history] == ["staff_a", "staff_a2"]
    assert [a.is_active for a in history] == [False, True]
    assert AuditEntry.objects.filter(object_id=str(first.pk), action="update").exists()

    with pytest.raises(Conflict, match="already"):
        servicedesk.specialist_assign(actor=users.staff_a, enterprise=ent, specialist=colleague, reason="x")


def test_at_most_one_active_specialist_even_without_the_service(users, ref, make_enterprise):
    ent = make_enterprise("500112")
    ServiceAssignment.objects.create(enterprise=ent, specialist=users.staff_a)
    with pytest.raises(IntegrityError):
        ServiceAssignment.objects.create(enterprise=ent, specialist=users.staff_a)


@pytest.mark.parametrize("who", ["staff_b", "official", "progadmin", "norole", "inactive", "nobody"])
def test_specialist_must_be_active_staff_of_the_enterprises_district(users, ref, make_user, make_enterprise, who):
    ent = make_enterprise("500112")
    specialist = {
        "inactive": lambda: make_user("gone", "district_staff", district="500112", is_active=False),
        "nobody": lambda: "no-such-user",
    }.get(who, lambda: getattr(users, who))()
    with pytest.raises(DomainError) as refused:
        servicedesk.specialist_assign(actor=users.staff_a, enterprise=ent, specialist=specialist)
    assert refused.value.status_code == 400 and refused.value.field == "specialist"
    assert "is not active district service staff of 渝北区" in refused.value.message
    assert not ServiceAssignment.objects.exists()


def test_other_districts_cannot_assign_and_officials_are_refused(users, ref, make_enterprise):
    ent = make_enterprise("500112")
    for outsider in (users.staff_b, users.staff_bj, users.official_bj):
        with pytest.raises(NotFound):
            servicedesk.specialist_assign(actor=outsider, enterprise=ent, specialist=users.staff_a)
    with pytest.raises(DomainError, match="Only the enterprise's district"):
        servicedesk.specialist_assign(actor=users.official, enterprise=ent, specialist=users.staff_a)


def test_ending_editing_and_the_unassigned_list(users, ref, make_enterprise):
    ent, other = make_enterprise("500112"), make_enterprise("500112")
    a = servicedesk.specialist_assign(actor=users.staff_a, enterprise=ent, specialist=users.staff_a)
    assert set(enterprises_without_specialist(users.staff_a)) == {other}
    servicedesk.policy_package_update(
        actor=users.staff_a, assignment_id=a.pk, policy_measures=[measure("22").pk], policy_notes="用地协调"
    )
    with pytest.raises(NotFound):
        servicedesk.specialist_end(actor=users.staff_b, assignment_id=a.pk, reason="x")
    with pytest.raises(DomainError, match="give a reason"):
        servicedesk.specialist_end(actor=users.staff_a, assignment_id=a.pk, reason=" ")
    servicedesk.specialist_end(actor=users.staff_a, assignment_id=a.pk, reason="企业迁出")
    assert set(enterprises_without_specialist(users.staff_a)) == {ent, other}
    with pytest.raises(Conflict, match="already ended"):
        servicedesk.policy_package_update(actor=users.staff_a, assignment_id=a.pk, policy_notes="x")
    a.refresh_from_db()
    assert labels(a) == [f"{CQ_PLAN}:22"] and a.policy_notes == "用地协调"


def test_the_package_holds_measures_of_the_enterprises_jurisdiction_only(users, ref, make_enterprise):
    ent = make_enterprise("500112")
    a = servicedesk.specialist_assign(
        actor=users.staff_a, enterprise=ent, specialist=users.staff_a, policy_measures=[measure("22").pk] * 2
    )
    assert labels(a) == [f"{CQ_PLAN}:22"]

    def refused(measures):
        with pytest.raises(DomainError) as caught:
            servicedesk.policy_package_update(actor=users.staff_a, assignment_id=a.pk, policy_measures=measures)
        assert caught.value.status_code == 400 and caught.value.field == "policy_measures"
        return caught.value

    beijing = refused([measure("22"), measure("六.2", BJ_MEASURES)])
    assert beijing.code == "measure_of_another_region"
    assert beijing.message == (
        f"Not measures of a policy of Chongqing Municipality, where the enterprise is: {BJ_MEASURES}:六.2."
    )
    assert refused([measure("22").pk, 999_999]).message == "No such measure: 999999."
    for not_ids in ("22", [f"{CQ_PLAN}:22"], [True], {"22": 1}):
        assert "a list of measure ids" in refused(not_ids).message
    with pytest.raises(DomainError, match="where the enterprise is"):
        servicedesk.specialist_assign(
            actor=users.staff_bj,
            enterprise=make_enterprise("110108"),
            specialist=users.staff_bj,
            policy_measures=[measure("22")],
        )
    a.refresh_from_db()
    assert labels(a) == [f"{CQ_PLAN}:22"]
    # The package's measures are not a field, so the service writes their changes to the audit log itself.
    servicedesk.policy_package_update(actor=users.staff_a, assignment_id=a.pk, policy_measures=[])
    changes = [e.changes for e in AuditEntry.objects.filter(object_id=str(a.pk), action="update").order_by("id")]
    assert changes == [
        {"policy_measures": [[], [f"{CQ_PLAN}:22"]]},
        {"policy_measures": [[f"{CQ_PLAN}:22"], []]},
    ]


# --- visits --------------------------------------------------------------------------------


def test_a_visit_records_the_demands_raised_in_it(users, ref, make_enterprise):
    ent = make_enterprise("500112")
    day = TODAY() - timedelta(days=2)
    visit = servicedesk.visit_log(
        actor=users.staff_a,
        enterprise=ent,
        visited_on=day,
        mode="on_site",
        met_with="张总(总经理)",
        notes="产能扩张受限",
        follow_up_on=day + timedelta(days=14),
        demands=[
            {"category": "land", "description": "需新增20亩工业用地", "due_on": day + timedelta(days=60)},
            {"category": "labour", "description": "招工难", "due_on": day + timedelta(days=30), "unit": unit()},
        ],
    )
    assert visit.visitor == users.staff_a
    demands = list(visit.demands.order_by("id"))
    assert [(d.category, d.status, d.raised_on) for d in demands] == [
        ("land", "open", day),
        ("labour", "assigned", day),
    ]


def test_visits_outside_the_district_or_with_bad_dates_are_refused(users, ref, make_enterprise):
    ent = make_enterprise("500112")
    for outsider in (users.staff_b, users.staff_bj):
        with pytest.raises(NotFound):
            servicedesk.visit_log(actor=outsider, enterprise=ent, visited_on=TODAY(), mode="phone")
    with pytest.raises(DomainError, match="Only the enterprise's district"):
        servicedesk.visit_log(actor=users.official, enterprise=ent, visited_on=TODAY(), mode="phone")
    with pytest.raises(DomainError, match="before the day it takes place") as future:
        servicedesk.visit_log(actor=users.staff_a, enterprise=ent, visited_on=TODAY() + timedelta(days=1), mode="phone")
    assert future.value.field == "visited_on"
    with pytest.raises(ValidationError, match="carrier_pigeon"):
        servicedesk.visit_log(actor=users.staff_a, enterprise=ent, visited_on=TODAY(), mode="carrier_pigeon")
    with pytest.raises(DomainError) as bad_demand:
        servicedesk.visit_log(
            actor=users.staff_a,
            enterprise=ent,
            visited_on=TODAY(),
            mode="phone",
            demands=[{"category": "land", "description": "x", "due_on": TODAY() - timedelta(days=1)}],
        )
    assert bad_demand.value.field == "demands[0].due_on"
    assert not Visit.objects.exists() and not Demand.objects.exists()


# --- demands -------------------------------------------------------------------------------


def test_the_whole_demand_lifecycle_with_events_and_audit(users, ref, make_enterprise):
    ent = make_enterprise("500112")
    d = raise_demand(users, ent)
    assert d.status == "open"

    def step(action, actor=users.staff_a, **kw):
        return servicedesk.demand_transition(actor=actor, demand_id=d.pk, action=action, **kw)

    step("assign", actor=users.official, unit=unit("cq-planning"))
    step("start", actor=users.official)
    done = step("resolve", note="已协调新增用地指标")
    assert done.resolution == "已协调新增用地指标" and done.resolved_at is not None
    closed = step("close", satisfaction="basically_satisfied")
    assert closed.status == "closed" and closed.satisfaction == "basically_satisfied" and closed.closed_at
    reopened = step("reopen", note="用地仍未落实", due_on=TODAY() + timedelta(days=45))
    assert reopened.status == "reopened" and reopened.satisfaction is None and reopened.closed_at is None
    step("assign", unit=unit("cq-districts"))
    step("start")
    step("resolve", note="区政府调剂用地")
    final = step("close", satisfaction="satisfied")
    assert final.satisfaction == "satisfied"

    events = list(DemandEvent.objects.filter(demand=d).order_by("at", "id"))
    assert [(e.action, e.from_status, e.to_status) for e in events] == [
        ("raise", "", "open"),
        ("assign", "open", "assigned"),
        ("start", "assigned", "in_progress"),
        ("resolve", "in_progress", "resolved"),
        ("close", "resolved", "closed"),
        ("reopen", "closed", "reopened"),
        ("assign", "reopened", "assigned"),
        ("start", "assigned", "in_progress"),
        ("resolve", "in_progress", "resolved"),
        ("close", "resolved", "closed"),
    ]
    assert [e.actor.username for e in events[:3]] == ["staff_a", "official", "official"]
    assert all(e.at is not None for e in events)
    assert events[1].details == {"unit": [None, "cq-planning"]}
    assert events[4].details == {"satisfaction": "basically_satisfied"}
    assert events[5].details["previous_satisfaction"] == "basically_satisfied" and "due_on" in events[5].details
    assert events[5].reason == "用地仍未落实"
    assert events[6].details == {"unit": ["cq-planning", "cq-districts"]}
    statuses = [e.changes.get("status") for e in AuditEntry.objects.filter(object_id=str(d.pk), action="update")]
    assert ["resolved", "closed"] in statuses and ["closed", "reopened"] in statuses


def test_demand_refusals_are_clear(users, ref, make_enterprise):
    ent = make_enterprise("500112")
    d = raise_demand(users, ent)
    with pytest.raises(DomainError, match="name the responsible unit") as no_unit:
        servicedesk.demand_transition(actor=users.staff_a, demand_id=d.pk, action="assign")
    assert no_unit.value.field == "unit"
    with pytest.raises(DomainError, match="Cannot close an item that is Open") as wrong:
        servicedesk.demand_transition(actor=users.staff_a, demand_id=d.pk, action="close", satisfaction="satisfied")
    assert wrong.value.code == "illegal_transition"
    servicedesk.demand_transition(actor=users.staff_a, demand_id=d.pk, action="assign", unit=unit())
    servicedesk.demand_transition(actor=users.staff_a, demand_id=d.pk, action="start")
    with pytest.raises(DomainError, match="give a reason"):
        servicedesk.demand_transition(actor=users.staff_a, demand_id=d.pk, action="resolve")
    servicedesk.demand_transition(actor=users.staff_a, demand_id=d.pk, action="resolve", note="ok")
    with pytest.raises(DomainError, match="satisfaction") as no_satisfaction:
        servicedesk.demand_transition(actor=users.staff_a, demand_id=d.pk, action="close")
    assert no_satisfaction.value.field == "satisfaction"
    with pytest.raises(DomainError, match="may not close"):
        servicedesk.demand_transition(actor=users.official, demand_id=d.pk, action="close", satisfaction="satisfied")
    with pytest.raises(DomainError, match="when assigning"):
        servicedesk.demand_transition(
            actor=users.staff_a, demand_id=d.pk, action="close", satisfaction="satisfied", unit=unit()
        )
    d.refresh_from_db()
    assert d.status == "resolved"


def test_demands_of_another_district_are_not_found(users, ref, make_enterprise):
    ent = make_enterprise("500112")
    d = raise_demand(users, ent)
    for outsider in (users.staff_b, users.staff_bj, users.official_bj):
        with pytest.raises(NotFound):
            servicedesk.demand_transition(actor=outsider, demand_id=d.pk, action="assign", unit=unit())
        with pytest.raises(NotFound):
            raise_demand(users, ent, actor=outsider)
    bj = make_enterprise("110108")
    # A unit serves its own jurisdiction only: Chongqing's district and county governments are not Beijing's.
    for code in ("cq-finance", "cq-districts"):
        with pytest.raises(DomainError, match="does not serve") as wrong_unit:
            raise_demand(users, bj, actor=users.staff_bj, unit=unit(code))
        assert wrong_unit.value.field == "unit"
    with pytest.raises(DomainError, match="does not serve"):
        servicedesk.demand_transition(actor=users.staff_a, demand_id=d.pk, action="assign", unit=unit("bj-districts"))
    assert raise_demand(users, bj, actor=users.staff_bj, unit=unit("bj-districts")).status == "assigned"
    assert raise_demand(users, ent, unit=unit("cq-districts")).status == "assigned"


def test_editing_a_demand_is_recorded(users, ref, make_enterprise):
    d = raise_demand(users, make_enterprise("500112"))
    new_due = TODAY() + timedelta(days=10)
    servicedesk.demand_update(actor=users.staff_a, demand_id=d.pk, due_on=new_due, note="与企业确认")
    edit = DemandEvent.objects.get(demand=d, action="edit")
    assert edit.details == {"due_on": [str(d.due_on), str(new_due)]} and edit.actor == users.staff_a
    with pytest.raises(DomainError, match="cannot be before"):
        servicedesk.demand_update(actor=users.staff_a, demand_id=d.pk, due_on=d.raised_on - timedelta(days=1))
    with pytest.raises(DomainError, match="cannot be changed"):
        servicedesk.demand_update(actor=users.staff_a, demand_id=d.pk, status="closed")


def test_overdue_and_counts_per_district(users, ref, make_enterprise):
    today = TODAY()
    yubei, jiangbei = make_enterprise("500112"), make_enterprise("500105")
    late = raise_demand(users, yubei, raised_on=today - timedelta(days=20), due_on=today - timedelta(days=1))
    raise_demand(users, yubei, due_on=today)  # due today: not overdue
    done = raise_demand(users, yubei, raised_on=today - timedelta(days=20), due_on=today - timedelta(days=5))
    for action, kw in (("assign", {"unit": unit()}), ("start", {}), ("resolve", {"note": "ok"})):
        servicedesk.demand_transition(actor=users.staff_a, demand_id=done.pk, action=action, **kw)
    raise_demand(
        users, jiangbei, actor=users.staff_b, raised_on=today - timedelta(days=9), due_on=today - timedelta(days=3)
    )

    everything = demand_counts_by_district(None)
    assert everything["500112"] == {"open": 2, "overdue": 1, "resolved": 1, "closed": 0}
    assert everything["500105"] == {"open": 1, "overdue": 1, "resolved": 0, "closed": 0}
    assert demand_counts_by_district(users.staff_b) == {"500105": everything["500105"]}
    assert demand_counts_by_district(users.official_bj) == {}
    # Yesterday, as the event log tells it: every demand was raised today, so none existed then.
    assert demand_counts_by_district(None, on=today - timedelta(days=1)) == {}
    assert rules.is_overdue(late.status, late.due_on, today)


def test_counts_on_a_past_day_read_the_event_log(users, ref, make_enterprise):
    d = raise_demand(users, make_enterprise("500112"))
    past = timezone.now() - timedelta(days=3)
    Demand.objects.filter(pk=d.pk).update(created_at=past)
    DemandEvent.objects.filter(demand=d).update(at=past)
    servicedesk.demand_transition(actor=users.staff_a, demand_id=d.pk, action="assign", unit=unit())
    day_before = TODAY() - timedelta(days=1)
    assert demand_counts_by_district(None, on=day_before)["500112"]["open"] == 1
    assert demand_counts_by_district(None)["500112"]["open"] == 1


# --- visit interval and the daily check ----------------------------------------------------


def test_visit_due_in_sql_agrees_with_the_rule(users, ref, make_enterprise, settings):
    settings.ZJTX_VISIT_INTERVAL_DAYS = 30
    today = TODAY()
    cases = {  # enterprise → (days since first assignment, days since last visit or None)
        "never_visited_old": (40, None),
        "never_visited_new": (10, None),
        "visited_recently": (100, 5),
        "visited_long_ago": (100, 31),
        "visited_on_cutoff": (100, 30),
        "visited_before_the_desk": (10, 200),
    }
    ids = {}
    for name, (assigned_days, visit_days) in cases.items():
        ent = make_enterprise("500112", name=name)
        a = servicedesk.specialist_assign(actor=users.staff_a, enterprise=ent, specialist=users.staff_a)
        ServiceAssignment.objects.filter(pk=a.pk).update(started_at=timezone.now() - timedelta(days=assigned_days))
        if visit_days is not None:
            servicedesk.visit_log(
                actor=users.staff_a, enterprise=ent, visited_on=today - timedelta(days=visit_days), mode="phone"
            )
        ids[a.pk] = name
    # Visits can be logged before an enterprise has a specialist: move this one's visit before its assignment.
    Visit.objects.filter(enterprise__name="visited_before_the_desk").update(visited_on=today - timedelta(days=200))
    due = {ids[a.pk] for a in visit_due(ServiceAssignment.objects.all())}
    assert due == {"never_visited_old", "visited_long_ago"}
    for a in with_visit_clock(ServiceAssignment.objects.all()):
        expected = rules.is_visit_due(
            last_visited_on=a.last_visited_on, first_assigned_on=a.first_assigned_on, today=today, interval_days=30
        )
        assert expected == (ids[a.pk] in due), ids[a.pk]
    assert visit_due_counts_by_district(None) == {"500112": 2}
    assert visit_due_counts_by_district(users.staff_b) == {}


def test_daily_check_stores_one_row_per_district_and_day(users, ref, make_enterprise, settings):
    settings.ZJTX_VISIT_INTERVAL_DAYS = 30
    today = TODAY()
    ent = make_enterprise("500112", name="渝北逾期测试有限公司")
    a = servicedesk.specialist_assign(actor=users.staff_a, enterprise=ent, specialist=users.staff_a)
    ServiceAssignment.objects.filter(pk=a.pk).update(started_at=timezone.now() - timedelta(days=60))
    late = raise_demand(users, ent, raised_on=today - timedelta(days=10), due_on=today - timedelta(days=2))

    run = servicedesk.daily_check_run()
    assert run.status == "done" and run.finished_at and run.result["overdue_demands"] == 1
    again = servicedesk.daily_check_run()
    assert again.pk != run.pk
    rows = ServiceDeskDailyCheck.objects.filter(day=today)
    assert rows.count() == ref.districts.__len__()
    yubei = rows.get(district__code="500112")
    assert (yubei.overdue_demands, yubei.unvisited_enterprises, yubei.open_demands) == (1, 1, 1)
    assert yubei.run == again
    [item] = yubei.details["overdue_demands"]
    assert item["id"] == late.pk and item["days_overdue"] == 2 and item["enterprise_name"] == "渝北逾期测试有限公司"
    [visit] = yubei.details["unvisited_enterprises"]
    assert visit["credit_code"] == ent.credit_code and visit["last_visited_on"] is None and visit["days_since"] == 60
    assert rows.get(district__code="500105").overdue_demands == 0
    assert JobRun.objects.filter(job="servicedesk_daily_check", status="done").count() == 2


def test_daily_check_details_are_capped_but_counts_are_not(users, ref, make_enterprise, settings):
    settings.ZJTX_SERVICE_DESK_DETAIL_LIMIT = 2
    today = TODAY()
    ent = make_enterprise("500112")
    for i in range(3):
        raise_demand(users, ent, raised_on=today - timedelta(days=10), due_on=today - timedelta(days=i + 1))
    servicedesk.daily_check_run()
    row = ServiceDeskDailyCheck.objects.get(day=today, district__code="500112")
    assert row.overdue_demands == 3 and row.details["truncated"] is True
    assert [d["days_overdue"] for d in row.details["overdue_demands"]] == [3, 2]


def test_a_failed_daily_check_is_recorded(users, ref, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("database on fire")

    monkeypatch.setattr(servicedesk.selectors, "demand_counts_by_district", boom)
    with pytest.raises(RuntimeError):
        servicedesk.daily_check_run()
    run = JobRun.objects.get()
    assert run.status == "failed" and "database on fire" in run.error and run.finished_at
    assert not ServiceDeskDailyCheck.objects.exists()


def test_the_demo_data_loads_once(ref):
    from reference.services.demo import load_demo_data
    from servicedesk.demo_data import load_servicedesk_demo

    load_demo_data(per_district=4, seed=7, until="tiers")
    summary = load_servicedesk_demo(seed=7)
    assert summary.assignments > 0 and summary.visits > 0
    assert ServiceAssignment.objects.filter(ended_at__isnull=True).count() == summary.assignments
    assert load_servicedesk_demo(seed=7).assignments == 0
    assert Demand.objects.count() == summary.demands
    # Packages and units come from the programs, each of the enterprise's own jurisdiction.
    region = F("enterprise__district__jurisdiction")
    assert ServiceAssignment.objects.filter(policy_measures__policy__jurisdiction=region).exists()
    links = ServiceAssignment.policy_measures.through.objects
    own = F("serviceassignment__enterprise__district__jurisdiction")
    assert links.exists() and not links.exclude(measure__policy__jurisdiction=own).exists()
    assert Demand.objects.filter(unit__jurisdiction=region).exists()
    assert not Demand.objects.exclude(unit=None).exclude(unit__jurisdiction=region).exists()
