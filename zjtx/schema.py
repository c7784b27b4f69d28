"""The OpenAPI schema documents the error answers of every operation, with the one error body they share.

Every API error is `{"detail", "code", "errors"}` (zjtx.api.exception_handler).  Which codes an operation
can answer follows from what every operation shares — anyone may be refused (403: not signed in, no role,
not allowed), throttled (429), meet a database that does not answer (503), or send something malformed
(400, also a NUL in the URL); a key or a related object in the request may name nothing the caller can
see (404, which is also what an out-of-scope object looks like) — and from what it does: a write can
conflict with existing data (409), a body can come in a media type the operation does not read (415).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import inline_serializer
from rest_framework import serializers

# A field named "errors" would shadow Serializer.errors on a declared class: built as an inline serializer.
ERROR = inline_serializer(
    "Error",
    fields={
        "detail": serializers.CharField(help_text="What is wrong, in the language of the request"),
        "code": serializers.CharField(help_text="A stable code for programs, e.g. not_found, invalid, locked_out"),
        "errors": serializers.DictField(
            child=serializers.JSONField(),
            required=False,
            help_text="Field name → messages (nested for lists and objects), for invalid input",
        ),
    },
)


ERRORS = {
    "400": "The request is malformed or breaks a rule (see detail and errors).",
    "403": "Not signed in, or the role may not do this.",
    "404": "Nothing of that key (or naming it) in the caller's scope.",
    "409": "The change conflicts with existing data or the object's state.",
    "415": "The body is in a media type the operation does not read.",
    "429": "Too many requests: wait the seconds in Retry-After.",
    "503": "The database does not answer: wait the seconds in Retry-After.",
}
WRITES = {"POST", "PUT", "PATCH", "DELETE"}


class AutoSchema(SpectacularAutoSchema):
    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        codes = ["400", "403", "404", "429", "503"]
        if self.method in WRITES:
            codes += ["409", "415"]
        error = self.resolve_serializer(ERROR, "response").ref
        for code in codes:
            responses.setdefault(
                code, {"description": ERRORS[code], "content": {"application/json": {"schema": error}}}
            )
        return dict(sorted(responses.items()))
