"""Admin pages of the programs, scoped like the API: program administrators maintain policies, measures and
rules (validated on save); benefit applications move only through their transitions."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.forms import ModelForm
from django.http import HttpRequest

from programs import models as m
from programs.models.benefits import BENEFIT_ACTIONS
from programs.rules.benefits import BENEFIT_TRANSITIONS
from programs.services import benefits
from programs.services.rules import subsidy_rule_save
from zjtx.admin_scoping import AuditHistoryMixin, ReadOnlyScopedAdmin, ScopedAdmin, TransitionInline, transition_action


@admin.register(m.ResponsibleUnit)
class ResponsibleUnitAdmin(ScopedAdmin):
    list_display = ["code", "name", "kind", "jurisdiction"]
    list_filter = ["jurisdiction", "kind"]
    search_fields = ["code", "name", "name_en"]


@admin.register(m.Policy)
class PolicyAdmin(AuditHistoryMixin, ScopedAdmin):
    list_display = ["code", "name", "issuer", "document_date", "jurisdiction", "effective_from", "effective_until"]
    list_filter = ["jurisdiction"]
    filter_horizontal = ["tiers"]
    readonly_fields = ["audit_history"]


@admin.register(m.MeasureGroup)
class MeasureGroupAdmin(ScopedAdmin):
    list_display = ["policy", "clause", "name", "kind"]
    list_filter = ["policy", "kind"]
    list_select_related = ["policy"]
    filter_horizontal = ["units"]


@admin.register(m.Measure)
class MeasureAdmin(AuditHistoryMixin, ScopedAdmin):
    list_display = ["clause", "name", "policy", "group", "kind", "funding", "beneficiary", "budget"]
    list_filter = ["policy", "kind", "funding", "beneficiary"]
    list_select_related = ["policy", "group"]
    search_fields = ["clause", "name", "name_en", "text"]
    filter_horizontal = ["tiers", "industries", "units"]
    readonly_fields = ["audit_history"]


@admin.register(m.Commitment)
class CommitmentAdmin(ScopedAdmin):
    list_display = ["code", "policy", "clause", "name", "quantity", "unit", "kind", "approximate", "target_year"]
    list_filter = ["policy", "kind"]
    list_select_related = ["policy"]


@admin.register(m.SubsidyRule)
class SubsidyRuleAdmin(AuditHistoryMixin, ScopedAdmin):
    """A new rate, cap or end date is an edit here; the form refuses parameters the engine cannot compute with."""

    list_display = ["code", "measure", "kind", "effective_from", "effective_until", "clause"]
    list_filter = ["kind", "measure__policy"]
    list_select_related = ["measure"]
    search_fields = ["code", "name", "clause"]
    readonly_fields = ["audit_history"]

    def save_model(self, request: HttpRequest, obj: m.SubsidyRule, form: ModelForm[Any], change: bool) -> None:
        subsidy_rule_save(actor=request.user, rule=obj)


def _move(actor: Any, pk: int, action: str) -> Any:
    return benefits.benefit_application_transition(actor=actor, application_id=pk, action=action)


class BenefitTransitionInline(TransitionInline):
    model = m.BenefitApplicationTransition


@admin.register(m.BenefitApplication)
class BenefitApplicationAdmin(AuditHistoryMixin, ReadOnlyScopedAdmin):
    """Applications move only through their transitions (the actions menu), never by editing the status."""

    list_display = ["id", "enterprise", "measure", "basis_date", "amount", "approved_amount", "status", "submitted_at"]
    list_filter = ["status", "measure__policy"]
    list_select_related = ["enterprise", "measure"]
    search_fields = ["enterprise__credit_code", "enterprise__name"]
    readonly_fields = ["audit_history"]
    inlines = [BenefitTransitionInline]
    actions = [
        transition_action("benefit", t.action, _move, label=BENEFIT_ACTIONS.get(t.action))
        for t in BENEFIT_TRANSITIONS
        if not t.needs_reason
    ]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Needed for the actions menu; the form itself has no editable fields.
        return obj is None and ScopedAdmin.has_change_permission(self, request, obj)
