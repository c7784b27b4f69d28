"""Admin of targets and reports, scoped like the API; splits and manual figures go through the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from programs.models import Policy
from reporting.models import ManualValue, Metric, MetricSnapshot, ReportRun, Target
from reporting.services import plans, targets
from zjtx.access import can_change_model
from zjtx.admin_scoping import AuditHistoryMixin, ReadOnlyScopedAdmin, ScopedAdmin
from zjtx.errors import DomainError


@admin.register(Metric)
class MetricAdmin(AuditHistoryMixin, ScopedAdmin):
    list_display = ["code", "name", "kind", "unit", "sort_order"]
    readonly_fields = ["audit_history"]


class PlanFileForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Plan file (YAML)"),
        help_text=gettext_lazy("The policy, its targets and their district shares; see the documentation."),
    )


@admin.register(Target)
class TargetAdmin(AuditHistoryMixin, ScopedAdmin):
    list_display = ["metric", "jurisdiction", "district", "policy", "value", "start", "deadline"]
    list_filter = ["jurisdiction", "policy", "metric", "deadline"]
    list_select_related = ["metric", "jurisdiction", "district", "policy"]
    readonly_fields = ["audit_history"]
    change_list_template = "admin/reporting/target/change_list.html"

    def get_urls(self) -> list[URLPattern]:
        load = path("load-plan/", self.admin_site.admin_view(self.load_plan), name="reporting_target_load_plan")
        return [load, *super().get_urls()]

    def load_plan(self, request: HttpRequest) -> HttpResponse:
        """A new plan period from one YAML file: the same loader as `manage.py load_plan` and POST /api/v1/plans/."""
        if not (can_change_model(request.user, Policy) and can_change_model(request.user, Target)):
            raise PermissionDenied
        form = PlanFileForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                document = plans.read_plan_yaml(form.cleaned_data["file"].read())
                result = plans.plan_load(actor=request.user, document=document)
            except ValidationError as exc:
                for where, problems in exc.message_dict.items():
                    for problem in problems:
                        form.add_error("file", f"{where}: {problem}")
            except DomainError as exc:
                form.add_error("file", exc.message)
            else:
                messages.success(request, str(result))
                return redirect("admin:reporting_target_changelist")
        context = {**self.admin_site.each_context(request), "form": form, "opts": self.model._meta,
                   "title": _("Load a plan period from a YAML file")}  # fmt: skip
        return TemplateResponse(request, "admin/reporting/target/load_plan.html", context)


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
