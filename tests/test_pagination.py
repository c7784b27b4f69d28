"""Capped counts (zjtx/paginator.py): exact up to the cap, "more than the cap" beyond, paging on past it,
a constant number of queries whatever the page size — for the API's pagination and the list pages."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from enterprises.models import Enterprise
from enterprises.rules import credit_code
from zjtx.paginator import CappedPaginator

pytestmark = pytest.mark.django_db


def _enterprises(ref: Any, n: int, district: str = "500112", start: int = 700_000) -> None:
    """n enterprises in one statement (bulk_create): enough rows to pass the cap cheaply."""
    d = ref.districts[district]
    Enterprise.objects.bulk_create(
        Enterprise(
            credit_code=credit_code.make(f"91{d.gb2260_code}{start + i:09d}"),
            name=f"分页测试{i:04d}有限公司",
            district=d,
            industry=ref.industries["C"],
        )
        for i in range(n)
    )


def _list(client: Any, **params: Any) -> dict[str, Any]:
    response = client.get(reverse("enterprise-list"), {"district": "500112", **params})
    assert response.status_code == 200, response.content[:300]
    return response.json()


def test_api_count_is_exact_below_the_cap(api, users, ref):
    _enterprises(ref, 7)
    body = _list(api(users.official), page_size=5)
    assert body["count"] == 7 and body["count_capped"] is False
    assert len(body["results"]) == 5 and body["next"] and body["previous"] is None


def test_api_count_at_exactly_the_cap_is_exact(api, users, ref, settings):
    settings.ZJTX_PAGINATION_COUNT_CAP = 6
    _enterprises(ref, 6)
    body = _list(api(users.official), page_size=4)
    assert (body["count"], body["count_capped"]) == (6, False)


def test_api_count_above_the_cap_is_capped_and_paging_goes_on(api, users, ref, settings):
    settings.ZJTX_PAGINATION_COUNT_CAP = 5
    _enterprises(ref, 23)
    client = api(users.staff_a)
    first = _list(client, page_size=4)
    assert (first["count"], first["count_capped"]) == (5, True)
    seen = [e["credit_code"] for e in first["results"]]
    body = first
    pages = 1
    while body["next"]:  # past the cap: page 2 (rows 5–8) starts beyond the 5 counted
        response = client.get(body["next"])
        assert response.status_code == 200
        body = response.json()
        assert (body["count"], body["count_capped"]) == (5, True)
        seen += [e["credit_code"] for e in body["results"]]
        pages += 1
    assert pages == 6 and len(seen) == len(set(seen)) == 23
    assert body["previous"]
    assert client.get(reverse("enterprise-list"), {"district": "500112", "page_size": 4, "page": 7}).status_code == 404


def test_api_default_cap_of_1000(api, users, ref):
    _enterprises(ref, 1001)
    body = _list(api(users.official), page_size=10)
    assert (body["count"], body["count_capped"]) == (1000, True)
    last = _list(api(users.official), page_size=10, page=101)  # row 1001, past the cap
    assert [e["name"] for e in last["results"]] == ["分页测试1000有限公司"] and last["next"] is None
    _enterprises(ref, 3, district="500105")
    assert _list(api(users.official), page_size=10)["count_capped"] is True
    other = api(users.official).get(reverse("enterprise-list"), {"district": "500105"}).json()
    assert (other["count"], other["count_capped"]) == (3, False)


@pytest.mark.parametrize("page", ["abc", "0", "-1", "1e400", "nan", "99999999999999999999999"])
def test_bad_page_numbers_answer_404_with_a_message(api, users, ref, page):
    _enterprises(ref, 3)
    response = api(users.official).get(reverse("enterprise-list"), {"page": page})
    assert response.status_code == 404 and response.json()["detail"]


def test_api_queries_constant_across_page_sizes_and_the_cap(api, users, ref, settings):
    settings.ZJTX_PAGINATION_COUNT_CAP = 10
    _enterprises(ref, 30)
    client = api(users.official)
    counts = {}
    for size in (1, 5, 20, 50):  # below and above the cap, first page and a later one
        for page in (1, 2):
            with CaptureQueriesContext(connection) as queries:
                _list(client, page_size=size, page=page if size < 30 else 1)
            counts[(size, page)] = len(queries)
    assert len(set(counts.values())) == 1, counts
    # The count stops after cap + 1 rows: it never counts the whole list.
    with CaptureQueriesContext(connection) as queries:
        _list(client, page_size=5)
    count_sql = [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]
    assert len(count_sql) == 1 and "LIMIT 11" in count_sql[0]


def test_paginator_on_a_plain_list():
    paginator = CappedPaginator(list(range(30)), 4, cap=10)
    page = paginator.get_page(5)  # rows 16–19, beyond the cap
    assert list(page) == [16, 17, 18, 19] and page.has_next() and paginator.capped
    assert paginator.shown_count == 10
    small = CappedPaginator(list(range(3)), 4, cap=10)
    assert small.get_page(1).has_next() is False and not small.capped and small.shown_count == 3


def test_list_page_shows_1000_plus_and_pages_on(client, users, ref, settings):
    settings.ZJTX_PAGINATION_COUNT_CAP = 5
    _enterprises(ref, 120)
    client.force_login(users.official)
    client.cookies["django_language"] = "en"
    url = reverse("enterprises:list")
    first = client.get(url, {"district": "500112"})
    assert first.status_code == 200
    text = first.content.decode()
    assert "5+ enterprises" in text and "Page 1</span>" in text and "page=2" in text
    third = client.get(url, {"district": "500112", "page": 3})  # rows 101–120, far past the 5 counted
    assert third.status_code == 200
    text = third.content.decode()
    assert "分页测试0119有限公司" in text and "page=2" in text and "page=4" not in text


def test_list_page_exact_below_the_cap(client, users, ref):
    _enterprises(ref, 60)
    client.force_login(users.official)
    client.cookies["django_language"] = "en"
    text = client.get(reverse("enterprises:list"), {"district": "500112"}).content.decode()
    assert "60 enterprises" in text and "Page 1 of 2" in text


def test_list_page_queries_do_not_grow_past_the_cap(client, users, ref, settings):
    settings.ZJTX_PAGINATION_COUNT_CAP = 5
    client.force_login(users.official)
    url = reverse("enterprises:list")
    client.get(url)  # session and caches warmed alike
    _enterprises(ref, 3)
    with CaptureQueriesContext(connection) as few:
        client.get(url, {"district": "500112"})
    _enterprises(ref, 200, start=800_000)
    with CaptureQueriesContext(connection) as many:
        client.get(url, {"district": "500112"})
    assert len(many) == len(few)


def test_schema_documents_the_capped_count(api, users):
    schema = api(users.superuser).get(reverse("schema"), {"format": "json"}).json()
    paginated = schema["components"]["schemas"]["PaginatedEnterpriseList"]
    assert {"count", "count_capped", "results"} <= set(paginated["required"])
    assert paginated["properties"]["count_capped"]["type"] == "boolean"
    assert "1000" in paginated["properties"]["count"]["description"]
