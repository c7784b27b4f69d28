"""Token authentication whose tokens expire (`ZJTX_TOKEN_HOURS`, a working day by default)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication


def token_lifetime(hours: int) -> timedelta:
    if hours <= 0:
        raise ImproperlyConfigured("ZJTX_TOKEN_HOURS must be a positive number of hours.")
    return timedelta(hours=hours)


class ExpiringTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        from django.conf import settings

        user, token = super().authenticate_credentials(key)
        if timezone.now() - token.created > token_lifetime(settings.ZJTX_TOKEN_HOURS):
            token.delete()
            raise exceptions.AuthenticationFailed(_("The token has expired; ask for a new one."))
        return user, token
