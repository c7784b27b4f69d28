"""Request guards shared by the pages and the API."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers


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


class SecurityHeadersMiddleware:
    """Every answer carries the Content-Security-Policy (settings.CONTENT_SECURITY_POLICY: the site's own
    scripts and styles only, no inline ones, no framing); an answer to a signed-in user is never stored by a
    browser or proxy cache (Cache-Control: no-store), so a shared computer keeps no copy of a page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        user = getattr(request, "user", None)
        # A download handed to nginx (X-Accel-Redirect) gets its Cache-Control from nginx's internal location.
        if user is not None and user.is_authenticated and "X-Accel-Redirect" not in response:
            add_never_cache_headers(response)
        return response


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
