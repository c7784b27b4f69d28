"""The OpenAPI schema documents what each operation answers (issue 12, item 16); the fuzzer checks the
answers against it (tests/test_fuzz_api.py)."""

import pytest
from django.urls import reverse


@pytest.fixture
def schema(api, users):
    response = api(users.superuser).get(reverse("schema"), {"format": "json"})
    assert response.status_code == 200
    return response.json()


def test_every_operation_documents_its_error_answers(schema):
    missing = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            expected = {"400", "403", "404", "429", "503"} | (
                {"409", "415"} if method in ("post", "put", "patch", "delete") else set()
            )
            if not expected <= codes:
                missing.append(f"{method.upper()} {path}: {sorted(expected - codes)}")
            for code in expected & codes:
                body = operation["responses"][code]["content"]["application/json"]["schema"]
                assert body == {"$ref": "#/components/schemas/Error"}, (path, method, code)
    assert not missing, "\n".join(missing)
    error = schema["components"]["schemas"]["Error"]
    assert set(error["required"]) == {"detail", "code"}


def test_demand_counts_are_documented_as_the_bare_list_they_are(schema, api, users):
    documented = schema["paths"]["/api/v1/demands/counts/"]["get"]["responses"]["200"]["content"]["application/json"]
    assert documented["schema"]["type"] == "array"
    assert isinstance(api(users.staff_a).get(reverse("demand-counts")).json(), list)
