"""API tokens: issued at each login for a working day, revoked by their owner, an administrator, a lock-out
or a password change.

A token is DRF's one-per-user `Token`; issuing a new one replaces the old.  `ExpiringTokenAuthentication`
(accounts.authentication) refuses a token older than `ZJTX_TOKEN_HOURS`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from rest_framework.authtoken.models import Token

from accounts.audit import record
from accounts.models import AuditAction


def token_expiry(token: Token) -> datetime:
    return token.created + timedelta(hours=settings.ZJTX_TOKEN_HOURS)


@transaction.atomic
def token_issue(*, user: Any) -> Token:
    """A fresh token for the user (any earlier one stops working)."""
    Token.objects.filter(user=user).delete()
    return Token.objects.create(user=user)


def tokens_revoke(*, user: Any, actor: Any = None, reason: str) -> int:
    """Delete the user's tokens; audited as a logout of the API with the reason (owner, admin, lock, password)."""
    count, _detail = Token.objects.filter(user=user).delete()
    if count:
        record(AuditAction.LOGOUT, user, actor=actor, changes={"tokens_revoked": count, "reason": reason})
    return count
