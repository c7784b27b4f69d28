"""The OpenAPI schema generates without warnings and validates (clients and fuzzers rely on it)."""

import io

from django.core.management import call_command


def test_schema_is_valid_and_complete(db):
    out = io.StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=out)
    schema = out.getvalue()
    for path in ("/api/v1/enterprises/{credit_code}/", "/api/v1/applications/{id}/transition/", "/api/v1/audit/"):
        assert path in schema
