"""The programs API: policies and measures, quotes with their trace, rules as data, benefit applications."""

from datetime import date

import pytest
from django.urls import reverse

from programs.models import SubsidyRule
from programs.services.benefits import benefit_application_submit

pytestmark = pytest.mark.django_db


def quote(client, measure_id, inputs, on="2025-03-01", **extra):
    return client.post(
        reverse("measure-quote", args=[measure_id]), {"inputs": inputs, "on": on, **extra}, format="json"
    )


def test_policies_with_their_groups_and_commitments(api, users, ref):
    client = api(users.staff_a)
    listing = client.get(reverse("policy-list")).json()
    assert [p["code"] for p in listing] == ["bj-2023-ten-actions", "cq-2022-2025-action-plan"]
    bj = client.get(reverse("policy-detail", args=["bj-2023-ten-actions"])).json()
    assert bj["effective_until"] == "2029-01-01" and set(bj["tiers"]) == {"srdi_sme", "little_giant"}
    assert [g["name"] for g in bj["groups"]][:2] == ["创新领航", "融通入链"]
    cq = client.get(reverse("policy-detail", args=["cq-2022-2025-action-plan"])).json()
    assert len(cq["commitments"]) == 12
    assert {"code": "cq-t7-digital-workshops", "quantity": "400.00"}.items() <= next(
        c for c in cq["commitments"] if c["code"] == "cq-t7-digital-workshops"
    ).items()
    assert len(cq["groups"][2]["units"]) == 8 and "cq-districts" in cq["groups"][2]["units"]


def test_measures_list_filter_and_detail(api, users, measure):
    client = api(users.staff_bj)
    tasks = client.get(reverse("measure-list"), {"policy": "cq-2022-2025-action-plan", "kind": "task"}).json()
    assert tasks["count"] == 30
    with_rules = client.get(reverse("measure-list"), {"has_rule": "true", "page_size": 100}).json()
    assert sorted(m["clause"] for m in with_rules["results"]) == sorted(
        ["一.2", "五.2", "五.3", "六.1", "六.2", "六.5", "七.3", "九.1", "九.4"]
    )
    task_7 = client.get(reverse("measure-detail", args=[measure("7", "cq-2022-2025-action-plan").pk])).json()
    assert {"cq-econ-info", "cq-districts", "cq-ecology"} <= set(task_7["units"]) and len(task_7["units"]) == 6
    assert [c["quantity"] for c in task_7["commitments"]] == ["400.00", "50.00", "100.00"]
    assert task_7["effective_from"] == "2022-01-01" and task_7["committed"] == "0.00"
    digital = client.get(reverse("measure-detail", args=[measure("五.2").pk])).json()
    assert digital["industries"] == ["C"] and set(digital["tiers"]) == {"srdi_sme", "little_giant"}
    assert digital["rules"][0]["code"] == "bj-digital-transformation"


def test_quote_returns_the_amount_and_its_trace(api, users, measure):
    response = quote(api(users.staff_a), measure("六.2").pk, {"annual_direct_financing": "2500000000"})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["amount"], body["rule"], body["clause"], body["on"]) == (
        "1000000.00",
        "bj-equity-market-financing-award",
        "六.2",
        "2025-03-01",
    )
    steps = [s["step"] for s in body["trace"]]
    assert steps == ["rule", "band", "band", "total_cap", "result"]
    assert "北京 六.2" in body["trace"][0]["text"]
    assert body["trace"][1]["text"].startswith("Band 1 (2,000,000,000.00, 2,500,000,000.00] at 2‰")
    assert "falls in this band" in body["trace"][1]["text"]
    assert body["trace"][2]["text"].startswith("Band 2 (2,500,000,000.00, ∞) at 3‰")
    assert body["trace"][3]["text"] == "Within the total cap of 2,000,000.00."
    capped = quote(api(users.staff_a), measure("六.2").pk, {"annual_direct_financing": "9000000000"}).json()
    assert capped["amount"] == "2000000.00" and "Total cap of 2,000,000.00 applied" in capped["trace"][3]["text"]


def test_quote_in_chinese(api, users, measure):
    body = quote(api(users.staff_bj, language="zh-hans"), measure("五.3").pk, {"contract_value": "2000000"}).json()
    assert body["amount"] == "300000.00"
    assert any("封顶" in s["text"] for s in body["trace"]), body["trace"]


def test_a_day_outside_the_period_is_refused_with_a_message(api, users, measure):
    client = api(users.staff_bj)
    response = quote(client, measure("五.3").pk, {"contract_value": "1000"}, on="2029-01-01")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "not_in_force" and "2029-01-01" in body["detail"] and "errors" in body
    assert "bj-cloud-adoption [2023-06-13, 2029-01-01)" in body["detail"]
    by_rule = client.post(
        reverse("subsidyrule-quote", args=["bj-cloud-adoption"]),
        {"inputs": {"contract_value": "1000"}, "on": "2023-06-12"},
        format="json",
    )
    assert by_rule.status_code == 400
    assert by_rule.json()["detail"] == (
        "Rule bj-cloud-adoption is in force from 2023-06-13 until 2029-01-01 (exclusive); "
        "2023-06-12 is outside its period, so it gives no amount for that day."
    )


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"inputs": {"contract_value": "-5"}}, "negative", "inputs"),
        ({"inputs": {"contract_value": [1, 2]}}, "not_a_number", "inputs"),
        ({"inputs": {"contract_value": {"a": 1}}}, "not_a_number", "inputs"),
        ({"inputs": {"contract_value": "1", "x": "2"}}, "unknown_input", "inputs"),
        ({"inputs": {}}, "missing_input", "inputs"),
        ({"inputs": "5000"}, "invalid", "inputs"),
        ({"inputs": {"contract_value": "5"}, "on": "2025-13-01"}, "invalid", "on"),
        ({"inputs": {"contract_value": "5"}, "enterprise": "91500112MA5U000000"}, "not_found", None),
    ],
)
def test_bad_quote_requests_get_a_clear_4xx(api, users, measure, body, code, field):
    response = api(users.staff_bj).post(reverse("measure-quote", args=[measure("五.3").pk]), body, format="json")
    assert 400 <= response.status_code < 500
    data = response.json()
    assert data["code"] == code and data["detail"]
    if field:
        assert field in data["errors"]


def test_a_measure_without_an_amount_says_so(api, users, measure):
    response = quote(api(users.staff_bj), measure("四.1").pk, {})
    assert response.status_code == 400 and response.json()["code"] == "no_rule"


def test_quoting_is_open_to_every_role_but_not_to_anonymous(api, users, measure):
    url = reverse("measure-quote", args=[measure("五.3").pk])
    for user in (users.staff_a, users.official, users.progadmin, users.auditor):
        assert api(user).post(url, {"inputs": {"contract_value": "1"}}, format="json").status_code == 200
    assert api(users.norole).post(url, {}, format="json").status_code == 403
    assert api(None).post(url, {}, format="json").status_code in (401, 403)


def test_program_admins_maintain_rules_without_code_changes(api, users, measure):
    admin_client = api(users.progadmin)
    task_27 = measure("27", "cq-2022-2025-action-plan")
    new = {
        "code": "cq-little-giant-award",
        "measure": task_27.pk,
        "name": "小巨人资金奖励(示例)",
        "kind": "fixed_cap",
        "params": {"cap": "500000", "one_time": True},
        "effective_from": "2022-01-01",
        "effective_until": "2026-01-01",
        "clause": "重庆 27",
    }
    assert api(users.staff_a).post(reverse("subsidyrule-list"), new, format="json").status_code == 403
    created = admin_client.post(reverse("subsidyrule-list"), new, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["inputs"] == {"requested_amount": False}
    # A new rate for the cloud rule, then a new end date: the next quote uses them.
    url = reverse("subsidyrule-detail", args=["bj-cloud-adoption"])
    assert (
        admin_client.patch(
            url, {"params": {"base": "contract_value", "rate": "0.25", "cap": "250000"}}, format="json"
        ).status_code
        == 200
    )
    assert quote(api(users.staff_bj), measure("五.3").pk, {"contract_value": "100000"}).json()["amount"] == "25000.00"
    assert admin_client.patch(url, {"effective_until": "2025-01-01"}, format="json").status_code == 200
    assert quote(api(users.staff_bj), measure("五.3").pk, {"contract_value": "1"}).json()["code"] == "not_in_force"


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"params": {"base": "contract_value", "rate": "30"}}, "params", "rate above 0 and at most 1"),
        ({"params": {"base": "contract_value"}}, "params", "Missing parameter: rate"),
        ({"kind": "percentage"}, "kind", "not a valid choice"),
        ({"effective_until": "2020-01-01"}, "effective_until", "after the start"),
        ({"params": {"base": "contract_value", "rate": "0.3"}, "kind": "marginal_bands"}, "params", "Missing"),
    ],
)
def test_invalid_rules_are_refused_on_save(api, users, change, field, message):
    response = api(users.progadmin).patch(
        reverse("subsidyrule-detail", args=["bj-cloud-adoption"]), change, format="json"
    )
    assert response.status_code == 400
    assert message in " ".join(response.json()["errors"][field])
    assert SubsidyRule.objects.get(code="bj-cloud-adoption").params["rate"] == "0.30"


def test_a_second_rule_may_not_overlap_the_first(api, users, measure):
    response = api(users.progadmin).post(
        reverse("subsidyrule-list"),
        {
            "code": "bj-cloud-adoption-2027",
            "measure": measure("五.3").pk,
            "name": "上云 2027",
            "kind": "share_with_cap",
            "params": {"base": "contract_value", "rate": "0.4"},
            "effective_from": "2027-01-01",
            "clause": "北京 五.3",
        },
        format="json",
    )
    assert response.status_code == 400 and "bj-cloud-adoption" in response.json()["errors"]["effective_from"][0]


def test_benefit_applications_through_the_api(api, users, certified, measure):
    firm = certified()
    staff = api(users.staff_bj)
    created = staff.post(
        reverse("benefitapplication-list"),
        {
            "enterprise": firm.credit_code,
            "measure": measure("五.2").pk,
            "inputs": {"contract_value": "2000000"},
            "basis_date": "2025-03-01",
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["amount"] == "400000.00" and body["status"] == "submitted" and body["clause"] == "五.2"
    assert body["trace"][1]["text"] == "20% of contract_value 2,000,000.00 = 400,000.00."
    url = reverse("benefitapplication-transition", args=[body["id"]])
    assert staff.post(url, {"action": "approve"}, format="json").status_code == 400
    official = api(users.official_bj)
    assert official.post(url, {"action": "dance"}, format="json").json()["code"] == "illegal_transition"
    assert official.post(url, {"action": "approve", "amount": "abc"}, format="json").status_code == 400
    approved = official.post(url, {"action": "approve"}, format="json")
    assert approved.status_code == 200 and approved.json()["approved_amount"] == "400000.00"
    assert [t["action"] for t in approved.json()["transitions"]] == ["submit", "approve"]
    assert api(users.official).post(url, {"action": "pay"}, format="json").status_code == 404
    listing = api(users.staff_bj).get(reverse("benefitapplication-list"), {"status": "approved"}).json()
    assert listing["count"] == 1
    assert api(users.staff_a).get(reverse("benefitapplication-list")).json()["count"] == 0


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({}, 400),
        ({"enterprise": "x", "measure": 1}, 404),
        ({"enterprise": "91110108000000019X", "measure": 999999}, 400),
        ({"enterprise": "91110108000000019X", "measure": "abc"}, 400),
    ],
)
def test_bad_benefit_applications_get_a_clear_4xx(api, users, ref, body, status):
    response = api(users.staff_bj).post(reverse("benefitapplication-list"), body, format="json")
    assert response.status_code == status and response.json()["detail"]


def test_list_query_counts_do_not_grow_with_rows(api, users, certified, measure, django_assert_max_num_queries):
    def add(n):
        for _ in range(n):
            benefit_application_submit(
                actor=users.staff_bj,
                enterprise=certified(),
                measure=measure("九.4"),
                inputs={"actual_cost": "1000"},
                basis_date=date(2025, 3, 1),
            )

    add(2)
    client = api(users.staff_bj)
    budgets = {  # the page and its count, plus one query per prefetched relation
        "policy-list": 2,
        "measure-list": 8,
        "subsidyrule-list": 2,
        "responsibleunit-list": 1,
        "benefitapplication-list": 2,
    }
    for name, budget in budgets.items():
        with django_assert_max_num_queries(budget):
            assert client.get(reverse(name), {"page_size": 2}).status_code == 200
    add(20)
    for name, budget in budgets.items():
        with django_assert_max_num_queries(budget):
            assert client.get(reverse(name), {"page_size": 100}).status_code == 200


def test_refusals_are_chinese_by_default(api, users, measure):
    response = quote(
        api(users.staff_bj, language="zh-hans"), measure("五.3").pk, {"contract_value": "1"}, on="2029-01-01"
    )
    assert response.status_code == 400
    assert response.json()["detail"].startswith("措施 五.3 在 2029-01-01 没有有效的规则")
    bad = quote(api(users.staff_bj, language="zh-hans"), measure("五.3").pk, {"contract_value": "-1"})
    assert bad.json()["detail"] == "contract_value 不能为负数。"
