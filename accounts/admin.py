from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from rest_framework.authtoken.models import TokenProxy

from accounts.audit import SOURCE_LABELS, actor_label, readable_changes
from accounts.forms import AdminLoginForm
from accounts.models import AuditEntry, LoginLock, TOTPDevice, User
from accounts.services.login import login_unlock
from accounts.services.tokens import token_expiry, tokens_revoke
from zjtx.access import redact_changes
from zjtx.admin_scoping import ReadOnlyScopedAdmin, changes_html

# Groups and Django's per-model permissions play no part in access (zjtx/access.py).
admin.site.unregister(Group)

# The admin's own login form counts failures and honours locks like every other way in.
admin.site.login_form = AdminLoginForm


class SuperuserOnlyAdmin(ReadOnlyScopedAdmin):
    """Security records: only superusers see them; nobody adds or edits them by hand."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_superuser)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_superuser)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Only superusers manage accounts; everybody else sees only themselves (and cannot raise their role)."""

    # Access comes from the role and scope (zjtx/access.py), never from Django's groups and per-model
    # permissions: those are left out, so nobody is shown a picker that changes nothing.
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "email")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
        (_("Role and scope"), {"fields": ("role", "district", "jurisdiction")}),
    )
    list_display = ["username", "role", "district", "jurisdiction", "is_active", "is_superuser", "token_expires"]
    list_filter = ["role", "is_active", "jurisdiction"]
    list_select_related = ["district", "jurisdiction", "auth_token"]
    actions = ["revoke_tokens"]

    @admin.display(description=_("API token until"))
    def token_expires(self, obj: User) -> Any:
        token = getattr(obj, "auth_token", None)
        return token_expiry(token) if token is not None else "—"

    @admin.action(description=_("Revoke the API tokens of the selected users"))
    def revoke_tokens(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        count = sum(tokens_revoke(user=user, actor=request.user, reason="administrator") for user in queryset)
        self.message_user(
            request, ngettext("%(n)d token revoked.", "%(n)d tokens revoked.", count) % {"n": count}, messages.SUCCESS
        )

    def get_queryset(self, request: HttpRequest) -> Any:
        return User.objects.restrict(request.user)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_superuser)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_superuser)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_superuser)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_superuser)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_superuser)


class ObjectKindFilter(admin.RelatedOnlyFieldListFilter):
    """The filter by the kind of object, titled in words rather than Django's "content type", offering only
    the kinds the log holds (not every table of the system)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.title = str(_("kind of object"))


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyScopedAdmin):
    list_display = ["at", "actor_shown", "action", "object_kind", "object_repr", "remote_addr"]
    list_filter = ["action", ("content_type", ObjectKindFilter)]
    search_fields = ["object_repr", "actor_name", "object_id"]
    date_hierarchy = "at"
    # Shown with words, not the model's raw columns (content type, source codes, the JSON of changes).
    fields = [
        "at",
        "actor",
        "actor_shown",
        "action",
        "object_kind",
        "object_id",
        "object_repr",
        "district_shown",
        "changes_shown",
        "remote_addr",
        "source_shown",
    ]
    readonly_fields = ["actor_shown", "object_kind", "district_shown", "changes_shown", "source_shown"]

    @admin.display(description=_("district"))
    def district_shown(self, obj: AuditEntry) -> str:
        return str(obj.district) if obj.district_id else "—"

    @admin.display(description=_("source"))
    def source_shown(self, obj: AuditEntry) -> str:
        return str(SOURCE_LABELS.get(obj.source, obj.source)) or "—"

    @admin.display(description=_("user name"), ordering="actor_name")
    def actor_shown(self, obj: AuditEntry) -> str:
        return actor_label(obj)

    @admin.display(description=_("kind of object"), ordering="content_type")
    def object_kind(self, obj: AuditEntry) -> str:
        model = obj.content_type.model_class() if obj.content_type else None
        return str(model._meta.verbose_name) if model else "—"

    @admin.display(description=_("changes"))
    def changes_shown(self, obj: AuditEntry) -> Any:
        # Display methods get no request, so contact numbers are always masked here.
        model = obj.content_type.model_class() if obj.content_type else None
        return changes_html(readable_changes(model, redact_changes(None, obj.district_id, obj.changes))) or "—"


@admin.register(LoginLock)
class LoginLockAdmin(SuperuserOnlyAdmin):
    list_display = ["scope", "key", "failures", "last_failure_at", "locked_until", "is_locked"]
    list_filter = ["scope"]
    search_fields = ["key"]
    actions = ["unlock"]

    @admin.display(boolean=True, description=_("locked now"))
    def is_locked(self, obj: LoginLock) -> bool:
        return bool(obj.locked_until and obj.locked_until > timezone.now())

    @admin.action(description=_("Unlock the selected accounts and addresses"))
    def unlock(self, request: HttpRequest, queryset: QuerySet[LoginLock]) -> None:
        count = login_unlock(actor=request.user, locks=queryset)
        self.message_user(
            request,
            ngettext("%(n)d lock cleared.", "%(n)d locks cleared.", count) % {"n": count},
            messages.SUCCESS,
        )

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Needed for the unlock action; the change form itself shows no editable field.
        return bool(request.user.is_superuser)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["scope", "key", "failures", "window_started_at", "last_failure_at", "locked_until"]


@admin.register(TOTPDevice)
class TOTPDeviceAdmin(SuperuserOnlyAdmin):
    """Which administrators have an authenticator app; the secret itself is never shown."""

    list_display = ["user", "confirmed", "created_at"]
    fields = ["user", "confirmed", "created_at"]
    readonly_fields = ["user", "confirmed", "created_at"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Deleting a device makes its user enrol again (manage.py totp_device).
        return bool(request.user.is_superuser)


# DRF registers a token admin whose pages are addressed by the token's key (and list every key): gone.
# Superusers revoke a user's tokens with the user list's action instead.
admin.site.unregister(TokenProxy)
