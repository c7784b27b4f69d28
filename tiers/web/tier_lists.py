"""Pages of the tier-list import (名单导入) for municipal officials: upload, preview with progress, confirm or cancel;
on the demo, the shipped sample lists (made up) import with one click."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView

from reference.models import Industry, Tier
from tiers.models import ListKindChoices, TierListImport, TierListStatus
from tiers.services import tier_list_export, tier_lists
from zjtx.access import restrict
from zjtx.errors import DomainError
from zjtx.roles import Role
from zjtx.web import RoleRequiredMixin, scoped_or_404

SAMPLES = Path(settings.BASE_DIR) / "fixtures" / "sample_lists"
# Which tier and kind each shipped sample list is for (the file names say it in Chinese).
SAMPLE_KINDS = {
    "认定": "certification",
    "复核通过": "re_review_passed",
    "复核未通过": "re_review_failed",
    "撤销": "revocation",
}
SAMPLE_TIERS = {"创新型中小企业": "innovative_sme", "专精特新中小企业": "srdi_sme"}


class TierListForm(forms.Form):
    file = forms.FileField(label=_("List (.xlsx or .csv)"))
    tier = forms.ModelChoiceField(queryset=Tier.objects.all(), label=_("Tier"))
    kind = forms.ChoiceField(choices=ListKindChoices.choices, label=_("Kind of list"))
    default_industry = forms.ModelChoiceField(
        queryset=Industry.objects.all(), required=False, label=_("Industry of enterprises the list creates")
    )


def samples() -> list[dict[str, str]]:
    found = []
    for path in sorted(SAMPLES.glob("*.csv")) if settings.ZJTX_SAMPLE_LISTS else []:
        kind = next((k for word, k in SAMPLE_KINDS.items() if word in path.stem), "certification")
        tier = next((t for word, t in SAMPLE_TIERS.items() if word in path.stem), "innovative_sme")
        found.append({"name": path.name, "kind": kind, "tier": tier})
    return found


class TierListCreateView(RoleRequiredMixin, TemplateView):
    template_name = "tiers/tier_list_form.html"
    roles = (Role.MUNICIPAL_OFFICIAL,)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.setdefault("form", TierListForm())
        context["runs"] = restrict(TierListImport.objects.defer("rows"), self.request.user)[:10]
        context["samples"] = samples()
        context["tiers"] = Tier.objects.all()
        return context

    def post(self, request: HttpRequest) -> HttpResponse:
        sample = request.POST.get("sample")
        if sample:
            found = next((s for s in samples() if s["name"] == sample), None)
            if found is None:
                return self.render_to_response(self.get_context_data(), status=400)
            data = (SAMPLES / found["name"]).read_bytes()
            form = TierListForm(
                {"tier": Tier.objects.get(code=found["tier"]).pk, "kind": found["kind"]},
                MultiValueDict({"file": [SimpleUploadedFile(found["name"], data)]}),
            )
        else:
            form = TierListForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                run = tier_lists.tier_list_start(
                    actor=request.user,
                    upload=form.cleaned_data["file"],
                    tier=form.cleaned_data["tier"],
                    kind=form.cleaned_data["kind"],
                    default_industry=form.cleaned_data["default_industry"],
                )
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                return redirect("tiers:tier-list-detail", pk=run.pk)
        return self.render_to_response(self.get_context_data(form=form), status=400)


OUTCOMES = {
    "new": _("new certification"),
    "renewal": _("renewal"),
    "extension": _("re-review passed"),
    "ending": _("ends"),
    "recorded": _("already recorded"),
    "exception": _("exception"),
    "conflict": _("conflict"),
    "rejected": _("rejected"),
}


def _labelled(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**r, "outcome_label": OUTCOMES.get(r["outcome"], r["outcome"])} for r in rows]


RUNNING = (TierListStatus.PENDING, TierListStatus.PREVIEWING, TierListStatus.APPLYING)


def tier_list_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The list's preview or result; while a job runs the page polls the status fragment every second (htmx)."""
    if not request.user.is_authenticated:
        return redirect(f"{settings.LOGIN_URL}?next={request.path}")
    run = scoped_or_404(TierListImport.objects.select_related("tier"), request, pk=pk)
    context = {"run": run, "running": run.status in RUNNING, "rows": _labelled(run.rows[:300]), "counts": run.counts}
    template = "tiers/_tier_list_status.html" if request.headers.get("HX-Request") else "tiers/tier_list_detail.html"
    return render(request, template, context)


@require_POST
def tier_list_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm (optionally accepting the exceptions) or cancel a previewed list."""
    if not request.user.is_authenticated:
        return redirect(f"{settings.LOGIN_URL}?next={request.path}")
    run = scoped_or_404(TierListImport.objects.all(), request, pk=pk)
    try:
        if request.POST.get("decision") == "confirm":
            tier_lists.tier_list_confirm(
                actor=request.user, run_id=run.pk, accept_exceptions=request.POST.get("accept_exceptions") == "on"
            )
        else:
            tier_lists.tier_list_cancel(actor=request.user, run_id=run.pk)
    except DomainError as exc:
        return render(
            request, "tiers/tier_list_detail.html",
            {"run": run, "rows": _labelled(run.rows[:300]), "counts": run.counts, "error": exc.message},
            status=409 if exc.code == "conflict" else 400,
        )  # fmt: skip
    return redirect("tiers:tier-list-detail", pk=run.pk)


def tier_list_export_view(request: HttpRequest) -> HttpResponseBase:
    """A tier's held certifications in the list layout."""
    if not request.user.is_authenticated:
        return redirect(f"{settings.LOGIN_URL}?next={request.path}")
    tier = get_object_or_404(Tier.objects.all(), code=request.GET.get("tier", ""))
    response = StreamingHttpResponse(
        tier_list_export.certifications_export(actor=request.user, tier=tier), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{tier.code}-{timezone.localdate():%Y%m%d}.csv"'
    return response
