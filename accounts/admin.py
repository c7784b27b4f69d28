from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accounts.models import AuditEntry, User
from zjtx.access import redact_changes
from zjtx.admin_scoping import ReadOnlyScopedAdmin


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Only superusers manage accounts; everybody else sees only themselves (and cannot raise their role)."""

    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        (_("Role and scope"), {"fields": ("role", "district", "jurisdiction")}),
    )
    list_display = ["username", "role", "district", "jurisdiction", "is_active", "is_superuser"]
    list_filter = ["role", "is_active", "jurisdiction"]

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
