"""Opens the audit context for each web request, so changes are recorded with user and address."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from zjtx.audit_context import audit_context, client_address


class AuditContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        source = "api" if request.path.startswith("/api/") else "web"
        with audit_context(request=request, source=source, remote_addr=client_address(request)):
            return self.get_response(request)


class SecondFactorMiddleware:
    """With ZJTX_ADMIN_REQUIRE_OTP, a superuser's session does nothing until the TOTP code is given.

    Pages redirect to the code page; the API (session-authenticated) answers 403 with the reason.
    Token-authenticated API calls got their code checked when the token was issued.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.conf import settings

        if settings.ZJTX_ADMIN_REQUIRE_OTP:
            from accounts.services.login import second_factor_pending

            if second_factor_pending(request) and not _exempt(request.path):
                return _ask_for_second_factor(request)
        return self.get_response(request)


def _exempt(path: str) -> bool:
    from django.conf import settings
    from django.urls import reverse

    allowed = (
        reverse("second-factor"),
        reverse("logout"),
        reverse("admin:logout"),
        "/i18n/",
        f"/{settings.STATIC_URL}",
    )
    return path.startswith(allowed)


def _ask_for_second_factor(request: HttpRequest) -> HttpResponse:
    from django.contrib.auth.views import redirect_to_login
    from django.http import JsonResponse
    from django.urls import reverse
    from django.utils.translation import gettext as _

    if request.path.startswith("/api/"):
        message = _("Give the code of your authenticator app first (the second factor of administrators).")
        return JsonResponse({"detail": message, "code": "second_factor_required"}, status=403)
    return redirect_to_login(request.get_full_path(), reverse("second-factor"))
