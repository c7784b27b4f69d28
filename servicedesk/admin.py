"""Admin of the service desk (一企一策一人): specialists and packages, visits, demands, daily checks."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from programs.models import Measure, ResponsibleUnit
from servicedesk import models as m
from servicedesk import services as servicedesk
from servicedesk.rule_messages import action_label
from servicedesk.rules import demands as rules_servicedesk
from servicedesk.selectors import overdue_q
from zjtx.access import Action, district_writable, restrict
from zjtx.admin_scoping import (
    AuditHistoryMixin,
    ReadOnlyScopedAdmin,
    ScopedAdmin,
    ServiceErrorsAsMessages,
    TransitionInline,
)
from zjtx.errors import DomainError
from zjtx.roles import Role


class ServiceAssignmentForm(ModelForm):  # type: ignore[type-arg]
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when the enterprise already has a specialist, who is replaced."),
    )

    class Meta:
        model = m.ServiceAssignment
        fields = ["enterprise", "specialist", "policy_measures", "policy_notes"]


def _user_jurisdiction_id(user: Any) -> int | None:
    """The jurisdiction a user works in: their district's for district staff; None for all (superusers)."""
    if user.is_superuser:
        return None
    if user.district_id is not None:
        return user.district.jurisdiction_id
    return user.jurisdiction_id


@admin.register(m.ServiceAssignment)
class ServiceAssignmentAdmin(ServiceErrorsAsMessages, AuditHistoryMixin, ScopedAdmin):
    """Adding assigns (or reassigns, with a reason); changing edits the active package. Ends go through the API.

    On a reassignment an empty package (no measures, no notes) carries the current one over.
    """

    form = ServiceAssignmentForm
    filter_horizontal = ["policy_measures"]
    list_display = ["enterprise", "specialist", "active", "started_at", "ended_at", "end_reason"]

    @admin.display(description=_("active"), boolean=True)
    def active(self, obj: m.ServiceAssignment) -> bool:
        return obj.is_active

    list_filter = [("ended_at", admin.EmptyFieldListFilter), "enterprise__district"]
    list_select_related = ["enterprise", "specialist"]
    search_fields = ["enterprise__credit_code", "enterprise__name", "specialist__username"]
    show_full_result_count = False

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ["enterprise", "specialist", "reason", "policy_measures", "policy_notes"]
        return [
            "enterprise",
            "specialist",
            "policy_measures",
            "policy_notes",
            "started_at",
            "started_by",
            "ended_at",
            "ended_by",
            "end_reason",
            "audit_history",
        ]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return []
        fixed = ["enterprise", "specialist", "started_at", "started_by", "ended_at", "ended_by", "end_reason"]
        if obj.ended_at is not None:
            fixed += ["policy_measures", "policy_notes"]
        return [*fixed, "audit_history"]

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "specialist":
            # Only people who may serve: active district staff, of the user's own district.
            user: Any = request.user
            staff = User.objects.filter(role=Role.DISTRICT_STAFF, is_active=True)
            kwargs["queryset"] = staff if user.is_superuser else staff.filter(district_id=user.district_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "policy_measures":
            # Measures of the policies of the user's jurisdiction (the service checks the enterprise's).
            measures = restrict(Measure.objects.select_related("policy"), request.user, Action.VIEW)
            jurisdiction_id = _user_jurisdiction_id(request.user)
            if jurisdiction_id is not None:
                measures = measures.filter(policy__jurisdiction_id=jurisdiction_id)
            kwargs["queryset"] = measures.order_by("policy__code", "sort_order")
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: m.ServiceAssignment, form: Any, change: bool) -> None:
        data = form.cleaned_data
        if change:
            servicedesk.policy_package_update(
                actor=request.user,
                assignment_id=obj.pk,
                policy_measures=data.get("policy_measures"),
                policy_notes=data.get("policy_notes"),
            )
            return
        measures = list(data.get("policy_measures") or [])
        created = servicedesk.specialist_assign(
            actor=request.user,
            enterprise=data["enterprise"],
            specialist=data["specialist"],
            policy_measures=measures or None,
            policy_notes=data.get("policy_notes") or None,
            reason=data.get("reason") or "",
        )
        obj.pk = created.pk

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # The service has linked the package's measures; the form's own save_m2m would bypass its checks.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)


class DemandOfVisitInline(TransitionInline):
    """The demands raised in a visit, read-only like the transition inlines."""

    model = m.Demand
    fields = ("category", "description", "unit", "due_on", "status")  # type: ignore[assignment]
    readonly_fields = fields  # type: ignore[assignment]
    show_change_link = True


VISIT_FIELDS = ["enterprise", "visited_on", "mode", "met_with", "notes", "follow_up_on"]


@admin.register(m.Visit)
class VisitAdmin(ServiceErrorsAsMessages, AuditHistoryMixin, ScopedAdmin):
    """Visits are logged once (through the service) and then only read."""

    list_display = ["visited_on", "enterprise", "mode", "visitor", "follow_up_on"]
    list_filter = ["mode", "enterprise__district"]
    list_select_related = ["enterprise", "visitor"]
    search_fields = ["enterprise__credit_code", "enterprise__name", "met_with"]
    date_hierarchy = "visited_on"
    fields = VISIT_FIELDS  # type: ignore[assignment]
    inlines = [DemandOfVisitInline]
    show_full_result_count = False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [] if obj is None else [*self.fields, "visitor", "audit_history"]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.fields if obj is None else [*self.fields, "visitor", "audit_history"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: m.Visit, form: Any, change: bool) -> None:
        created = servicedesk.visit_log(actor=request.user, **{f: form.cleaned_data[f] for f in VISIT_FIELDS})
        obj.pk = created.pk


class DemandEventInline(TransitionInline):
    model = m.DemandEvent
    fields = ("at", "action_shown", "from_shown", "to_shown", "actor", "reason", "details")  # type: ignore[assignment]
    readonly_fields = fields  # type: ignore[assignment]


class OverdueFilter(admin.SimpleListFilter):
    title = _("overdue")
    parameter_name = "overdue"

    def lookups(self, request: HttpRequest, model_admin: Any) -> Any:
        return [("1", _("Yes")), ("0", _("No"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        q = overdue_q(timezone.localdate())
        if self.value() == "1":
            return queryset.filter(q)
        if self.value() == "0":
            return queryset.exclude(q)
        return queryset


def _demand_action(name: str) -> Any:
    def run(modeladmin: Any, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        done = 0
        for demand in queryset:
            try:
                servicedesk.demand_transition(actor=request.user, demand_id=demand.pk, action=name)
                done += 1
            except DomainError as exc:
                modeladmin.message_user(request, f"#{demand.pk}: {exc.message}", messages.ERROR)
        if done:
            modeladmin.message_user(request, _("%(n)s done.") % {"n": done}, messages.SUCCESS)

    run.__name__ = f"demand_{name}"
    run.short_description = action_label(name)  # type: ignore[attr-defined]
    return run


@admin.register(m.Demand)
class DemandAdmin(ServiceErrorsAsMessages, AuditHistoryMixin, ScopedAdmin):
    """Demands are raised and corrected through the service; steps that need no input are in the actions menu
    (resolving, closing and reopening need a note or the satisfaction: the API's /transition/)."""

    list_display = ["id", "enterprise", "category", "unit", "status", "raised_on", "due_on", "is_overdue"]
    list_filter = ["status", "category", "unit", OverdueFilter, "enterprise__district"]
    list_select_related = ["enterprise", "unit"]
    search_fields = ["enterprise__credit_code", "enterprise__name", "description"]
    inlines = [DemandEventInline]
    actions = [_demand_action("assign"), _demand_action("start")]
    add_fields = ["enterprise", "visit", "category", "description", "unit", "raised_on", "due_on"]
    show_full_result_count = False

    @admin.display(description=_("overdue"), boolean=True)
    def is_overdue(self, obj: m.Demand) -> bool:
        return rules_servicedesk.is_overdue(obj.status, obj.due_on, timezone.localdate())

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return self.add_fields
        return [
            *self.add_fields,
            "status",
            "satisfaction",
            "resolution",
            "raised_by",
            "resolved_at",
            "closed_at",
            "audit_history",
        ]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return []
        editable: tuple[str, ...] = servicedesk.DEMAND_EDITABLE
        if obj.status == rules_servicedesk.DemandStatus.CLOSED or not district_writable(
            request.user, obj.enterprise.district_id
        ):
            editable = ()  # closed, or not the enterprise's district (officials route through the actions)
        return [f for f in self.get_fields(request, obj) if f not in editable]

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        return {"raised_on": timezone.localdate(), **super().get_changeform_initial_data(request)}

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "unit":
            # The units of the user's jurisdiction (the service checks the enterprise's).
            units = restrict(ResponsibleUnit.objects.select_related("jurisdiction"), request.user, Action.VIEW)
            jurisdiction_id = _user_jurisdiction_id(request.user)
            kwargs["queryset"] = units if jurisdiction_id is None else units.filter(jurisdiction_id=jurisdiction_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: m.Demand, form: Any, change: bool) -> None:
        data = form.cleaned_data
        if change:
            fields = {f: data[f] for f in servicedesk.DEMAND_EDITABLE if f in data}
            servicedesk.demand_update(actor=request.user, demand_id=obj.pk, **fields)
            return
        created = servicedesk.demand_create(actor=request.user, **{f: data.get(f) for f in self.add_fields})
        obj.pk = created.pk


@admin.register(m.ServiceDeskDailyCheck)
class ServiceDeskDailyCheckAdmin(ReadOnlyScopedAdmin):
    list_display = [
        "day",
        "district",
        "open_demands",
        "overdue_demands",
        "resolved_demands",
        "closed_demands",
        "unvisited_enterprises",
    ]
    list_filter = ["day", "district__jurisdiction"]
    list_select_related = ["district"]
    date_hierarchy = "day"


@admin.register(m.VisitCadence)
class VisitCadenceAdmin(AuditHistoryMixin, ScopedAdmin):
    """How often each tier is visited, per city (reference data; fixtures/servicedesk/visit_cadence.yaml)."""

    list_display = ("jurisdiction", "tier", "days")
    list_filter = ("jurisdiction",)
