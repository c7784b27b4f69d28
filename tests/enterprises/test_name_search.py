"""Name search (`q`): two characters through the bigram column the database keeps (migration
enterprises/0008), three and more through the trigram index, and on any database the same answers as a
plain substring search."""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse

from enterprises.models import Enterprise
from enterprises.services import importing
from tests.enterprises.test_import import csv_bytes, good_row, run

NAMES = [
    "重庆华宏精密机械有限公司",
    "华宏科技",
    "宏华电子有限公司",  # the same characters in the other order: not a match for 华宏
    "精密仪器研究所",
    "Abc精密 ltd",
    "华",  # one character: no pair at all
    "百分之%_公司",  # LIKE's wildcards are plain characters to the search
]


def _search(client, term):
    response = client.get(reverse("enterprise-list"), {"q": term, "page_size": 500})
    assert response.status_code == 200, response.content[:300]
    return sorted(e["name"] for e in response.json()["results"])


def _expected(term):
    return sorted(n for n in NAMES if term.upper() in n.upper())


@pytest.mark.parametrize("term", ["华宏", "宏华", "精密", "ab", "BC", "%_", "华宏精", "华宏精密", "有限"])
def test_search_finds_exactly_the_names_containing_the_text(api, users, make_enterprise, term):
    for name in NAMES:
        make_enterprise(name=name)
    assert _search(api(users.official), term) == _expected(term)


def test_a_renamed_enterprise_is_found_by_its_new_name_only(api, users, make_enterprise):
    firm = make_enterprise(name="重庆华宏有限公司")
    client = api(users.official)
    assert _search(client, "华宏") == ["重庆华宏有限公司"]
    Enterprise.objects.filter(pk=firm.pk).update(name="重庆鑫泰有限公司")  # an UPDATE, not save()
    assert _search(client, "华宏") == [] and _search(client, "鑫泰") == ["重庆鑫泰有限公司"]


@pytest.mark.parametrize("writer", ["copy", "orm"])
def test_names_written_by_the_importer_are_found_by_two_characters(api, users, ref, settings, monkeypatch, writer):
    if writer == "copy" and not settings.USES_POSTGRES:
        pytest.skip("the COPY writer needs PostgreSQL")
    if writer == "orm":
        monkeypatch.setattr(importing, "uses_copy", lambda: False)
    done = run(users.staff_a, csv_bytes([good_row(1, 企业名称="渝北华宏智造有限公司"), good_row(2)]))
    assert done.status == "done" and done.rows_created == 2, done.message
    assert _search(api(users.official), "华宏") == ["渝北华宏智造有限公司"]
    # A re-import with a new name goes through the importer's UPDATE … FROM.
    done = run(users.staff_a, csv_bytes([good_row(1, 企业名称="渝北鑫泰智造有限公司")]))
    assert done.status == "done", done.message
    assert _search(api(users.official), "华宏") == [] and _search(api(users.official), "鑫泰") == [
        "渝北鑫泰智造有限公司"
    ]


@pytest.mark.postgres
def test_the_bigram_column_is_kept_by_the_database(make_enterprise):
    firm = make_enterprise(name="华宏ab")
    with connection.cursor() as cursor:
        cursor.execute("SELECT name_bigrams FROM enterprises_enterprise WHERE id = %s", [firm.pk])
        assert sorted(cursor.fetchone()[0]) == ["AB", "华宏", "宏A"]


def test_other_databases_search_without_the_column(api, users, make_enterprise, monkeypatch):
    """SQLite (the demo) has no bigram column: two characters go through icontains there."""
    for name in NAMES:
        make_enterprise(name=name)
    with monkeypatch.context() as patch:
        patch.setattr(connection, "vendor", "sqlite")
        assert _search(api(users.official), "华宏") == _expected("华宏")


def test_a_credit_code_prefix_is_still_searched(api, users, make_enterprise):
    firm = make_enterprise(name="无关名称")
    client = api(users.official)
    response = client.get(reverse("enterprise-list"), {"q": firm.credit_code[:8].lower()})
    assert [e["credit_code"] for e in response.json()["results"]] == [firm.credit_code]
    assert _search(client, firm.credit_code[:2]) == ["无关名称"]
