"""Audit of logins, logouts and failed logins (signals carry audit context only)."""

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from accounts.audit import record
from accounts.models import AuditAction
from zjtx.audit_context import audit_context, client_address


@receiver(user_logged_in, dispatch_uid="audit-login")
def _logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    with audit_context(actor=user, request=request, source=_source(request), remote_addr=_addr(request)):
        record(AuditAction.LOGIN, user)


@receiver(user_logged_out, dispatch_uid="audit-logout")
def _logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is None:
        return
    with audit_context(actor=user, request=request, source=_source(request), remote_addr=_addr(request)):
        record(AuditAction.LOGOUT, user)


@receiver(user_login_failed, dispatch_uid="audit-login-failed")
def _login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    # Never store the password that was tried, only the name.
    name = str(credentials.get("username", ""))[:150]
    with audit_context(request=None, source=_source(request), remote_addr=_addr(request)):
        record(AuditAction.LOGIN_FAILED, None, object_repr=name, changes={"username": name})


def _addr(request: Any) -> str | None:
    return client_address(request) if request is not None else None


def _source(request: Any) -> str:
    return "api" if request is not None and str(getattr(request, "path", "")).startswith("/api/") else "web"
