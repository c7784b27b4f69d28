"""API tokens: issued at a login for a working day, revoked by their owner, an administrator, a lock-out
or a password change.

A token is DRF's one-per-user `Token`: a login returns the user's token while it is valid, and a new one
once it has expired.  `ExpiringTokenAuthentication`
(accounts.authentication) refuses a token older than `ZJTX_TOKEN_HOURS`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from rest_framework.authtoken.models import Token

from accounts.audit import record
from accounts.models import AuditAction


def token_expiry(token: Token) -> datetime:
    return token.created + timedelta(hours=settings.ZJTX_TOKEN_HOURS)


@transaction.atomic
def token_issue(*, user: Any) -> Token:
    """The user's token: the one they have while it has not expired (so two clients of one account can log
    in side by side), else a new one."""
    token = Token.objects.select_for_update().filter(user=user).first()
    if token is not None and timezone.now() < token_expiry(token):
        return token
    Token.objects.filter(user=user).delete()
    return Token.objects.create(user=user)


def tokens_revoke(*, user: Any, actor: Any = None, reason: str) -> int:
    """Delete the user's tokens; audited as a logout of the API with the reason (owner, admin, lock, password)."""
    count, _detail = Token.objects.filter(user=user).delete()
    if count:
        record(AuditAction.LOGOUT, user, actor=actor, changes={"tokens_revoked": count, "reason": reason})
    return count
