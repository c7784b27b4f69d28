"""The service-desk API from the outside: assignments, visits, demands, filters, counts, clear 4xx, query budgets."""

from datetime import timedelta
from unittest.mock import ANY

import pytest
from django.urls import reverse
from django.utils import timezone

from programs.models import Measure, ResponsibleUnit
from servicedesk import services as servicedesk
from servicedesk.models import Demand, ServiceAssignment

TODAY = timezone.localdate
CQ_PLAN = "cq-2022-2025-action-plan"


def measure_id(clause, policy=CQ_PLAN):
    return Measure.objects.get(policy__code=policy, clause=clause).pk


def package(body):
    return [(m["policy"], m["clause"]) for m in body["policy_measures"]]


def iso(days=0):
    return (TODAY() + timedelta(days=days)).isoformat()


@pytest.fixture
def ent(make_enterprise):
    return make_enterprise("500112", name="渝北服务测试有限公司")


# --- assignments ---------------------------------------------------------------------------


def test_assign_reassign_and_read_the_history(api, users, ref, make_user, ent):
    make_user("staff_a2", "district_staff", district="500112")
    client = api(users.staff_a)
    url = reverse("serviceassignment-list")
    task_22 = measure_id("22")
    first = client.post(
        url,
        {"enterprise": ent.credit_code.lower(), "specialist": "staff_a", "policy_measures": [task_22]},
        format="json",
    )
    assert first.status_code == 201, first.json()
    body = first.json()
    assert body["specialist"] == "staff_a" and body["is_active"]
    assert body["policy_measures"] == [
        {"id": task_22, "policy": CQ_PLAN, "clause": "22", "name": "“一企一策一人”服务专员", "name_en": ANY}
    ]
    assert body["visit_due"] is False and body["last_visited_on"] is None

    no_reason = client.post(url, {"enterprise": ent.credit_code, "specialist": "staff_a2"}, format="json")
    assert no_reason.status_code == 400 and "reason" in no_reason.json()["errors"]
    second = client.post(
        url, {"enterprise": ent.credit_code, "specialist": "staff_a2", "reason": "岗位调整"}, format="json"
    )
    assert second.status_code == 201 and package(second.json()) == [(CQ_PLAN, "22")]
    same = client.post(url, {"enterprise": ent.credit_code, "specialist": "staff_a2", "reason": "x"}, format="json")
    assert same.status_code == 409 and same.json()["code"] == "already_assigned"

    history = client.get(reverse("serviceassignment-history"), {"enterprise": ent.credit_code})
    assert history.status_code == 200
    rows = history.json()
    assert [(r["specialist"], r["is_active"], r["end_reason"], r["ended_by"]) for r in rows] == [
        ("staff_a", False, "岗位调整", "staff_a"),
        ("staff_a2", True, "", None),
    ]
    assert client.get(reverse("serviceassignment-history")).status_code == 400
    assert (
        api(users.staff_b).get(reverse("serviceassignment-history"), {"enterprise": ent.credit_code}).status_code == 404
    )
    active = client.get(url, {"active": "true", "enterprise": ent.credit_code}).json()["results"]
    assert [r["specialist"] for r in active] == ["staff_a2"]


def test_cross_district_assignments_are_refused(api, users, ref, ent, make_enterprise):
    url = reverse("serviceassignment-list")
    # Another district's enterprise: not found.
    outsider = api(users.staff_b).post(url, {"enterprise": ent.credit_code, "specialist": "staff_b"}, format="json")
    assert outsider.status_code == 404
    # A specialist of another district (or a name that does not exist): 400 with the same message.
    for name in ("staff_b", "staff_bj", "nobody-at-all"):
        wrong = api(users.staff_a).post(url, {"enterprise": ent.credit_code, "specialist": name}, format="json")
        assert wrong.status_code == 400, name
        assert wrong.json()["code"] == "invalid_specialist"
        assert wrong.json()["errors"]["specialist"] == [f"{name} is not active district service staff of 渝北区."]
    # Officials read but do not assign.
    assert api(users.official).post(url, {"enterprise": ent.credit_code, "specialist": "staff_a"}).status_code == 403
    assert not ServiceAssignment.objects.exists()


def test_package_edit_end_and_unassigned_list(api, users, ref, ent, make_enterprise):
    other = make_enterprise("500112", name="渝北无专员有限公司")
    client = api(users.staff_a)
    created = client.post(
        reverse("serviceassignment-list"), {"enterprise": ent.credit_code, "specialist": "staff_a"}, format="json"
    ).json()
    detail = reverse("serviceassignment-detail", args=[created["id"]])
    patched = client.patch(
        detail,
        {"policy_measures": [measure_id("22"), measure_id("22"), measure_id("14")], "policy_notes": "用地"},
        format="json",
    )
    assert patched.status_code == 200 and package(patched.json()) == [(CQ_PLAN, "14"), (CQ_PLAN, "22")]
    assert patched.json()["policy_notes"] == "用地"
    beijing = client.patch(detail, {"policy_measures": [measure_id("六.2", "bj-2023-ten-actions")]}, format="json")
    assert beijing.status_code == 400 and beijing.json()["code"] == "measure_of_another_region"
    assert beijing.json()["errors"]["policy_measures"] == [
        "Not measures of a policy of Chongqing Municipality, where the enterprise is: bj-2023-ten-actions:六.2."
    ]
    for bad in (["CQ-22"], "CQ-22", [999_999], list(range(1, 52))):
        refused = client.patch(detail, {"policy_measures": bad}, format="json")
        assert refused.status_code == 400 and "policy_measures" in refused.json()["errors"], bad
    assert package(client.get(detail).json()) == [(CQ_PLAN, "14"), (CQ_PLAN, "22")]
    assert client.put(detail, {}, format="json").status_code == 405

    unassigned = client.get(reverse("serviceassignment-unassigned")).json()
    assert [e["name"] for e in unassigned["results"]] == ["渝北无专员有限公司"]
    assert client.get(reverse("serviceassignment-unassigned"), {"has_tier": "true"}).json()["count"] == 0
    assert client.get(reverse("serviceassignment-unassigned"), {"expiring_within_days": "soon"}).status_code == 400
    assert api(users.staff_b).get(reverse("serviceassignment-unassigned")).json()["count"] == 0

    end = reverse("serviceassignment-end", args=[created["id"]])
    assert client.post(end, {}, format="json").status_code == 400
    ended = client.post(end, {"reason": "企业迁出本区"}, format="json")
    assert ended.status_code == 200 and ended.json()["is_active"] is False
    assert client.post(end, {"reason": "again"}, format="json").status_code == 409
    assert client.patch(detail, {"policy_notes": "x"}, format="json").status_code == 409
    assert client.get(reverse("serviceassignment-unassigned")).json()["count"] == 2
    assert other.pk


# --- visits --------------------------------------------------------------------------------


def test_log_a_visit_with_its_demands(api, users, ref, ent):
    client = api(users.staff_a)
    response = client.post(
        reverse("visit-list"),
        {
            "enterprise": ent.credit_code,
            "visited_on": iso(-1),
            "mode": "on_site",
            "met_with": "李总",
            "notes": "扩产",
            "follow_up_on": iso(13),
            "demands": [
                {"category": "energy", "description": "用电负荷不足", "due_on": iso(20), "unit": "cq-econ-info"},
                {"category": "talent", "description": "高级技工缺口", "due_on": iso(40)},
            ],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    visit = response.json()
    assert visit["visitor"] == "staff_a"
    assert [(d["category"], d["status"]) for d in visit["demands"]] == [("energy", "assigned"), ("talent", "open")]
    demands = client.get(reverse("demand-list"), {"visit": visit["id"]}).json()["results"]
    assert {d["raised_on"] for d in demands} == {iso(-1)}
    assert client.get(reverse("visit-list"), {"mode": "on_site"}).json()["count"] == 1
    assert client.get(reverse("visit-list"), {"mode": "phone"}).json()["count"] == 0


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"mode": "telepathy"}, "mode"),
        ({"visited_on": "2026-02-30"}, "visited_on"),
        ({"visited_on": iso(1)}, "visited_on"),
        ({"follow_up_on": iso(-10)}, "follow_up_on"),
        ({"demands": [{"category": "weather", "description": "x", "due_on": iso(3)}]}, "demands"),
        ({"demands": [{"category": "land", "description": "x", "due_on": iso(3), "unit": "nope"}]}, "demands"),
        ({"demands": [{"category": "land", "description": "x", "due_on": iso(-3)}]}, "demands[0].due_on"),
        ({"demands": "lots"}, "demands"),
    ],
)
def test_bad_visits_get_400_with_a_message(api, users, ref, ent, over, field):
    body = {"enterprise": ent.credit_code, "visited_on": iso(-1), "mode": "phone", **over}
    response = api(users.staff_a).post(reverse("visit-list"), body, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["detail"] and field in response.json()["errors"]


def test_visit_to_another_districts_enterprise_is_refused(api, users, ref, ent):
    body = {"enterprise": ent.credit_code, "visited_on": iso(), "mode": "phone"}
    assert api(users.staff_b).post(reverse("visit-list"), body, format="json").status_code == 404
    assert api(users.staff_bj).post(reverse("visit-list"), body, format="json").status_code == 404
    assert api(users.official).post(reverse("visit-list"), body, format="json").status_code == 403


# --- demands -------------------------------------------------------------------------------


def test_demand_lifecycle_over_the_api(api, users, ref, ent):
    staff, official = api(users.staff_a), api(users.official)
    created = staff.post(
        reverse("demand-list"),
        {"enterprise": ent.credit_code, "category": "financing", "description": "流动资金贷款", "due_on": iso(30)},
        format="json",
    )
    assert created.status_code == 201, created.json()
    demand_id = created.json()["id"]

    def move(client, action, **extra):
        return client.post(reverse("demand-transition", args=[demand_id]), {"action": action, **extra}, format="json")

    illegal = move(staff, "close", satisfaction="satisfied")
    assert illegal.status_code == 400 and illegal.json()["code"] == "illegal_transition"
    assert "Open" in illegal.json()["detail"]
    assert move(official, "assign", unit="cq-financial-regulation").status_code == 200
    assert move(official, "start").status_code == 200
    assert move(staff, "resolve").json()["errors"]["note"]
    assert move(staff, "resolve", note="银行已授信500万元").status_code == 200
    assert move(official, "close", satisfaction="satisfied").status_code == 400
    no_satisfaction = move(staff, "close")
    assert no_satisfaction.status_code == 400 and "satisfaction" in no_satisfaction.json()["errors"]
    assert move(staff, "close", satisfaction="ecstatic").status_code == 400
    closed = move(staff, "close", satisfaction="satisfied")
    assert closed.status_code == 200 and closed.json()["satisfaction"] == "satisfied"
    assert move(staff, "reopen").status_code == 400
    reopened = move(staff, "reopen", note="额度不够", due_on=iso(15))
    assert reopened.status_code == 200
    body = reopened.json()
    assert body["status"] == "reopened" and body["due_on"] == iso(15) and body["satisfaction"] is None
    assert [e["action"] for e in body["events"]] == ["raise", "assign", "start", "resolve", "close", "reopen"]
    assert [e["actor"] for e in body["events"]] == ["staff_a", "official", "official", "staff_a", "staff_a", "staff_a"]
    assert body["events"][4]["details"] == {"satisfaction": "satisfied"}

    edited = staff.patch(
        reverse("demand-detail", args=[demand_id]), {"description": "流动资金贷款1000万元"}, format="json"
    )
    assert edited.status_code == 200 and edited.json()["events"][-1]["action"] == "edit"
    assert staff.put(reverse("demand-detail", args=[demand_id]), {}, format="json").status_code == 405
    assert staff.delete(reverse("demand-detail", args=[demand_id])).status_code == 405


def test_only_the_district_edits_a_demand_after_it_is_raised(api, users, ref, ent):
    """Issue 12, item 4: officials route demands (assign, with a new due date) but do not rewrite them."""
    body = {"enterprise": ent.credit_code, "category": "land", "description": "用地指标", "due_on": iso(5)}
    demand_id = api(users.staff_a).post(reverse("demand-list"), body, format="json").json()["id"]
    url = reverse("demand-detail", args=[demand_id])
    for user in (users.official, users.progadmin, users.auditor):
        response = api(user).patch(url, {"description": "改写", "category": "other", "due_on": iso(90)}, format="json")
        assert response.status_code == 403, (user.username, response.status_code)
        assert response.json()["detail"]
    for user in (users.official_bj, users.staff_b):
        assert api(user).patch(url, {"description": "改写"}, format="json").status_code in (403, 404)
    demand = Demand.objects.get(pk=demand_id)
    assert (demand.description, demand.category, demand.due_on.isoformat()) == ("用地指标", "land", iso(5))
    assert not demand.events.filter(action="edit").exists()
    # The official changes the due date as part of routing, recorded as an assignment.
    routed = api(users.official).post(
        reverse("demand-transition", args=[demand_id]), {"action": "assign", "unit": "cq-districts", "due_on": iso(20)},
        format="json",
    )  # fmt: skip
    assert routed.status_code == 200 and routed.json()["due_on"] == iso(20)
    assert api(users.staff_a).patch(url, {"description": "用地指标50亩"}, format="json").status_code == 200


def test_demands_on_another_districts_enterprise_are_not_found(api, users, ref, ent):
    body = {"enterprise": ent.credit_code, "category": "land", "description": "x", "due_on": iso(5)}
    assert api(users.staff_b).post(reverse("demand-list"), body, format="json").status_code == 404
    created = api(users.staff_a).post(reverse("demand-list"), body, format="json").json()
    transition = reverse("demand-transition", args=[created["id"]])
    for user in (users.staff_b, users.staff_bj, users.official_bj):
        client = api(user)
        assert client.post(transition, {"action": "assign", "unit": "cq-districts"}, format="json").status_code in (
            403,
            404,
        )
        assert client.get(reverse("demand-detail", args=[created["id"]])).status_code in (403, 404)
    # Officials of the jurisdiction see it, but only the district raises demands.
    assert api(users.official).get(reverse("demand-detail", args=[created["id"]])).status_code == 200
    raised = api(users.official).post(reverse("demand-list"), body, format="json")
    assert raised.status_code == 400 and raised.json()["code"] == "forbidden_role"


def test_a_demand_can_point_only_to_a_visit_of_its_enterprise(api, users, ref, ent, make_enterprise):
    other = make_enterprise("500112")
    visit = servicedesk.visit_log(actor=users.staff_a, enterprise=other, visited_on=TODAY(), mode="online")
    base = {"enterprise": ent.credit_code, "category": "land", "description": "x", "due_on": iso(5)}
    wrong = api(users.staff_a).post(reverse("demand-list"), {**base, "visit": visit.pk}, format="json")
    assert wrong.status_code == 400 and "visit" in wrong.json()["errors"]
    hidden = api(users.staff_b).post(
        reverse("demand-list"),
        {**base, "enterprise": make_enterprise("500105").credit_code, "visit": visit.pk},
        format="json",
    )
    assert hidden.status_code == 400 and hidden.json()["errors"]["visit"] == ["No such visit."]


def test_demand_filters_and_counts(api, users, ref, ent, make_enterprise):
    jiangbei = make_enterprise("500105")
    today = TODAY()

    def raise_(enterprise, actor, category, due_days, unit=None):
        return servicedesk.demand_create(
            actor=actor,
            enterprise=enterprise,
            category=category,
            description="d",
            raised_on=today - timedelta(days=30),
            due_on=today + timedelta(days=due_days),
            unit=unit,
        )

    land = raise_(ent, users.staff_a, "land", -3, ResponsibleUnit.objects.get(code="cq-planning"))
    raise_(ent, users.staff_a, "labour", 10)
    raise_(jiangbei, users.staff_b, "energy", -1, ResponsibleUnit.objects.get(code="cq-econ-info"))
    client = api(users.official)

    def ids(**params):
        response = client.get(reverse("demand-list"), params)
        assert response.status_code == 200, response.json()
        return sorted((d["category"], d["is_overdue"]) for d in response.json()["results"])

    assert ids(overdue="true") == [("energy", True), ("land", True)]
    assert ids(overdue="false") == [("labour", False)]
    assert ids(category="land") == [("land", True)]
    assert ids(status="open") == [("labour", False)]
    assert ids(status="assigned", district="500105") == [("energy", True)]
    assert ids(unit="cq-planning,cq-finance") == [("land", True)]
    assert ids(unit="cq-econ-info") == [("energy", True)]
    assert ids(enterprise=ent.credit_code.lower()) == [("labour", False), ("land", True)]
    assert ids(due_before=iso(0)) == [("energy", True), ("land", True)]
    assert client.get(reverse("demand-list"), {"status": "pending"}).status_code == 400
    assert client.get(reverse("demand-list"), {"overdue": "perhaps"}).status_code == 400
    assert api(users.staff_b).get(reverse("demand-list"), {"category": "land"}).json()["count"] == 0

    counts = client.get(reverse("demand-counts")).json()
    assert counts == [
        {"district": "500105", "open": 1, "overdue": 1, "resolved": 0, "closed": 0},
        {"district": "500112", "open": 2, "overdue": 1, "resolved": 0, "closed": 0},
    ]
    assert api(users.staff_a).get(reverse("demand-counts")).json() == [counts[1]]
    assert client.get(reverse("demand-counts"), {"on": "yesterday"}).status_code == 400
    assert land.pk


def test_demands_are_routed_to_the_responsible_units_of_the_programs(api, users, ref, ent):
    created = api(users.staff_a).post(
        reverse("demand-list"),
        {
            "enterprise": ent.credit_code,
            "category": "land",
            "description": "x",
            "due_on": iso(5),
            "unit": "cq-planning",
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert created.json()["unit"] == "cq-planning" and created.json()["unit_name"] == (
        "Chongqing Municipal Bureau of Planning and Natural Resources"
    )
    transition = reverse("demand-transition", args=[created.json()["id"]])
    for code, status in (("bj-districts", 400), ("no-such-unit", 400), ("cq-districts", 200)):
        response = api(users.official).post(transition, {"action": "assign", "unit": code}, format="json")
        assert response.status_code == status, (code, response.json())
        assert status == 200 or "unit" in response.json()["errors"]
    units = [u["code"] for u in api(users.staff_a).get(reverse("responsibleunit-list")).json()]
    assert {"cq-planning", "cq-districts", "bj-districts"} <= set(units)


def test_list_query_counts_do_not_grow_with_rows(api, users, ref, make_enterprise, django_assert_max_num_queries):
    unit = ResponsibleUnit.objects.get(code="cq-districts")
    measures = list(Measure.objects.filter(policy__code=CQ_PLAN, clause__in=["14", "22"]))

    def add(n):
        for _ in range(n):
            e = make_enterprise("500112")
            servicedesk.specialist_assign(
                actor=users.staff_a, enterprise=e, specialist=users.staff_a, policy_measures=measures
            )
            servicedesk.visit_log(
                actor=users.staff_a,
                enterprise=e,
                visited_on=TODAY(),
                mode="phone",
                demands=[{"category": "land", "description": "x", "due_on": TODAY(), "unit": unit}],
            )
            make_enterprise("500112")  # one without a specialist
        servicedesk.daily_check_run()

    paths = (
        "serviceassignment-list",
        "serviceassignment-unassigned",
        "visit-list",
        "demand-list",
        "servicedeskdailycheck-list",
        "demand-counts",
    )
    client = api(users.staff_a)
    add(3)
    for path in paths:
        with django_assert_max_num_queries(5):
            small = client.get(reverse(path), {"page_size": 2})
        assert small.status_code == 200, path
    add(20)
    for path in paths:
        with django_assert_max_num_queries(5):
            big = client.get(reverse(path), {"page_size": 50})
        assert big.status_code == 200, path
    assert len(client.get(reverse("visit-list"), {"page_size": 50}).json()["results"]) == 23


def test_daily_checks_are_scoped_and_filtered(api, users, ref, ent):
    servicedesk.daily_check_run()
    mine = api(users.staff_a).get(reverse("servicedeskdailycheck-list")).json()
    assert [r["district"] for r in mine["results"]] == ["500112"]
    official = api(users.official).get(reverse("servicedeskdailycheck-list"), {"page_size": 100}).json()
    assert official["count"] == 38
    assert api(users.official).get(reverse("servicedeskdailycheck-list"), {"district": "500105"}).json()["count"] == 1
    assert api(users.official).get(reverse("servicedeskdailycheck-list"), {"day": "2020-01-01"}).json()["count"] == 0
    assert api(users.official).get(reverse("servicedeskdailycheck-list"), {"day": "soon"}).status_code == 400


def test_service_desk_errors_and_labels_are_chinese_by_default(api, users, ref, ent):
    body = {"enterprise": ent.credit_code, "visited_on": iso(2), "mode": "phone"}
    zh = api(users.staff_a, language="zh-hans").post(reverse("visit-list"), body, format="json").json()
    assert zh["errors"]["visited_on"] == ["走访日期不能晚于今天。"]
    created = (
        api(users.staff_a)
        .post(
            reverse("demand-list"),
            {"enterprise": ent.credit_code, "category": "land", "description": "x", "due_on": iso(5)},
            format="json",
        )
        .json()
    )
    closing = api(users.staff_a, language="zh-hans").post(
        reverse("demand-transition", args=[created["id"]]), {"action": "close"}, format="json"
    )
    assert closing.json()["detail"] == "当前状态为“待交办”（open），不能关闭；仅以下状态可以：已办结。"
    a = servicedesk.specialist_assign(actor=users.staff_a, enterprise=ent, specialist=users.staff_a)
    beijing = api(users.staff_a, language="zh-hans").patch(
        reverse("serviceassignment-detail", args=[a.pk]),
        {"policy_measures": [measure_id("六.2", "bj-2023-ten-actions")]},
        format="json",
    )
    assert beijing.json()["errors"]["policy_measures"] == [
        "以下措施不属于企业所在地重庆市的政策：bj-2023-ten-actions:六.2。"
    ]


def test_assignments_due_for_a_visit(api, users, ref, ent, make_enterprise):
    fresh = make_enterprise("500112", name="渝北新配专员有限公司")
    for e in (ent, fresh):
        servicedesk.specialist_assign(actor=users.staff_a, enterprise=e, specialist=users.staff_a)
    ServiceAssignment.objects.filter(enterprise=ent).update(started_at=timezone.now() - timedelta(days=200))
    client = api(users.staff_a)
    due = client.get(reverse("serviceassignment-list"), {"visit_due": "true"}).json()["results"]
    assert [(a["enterprise"]["name"], a["visit_due"]) for a in due] == [("渝北服务测试有限公司", True)]
    not_due = client.get(reverse("serviceassignment-list"), {"visit_due": "false"}).json()["results"]
    assert [a["enterprise"]["name"] for a in not_due] == ["渝北新配专员有限公司"]
    servicedesk.visit_log(actor=users.staff_a, enterprise=ent, visited_on=TODAY(), mode="on_site")
    assert client.get(reverse("serviceassignment-list"), {"visit_due": "true"}).json()["count"] == 0
    assert client.get(reverse("serviceassignment-list"), {"active": "maybe"}).status_code == 400
