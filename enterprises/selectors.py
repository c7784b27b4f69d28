"""Read queries of the registry: always scoped, with the joins a page needs, counted in SQL."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from enterprises.models import Enterprise
from enterprises.rules import credit_code
from zjtx.access import Action, restrict
from zjtx.errors import NotFound


def enterprises_for(user: Any) -> QuerySet[Enterprise]:
    return restrict(Enterprise.objects.select_related("district", "industry", "current_tier"), user)


def enterprise_in_scope(user: Any, code: str, action: str = Action.VIEW) -> Enterprise:
    """The enterprise with this credit code, if `user` may `action` it; otherwise NotFound (out of scope = absent)."""
    enterprise = (
        restrict(Enterprise.objects.select_related("district__jurisdiction", "industry"), user, action)
        .filter(credit_code=credit_code.normalise(code))
        .first()
    )
    if enterprise is None:
        raise NotFound(_("No such enterprise."))
    return enterprise
