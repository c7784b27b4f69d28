"""Who may see and change what: the one place that turns a user into querysets.

Every queryset that reaches a user goes through `restrict(queryset, user, action)`
(or `Model.objects.restrict(user, action)`): the base API viewset, the web-view
mixin, the admin and every export call it, and nothing filters by district on
its own.  Out-of-scope objects are simply absent, so the API answers 404.

Each model names its policy in `access_policy`:

- "district": data that belongs to one district (enterprises and everything
  hanging off them).  `district_path` says how to reach the district from the
  model.  District staff see and change only their own district; officials,
  program admins and auditors read their jurisdiction (all jurisdictions when
  theirs is empty); officials may change the models that set
  `officials_may_change` (the municipal steps of the tier lifecycle).
- "reference": national reference data (jurisdictions, divisions, industries,
  tiers, metrics).  Every user with a role reads it; only superusers and
  national-level program admins (a program admin with no jurisdiction) change it.
- "program": a city's policy programs (policies, their groups, measures and
  commitments, responsible units, subsidy rules).  Every user with a role reads
  them; program admins change those of their own jurisdiction
  (`jurisdiction_path`), national-level program admins all of them.
- "self": user accounts.  Everyone sees only themselves.
- "audit": the audit log.  Auditors read all of it; others read the entries
  about district data in their scope; nobody changes it.
- "jurisdiction": figures kept for a whole jurisdiction or for one of its
  districts (targets, snapshots, reports).  `jurisdiction_path` reaches the
  jurisdiction, `district_path` the district (empty for city-wide rows).
  District staff read the rows of their own district only; officials, program
  admins and auditors read their jurisdiction; program admins and officials
  change them.
- "system": records of the system's own jobs (job runs).  Officials, program admins
  and auditors read them; nobody changes them.
- "security": login locks and authenticator devices.  Superusers only.
- "owner": a user's own things (notifications, their settings).  `owner_path` reaches the
  user; everyone sees and changes only their own, auditors included.

Superusers see and change everything.  A user with no role sees nothing.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import ImproperlyConfigured
from django.db import models

from zjtx.privacy import mask_phone
from zjtx.roles import Role

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

_M = TypeVar("_M", bound=models.Model)


class Action(StrEnum):
    VIEW = "view"
    CHANGE = "change"


def has_any_role(user: Any | AnonymousUser | None) -> bool:
    # `user` is settings.AUTH_USER_MODEL (role, district, jurisdiction are read by name): this module
    # imports no app, so that every app can use it.
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and (user.is_superuser or getattr(user, "role", ""))
    )


def is_role(user: Any, *roles: str) -> bool:
    return has_any_role(user) and getattr(user, "role", "") in roles


def restrict(queryset: models.QuerySet[_M], user: Any, action: str = Action.VIEW) -> models.QuerySet[_M]:
    action = Action(action)
    if not has_any_role(user):
        return queryset.none()
    if user.is_superuser:
        return queryset
    policy = str(getattr(queryset.model, "access_policy", ""))
    try:
        rule = _POLICIES[policy]
    except KeyError:
        raise ImproperlyConfigured(f"{queryset.model.__name__} declares no access_policy") from None
    return rule(queryset, user, action)


def can(user: Any, action: str, obj: models.Model) -> bool:
    """Whether `user` may apply `action` to this one object (same rules, one query)."""
    manager = type(obj)._default_manager
    return restrict(manager.filter(pk=obj.pk), user, action).exists()


def can_change_model(user: Any, model: type[models.Model]) -> bool:
    """Whether `user` may change some rows of `model` at all (for admin and API write checks)."""
    if not has_any_role(user):
        return False
    if user.is_superuser:
        return True
    policy = getattr(model, "access_policy", None)
    if policy == "district":
        return user.role == Role.DISTRICT_STAFF or (
            user.role == Role.MUNICIPAL_OFFICIAL and getattr(model, "officials_may_change", False)
        )
    if policy == "reference":
        return is_national_program_admin(user)
    if policy == "program":
        return bool(user.role == Role.PROGRAM_ADMIN)
    if policy == "jurisdiction":
        return user.role in (Role.MUNICIPAL_OFFICIAL, Role.PROGRAM_ADMIN)
    return False


def is_national_program_admin(user: Any) -> bool:
    """A program admin with no jurisdiction: works for the whole country (national reference data)."""
    return is_role(user, Role.PROGRAM_ADMIN) and getattr(user, "jurisdiction_id", None) is None


def district_writable(user: Any, district_id: int | None) -> bool:
    """Whether `user` may put or keep district data in this district (new rows, moves, imports)."""
    if not has_any_role(user):
        return False
    return bool(user.is_superuser or (user.role == Role.DISTRICT_STAFF and user.district_id == district_id))


def place_in_scope(user: Any, jurisdiction_id: int | None, district_id: int | None = None) -> bool:
    """Whether a city (district None) or district is one whose figures `user` reads: the "jurisdiction"
    policy for a place that has no row yet (a report or target about to be requested or added)."""
    if not has_any_role(user):
        return False
    if user.is_superuser:
        return True
    if user.role == Role.DISTRICT_STAFF:
        return district_id is not None and user.district_id == district_id
    if user.role in (Role.MUNICIPAL_OFFICIAL, Role.PROGRAM_ADMIN, Role.AUDITOR):
        return user.jurisdiction_id is None or user.jurisdiction_id == jurisdiction_id
    return False


def can_see_contact(user: Any, district_id: int | None) -> bool:
    """Contact phone numbers are shown in full only to the district that serves the enterprise."""
    if not has_any_role(user):
        return False
    return bool(user.is_superuser or (user.role == Role.DISTRICT_STAFF and user.district_id == district_id))


# Fields whose values only the enterprise's own district may read in full, also in the audit log.
CONTACT_FIELDS = ("contact_phone",)


def redact_changes(user: Any, district_id: int | None, changes: dict[str, Any]) -> dict[str, Any]:
    """An audit entry's before/after values as this user may see them (contact numbers masked)."""
    if not any(f in changes for f in CONTACT_FIELDS) or can_see_contact(user, district_id):
        return changes

    def mask(value: Any) -> Any:
        return mask_phone(value) if isinstance(value, str) else value

    return {k: ([mask(v) for v in change] if k in CONTACT_FIELDS and isinstance(change, list) else change)
            for k, change in changes.items()}  # fmt: skip


def actor_role(actor: Any) -> str:
    """The role name the transition tables know; an empty string for superusers without a role."""
    return str(getattr(actor, "role", "") or "")


def locked_in_scope(queryset: models.QuerySet[_M], actor: Any, pk: Any, not_found: str) -> _M:
    """The row `actor` may change, locked for the rest of the transaction (FOR UPDATE OF the row only),
    or NotFound with `not_found`: an out-of-scope row looks like a missing one."""
    from zjtx.errors import NotFound

    obj = restrict(queryset, actor, Action.CHANGE).select_for_update(of=("self",)).filter(pk=pk).first()
    if obj is None:
        raise NotFound(not_found)
    return obj


def dangerously_unrestricted(queryset: models.QuerySet[_M]) -> models.QuerySet[_M]:
    """For system jobs that act for no user (nightly tasks, fixtures). Named to stand out in review."""
    return queryset


# --- policies ------------------------------------------------------------------------------


def _in_jurisdiction(queryset: models.QuerySet[_M], path: str, user: Any) -> models.QuerySet[_M]:
    """Rows whose district (at `path`) lies in the user's jurisdiction; all when the user has none."""
    return _in_jurisdiction_at(queryset, f"{path}__jurisdiction", user)


def _in_jurisdiction_at(queryset: models.QuerySet[_M], path: str, user: Any) -> models.QuerySet[_M]:
    """Rows whose jurisdiction (at `path`) is the user's; all when the user has none."""
    if user.jurisdiction_id is None:
        return queryset
    return queryset.filter(**{f"{path}_id": user.jurisdiction_id})


def _district_policy(queryset: models.QuerySet[_M], user: Any, action: Action) -> models.QuerySet[_M]:
    path: str = queryset.model.district_path  # type: ignore[attr-defined]
    if user.role == Role.DISTRICT_STAFF:
        return queryset.filter(**{path: user.district_id})
    if action == Action.VIEW and user.role in (Role.MUNICIPAL_OFFICIAL, Role.PROGRAM_ADMIN, Role.AUDITOR):
        return _in_jurisdiction(queryset, path, user)
    if (
        action == Action.CHANGE
        and user.role == Role.MUNICIPAL_OFFICIAL
        and getattr(queryset.model, "officials_may_change", False)
    ):
        return _in_jurisdiction(queryset, path, user)
    return queryset.none()


def _jurisdiction_policy(queryset: models.QuerySet[_M], user: Any, action: Action) -> models.QuerySet[_M]:
    model: Any = queryset.model
    if user.role == Role.DISTRICT_STAFF:
        return queryset.filter(**{model.district_path: user.district_id}) if action == Action.VIEW else queryset.none()
    readers = (Role.MUNICIPAL_OFFICIAL, Role.PROGRAM_ADMIN, Role.AUDITOR)
    writers = (Role.MUNICIPAL_OFFICIAL, Role.PROGRAM_ADMIN)
    if user.role in (readers if action == Action.VIEW else writers):
        return _in_jurisdiction_at(queryset, model.jurisdiction_path, user)
    return queryset.none()


def _reference_policy(queryset: models.QuerySet[_M], user: Any, action: Action) -> models.QuerySet[_M]:
    if action == Action.VIEW or is_national_program_admin(user):
        return queryset
    return queryset.none()


def _program_policy(queryset: models.QuerySet[_M], user: Any, action: Action) -> models.QuerySet[_M]:
    if action == Action.VIEW:
        return queryset
    if user.role == Role.PROGRAM_ADMIN:
        return _in_jurisdiction_at(queryset, queryset.model.jurisdiction_path, user)  # type: ignore[attr-defined]
    return queryset.none()


def _self_policy(queryset: models.QuerySet[_M], user: Any, action: Action) -> models.QuerySet[_M]:
    if action == Action.VIEW:
        return queryset.filter(pk=user.pk)
    return queryset.none()


def _audit_policy(queryset: models.QuerySet[_M], user: Any, action: Action) -> models.QuerySet[_M]:
    if action != Action.VIEW:
        return queryset.none()
    if user.role == Role.AUDITOR:
        return queryset
    # Everyone else reads the history of the district data in their scope, never the log as a whole
    # (logins, failed logins, reference-data changes, exports): that is the auditor's.
    return _district_policy(queryset.filter(district__isnull=False), user, action)


def _system_policy(queryset: models.QuerySet[_M], user: Any, action: Action) -> models.QuerySet[_M]:
    if action == Action.VIEW and user.role in (Role.MUNICIPAL_OFFICIAL, Role.PROGRAM_ADMIN, Role.AUDITOR):
        return queryset
    return queryset.none()


def _owner_policy(queryset: models.QuerySet[_M], user: Any, action: Action) -> models.QuerySet[_M]:
    path: str = getattr(queryset.model, "owner_path", "user")
    return queryset.filter(**{f"{path}_id": user.pk})


def _security_policy(queryset: models.QuerySet[_M], user: Any, action: Action) -> models.QuerySet[_M]:
    return queryset.none()


_POLICIES = {
    "security": _security_policy,
    "district": _district_policy,
    "reference": _reference_policy,
    "program": _program_policy,
    "self": _self_policy,
    "audit": _audit_policy,
    "jurisdiction": _jurisdiction_policy,
    "system": _system_policy,
    "owner": _owner_policy,
}


class RestrictedQuerySet(models.QuerySet[_M]):
    """QuerySet with `.restrict(user, action)`, in the style of NetBox's RestrictedQuerySet."""

    def restrict(self, user: Any, action: str = Action.VIEW) -> RestrictedQuerySet[_M]:
        return restrict(self, user, action)  # type: ignore[return-value]
