"""Request guards shared by the pages and the API."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponse


class RefuseNulCharactersMiddleware:
    """A NUL character in the query string is refused with a 400 before any view runs.

    PostgreSQL text cannot hold NUL, so such a value reaching a lookup raised a
    DataError (a 500) wherever a view used a parameter directly (found by schemathesis).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists()
        ):
            raise SuspiciousOperation("NUL character in the request's URL")
        return self.get_response(request)


class TrustedProxyMiddleware:
    """Behind nginx, the client's address is the proxy's X-Real-IP, not the proxy's own address.

    Only a request whose REMOTE_ADDR is one of ZJTX_TRUSTED_PROXIES is believed (nginx sets the header
    itself and overwrites what a client sent); the lock-out, the audit log and the request log then
    see the real client. With no trusted proxy configured the header is ignored.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        from django.conf import settings

        self.get_response = get_response
        self.trusted = set(settings.ZJTX_TRUSTED_PROXIES)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        real = request.META.get("HTTP_X_REAL_IP")
        if real and request.META.get("REMOTE_ADDR") in self.trusted:
            request.META["ZJTX_PROXY_ADDR"] = request.META["REMOTE_ADDR"]
            request.META["REMOTE_ADDR"] = real
        return self.get_response(request)
