"""Language choice: pages are Chinese unless the user picked English; API clients may ask by Accept-Language.

Django's LocaleMiddleware follows the browser's Accept-Language, which would show
English pages to anyone whose browser is set to English.  Officials expect the
Chinese system by default, with English one click away (the language cookie).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers


class LocaleMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if request.path.startswith("/api/") and not chosen:
            language = translation.get_language_from_request(request)
        else:
            try:
                language = translation.get_supported_language_variant(chosen or settings.LANGUAGE_CODE)
            except LookupError:
                language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()  # type: ignore[attr-defined]
        response = self.get_response(request)
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        response.headers.setdefault("Content-Language", language)
        return response
