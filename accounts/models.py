"""Users, their role and district, and the append-only audit log.

The role and the district (or jurisdiction, for municipal officials) of a user
decide everything they can see; see zjtx/access.py for the one place that
turns them into querysets.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from zjtx.access import RestrictedQuerySet
from zjtx.roles import Role


class UserQuerySet(RestrictedQuerySet):
    pass


class UserManager(DjangoUserManager.from_queryset(UserQuerySet)):  # type: ignore[misc]
    pass


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=32, choices=Role.choices, blank=True)
    district = models.ForeignKey(
        "reference.District",
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        help_text=_("Required for district service staff: the only district they can see."),
    )
    jurisdiction = models.ForeignKey(
        "reference.Jurisdiction",
        verbose_name=_("jurisdiction"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        help_text=_("For officials, administrators and auditors: the municipality they work for; empty means all."),
    )

    objects = UserManager()  # type: ignore[misc]

    # Users are not district data: everyone may see themselves, superusers see all.
    access_policy = "self"

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role="district_staff") | models.Q(district__isnull=False),
                name="district_staff_has_district",
            ),
            # The administrator and the auditor are separate people: whoever reads the audit log as its
            # auditor cannot also administer the system (and so cannot act unobserved).
            models.CheckConstraint(
                condition=~(models.Q(role="auditor") & models.Q(is_superuser=True)),
                name="auditor_is_not_superuser",
            ),
            models.CheckConstraint(
                condition=models.Q(role="district_staff") | models.Q(district__isnull=True),
                name="only_district_staff_have_district",
            ),
        ]

    def clean(self) -> None:
        super().clean()
        if self.role == Role.DISTRICT_STAFF and not self.district_id:
            raise ValidationError({"district": _("District service staff must belong to a district.")})
        if self.role != Role.DISTRICT_STAFF and self.district_id:
            raise ValidationError({"district": _("Only district service staff belong to a district.")})
        if self.role == Role.AUDITOR and self.is_superuser:
            raise ValidationError(
                {"role": _("An auditor cannot be a superuser: administration and audit are kept apart.")}
            )
        district = self.district
        if district is not None and self.jurisdiction_id and district.jurisdiction_id != self.jurisdiction_id:
            raise ValidationError({"jurisdiction": _("The district is not in this jurisdiction.")})

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A district staff user's jurisdiction always follows their district.
        if self.district is not None:
            self.jurisdiction_id = self.district.jurisdiction_id
        revoke = getattr(self, "_revoke_tokens_on_save", False) and self.pk is not None
        super().save(*args, **kwargs)
        if revoke:
            # Tokens issued before a password change stop working (sessions do already: Django's auth hash);
            # the change itself is in the audit log as an update of the user.
            from rest_framework.authtoken.models import Token

            self._revoke_tokens_on_save = False
            Token.objects.filter(user=self).delete()

    def has_role(self, *roles: str) -> bool:
        return bool(self.is_active and self.role in roles)

    def set_password(self, raw_password: str | None) -> None:
        super().set_password(raw_password)
        self._revoke_tokens_on_save = True


class AuditAction(models.TextChoices):
    CREATE = "create", _("Create")
    UPDATE = "update", _("Update")
    DELETE = "delete", _("Delete")
    TRANSITION = "transition", _("State transition")
    IMPORT = "import", _("Import")
    EXPORT = "export", _("Export")
    DOWNLOAD = "download", _("Download")
    LOGIN = "login", _("Login")
    LOGOUT = "logout", _("Logout")
    LOGIN_FAILED = "login_failed", _("Failed login")
    LOCKOUT = "lockout", _("Login locked")
    UNLOCK = "unlock", _("Login unlocked")


class AuditEntryQuerySet(RestrictedQuerySet):
    def update(self, **kwargs: Any) -> int:
        raise PermissionError("The audit log is append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        # Only the retention purge removes entries (accounts.services.audit_retention).
        raise PermissionError("The audit log is append-only.")


class AuditEntry(models.Model):
    """One thing that happened: who did what to which object, when and from where.

    Rows are never changed; deleting is left to the retention purge, which
    keeps at least 180 days (accounts.services.audit_retention).  On
    PostgreSQL a trigger enforces both for every database client, not only
    for this model (migration 0003).
    """

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    # PROTECT, not SET_NULL: entries are never changed, so a user or district the log names is
    # deactivated rather than deleted (the database trigger refuses the UPDATE that SET_NULL would be).
    actor = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_name = models.CharField(_("user name"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=16, choices=AuditAction.choices)
    # No index of its own: the (content_type, object_id, at) index below starts with it.
    content_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=255, blank=True)
    # District of the object when it has one, so the log can be scoped like the data.
    district = models.ForeignKey(
        "reference.District", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    remote_addr = models.GenericIPAddressField(_("address"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=32, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    access_policy = "audit"
    district_path = "district"

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id", "-at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_name} {self.get_action_display()} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("The audit log is append-only.")


class LoginLockScope(models.TextChoices):
    PAIR = "pair", _("Account from one address")
    ACCOUNT = "account", _("Account (back-off)")
    ADDRESS = "address", _("Address")


class LoginLock(models.Model):
    """Failed logins counted per (account name, address) pair, per address and per account name
    (accounts.services.login).

    Past a threshold, logins for that pair or from that address are refused until `locked_until`; an
    account's own row is a back-off that does not apply from addresses its owner has logged in from.
    A superuser can unlock earlier in the admin.  Kept in the database so that administrators see and
    clear them.
    """

    scope = models.CharField(_("scope"), max_length=10, choices=LoginLockScope.choices)
    key = models.CharField(_("user name or address"), max_length=200)
    failures = models.PositiveIntegerField(_("failures in the window"), default=0)
    window_started_at = models.DateTimeField(_("window started"), null=True, blank=True)
    last_failure_at = models.DateTimeField(_("last failure"), null=True, blank=True)
    locked_until = models.DateTimeField(_("locked until"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    access_policy = "security"

    class Meta:
        verbose_name = _("login lock")
        verbose_name_plural = _("login locks")
        ordering = ["-last_failure_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="login_lock_scope_key")]

    def __str__(self) -> str:
        return f"{self.get_scope_display()} {self.key}"


class TOTPDevice(models.Model):
    """A user's authenticator app (RFC 6238 TOTP): the shared secret and the last time step used."""

    user = models.OneToOneField(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="totp_device")
    secret = models.CharField(_("secret (base32)"), max_length=64)
    confirmed = models.BooleanField(_("confirmed"), default=False)
    # A code is accepted once: a step at or before this one is refused (replay).
    last_step = models.BigIntegerField(_("last time step used"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()

    access_policy = "security"

    class Meta:
        verbose_name = _("authenticator device")
        verbose_name_plural = _("authenticator devices")

    def __str__(self) -> str:
        return f"TOTP {self.user}"
