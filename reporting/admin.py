"""Admin of targets and reports, scoped like the API; splits and manual figures go through the services."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.forms import ModelForm
from django.http import HttpRequest

from reporting.models import ManualValue, Metric, MetricSnapshot, ReportRun, Target
from reporting.services import targets
from zjtx.admin_scoping import AuditHistoryMixin, ReadOnlyScopedAdmin, ScopedAdmin


@admin.register(Metric)
class MetricAdmin(AuditHistoryMixin, ScopedAdmin):
    list_display = ["code", "name", "kind", "unit", "sort_order"]
    readonly_fields = ["audit_history"]


@admin.register(Target)
class TargetAdmin(AuditHistoryMixin, ScopedAdmin):
    list_display = ["metric", "jurisdiction", "district", "value", "start", "deadline"]
    list_filter = ["jurisdiction", "metric", "deadline"]
    list_select_related = ["metric", "jurisdiction", "district"]
    readonly_fields = ["audit_history"]


@admin.register(ManualValue)
class ManualValueAdmin(ScopedAdmin):
    list_display = ["metric", "jurisdiction", "district", "as_of", "value", "entered_by", "entered_at"]
    list_filter = ["metric", "jurisdiction"]
    exclude = ["entered_by"]

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
