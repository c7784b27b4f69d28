"""Admin of applications, certifications (moved only by their transitions) and eligibility assessments."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from tiers import models as m
from tiers.models.lifecycle import ACTION_LABELS
from tiers.rules import lifecycle as rules
from tiers.services import lifecycle
from zjtx.admin_scoping import AuditHistoryMixin, ReadOnlyScopedAdmin, ScopedAdmin, TransitionInline, transition_action


def _transition_action(table: str, name: str) -> Any:
    def move(actor: Any, pk: int, action: str) -> Any:
        if table == "application":
            return lifecycle.application_transition(actor=actor, application_id=pk, action=action)
        return lifecycle.certification_transition(actor=actor, certification_id=pk, action=action)

    return transition_action(table, name, move, label=ACTION_LABELS.get(name))


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


@admin.register(m.EligibilityAssessment)
class EligibilityAssessmentAdmin(ReadOnlyScopedAdmin):
    list_display = ["enterprise", "tier", "assessed_on", "passed", "near", "missing_data", "score", "rule_set"]
    list_filter = ["tier", "passed", "near", "missing_data", "provisional"]
    list_select_related = ["enterprise", "tier"]
    search_fields = ["enterprise__credit_code", "enterprise__name"]
    show_full_result_count = False
