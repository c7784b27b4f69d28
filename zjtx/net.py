"""The client's address, as the trusted reverse proxies report it (settings.NUM_PROXIES).

Everything that counts or records clients — lock-out, throttling, the audit log — asks this one function.
With NUM_PROXIES = 0 (the default) the address is REMOTE_ADDR and X-Forwarded-For is ignored: a client
can write any X-Forwarded-For it likes.  Behind N trusted proxies, each appends the address it saw to
X-Forwarded-For, so the client is the N-th entry from the right; entries left of it are the client's own
words and are never used.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings


def client_address(request: Any) -> str | None:
    meta = getattr(request, "META", {})
    remote = meta.get("REMOTE_ADDR") or None
    proxies = int(getattr(settings, "NUM_PROXIES", 0) or 0)
    forwarded = meta.get("HTTP_X_FORWARDED_FOR", "")
    if proxies <= 0 or not forwarded:
        return remote
    entries = [entry.strip() for entry in forwarded.split(",") if entry.strip()]
    if not entries:
        return remote
    return entries[-min(proxies, len(entries))]
