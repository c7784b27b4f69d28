"""Registry pages: my enterprises with search and filters, the enterprise page, imports with progress."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.generic import ListView, TemplateView

from accounts.audit import history, readable_changes
from enterprises.api.filters import EnterpriseFilter
from enterprises.models import Enterprise, EnterpriseYearFact, ImportRun
from enterprises.models.registry import ImportStatus
from enterprises.rules import credit_code
from enterprises.selectors import enterprises_for
from enterprises.services import importing, registry
from enterprises.services.import_report import import_errors_csv
from enterprises.web.forms import YEAR_FACT_FIELDS, ImportForm, YearFactForm
from reference.models import District, Industry, Tier
from zjtx.access import Action, can, can_see_contact, redact_changes, restrict
from zjtx.errors import DomainError
from zjtx.page_sections import ENTERPRISE_PAGE, page_sections
from zjtx.paginator import CappedPaginator
from zjtx.privacy import mask_phone
from zjtx.roles import Role
from zjtx.web import RoleRequiredMixin, scoped_or_404


class EnterpriseListView(RoleRequiredMixin, ListView):  # type: ignore[type-arg]
    template_name = "enterprises/list.html"
    paginate_by = 50
    paginator_class = CappedPaginator

    def get_queryset(self) -> QuerySet[Enterprise]:
        self.filterset = EnterpriseFilter(self.request.GET or None, queryset=enterprises_for(self.request.user))
        return self.filterset.qs if self.filterset.is_bound and self.filterset.is_valid() else self.filterset.queryset

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user: Any = self.request.user
        districts = District.objects.select_related("jurisdiction")
        if getattr(user, "district_id", None):
            districts = districts.filter(pk=user.district_id)
        elif getattr(user, "jurisdiction_id", None):
            districts = districts.filter(jurisdiction_id=user.jurisdiction_id)
        params = self.request.GET.copy()
        params.pop("page", None)
        context.update(
            filter=self.filterset,
            districts=districts,
            tiers=Tier.objects.all(),
            industries=Industry.objects.all(),
            query=params.urlencode(),
        )
        return context


class EnterpriseDetailView(RoleRequiredMixin, TemplateView):
    template_name = "enterprises/detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user: Any = self.request.user
        enterprise = scoped_or_404(
            Enterprise.objects.select_related("district__jurisdiction", "industry", "current_tier"),
            self.request,
            credit_code=credit_code.normalise(kwargs["code"]),
        )
        context.update(
            page_sections(ENTERPRISE_PAGE, user, enterprise),
            enterprise=enterprise,
            phone=enterprise.contact_phone
            if can_see_contact(user, enterprise.district_id)
            else mask_phone(enterprise.contact_phone),
            facts=enterprise.year_facts.order_by("-year")[:5],
            can_write=can(user, Action.CHANGE, enterprise),
            history=[
                (entry, readable_changes(Enterprise, redact_changes(user, enterprise.district_id, entry.changes)))
                for entry in history(enterprise).select_related("actor")[:20]
            ],
        )
        return context


class ImportCreateView(RoleRequiredMixin, TemplateView):
    template_name = "enterprises/import_form.html"
    # Only district staff import (enterprises.services.importing._check_importer): others get the 403 page
    # rather than a form that would refuse them.
    roles = (Role.DISTRICT_STAFF,)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.setdefault("form", ImportForm())
        context["runs"] = restrict(ImportRun.objects.defer("errors"), self.request.user)[:10]
        return context

    def post(self, request: HttpRequest) -> HttpResponse:
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                run = importing.import_start(actor=request.user, upload=form.cleaned_data["file"])
            except DomainError as exc:
                form.add_error("file", exc.message)
            else:
                return redirect("enterprises:import-detail", pk=run.pk)
        return self.render_to_response(self.get_context_data(form=form), status=400)


def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The import's report; while it runs, the page polls the status fragment every second (htmx)."""
    if not request.user.is_authenticated:
        return redirect(f"{settings.LOGIN_URL}?next={request.path}")
    run = scoped_or_404(ImportRun.objects.all(), request, pk=pk)
    context = {
        "run": run,
        "running": run.status in (ImportStatus.PENDING, ImportStatus.RUNNING),
        "progress": importing.import_progress(run),
        "errors": run.errors[:200],
    }
    template = (
        "enterprises/_import_status.html" if request.headers.get("HX-Request") else "enterprises/import_detail.html"
    )
    return render(request, template, context)


def import_errors_download(request: HttpRequest, pk: int) -> HttpResponse:
    """Every rejected row of the import as a CSV file (the page shows the first 200)."""
    if not request.user.is_authenticated:
        return redirect(f"{settings.LOGIN_URL}?next={request.path}")
    run = scoped_or_404(ImportRun.objects.all(), request, pk=pk)
    name, body = import_errors_csv(actor=request.user, run=run)
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def year_facts_edit(request: HttpRequest, code: str) -> HttpResponse:
    """Enter or correct one year of an enterprise's facts (district staff of its district); the change is audited."""
    if not request.user.is_authenticated:
        return redirect(f"{settings.LOGIN_URL}?next={request.path}")
    enterprise = scoped_or_404(
        Enterprise.objects.all(), request, Action.CHANGE, credit_code=credit_code.normalise(code)
    )
    last_year = timezone.localdate().year - 1
    if request.method == "POST":
        form = YearFactForm(request.POST)
    else:
        try:
            year = int(request.GET.get("year", last_year))
        except ValueError:
            year = last_year
        stored = EnterpriseYearFact.objects.filter(enterprise=enterprise, year=year).values(*YEAR_FACT_FIELDS).first()
        form = YearFactForm(initial={"year": year, **(stored or {})})
    if request.method == "POST" and form.is_valid():
        values = dict(form.cleaned_data)
        try:
            registry.year_fact_upsert(actor=request.user, enterprise=enterprise, **values)
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, messages)
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            return redirect(f"/enterprises/{enterprise.credit_code}/#yearly-facts")
    status = 400 if request.method == "POST" else 200
    return render(request, "enterprises/year_facts_form.html", {"enterprise": enterprise, "form": form}, status=status)
