"""Admin pages of the registry, scoped like the API; writes go through the same services."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from accounts.audit import history
from enterprises import models as m
from enterprises.rules import lifecycle as rules
from enterprises.services import lifecycle, registry
from zjtx.admin_scoping import ReadOnlyScopedAdmin, ScopedAdmin, ScopedInline
from zjtx.errors import DomainError


class AuditHistoryMixin:
    """Shows the object's audit history (who, when, what changed) on its change page."""

    @admin.display(description=_("Change history"))
    def audit_history(self, obj: Any) -> str:
        if obj is None or obj.pk is None:
            return "—"
        rows = history(obj)[:50]
        return (
            format_html_join(
                "",
                "<div>{} · {} · {} · {}</div>",
                ((e.at.strftime("%Y-%m-%d %H:%M"), e.actor_name, e.get_action_display(), e.changes) for e in rows),
            )
            or "—"
        )


@admin.register(m.Jurisdiction)
class JurisdictionAdmin(ScopedAdmin):
    list_display = ["code", "name", "name_en"]


@admin.register(m.District)
class DistrictAdmin(AuditHistoryMixin, ScopedAdmin):
    list_display = ["code", "name", "kind", "jurisdiction"]
    list_filter = ["jurisdiction", "kind"]
    search_fields = ["code", "name", "name_en"]
    readonly_fields = ["audit_history"]


@admin.register(m.Industry)
class IndustryAdmin(ScopedAdmin):
    list_display = ["code", "name", "name_en"]


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


class YearFactInline(ScopedInline):
    model = m.EnterpriseYearFact


class EligibilityProfileInline(ScopedInline):
    model = m.EligibilityProfile
    template = "admin/edit_inline/stacked.html"
    max_num = 1


@admin.register(m.Enterprise)
class EnterpriseAdmin(AuditHistoryMixin, ScopedAdmin):
    list_display = ["credit_code", "name", "district", "industry", "size_class", "current_tier", "current_tier_until"]
    list_filter = ["district__jurisdiction", "current_tier", "size_class", "listing_status", "industry"]
    list_select_related = ["district", "industry", "current_tier"]
    search_fields = ["credit_code", "name"]
    readonly_fields = ["current_tier", "current_tier_until", "created_at", "updated_at", "audit_history"]
    inlines = [YearFactInline, EligibilityProfileInline]
    show_full_result_count = False

    def save_model(self, request: HttpRequest, obj: m.Enterprise, form: ModelForm[Any], change: bool) -> None:
        fields = {f: form.cleaned_data[f] for f in registry.EDITABLE if f in form.cleaned_data}
        if change:
            registry.enterprise_update(actor=request.user, enterprise=obj, **fields)
        else:
            created = registry.enterprise_create(actor=request.user, credit_code=obj.credit_code, **fields)
            obj.pk = created.pk


def _transition_action(table: str, name: str) -> Any:
    def run(modeladmin: Any, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        done = 0
        for obj in queryset:
            try:
                if table == "application":
                    lifecycle.application_transition(actor=request.user, application_id=obj.pk, action=name)
                else:
                    lifecycle.certification_transition(actor=request.user, certification_id=obj.pk, action=name)
                done += 1
            except DomainError as exc:
                modeladmin.message_user(request, f"{obj}: {exc.message}", messages.ERROR)
        if done:
            modeladmin.message_user(request, _("%(n)s done.") % {"n": done}, messages.SUCCESS)

    run.__name__ = f"{table}_{name}"
    run.short_description = name.replace("_", " ")  # type: ignore[attr-defined]
    return run


class TransitionInline(ScopedInline):
    fields = ("at", "action", "from_status", "to_status", "actor", "reason")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ApplicationTransitionInline(TransitionInline):
    model = m.ApplicationTransition


class CertificationTransitionInline(TransitionInline):
    model = m.CertificationTransition


@admin.register(m.Application)
class ApplicationAdmin(AuditHistoryMixin, ReadOnlyScopedAdmin):
    """Applications move only through their transitions (the actions menu), never by editing the status."""

    list_display = ["id", "enterprise", "tier", "batch_year", "status", "submitted_at"]
    list_filter = ["status", "tier", "batch_year"]
    list_select_related = ["enterprise", "tier"]
    search_fields = ["enterprise__credit_code", "enterprise__name"]
    readonly_fields = ["audit_history"]
    inlines = [ApplicationTransitionInline]
    actions = [_transition_action("application", t.action) for t in rules.APPLICATION_TRANSITIONS if not t.needs_reason]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Needed for the actions menu; the form itself has no editable fields.
        return obj is None and ScopedAdmin.has_change_permission(self, request, obj)


@admin.register(m.Certification)
class CertificationAdmin(AuditHistoryMixin, ReadOnlyScopedAdmin):
    list_display = ["id", "enterprise", "tier", "status", "valid_from", "valid_until"]
    list_filter = ["status", "tier"]
    list_select_related = ["enterprise", "tier"]
    search_fields = ["enterprise__credit_code", "enterprise__name"]
    readonly_fields = ["audit_history"]
    inlines = [CertificationTransitionInline]
    actions = [
        _transition_action("certification", t.action)
        for t in rules.CERTIFICATION_TRANSITIONS
        if not t.needs_reason and t.action != "expire"
    ]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and ScopedAdmin.has_change_permission(self, request, obj)


@admin.register(m.ImportRun)
class ImportRunAdmin(ReadOnlyScopedAdmin):
    list_display = ["file_name", "status", "rows_total", "rows_created", "rows_updated", "rows_rejected", "started_at"]
    list_filter = ["status"]


@admin.register(m.EligibilityAssessment)
class EligibilityAssessmentAdmin(ReadOnlyScopedAdmin):
    list_display = ["enterprise", "tier", "assessed_on", "passed", "near", "missing_data", "score", "rule_set"]
    list_filter = ["tier", "passed", "near", "missing_data", "provisional"]
    list_select_related = ["enterprise", "tier"]
    search_fields = ["enterprise__credit_code", "enterprise__name"]
    show_full_result_count = False
