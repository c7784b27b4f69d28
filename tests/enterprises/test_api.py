"""The registry API from the outside: create, read, update, filters, lifecycle, and clear 4xx errors."""

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEntry
from enterprises.rules import credit_code
from tiers.services import lifecycle

CODE = credit_code.make("91500112000001234")


def create(api, user, **over):
    body = {"credit_code": CODE.lower(), "name": "重庆渝北新建有限公司", "district": "500112", "industry": "C", **over}
    return api(user).post(reverse("enterprise-list"), body, format="json")


def test_create_normalises_code_and_detail_is_addressed_by_it(api, users, ref):
    response = create(api, users.staff_a)
    assert response.status_code == 201, response.json()
    assert response.json()["credit_code"] == CODE
    detail = api(users.staff_a).get(reverse("enterprise-detail", args=[CODE.lower()]))
    assert detail.status_code == 200 and detail.json()["name"] == "重庆渝北新建有限公司"


@pytest.mark.parametrize(
    ("over", "field", "fragment"),
    [
        ({"credit_code": "91500112000001235X"}, "credit_code", "check character"),
        ({"credit_code": "abc"}, "credit_code", "18 characters"),
        ({"district": "999999"}, "district", ""),
        ({"industry": "Z"}, "industry", ""),
        ({"name": ""}, "name", ""),
        ({"founded_on": "2020-02-30"}, "founded_on", ""),
        ({"listing_status": "star"}, "listed_on", "listing date"),
        ({"size_class": "huge"}, "size_class", ""),
    ],
)
def test_bad_input_gets_400_with_a_message_per_field(api, users, ref, over, field, fragment):
    response = create(api, users.staff_a, **over)
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["detail"] and body["code"] == "invalid"
    assert field in body["errors"]
    assert fragment in " ".join(body["errors"][field])


def test_duplicate_credit_code_is_a_400_not_a_500(api, users, ref):
    assert create(api, users.staff_a).status_code == 201
    response = create(api, users.staff_a)
    assert response.status_code == 400
    assert "credit_code" in response.json()["errors"]


def test_malformed_json_and_unknown_lookups(api, users, ref):
    client = api(users.staff_a)
    bad = client.generic("POST", reverse("enterprise-list"), "{not json", content_type="application/json")
    assert bad.status_code == 400 and bad.json()["detail"]
    assert client.get(reverse("enterprise-detail", args=["91500112000000000X"])).status_code == 404
    assert client.get(reverse("application-detail", args=[999999])).status_code == 404
    assert client.get(reverse("enterprise-list"), {"page": 999}).status_code == 404
    assert client.get(reverse("enterprise-list"), {"expiring_within_days": "soon"}).status_code == 400
    assert client.delete(reverse("enterprise-detail", args=[CODE])).status_code == 405


def test_update_is_audited_with_before_after_actor_and_address(api, users, ref, make_enterprise):
    ent = make_enterprise(name="旧名称有限公司")
    url = reverse("enterprise-detail", args=[ent.credit_code])
    response = api(users.staff_a).patch(url, {"name": "新名称有限公司"}, format="json", REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 200
    entry = AuditEntry.objects.filter(object_id=str(ent.pk), action="update").latest("id")
    assert entry.changes["name"] == ["旧名称有限公司", "新名称有限公司"]
    assert entry.actor == users.staff_a and entry.remote_addr == "10.1.2.3"
    history = api(users.staff_a).get(reverse("enterprise-history", args=[ent.credit_code])).json()["results"]
    assert history[0]["changes"]["name"] == ["旧名称有限公司", "新名称有限公司"]


def test_credit_code_cannot_be_changed_by_update(api, users, ref, make_enterprise):
    ent = make_enterprise()
    url = reverse("enterprise-detail", args=[ent.credit_code])
    api(users.staff_a).patch(url, {"credit_code": CODE}, format="json")
    ent.refresh_from_db()
    assert ent.credit_code != CODE


def test_facts_put_upserts_and_validates(api, users, ref, make_enterprise):
    ent = make_enterprise()
    url = reverse("enterprise-facts", args=[ent.credit_code])
    client = api(users.staff_a)
    assert (
        client.put(url, {"year": 2024, "revenue": "100", "main_business_revenue": "90"}, format="json").status_code
        == 200
    )
    assert client.put(url, {"year": 2024, "revenue": "120"}, format="json").status_code == 200
    facts = client.get(url).json()
    assert len(facts) == 1 and facts[0]["revenue"] == "120.00"
    bad = client.put(url, {"year": 2024, "revenue": "10", "main_business_revenue": "90"}, format="json")
    assert bad.status_code == 400 and "main_business_revenue" in bad.json()["errors"]


def test_filters(api, users, ref, make_enterprise):
    a = make_enterprise("500112", name="甲精密有限公司", size_class="medium")
    make_enterprise("500105", name="乙软件有限公司", industry="I")
    lifecycle.certification_import(
        actor=users.superuser, enterprise=a, tier=ref.tiers["innovative_sme"], valid_from=timezone.localdate()
    )
    client = api(users.official)

    def names(**params):
        return [e["name"] for e in client.get(reverse("enterprise-list"), params).json()["results"]]

    assert names(district="500105") == ["乙软件有限公司"]
    assert names(tier="innovative_sme") == ["甲精密有限公司"]
    assert names(industry="I") == ["乙软件有限公司"]
    assert names(size_class="medium") == ["甲精密有限公司"]
    assert names(q="精密") == ["甲精密有限公司"]
    assert names(q=a.credit_code[:12].lower()) == ["甲精密有限公司"]
    assert names(certification_status="active") == ["甲精密有限公司"]
    assert names(has_tier="false") == ["乙软件有限公司"]


def test_application_lifecycle_over_the_api(api, users, ref, make_enterprise):
    ent = make_enterprise()
    staff, official = api(users.staff_a), api(users.official)
    created = staff.post(
        reverse("application-list"),
        {"enterprise": ent.credit_code, "tier": "innovative_sme", "batch_year": 2026},
        format="json",
    )
    assert created.status_code == 201, created.json()
    app_id = created.json()["id"]

    def move(client, action, **extra):
        return client.post(reverse("application-transition", args=[app_id]), {"action": action, **extra}, format="json")

    illegal = move(official, "certify")
    assert illegal.status_code == 400 and illegal.json()["code"] == "illegal_transition"
    assert "Submitted" in illegal.json()["detail"]
    assert move(staff, "recommend").status_code == 200
    assert move(official, "start_review").status_code == 200
    assert move(official, "publicise").status_code == 200
    done = move(official, "certify", valid_from="2026-07-01")
    assert done.status_code == 200 and done.json()["status"] == "certified"
    assert [t["action"] for t in done.json()["transitions"]] == [
        "submit",
        "recommend",
        "start_review",
        "publicise",
        "certify",
    ]
    cert = api(users.staff_a).get(reverse("certification-list"), {"enterprise": ent.credit_code}).json()["results"][0]
    assert (cert["valid_from"], cert["valid_until"]) == ("2026-07-01", "2029-07-01")

    revoke = api(users.official).post(
        reverse("certification-transition", args=[cert["id"]]), {"action": "revoke"}, format="json"
    )
    assert revoke.status_code == 400 and "reason" in revoke.json()["detail"]


def test_application_for_unknown_tier_or_enterprise(api, users, ref):
    client = api(users.staff_a)
    r1 = client.post(
        reverse("application-list"), {"enterprise": CODE, "tier": "nope", "batch_year": 2026}, format="json"
    )
    assert r1.status_code == 400 and "tier" in r1.json()["errors"]
    r2 = client.post(
        reverse("application-list"), {"enterprise": CODE, "tier": "innovative_sme", "batch_year": 2026}, format="json"
    )
    assert r2.status_code == 404


def test_list_query_count_does_not_grow_with_rows(api, users, ref, make_enterprise, django_assert_max_num_queries):
    for _ in range(5):
        e = make_enterprise()
        lifecycle.certification_import(
            actor=users.superuser, enterprise=e, tier=ref.tiers["innovative_sme"], valid_from=timezone.localdate()
        )
    client = api(users.staff_a)
    for path in ("enterprise-list", "certification-list", "application-list", "auditentry-list", "importrun-list"):
        with django_assert_max_num_queries(4):
            small = client.get(reverse(path), {"page_size": 2})
        assert small.status_code == 200
    for _ in range(20):
        e = make_enterprise()
        lifecycle.certification_import(
            actor=users.superuser, enterprise=e, tier=ref.tiers["innovative_sme"], valid_from=timezone.localdate()
        )
    for path in ("enterprise-list", "certification-list", "application-list", "auditentry-list", "importrun-list"):
        with django_assert_max_num_queries(4):
            big = client.get(reverse(path), {"page_size": 50})
        assert big.status_code == 200
