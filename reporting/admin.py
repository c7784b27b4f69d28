"""Admin of targets and reports, scoped like the API; splits and manual figures go through the services."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.forms import ModelForm
from django.http import HttpRequest

from reporting.models import ManualValue, Metric, MetricSnapshot, ReportRun, Target
from reporting.services import targets
from zjtx.admin_scoping import AuditHistoryMixin, ReadOnlyScopedAdmin, ScopedAdmin, ServiceErrorsAsMessages


@admin.register(Metric)
class MetricAdmin(AuditHistoryMixin, ScopedAdmin):
    list_display = ["code", "name", "kind", "unit", "sort_order"]
    readonly_fields = ["audit_history"]


@admin.register(Target)
class TargetAdmin(ServiceErrorsAsMessages, AuditHistoryMixin, ScopedAdmin):
    """City-wide targets are added and changed here; district shares come from the split (API), and what a
    target is about (metric, place, split from) is fixed once it exists — the same service as the API."""

    list_display = ["metric", "jurisdiction", "district", "value", "start", "deadline"]
    list_filter = ["jurisdiction", "metric", "deadline"]
    list_select_related = ["metric", "jurisdiction", "district"]
    readonly_fields = ["audit_history"]

    def get_exclude(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["district", "parent"] if obj is None else []

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return self.readonly_fields
        return [*targets.TARGET_IDENTITY, *self.readonly_fields]

    def save_model(self, request: HttpRequest, obj: Target, form: ModelForm[Any], change: bool) -> None:
        if not change:
            super().save_model(request, obj, form, change)
            return
        fields = {name: form.cleaned_data[name] for name in form.changed_data if name in form.cleaned_data}
        targets.target_update(actor=request.user, target_id=obj.pk, **fields)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not (obj is not None and obj.district_id) and super().has_delete_permission(request, obj)

    def delete_model(self, request: HttpRequest, obj: Target) -> None:
        targets.target_delete(actor=request.user, target_id=obj.pk)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        # Shares go with their city target; alone they change only through the split.
        for pk in queryset.filter(district__isnull=True).values_list("pk", flat=True):
            targets.target_delete(actor=request.user, target_id=pk)


@admin.register(ManualValue)
class ManualValueAdmin(ScopedAdmin):
    list_display = ["metric", "jurisdiction", "district", "as_of", "value", "entered_by", "entered_at"]
    list_filter = ["metric", "jurisdiction"]
    exclude = ["entered_by"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # A figure stays with the metric and place it was entered for.
        return [] if obj is None else ["metric", "jurisdiction", "district"]

    def save_model(self, request: HttpRequest, obj: ManualValue, form: ModelForm[Any], change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        created = targets.manual_value_record(
            actor=request.user,
            metric=obj.metric,
            as_of=obj.as_of,
            value=obj.value,
            district=obj.district,
            jurisdiction=obj.jurisdiction,
            note=obj.note,
        )
        obj.pk = created.pk


@admin.register(MetricSnapshot)
class MetricSnapshotAdmin(ReadOnlyScopedAdmin):
    list_display = ["day", "metric", "jurisdiction", "district", "value"]
    list_filter = ["metric", "jurisdiction"]
    date_hierarchy = "day"


@admin.register(ReportRun)
class ReportRunAdmin(ReadOnlyScopedAdmin):
    list_display = ["kind", "jurisdiction", "district", "period", "status", "attempts", "finished_at"]
    list_filter = ["kind", "status", "period"]
