"""Admin of the reference data and of the job-run records."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from reference import models as m
from zjtx.access import is_role
from zjtx.admin_scoping import AuditHistoryMixin, ReadOnlyScopedAdmin, ScopedAdmin
from zjtx.web import OFFICE_ROLES


@admin.register(m.Jurisdiction)
class JurisdictionAdmin(ScopedAdmin):
    list_display = ["code", "name"]


@admin.register(m.District)
class DistrictAdmin(AuditHistoryMixin, ScopedAdmin):
    list_display = ["code", "name", "kind", "jurisdiction"]
    list_filter = ["jurisdiction", "kind"]
    search_fields = ["code", "name", "name_en"]
    readonly_fields = ["audit_history"]


@admin.register(m.Industry)
class IndustryAdmin(ScopedAdmin):
    list_display = ["code", "name"]


@admin.register(m.Tier)
class TierAdmin(AuditHistoryMixin, ScopedAdmin):
    list_display = [
        "code",
        "name",
        "level",
        "certifying_level",
        "jurisdiction",
        "validity_years",
        "effective_from",
        "effective_until",
    ]
    list_filter = ["level", "certifying_level"]
    readonly_fields = ["audit_history"]


@admin.register(m.JobRun)
class JobRunAdmin(ReadOnlyScopedAdmin):
    list_display = ["job", "key", "status", "started_at", "finished_at"]
    list_filter = ["job", "status"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_superuser or is_role(request.user, *OFFICE_ROLES))

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)
