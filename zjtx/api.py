"""Shared pieces of the REST API: the scoped base viewset, permissions, pagination, error format.

Every API view that lists or reads data derives from ScopedViewSetMixin, whose
get_queryset passes through zjtx.access.restrict: views never filter by
district themselves.  Errors always come back as JSON with a message:
{"detail": "...", "code": "...", "errors": {...field: [messages]}}.
"""

from __future__ import annotations

import sys
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError, InterfaceError, OperationalError, models
from django.db.models.deletion import ProtectedError, RestrictedError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import defaults
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, permissions, serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from zjtx import outbox
from zjtx.access import Action, can_change_model, has_any_role, restrict
from zjtx.errors import DomainError
from zjtx.paginator import CappedPaginator, default_cap


class Pagination(PageNumberPagination):
    """Pages of 50 (page_size up to 500) with a count exact up to ZJTX_PAGINATION_COUNT_CAP (1000).

    Above the cap the answer says `"count": 1000, "count_capped": true` (more than 1000 rows) instead of
    counting every row (zjtx/paginator.py says why); `next` and `previous` keep working on every page.
    """

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    django_paginator_class = CappedPaginator

    def get_paginated_response(self, data: Any) -> Response:
        assert self.page is not None  # paginate_queryset ran first
        paginator: Any = self.page.paginator  # a CappedPaginator (django_paginator_class)
        return Response(
            {
                "count": paginator.shown_count,
                "count_capped": paginator.capped,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        response = super().get_paginated_response_schema(schema)
        cap = default_cap()
        response["required"] = ["count", "count_capped", "results"]
        response["properties"]["count"] = {
            "type": "integer",
            "example": 123,
            "description": f"The number of results, exact up to {cap}; when there are more, {cap} "
            "and count_capped is true.",
        }
        response["properties"] = {
            "count": response["properties"]["count"],
            "count_capped": {
                "type": "boolean",
                "example": False,
                "description": f"True when there are more than {cap} results (count is then {cap}, shown as "
                f'"{cap}+"): follow next to page on.',
            },
            **{k: v for k, v in response["properties"].items() if k != "count"},
        }
        return response


class IsAuthenticatedWithRole(permissions.BasePermission):
    """Signed in, active, and holding a role (or superuser); writes also need the right to change the model."""

    message = gettext_lazy("You do not have a role that allows this.")

    def has_permission(self, request: Any, view: Any) -> bool:
        if not has_any_role(request.user):
            return False
        if request.method in permissions.SAFE_METHODS:
            return True
        model = getattr(getattr(view, "queryset", None), "model", None)
        write_model = getattr(view, "write_model", model)
        return write_model is None or can_change_model(request.user, write_model)


class ScopedViewSetMixin:
    """get_queryset = the view's queryset restricted to what the user may see (or change, for writes)."""

    queryset: models.QuerySet[Any]
    request: Any

    def scope_action(self) -> str:
        return Action.VIEW if self.request.method in permissions.SAFE_METHODS else Action.CHANGE

    def get_queryset(self) -> models.QuerySet[Any]:
        return restrict(self.queryset.all(), self.request.user, self.scope_action())


def _message_dict(exc: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
    return {"non_field_errors": [str(m) for m in exc.messages]}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DomainError):
        body: dict[str, Any] = {"detail": exc.message, "code": exc.code}
        if exc.field:
            body["errors"] = {exc.field: [exc.message]}
        return Response(body, status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        errors = _message_dict(exc)
        first = next(iter(errors.values()))[0] if errors else _("Invalid input.")
        return Response({"detail": first, "code": "invalid", "errors": errors}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, (ProtectedError, RestrictedError)):
        return Response(
            {
                "detail": _("This object is still referred to by other records and cannot be deleted."),
                "code": "protected",
            },
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, DataError):
        # A value the database cannot hold or compare (a NUL character, an out-of-range number):
        # bad input, never a server fault.
        return Response(
            {"detail": _("A value in the request cannot be stored or searched for."), "code": "invalid"},
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, IntegrityError):
        return Response(
            {"detail": _("The change conflicts with existing data."), "code": "conflict"},
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    # Imported here: rest_framework.views reads these settings, which name this module.
    from rest_framework.views import exception_handler as drf_exception_handler

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(exc, exceptions.ValidationError):
        errors = data if isinstance(data, dict) else {"non_field_errors": data}
        response.data = {"detail": _first_message(errors), "code": "invalid", "errors": errors}
    elif isinstance(data, dict) and "detail" in data:
        code = getattr(data["detail"], "code", None) or getattr(exc, "default_code", "error")
        response.data = {"detail": str(data["detail"]), "code": code}
    return response


def _first_message(errors: Any) -> str:
    while isinstance(errors, (dict, list)) and errors:
        errors = next(iter(errors.values())) if isinstance(errors, dict) else errors[0]
    return str(errors) if errors else _("Invalid input.")


# --- errors raised outside the API views (URL resolver, middleware) --------------------------


def _api_error_or_page(request: HttpRequest, status_code: int, message: str, code: str, page: Any) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message, "code": code}, status=status_code)
    return page()


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """URLs under /api/ that match no route (a malformed key) answer JSON like every other API error."""
    return _api_error_or_page(
        request, 404, _("Not found."), "not_found", lambda: defaults.page_not_found(request, exception)
    )


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _api_error_or_page(
        request, 400, _("The request is malformed."), "bad_request", lambda: defaults.bad_request(request, exception)
    )


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _api_error_or_page(
        request,
        403,
        _("You do not have permission to perform this action."),
        "permission_denied",
        lambda: defaults.permission_denied(request, exception),
    )


def server_error(request: HttpRequest) -> HttpResponse:
    # Django calls this while handling the exception, so it is still at hand.
    if isinstance(sys.exc_info()[1], (OperationalError, InterfaceError)):
        return database_unavailable(request)
    return _api_error_or_page(
        request,
        500,
        _("The server failed to answer; the error has been logged."),
        "server_error",
        lambda: defaults.server_error(request),
    )


def database_unavailable(request: HttpRequest) -> HttpResponse:
    """The database did not answer (restarting, unreachable): 503, and nothing that needs the database
    to render (no session, no user), JSON under /api/, the site's own page elsewhere."""
    response = _api_error_or_page(
        request,
        503,
        _("The database is unavailable for a moment (it may be restarting); nothing was saved. Please try again."),
        "database_unavailable",
        lambda: HttpResponse(loader.get_template("503.html").render(), status=503),
    )
    response["Retry-After"] = "5"
    return response


@extend_schema_field(OpenApiTypes.STR)
class QueueNoticeField(serializers.Field):  # type: ignore[type-arg]
    """Why a queued run has not started yet, in words: the task queue is down (the run is recorded and
    will be sent), or no worker has taken it; empty otherwise (zjtx/outbox.py)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, value: Any) -> str:
        return outbox.waiting_notice(value)


class TransitionEventSerializer(serializers.Serializer[Any]):
    action = serializers.CharField()
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    actor = serializers.CharField(source="actor.username", read_only=True, allow_null=True)
    at = serializers.DateTimeField()
    reason = serializers.CharField()
