"""Pages of the policy matching (政策找企业): what firms qualify for and have not claimed, an application
prefilled from a match, and the officials' uptake of each measure against its budget (with an .xlsx export).

Thin: the selectors give the scoped rows, the benefit service decides; a refusal is shown on the form.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from enterprises.models import Enterprise
from enterprises.rules import credit_code
from programs import selectors
from programs.benefit_messages import match_reasons, missing_facts_message, tier_names_of
from programs.models import BenefitMatch, Measure
from programs.rule_messages import input_label
from programs.rules import subsidy as engine
from programs.services.benefits import benefit_application_submit
from programs.web.uptake_xlsx import uptake_workbook
from reference.models import District
from zjtx.access import Action, can
from zjtx.errors import DomainError
from zjtx.paginator import CappedPaginator
from zjtx.web import OFFICE_ROLES, RoleRequiredMixin, scoped_or_404

DATE = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


def _district_choices(user: Any) -> QuerySet[District]:
    districts = District.objects.select_related("jurisdiction")
    if getattr(user, "district_id", None):
        return districts.filter(pk=user.district_id)
    if getattr(user, "jurisdiction_id", None):
        return districts.filter(jurisdiction_id=user.jurisdiction_id)
    return districts


class UnclaimedMatchesView(RoleRequiredMixin, TemplateView):
    """The measures firms in the user's scope qualify for and have not applied under (the staff's work list)."""

    template_name = "programs/unclaimed_matches.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user: Any = self.request.user
        params = self.request.GET
        rows = selectors.unclaimed_matches_for(user)
        measure = params.get("measure", "")
        if measure.isdigit():
            rows = rows.filter(measure_id=int(measure))
        district = params.get("district", "")
        if district:
            rows = rows.filter(enterprise__district__code=district)
        page = CappedPaginator(rows, 50).get_page(params.get("page"))
        query = params.copy()
        query.pop("page", None)
        context.update(
            page_obj=page,
            matches=page.object_list,
            measures=Measure.objects.filter(pk__in=selectors.measures_matched_for(user)).select_related("policy"),
            districts=_district_choices(user),
            selected={"measure": measure, "district": district},
            query=query.urlencode(),
            matched_on=selectors.last_matched_on(),
            can_apply=getattr(user, "role", "") == "district_staff" or user.is_superuser,
        )
        return context


def enterprise_matches(user: Any, enterprise: Enterprise) -> dict[str, Any]:
    """The enterprise page's 可享政策 section: every match of the enterprise, qualifying ones first."""
    order = {"qualifies": 0, "cannot_tell": 1, "does_not": 2}
    rows = sorted(
        selectors.matches_for(user).filter(enterprise=enterprise),
        key=lambda m: (order[m.verdict], m.measure.sort_order),
    )
    names = tier_names_of() if any(m.reasons for m in rows) else {}
    matched_on = selectors.last_matched_on()
    return {
        "benefit_matches": [(m, _reasons(m, names, matched_on)) for m in rows],
        "matched_on": matched_on,
        "can_apply": can(user, Action.CHANGE, enterprise),
    }


def _reasons(match: BenefitMatch, names: dict[str, str], day: date | None) -> list[str]:
    texts = match_reasons(match.reasons, names, day)
    if match.missing:
        texts.append(missing_facts_message(match.missing))
    return texts


class BenefitApplicationForm(forms.Form):
    basis_date = forms.DateField(label=gettext_lazy("Basis date"), widget=DATE)
    note = forms.CharField(label=gettext_lazy("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args: Any, inputs: dict[str, bool], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.input_names = list(inputs)
        for name, required in inputs.items():
            self.fields[f"input_{name}"] = forms.CharField(
                label=input_label(name),
                required=required,
                max_length=40,
                help_text="" if required else _("Optional: without it the maximum is applied for."),
            )

    def inputs(self) -> dict[str, str]:
        return {
            name: self.cleaned_data[f"input_{name}"]
            for name in self.input_names
            if self.cleaned_data.get(f"input_{name}") not in (None, "")
        }


def benefit_application_new(request: HttpRequest, code: str, measure_id: int) -> HttpResponse:
    """Start a benefit application for an enterprise of the user's district, prefilled from its match."""
    if not request.user.is_authenticated:
        return redirect(f"/login/?next={request.path}")
    enterprise = scoped_or_404(
        Enterprise.objects.select_related("district__jurisdiction", "industry"),
        request,
        Action.CHANGE,
        credit_code=credit_code.normalise(code),
    )
    measure = scoped_or_404(Measure.objects.select_related("policy"), request, pk=measure_id)
    today = timezone.localdate()
    rule = selectors.rule_in_force(measure, today)
    match = BenefitMatch.objects.filter(enterprise=enterprise, measure=measure).first()
    inputs = engine.input_names(rule.kind, rule.params) if rule else {}
    initial: dict[str, Any] = {"basis_date": today}
    if match is not None:
        initial.update({f"input_{k}": v for k, v in match.inputs.items()})
    form = BenefitApplicationForm(request.POST or None, inputs=inputs, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            benefit_application_submit(
                actor=request.user,
                enterprise=enterprise,
                measure=measure,
                inputs=form.inputs(),
                basis_date=form.cleaned_data["basis_date"],
                note=form.cleaned_data["note"],
            )
        except DomainError as exc:
            field = {"basis_date": "basis_date"}.get(exc.field or "")
            form.add_error(field, exc.message)
        else:
            messages.success(request, _("The benefit application was submitted."))
            return redirect(f"/enterprises/{enterprise.credit_code}/#benefits")
    context = {"enterprise": enterprise, "measure": measure, "rule": rule, "match": match, "form": form}
    return render(request, "programs/benefit_form.html", context, status=400 if form.errors else 200)


class UptakeView(RoleRequiredMixin, TemplateView):
    """Per measure and per district: firms qualifying, applied, approved, paid; money against the budget."""

    template_name = "programs/uptake.html"
    roles = OFFICE_ROLES

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user: Any = self.request.user
        context.update(
            measures=selectors.measure_uptake(user),
            districts=selectors.measure_uptake(user, by_district=True),
            matched_on=selectors.last_matched_on(),
        )
        return context


class UptakeExportView(RoleRequiredMixin, TemplateView):
    roles = OFFICE_ROLES

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user: Any = request.user
        body = uptake_workbook(
            selectors.measure_uptake(user),
            selectors.measure_uptake(user, by_district=True),
            selectors.last_matched_on(),
        )
        response = HttpResponse(body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        name = f"policy-uptake-{timezone.localdate().isoformat()}.xlsx"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
