"""Who is acting, from where and through what (web request, task, command): the context every audit entry takes.

The web middleware opens one per request; tasks and commands open their own with `audit_context(...)`.
It lives here, below every app, so that any app can say who acts without importing the audit log
(accounts.audit reads it when it writes an entry).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

# The address a request came from, as recorded with logins and changes: the one the trusted proxies report.
from zjtx.net import client_address


@dataclass
class AuditContext:
    actor: Any = None
    request: Any = None
    source: str = "system"
    remote_addr: str | None = None

    def resolve_actor(self) -> Any:
        # For token-authenticated API calls the user is only known once DRF has
        # authenticated the request, which it writes back onto the HttpRequest.
        if self.actor is None and self.request is not None:
            user = getattr(self.request, "user", None)
            if user is not None and user.is_authenticated:
                return user
        return self.actor


_context: ContextVar[AuditContext | None] = ContextVar("audit_context", default=None)


@contextmanager
def audit_context(
    *, actor: Any = None, request: Any = None, source: str = "system", remote_addr: str | None = None
) -> Iterator[AuditContext]:
    ctx = AuditContext(actor=actor, request=request, source=source, remote_addr=remote_addr)
    token = _context.set(ctx)
    try:
        yield ctx
    finally:
        _context.reset(token)


def current_context() -> AuditContext:
    return _context.get() or AuditContext()


__all__ = ["AuditContext", "audit_context", "client_address", "current_context"]
