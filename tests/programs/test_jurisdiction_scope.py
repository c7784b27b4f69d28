"""Program admins change only their own city's programs; national reference data is for the national level.

Issue 12, item 3: a program admin of Chongqing could PATCH Beijing's subsidy rules and the national tiers.
`progadmin` (no jurisdiction) is the national-level program admin; `progadmin_cq` / `progadmin_bj` are
the cities'.
"""

import pytest
from django.urls import reverse

from programs.models import Measure, Policy, SubsidyRule
from reference.models import District, Industry, Tier
from tests.programs.conftest import BJ, CQ
from tests.programs.test_admin import rule_form

BJ_RULE = "bj-equity-market-financing-award"


def rule_body(measure_id, code="cq-scope-test-award"):
    return {
        "code": code, "measure": measure_id, "name": "测试奖励", "kind": "fixed_cap", "params": {"cap": "100000"},
        "effective_from": "2022-01-01", "effective_until": "2026-01-01", "clause": "测试",
    }  # fmt: skip


def test_a_city_admin_cannot_change_another_citys_rules(api, users, ref):
    rule = SubsidyRule.objects.get(code=BJ_RULE)
    before = rule.params
    client = api(users.progadmin_cq)
    url = reverse("subsidyrule-detail", args=[rule.code])
    assert client.patch(url, {"params": {**before, "cap": "1"}}, format="json").status_code == 404
    whole = {**rule_body(rule.measure_id, rule.code), "params": {"cap": "1"}}
    assert client.put(url, whole, format="json").status_code == 404
    rule.refresh_from_db()
    assert rule.params == before
    # ...nor add one under a measure of the other city, nor move one of its own there.
    bj_measure = Measure.objects.get(policy__code=BJ, clause=rule.measure.clause)
    created = client.post(reverse("subsidyrule-list"), rule_body(bj_measure.pk), format="json")
    assert created.status_code in (400, 404) and not SubsidyRule.objects.filter(code="cq-scope-test-award").exists()
    cq_measure = Measure.objects.get(policy__code=CQ, clause="28")
    assert client.post(reverse("subsidyrule-list"), rule_body(cq_measure.pk), format="json").status_code == 201
    moved = client.patch(
        reverse("subsidyrule-detail", args=["cq-scope-test-award"]), {"measure": bj_measure.pk}, format="json"
    )
    assert moved.status_code in (400, 404)
    assert SubsidyRule.objects.get(code="cq-scope-test-award").measure_id == cq_measure.pk


def test_the_city_admin_of_the_rule_and_the_national_admin_may_change_it(api, users, ref):
    url = reverse("subsidyrule-detail", args=[BJ_RULE])
    for user in (users.progadmin_bj, users.progadmin):
        response = api(user).patch(url, {"notes": f"checked by {user.username}"}, format="json")
        assert response.status_code == 200, response.json()
    assert SubsidyRule.objects.get(code=BJ_RULE).notes == "checked by progadmin"


@pytest.mark.parametrize("who", ["progadmin_cq", "progadmin_bj", "official", "staff_a"])
def test_national_reference_data_is_not_for_city_roles(api, users, ref, who):
    client = api(getattr(users, who))
    url = reverse("tier-detail", args=["srdi_sme"])
    assert client.patch(url, {"validity_years": 1}, format="json").status_code == 403
    body = {"code": "cq-local-tier", "name": "地方梯度", "level": 2, "certifying_level": "provincial",
            "effective_from": "2026-01-01"}  # fmt: skip
    assert client.post(reverse("tier-list"), body, format="json").status_code == 403
    assert Tier.objects.get(code="srdi_sme").validity_years == 3
    assert not Tier.objects.filter(code="cq-local-tier").exists()
    assert api(users.progadmin).patch(url, {"validity_years": 3}, format="json").status_code == 200


def test_admin_pages_follow_the_same_rules(client, users, ref):
    client.force_login(users.progadmin_cq)
    bj_policy = Policy.objects.get(code=BJ)
    page = client.get(reverse("admin:programs_policy_change", args=[bj_policy.pk]))
    assert page.status_code == 200 and b'name="name"' not in page.content  # read-only view
    posted = client.post(reverse("admin:programs_policy_change", args=[bj_policy.pk]), {"name": "改"})
    assert posted.status_code == 403
    assert Policy.objects.get(code=BJ).name == bj_policy.name
    rule = SubsidyRule.objects.get(code=BJ_RULE)
    assert client.post(reverse("admin:programs_subsidyrule_change", args=[rule.pk]), {"name": "改"}).status_code == 403
    for model in (Tier, District, Industry):
        obj = model.objects.first()
        opts = model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
        assert client.post(url, {"name": "改"}).status_code == 403, opts.label
        assert client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add")).status_code == 403
    # Adding a rule offers only the city's own measures.
    add = client.get(reverse("admin:programs_subsidyrule_add"))
    offered = {int(v) for v in add.context["adminform"].form.fields["measure"].queryset.values_list("pk", flat=True)}
    assert offered == set(Measure.objects.filter(policy__code=CQ).values_list("pk", flat=True))
    bj_measure = Measure.objects.filter(policy__code=BJ).first()
    refused = client.post(reverse("admin:programs_subsidyrule_add"), rule_form(bj_measure.pk, code="x-bj"))
    assert refused.status_code == 200 and not SubsidyRule.objects.filter(code="x-bj").exists()
    own = client.post(reverse("admin:programs_subsidyrule_add"), rule_form(offered.pop(), code="x-cq"))
    assert own.status_code == 302


def test_the_demo_has_a_program_admin_per_city():
    from accounts.demo_data import DEMO_USERS

    admins = {jurisdiction for _name, role, _d, jurisdiction, _s in DEMO_USERS if role == "program_admin"}
    assert {"500000", "110000"} <= admins
