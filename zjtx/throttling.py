"""DRF's throttles, counting anonymous clients by `zjtx.net.client_address` (never a header the client sets)."""

from __future__ import annotations

from typing import Any

from rest_framework.throttling import AnonRateThrottle, ScopedRateThrottle, UserRateThrottle

from zjtx.net import client_address


class _ByClientAddress:
    def get_ident(self, request: Any) -> str:
        return client_address(request) or ""


class AnonThrottle(_ByClientAddress, AnonRateThrottle):
    pass


class UserThrottle(_ByClientAddress, UserRateThrottle):
    pass


class LoginThrottle(_ByClientAddress, ScopedRateThrottle):
    """The token endpoint's own rate per client address (settings: THROTTLE_LOGIN)."""
