"""Admin of the registry: enterprises with their yearly figures and eligibility facts, import runs."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from enterprises import models as m
from enterprises.services import registry
from zjtx.access import can_see_contact
from zjtx.admin_scoping import (
    AuditHistoryMixin,
    ReadOnlyScopedAdmin,
    ScopedAdmin,
    ScopedInline,
    ServiceErrorsAsMessages,
)
from zjtx.privacy import mask_phone


class YearFactInline(ScopedInline):
    model = m.EnterpriseYearFact


class EligibilityProfileInline(ScopedInline):
    model = m.EligibilityProfile
    template = "admin/edit_inline/stacked.html"
    max_num = 1


@admin.register(m.Enterprise)
class EnterpriseAdmin(ServiceErrorsAsMessages, AuditHistoryMixin, ScopedAdmin):
    list_display = ["credit_code", "name", "district", "industry", "size_class", "current_tier", "current_tier_until"]
    list_filter = ["district__jurisdiction", "current_tier", "size_class", "listing_status", "industry"]
    list_select_related = ["district", "industry", "current_tier"]
    search_fields = ["credit_code", "name"]
    readonly_fields = ["current_tier", "current_tier_until", "created_at", "updated_at", "audit_history"]
    inlines = [YearFactInline, EligibilityProfileInline]
    show_full_result_count = False

    def _hides_contact(self, request: HttpRequest, obj: m.Enterprise | None) -> bool:
        return obj is not None and not can_see_contact(request.user, obj.district_id)

    def get_exclude(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["contact_phone"] if self._hides_contact(request, obj) else super().get_exclude(request, obj)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "masked_phone"] if self._hides_contact(request, obj) else fields

    @admin.display(description=_("contact phone"))
    def masked_phone(self, obj: m.Enterprise) -> str:
        return mask_phone(obj.contact_phone)

    def save_model(self, request: HttpRequest, obj: m.Enterprise, form: ModelForm[Any], change: bool) -> None:
        fields = {f: form.cleaned_data[f] for f in registry.EDITABLE if f in form.cleaned_data}
        if change:
            registry.enterprise_update(actor=request.user, enterprise=obj, **fields)
        else:
            created = registry.enterprise_create(actor=request.user, credit_code=obj.credit_code, **fields)
            obj.pk = created.pk


@admin.register(m.ImportRun)
class ImportRunAdmin(ReadOnlyScopedAdmin):
    list_display = ["file_name", "status", "rows_total", "rows_created", "rows_updated", "rows_rejected", "started_at"]
    list_filter = ["status"]
