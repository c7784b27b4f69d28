"""Program administrators maintain rules in the admin, validated on save; applications move by actions only."""

import json
from datetime import date

from django.urls import reverse

from accounts.models import AuditEntry
from programs.models import BenefitApplication, Policy, SubsidyRule
from programs.services.benefits import benefit_application_submit


def rule_form(measure_id, **change):
    data = {
        "code": "cq-demo-factory-award",
        "measure": measure_id,
        "name": "智能工厂奖励(示例)",
        "name_en": "",
        "kind": "fixed_cap",
        "params": json.dumps({"cap": "1000000"}),
        "effective_from": "2022-01-01",
        "effective_until": "2026-01-01",
        "clause": "重庆 28",
        "source_text": "",
        "notes": "",
    }
    return {**data, **change}


def test_a_new_rule_is_checked_by_the_engine_when_saved_in_the_admin(client, users, measure):
    client.force_login(users.progadmin)
    url = reverse("admin:programs_subsidyrule_add")
    task_28 = measure("28", "cq-2022-2025-action-plan")
    bad = client.post(url, rule_form(task_28.pk, params=json.dumps({"cap": "1000000", "rate": "0.3"})))
    assert bad.status_code == 200
    assert "未知参数 rate" in bad.content.decode()  # the admin speaks Chinese by default
    assert not SubsidyRule.objects.filter(code="cq-demo-factory-award").exists()
    good = client.post(url, rule_form(task_28.pk))
    assert good.status_code == 302
    rule = SubsidyRule.objects.get(code="cq-demo-factory-award")
    assert AuditEntry.objects.filter(object_id=str(rule.pk), action="create", actor=users.progadmin).exists()


def test_district_staff_cannot_add_rules(client, users, measure):
    client.force_login(users.staff_a)
    assert client.get(reverse("admin:programs_subsidyrule_add")).status_code == 403
    assert client.get(reverse("admin:programs_subsidyrule_changelist")).status_code == 200  # reading is fine


def test_every_programs_admin_page_opens_for_program_admins(client, users, ref):
    client.force_login(users.progadmin)
    for name in ("policy", "measure", "measuregroup", "responsibleunit", "commitment", "subsidyrule"):
        assert client.get(reverse(f"admin:programs_{name}_changelist")).status_code == 200, name
    rule = SubsidyRule.objects.get(code="bj-equity-market-financing-award")
    assert client.get(reverse("admin:programs_subsidyrule_change", args=[rule.pk])).status_code == 200


def test_approval_from_the_admin_actions_menu_is_audited(client, users, certified, measure):
    app = benefit_application_submit(
        actor=users.staff_bj,
        enterprise=certified(),
        measure=measure("五.3"),
        inputs={"contract_value": "100000"},
        basis_date=date(2025, 3, 1),
    )
    client.force_login(users.official_bj)
    response = client.post(
        reverse("admin:programs_benefitapplication_changelist"),
        {"action": "benefit_approve", "_selected_action": [app.pk]},
    )
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.status == "approved" and app.approved_amount == 30000
    entry = AuditEntry.objects.filter(object_id=str(app.pk), action="update").latest("at")
    assert entry.changes["status"] == ["submitted", "approved"]
    assert BenefitApplication.objects.get(pk=app.pk).transitions.last().actor == users.official_bj


def test_a_new_policy_with_a_measure_and_a_rule_needs_no_code(client, api, users, ref, certified):
    """A program administrator adds a policy, a group, a measure (admin) and its rule (API); it quotes at once."""
    client.force_login(users.progadmin)
    tier = ref.tiers["little_giant"]
    policy_form = {
        "code": "bj-2026-example",
        "name": "示例政策",
        "name_en": "Example policy",
        "issuer": "北京市经济和信息化局",
        "issuer_en": "",
        "document_date": "2026-03-01",
        "jurisdiction": ref.jurisdictions["110000"].pk,
        "effective_from": "2026-03-01",
        "effective_until": "2027-01-01",
        "period_note": "",
        "tiers": [tier.pk],
        "source": "",
    }
    assert client.post(reverse("admin:programs_policy_add"), policy_form).status_code == 302
    policy = Policy.objects.get(code="bj-2026-example")
    group_form = {
        "policy": policy.pk,
        "clause": "一",
        "kind": "action",
        "sort_order": 1,
        "name": "示例行动",
        "name_en": "",
    }
    assert client.post(reverse("admin:programs_measuregroup_add"), group_form).status_code == 302
    measure_form = {
        "policy": policy.pk,
        "group": policy.groups.get().pk,
        "clause": "一.1",
        "kind": "measure",
        "sort_order": 1,
        "name": "示例奖励",
        "name_en": "",
        "text": "给予最高50万元奖励。",
        "funding": "on",
        "beneficiary": "enterprise",
        "effective_from": "",
        "effective_until": "",
        "budget": "1000000",
    }
    assert client.post(reverse("admin:programs_measure_add"), measure_form).status_code == 302
    measure = policy.measures.get()
    rule = {
        "code": "bj-2026-example-award",
        "measure": measure.pk,
        "name": "示例奖励",
        "kind": "fixed_cap",
        "params": {"cap": "500000"},
        "effective_from": "2026-03-01",
        "effective_until": "2027-01-01",
        "clause": "示例 一.1",
    }
    assert api(users.progadmin).post(reverse("subsidyrule-list"), rule, format="json").status_code == 201
    firm = certified(tier="little_giant", valid_from=date(2026, 1, 1))
    quoted = api(users.staff_bj).post(
        reverse("measure-quote", args=[measure.pk]),
        {"inputs": {}, "on": "2026-06-01", "enterprise": firm.credit_code},
        format="json",
    )
    assert quoted.status_code == 200 and quoted.json()["amount"] == "500000.00" and quoted.json()["refusals"] == []
