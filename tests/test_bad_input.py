"""Regressions of the 5xx answers the fuzzer found: each bad input now gets a 4xx with a message."""

import pytest
from django.urls import reverse

pytestmark = [pytest.mark.django_db]


def test_a_nul_character_in_a_query_parameter_is_a_400_not_a_500(api, users):
    # Was: DataError "PostgreSQL text fields cannot contain NUL (0x00) bytes" from the history lookup.
    response = api(users.staff_a).get(reverse("serviceassignment-history"), {"enterprise": "9150\x00"})
    assert response.status_code == 400
    assert response.json()["detail"]


def test_a_nul_character_in_a_page_query_is_a_400(client, users):
    client.force_login(users.staff_a)
    assert client.get(reverse("enterprises:list"), {"q": "渝北\x00"}).status_code == 400


def test_a_nul_character_in_a_related_code_of_a_body_is_a_400(api, users):
    # Was: DataError from the jurisdiction lookup of POST /tiers/.
    body = {
        "code": "test_tier",
        "name": "测试层级",
        "name_en": "Test tier",
        "level": 2,
        "certifying_level": "national",
        "jurisdiction": "5000\x0000",
        "effective_from": "2024-01-01",
    }
    response = api(users.progadmin).post(reverse("tier-list"), body, format="json")
    assert response.status_code == 400
    assert response.json()["detail"]


def test_a_malformed_key_under_the_api_answers_json_404(api, users):
    # Was: Django's HTML 404 page (the URL pattern of credit codes does not match "abc").
    response = api(users.staff_a).get("/api/v1/enterprises/abc/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"detail": "Not found.", "code": "not_found"}
    assert api(None).get("/api/v1/no-such-endpoint/").json()["code"] == "not_found"


def test_pages_outside_the_api_keep_their_html_404(client, users):
    client.force_login(users.staff_a)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
