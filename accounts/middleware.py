"""Opens the audit context for each web request, so changes are recorded with user and address."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from accounts.audit import audit_context


def client_address(request: HttpRequest) -> str | None:
    # REMOTE_ADDR is what the server saw; a reverse proxy that must be trusted
    # for X-Forwarded-For is configured at the proxy, not guessed here.
    return request.META.get("REMOTE_ADDR") or None


class AuditContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        source = "api" if request.path.startswith("/api/") else "web"
        with audit_context(request=request, source=source, remote_addr=client_address(request)):
            return self.get_response(request)
