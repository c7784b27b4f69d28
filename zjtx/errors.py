"""Errors that services raise for a person to read; the API and the web pages turn them into 4xx answers."""

from __future__ import annotations


class DomainError(Exception):
    """A request that breaks a domain rule. `code` is stable for clients; the message is translated."""

    status_code = 400

    def __init__(self, message: str, *, code: str = "invalid", field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field


class Conflict(DomainError):
    status_code = 409


class Forbidden(DomainError):
    """The user sees the object, but their role may not do this to it."""

    status_code = 403

    def __init__(self, message: str, *, code: str = "forbidden_role") -> None:
        super().__init__(message, code=code)


class NotFound(DomainError):
    """Also what an out-of-scope object looks like: it is not there for this user."""

    status_code = 404

    def __init__(self, message: str, *, code: str = "not_found") -> None:
        super().__init__(message, code=code)
