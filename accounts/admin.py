from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from rest_framework.authtoken.models import TokenProxy

from accounts.forms import AdminLoginForm
from accounts.models import AuditEntry, LoginLock, TOTPDevice, User
from accounts.services.login import login_unlock
from accounts.services.tokens import token_expiry, tokens_revoke
from zjtx.access import redact_changes
from zjtx.admin_scoping import ReadOnlyScopedAdmin

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

    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
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


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyScopedAdmin):
    list_display = ["at", "actor_name", "action", "content_type", "object_repr", "remote_addr"]
    list_filter = ["action", "content_type"]
    search_fields = ["object_repr", "actor_name", "object_id"]
    date_hierarchy = "at"
    exclude = ["changes"]
    readonly_fields = ["changes_shown"]

    @admin.display(description=_("changes"))
    def changes_shown(self, obj: AuditEntry) -> Any:
        # Display methods get no request, so contact numbers are always masked here.
        return redact_changes(None, obj.district_id, obj.changes)


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
