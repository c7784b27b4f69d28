"""The facts the 2026 criteria read (development score, national rank, years in the niche, six-basics / key-chain
product), entered through the API and on the enterprise page, checked, scoped and audited."""

from decimal import Decimal

from django.urls import reverse

from accounts.models import AuditEntry
from enterprises.models import EnterpriseYearFact


def test_the_api_records_the_new_facts_and_refuses_bad_ones(api, users, ref, make_enterprise):
    ent = make_enterprise("500112")
    url = reverse("enterprise-facts", args=[ent.credit_code])
    body = {
        "year": 2025,
        "development_score": "55.5",
        "national_market_rank": 3,
        "niche_years": 4,
        "chain_product": True,
    }
    response = api(users.staff_a).put(url, body, format="json")
    assert response.status_code == 200, response.json()
    fact = EnterpriseYearFact.objects.get(enterprise=ent, year=2025)
    assert (fact.development_score, fact.national_market_rank, fact.niche_years, fact.chain_product) == (
        Decimal("55.5"), 3, 4, True
    )  # fmt: skip
    entry = AuditEntry.objects.filter(content_type__model="enterpriseyearfact").latest("id")
    assert entry.changes["development_score"] == [None, "55.50"] and entry.actor_id == users.staff_a.pk
    bad = api(users.staff_a).put(
        url, {"year": 2025, "development_score": "120", "national_market_rank": 0}, format="json"
    )
    assert bad.status_code == 400 and {"development_score", "national_market_rank"} <= set(bad.json()["errors"])
    assert api(users.staff_b).put(url, body, format="json").status_code == 404


def test_district_staff_enter_a_year_on_the_enterprise_page(client, users, ref, make_enterprise):
    ent = make_enterprise("500112")
    url = reverse("enterprises:year-facts", args=[ent.credit_code])
    client.force_login(users.staff_a)
    page = client.get(reverse("enterprises:detail", args=[ent.credit_code])).content.decode()
    assert 'id="enter-year-facts"' in page
    assert client.get(url).status_code == 200
    posted = client.post(
        url, {"year": "2025", "revenue": "20000000", "development_score": "61", "chain_product": "true"}
    )
    assert posted.status_code == 302
    fact = EnterpriseYearFact.objects.get(enterprise=ent, year=2025)
    assert (fact.revenue, fact.development_score, fact.chain_product, fact.niche_years) == (
        Decimal(20_000_000), Decimal(61), True, None
    )  # fmt: skip
    assert AuditEntry.objects.filter(content_type__model="enterpriseyearfact", object_id=str(fact.pk)).exists()
    refused = client.post(url, {"year": "2025", "development_score": "-1"})
    assert refused.status_code == 400
    text = refused.content.decode()
    assert "field-error" in text.split('id="field-development_score"')[1].split("</p>")[0]
    refused = client.post(url, {"year": "2025", "revenue": "100", "main_business_revenue": "200"})
    assert refused.status_code == 400  # the model's own check, through the service
    block = refused.content.decode().split('id="field-main_business_revenue"')[1].split("</p>")[0]
    assert "field-error" in block
    again = client.get(f"{url}?year=2025").content.decode()
    assert 'value="20000000.00"' in again  # the stored year comes back for correction
    client.force_login(users.official)
    assert client.get(url).status_code == 404  # officials read district data, they do not enter it
    client.force_login(users.staff_b)
    assert client.get(url).status_code == 404
