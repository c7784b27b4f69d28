"""Shared pieces of the server-rendered pages: role checks and the scoped-object lookup.

Pages get their data through the same scoping as the API (zjtx.access.restrict);
an object out of the user's scope is a 404 page, exactly as in the API.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404, HttpRequest

from zjtx.access import Action, has_any_role, restrict
from zjtx.roles import Role

_M = TypeVar("_M", bound=models.Model)

OFFICE_ROLES = (Role.MUNICIPAL_OFFICIAL, Role.PROGRAM_ADMIN, Role.AUDITOR)


class RoleRequiredMixin(LoginRequiredMixin):
    """Signed in with a role; `roles` narrows it (superusers always pass)."""

    roles: tuple[str, ...] = ()

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        user: Any = request.user
        if user.is_authenticated:
            if not has_any_role(user):
                raise PermissionDenied("no role")
            if self.roles and not user.is_superuser and user.role not in self.roles:
                raise PermissionDenied("role")
        return super().dispatch(request, *args, **kwargs)


def scoped_or_404(queryset: models.QuerySet[_M], request: HttpRequest, action: str = Action.VIEW, **lookup: Any) -> _M:
    obj = restrict(queryset, request.user, action).filter(**lookup).first()
    if obj is None:
        raise Http404("not found")
    return obj


def is_office(user: Any) -> bool:
    """Officials, program admins, auditors and superusers: they look at the whole jurisdiction."""
    return bool(user.is_superuser or getattr(user, "role", "") in OFFICE_ROLES)
