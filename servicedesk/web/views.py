"""Service-desk pages: log a visit, raise a demand, follow a demand to closure (一企一策一人).

Forms validate what a form can; the services decide the rest, and a service's
refusal (DomainError) is shown next to the field it names, or above the form.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from enterprises.models import Enterprise
from enterprises.rules import credit_code
from servicedesk import services as servicedesk
from servicedesk.models import Demand, DemandCategory, SatisfactionChoices, VisitMode
from servicedesk.rule_messages import action_label
from servicedesk.rules.demands import DEMAND_TRANSITIONS
from servicedesk.selectors import demands_for
from zjtx.access import Action
from zjtx.errors import DomainError
from zjtx.rules.transitions import allowed_actions
from zjtx.web import scoped_or_404

# Dates are typed year first (2026-11-26), whatever the browser's language: an <input type="date"> would
# show an English browser's month/day/year.  The field also reads 2026/11/26 and 2026年11月26日.
DATE_FORMATS = ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日"]
DATE = forms.DateInput(
    format="%Y-%m-%d",
    attrs={
        "inputmode": "numeric",
        "placeholder": _("YYYY-MM-DD"),
        "autocomplete": "off",
        "class": "date-input",
        "lang": "zh-CN",
    },
)


def date_field(label: Any, *, required: bool = True) -> forms.DateField:
    return forms.DateField(label=label, widget=DATE, input_formats=DATE_FORMATS, required=required)


def units_for(enterprise: Enterprise) -> QuerySet[Any]:
    """Responsible units that serve the enterprise's jurisdiction."""
    model = Demand._meta.get_field("unit").related_model
    jurisdiction = enterprise.district.jurisdiction_id
    return model._default_manager.filter(Q(jurisdiction_id=jurisdiction) | Q(jurisdiction__isnull=True))  # type: ignore[union-attr]


class DemandFields(forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=DemandCategory.choices)
    description = forms.CharField(label=_("What the enterprise needs"), widget=forms.Textarea(attrs={"rows": 3}))
    due_on = date_field(_("Due date"))
    unit: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Responsible unit"), queryset=None, required=False
    )  # type: ignore[arg-type]

    def __init__(self, *args: Any, enterprise: Enterprise, optional: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units_for(enterprise)  # type: ignore[attr-defined]
        self.fields["unit"].help_text = _("Naming the unit routes the demand to it at once.")
        if optional:
            # In the visit form the demand is filled in only when the enterprise raised one: its fields are
            # not marked required until the box is ticked (and then checked as usual).
            self.fields["category"].choices = [("", "—"), *DemandCategory.choices]  # type: ignore[attr-defined]
            for field in self.fields.values():
                field.required = False


class VisitForm(forms.Form):
    # No defaults: a visit is logged by entering its day and how it took place, never by saving untouched.
    visited_on = date_field(_("Visit date"))
    mode = forms.ChoiceField(label=_("Mode"), choices=[("", _("— choose —")), *VisitMode.choices])
    met_with = forms.CharField(label=_("People met"), max_length=200, required=False)
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    follow_up_on = date_field(_("Follow-up date"), required=False)
    raise_demand = forms.BooleanField(label=_("The enterprise raised a demand"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        visited, follow = data.get("visited_on"), data.get("follow_up_on")
        if visited and follow and follow < visited:
            self.add_error("follow_up_on", _("The follow-up cannot be before the visit."))
        return data


class DemandMoveForm(forms.Form):
    action = forms.ChoiceField(label=_("Next step"))
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    unit: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Responsible unit"), queryset=None, required=False
    )  # type: ignore[arg-type]
    due_on = date_field(_("New due date"), required=False)
    satisfaction = forms.ChoiceField(
        label=_("Enterprise's satisfaction"), choices=[("", "—"), *SatisfactionChoices.choices], required=False
    )

    def __init__(self, *args: Any, demand: Demand, actions: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [(a, action_label(a)) for a in actions]  # type: ignore[attr-defined]
        self.fields["unit"].queryset = units_for(demand.enterprise)  # type: ignore[attr-defined]


def _show_refusal(form: forms.Form, exc: DomainError) -> None:
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)


def _enterprise(request: HttpRequest, code: str) -> Enterprise:
    return scoped_or_404(
        Enterprise.objects.select_related("district__jurisdiction"),
        request,
        Action.CHANGE,
        credit_code=credit_code.normalise(code),
    )


def visit_new(request: HttpRequest, code: str) -> HttpResponse:
    """Log a visit (and, optionally, the demand raised in it) for an enterprise of the user's district."""
    if not request.user.is_authenticated:
        return redirect(f"/login/?next={request.path}")
    enterprise = _enterprise(request, code)
    form = VisitForm(request.POST if request.method == "POST" else None)
    # The demand part is only read (and checked) when the box says the enterprise raised one.
    wants_demand = request.method == "POST" and bool(request.POST.get("raise_demand"))
    demand_form = DemandFields(
        request.POST if wants_demand else None, enterprise=enterprise, prefix="demand", optional=not wants_demand
    )
    if request.method == "POST" and form.is_valid() and (not wants_demand or demand_form.is_valid()):
        data = dict(form.cleaned_data)
        data.pop("raise_demand")
        demands = [demand_form.cleaned_data] if wants_demand else []
        try:
            servicedesk.visit_log(actor=request.user, enterprise=enterprise, demands=demands, **data)
        except DomainError as exc:
            _show_refusal(demand_form if wants_demand and exc.field in demand_form.fields else form, exc)
        else:
            messages.success(request, _("The visit was saved."))
            return redirect(f"/enterprises/{enterprise.credit_code}/#visits")
    status = 400 if request.method == "POST" else 200
    context = {"enterprise": enterprise, "form": form, "demand_form": demand_form}
    return render(request, "servicedesk/visit_form.html", context, status=status)


def demand_new(request: HttpRequest, code: str) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect(f"/login/?next={request.path}")
    enterprise = _enterprise(request, code)
    form = DemandFields(request.POST if request.method == "POST" else None, enterprise=enterprise)
    if request.method == "POST" and form.is_valid():
        try:
            demand = servicedesk.demand_create(actor=request.user, enterprise=enterprise, **form.cleaned_data)
        except DomainError as exc:
            _show_refusal(form, exc)
        else:
            messages.success(request, _("The demand was saved."))
            return redirect("servicedesk:demand", pk=demand.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "servicedesk/demand_form.html", {"enterprise": enterprise, "form": form}, status=status)


def demand_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A demand with its history, and the form for its next step."""
    if not request.user.is_authenticated:
        return redirect(f"/login/?next={request.path}")
    demand = scoped_or_404(
        demands_for(request.user).select_related("enterprise__district__jurisdiction", "unit", "visit"),
        request,
        pk=pk,
    )
    user: Any = request.user
    actions = allowed_actions(
        DEMAND_TRANSITIONS, current=demand.status, role=getattr(user, "role", ""), is_superuser=user.is_superuser
    )
    form = DemandMoveForm(request.POST if request.method == "POST" else None, demand=demand, actions=actions)
    if request.method == "POST" and actions and form.is_valid():
        data = form.cleaned_data
        try:
            servicedesk.demand_transition(
                actor=user,
                demand_id=demand.pk,
                action=data["action"],
                note=data["note"],
                unit=data["unit"] if data["action"] == "assign" else None,
                due_on=data["due_on"] if data["action"] in ("assign", "reopen") else None,
                satisfaction=data["satisfaction"] or None if data["action"] == "close" else None,
            )
        except DomainError as exc:
            _show_refusal(form, exc)
        else:
            messages.success(request, _("Saved: %(step)s.") % {"step": action_label(data["action"])})
            return redirect("servicedesk:demand", pk=demand.pk)
    context = {
        "demand": demand,
        "events": demand.events.select_related("actor").order_by("at", "id"),
        "form": form if actions else None,
        "overdue": demand.status not in ("resolved", "closed") and demand.due_on < timezone.localdate(),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "servicedesk/demand_detail.html", context, status=status)
