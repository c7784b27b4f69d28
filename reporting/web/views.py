"""Pages of targets and progress: the role-dependent home, the officials' dashboard, a district's page, reports."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from enterprises.selectors import enterprises_for
from programs.models import Policy
from reference.models import District, Jurisdiction
from reporting.models import Metric, MetricKind, MetricSnapshot, ReportKind, ReportRun, Target
from reporting.selectors import (
    PipelineRow,
    ProgressRow,
    candidate_pipeline,
    plan_last_day,
    progress_rows,
    targets_for,
)
from reporting.services import reports
from tiers import eligibility_text
from tiers.selectors import candidates_for, expiring_certifications
from zjtx.access import restrict
from zjtx.errors import DomainError
from zjtx.web import OFFICE_ROLES, RoleRequiredMixin, is_office

SORT_KEYS = {
    "rank": lambda r: (r.rank or 10**6, r.place_name),
    "percent": lambda r: (r.progress.percent if r.progress else -1, r.place_name),
    "current": lambda r: (r.progress.current if r.progress else -1, r.place_name),
    "gap": lambda r: (r.progress.gap if r.progress else 10**9, r.place_name),
    "name": lambda r: (r.target.district.code if r.target.district else "",),
}


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if getattr(user, "role", "") == "program_admin":
        return redirect("programs:list")
    if is_office(user):
        return redirect("reporting:dashboard")
    if getattr(user, "district_id", None):
        # District staff land on their work queue (我的待办); their district's page is one click away.
        return redirect("servicedesk:work")
    return render(request, "reporting/no_role.html", status=403)


def current_targets(targets: list[Target], today: dt.date) -> list[Target]:
    """Per (metric, place): the running target with the nearest deadline; closed targets are final results."""
    chosen: dict[tuple[int, int | None], Target] = {}
    for t in sorted(targets, key=lambda t: t.deadline, reverse=True):
        if t.deadline >= today:
            chosen[(t.metric_id, t.district_id)] = t
    return sorted(chosen.values(), key=lambda t: (t.metric.sort_order, t.district.sort_order if t.district else -1))


@dataclass
class FinalResults:
    """The closed targets of one plan, with its closing evaluation when there is one."""

    plan: Policy | None
    last_day: dt.date
    rows: list[ProgressRow]
    report: ReportRun | None = None
    can_request: bool = False


def final_results(user: Any, targets: list[Target], today: dt.date) -> list[FinalResults]:
    """The closed targets' final results grouped by plan, the plan that ended last first."""
    closed = [t for t in targets if t.deadline < today]
    if not closed:
        return []
    rows = progress_rows(user, today=today, targets=Target.objects.filter(pk__in=[t.pk for t in closed]))
    groups: dict[int | None, list[ProgressRow]] = defaultdict(list)
    for row in sorted(rows, key=lambda r: (r.target.metric.sort_order, r.target.deadline, _district_order(r))):
        groups[row.target.policy_id].append(row)
    reports_by_plan = {
        r.plan_id: r for r in restrict(ReportRun.objects.filter(kind=ReportKind.CLOSING, plan_id__in=groups), user)
    }
    results = []
    for plan_id, members in groups.items():
        plan = members[0].target.policy
        last = (plan_last_day(plan, None) if plan else None) or max(r.target.deadline for r in members)
        ended = plan is not None and last < today
        results.append(FinalResults(plan, last, members, reports_by_plan.get(plan_id), ended and is_office(user)))
    return sorted(results, key=lambda f: f.last_day, reverse=True)


def _district_order(row: ProgressRow) -> int:
    return row.target.district.sort_order if row.target.district else -1


def monthly_series(snapshots: Any) -> dict[str, list[list[Any]]]:
    """The month's last snapshot per metric, as [month, value] pairs for the charts."""
    series: dict[str, dict[str, int]] = defaultdict(dict)
    for name, day, value in snapshots:
        series[name][f"{day:%Y-%m}"] = value
    return {name: sorted([m, v] for m, v in months.items()) for name, months in series.items()}


def _trend(jurisdiction: Jurisdiction, district: District | None, today: dt.date) -> dict[str, list[list[Any]]]:
    rows = (
        MetricSnapshot.objects.filter(
            jurisdiction=jurisdiction,
            district=district,
            metric__kind__in=[MetricKind.TIER_HOLDERS, MetricKind.NEW_LISTINGS],
            day__gt=today - dt.timedelta(days=366),
            day__lte=today,
        )
        .order_by("day")
        .values_list("metric__name", "day", "value")
    )
    return monthly_series(rows)


def pipeline_totals(rows: list[PipelineRow]) -> list[PipelineRow]:
    """The city-wide rows: each target's gap beside the candidates of the whole jurisdiction."""
    return sorted((r for r in rows if r.district is None), key=lambda r: r.target.metric.sort_order)


def candidate_rows(user: Any, district: District, limit: int = 25) -> list[dict[str, Any]]:
    """The district's ranked candidates for the next tier, each with what it still lacks, spelled out."""
    ranked = candidates_for(user, district=district.code).select_related("enterprise", "tier")[:limit]
    return [{"a": a, "lacking": eligibility_text.gaps(a, list(a.lacking))} for a in ranked]


def _status(row: ProgressRow) -> str:
    """met / off (behind or missed) / on (on track) / none: the completion chart colours its bars by it."""
    p = row.progress
    if p is None:
        return "none"
    return "met" if p.met else "off" if p.off_track else "on"


def _chart_rows(rows: list[ProgressRow]) -> list[dict[str, Any]]:
    return [
        {
            "name": r.target.metric.display_name,
            "percent": float(r.progress.percent) if r.progress else 0,
            "status": _status(r),
        }
        for r in rows
    ]


def trend_targets(rows: list[ProgressRow]) -> dict[str, dict[str, Any]]:
    """Per metric shown in the trend chart: its target and the deadline's month (the chart's target line and marker)."""
    return {
        r.target.metric.display_name: {"target": r.target.value, "deadline": f"{r.target.deadline:%Y-%m}"}
        for r in rows
        if r.target.metric.kind in (MetricKind.TIER_HOLDERS, MetricKind.NEW_LISTINGS)
    }


class DashboardView(RoleRequiredMixin, TemplateView):
    """Officials: the city's targets, the trend, and the districts ranked by completion (通报)."""

    template_name = "reporting/dashboard.html"
    roles = OFFICE_ROLES

    def get_template_names(self) -> list[str]:
        if self.request.headers.get("HX-Request") and self.request.GET.get("part") == "ranking":
            return ["reporting/_ranking.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user: Any = self.request.user
        today = timezone.localdate()
        jurisdictions = (
            Jurisdiction.objects.filter(pk=user.jurisdiction_id) if user.jurisdiction_id else Jurisdiction.objects.all()
        )
        jurisdiction = (
            jurisdictions.filter(code=self.request.GET.get("j", "")).first() or jurisdictions.order_by("-code").first()
        )
        if jurisdiction is None:
            raise Http404("no jurisdiction")
        visible = list(targets_for(user).filter(jurisdiction=jurisdiction))
        city = current_targets([t for t in visible if t.district_id is None], today)
        city_rows = progress_rows(user, today=today, targets=Target.objects.filter(pk__in=[t.pk for t in city]))
        order = {t.pk: i for i, t in enumerate(city)}
        city_rows.sort(key=lambda r: order[r.target.pk])
        finals = final_results(user, [t for t in visible if t.district_id is None], today)

        # The ranking (通报) of one city target's district shares: running targets first, then final results.
        choices = [r.target for r in city_rows] + [r.target for f in finals for r in f.rows]
        chosen = _chosen_target(choices, self.request.GET)
        ranking: list[ProgressRow] = []
        if chosen is not None:
            parts = [
                t
                for t in visible
                if t.metric_id == chosen.metric_id and t.district_id and t.deadline == chosen.deadline
            ]
            ranking = progress_rows(user, today=today, targets=Target.objects.filter(pk__in=[t.pk for t in parts]))
        sort = self.request.GET.get("sort", "rank")
        descending = self.request.GET.get("dir") == "desc"
        ranking.sort(key=SORT_KEYS.get(sort, SORT_KEYS["rank"]), reverse=descending)
        # The completion chart shows the running targets, or when none runs the last plan's final results.
        charted = city_rows or (finals[0].rows if finals else [])
        context.update(
            jurisdiction=jurisdiction,
            jurisdictions=jurisdictions,
            city_rows=city_rows,
            finals=finals,
            chosen=chosen,
            chosen_closed=chosen is not None and chosen.deadline < today,
            choices=choices,
            metric=chosen.metric if chosen else None,
            ranking=ranking,
            sort=sort,
            descending=descending,
            off_track_count=sum(1 for r in ranking if r.progress and r.progress.off_track),
            missed_count=sum(1 for r in ranking if r.final and not r.final.met),
            trend=_trend(jurisdiction, None, today),
            trend_targets=trend_targets(city_rows),
            completion=_chart_rows(charted),
            completion_final=not city_rows and bool(finals),
            pipeline=pipeline_totals(
                candidate_pipeline(user, today=today, targets=Target.objects.filter(pk__in=[t.pk for t in city]))
            ),
            reports=restrict(ReportRun.objects.select_related("district"), user).filter(jurisdiction=jurisdiction)[:8],
            documents_in_force=eligibility_text.documents_in_force(today),
            today=today,
        )
        return context


def _chosen_target(choices: list[Target], params: Any) -> Target | None:
    """The target asked for (?target=id, or ?metric=code: its running target, else its latest closed one);
    by default the municipal SRDI SMEs, else the first."""
    by_pk = next((t for t in choices if str(t.pk) == params.get("target")), None)
    if by_pk is not None:
        return by_pk
    code = params.get("metric") or "srdi_smes"
    return next((t for t in choices if t.metric.code == code), None) or (choices[0] if choices else None)


class DistrictView(RoleRequiredMixin, TemplateView):
    """One district: its targets and progress, the trend, certifications ending soon."""

    template_name = "reporting/district.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user: Any = self.request.user
        district = District.objects.select_related("jurisdiction").filter(code=kwargs["code"]).first()
        if district is None or not _may_see_district(user, district):
            raise Http404("no such district")
        today = timezone.localdate()
        visible = list(targets_for(user).filter(district=district))
        mine = current_targets(visible, today)
        rows = progress_rows(user, today=today, targets=Target.objects.filter(pk__in=[t.pk for t in mine]))
        finals = final_results(user, visible, today)
        context.update(
            district=district,
            rows=rows,
            finals=finals,
            show_share=True,
            trend=_trend(district.jurisdiction, district, today),
            trend_targets=trend_targets(rows),
            completion=_chart_rows(rows or (finals[0].rows if finals else [])),
            completion_final=not rows and bool(finals),
            pipeline=[
                p
                for p in candidate_pipeline(user, today=today)
                if p.district is not None and p.district.pk == district.pk and p.target.deadline >= today
            ],
            candidates=candidate_rows(user, district),
            documents_in_force=eligibility_text.documents_in_force(today),
            # Most urgent first: the certification that ends first heads the list.
            expiring=expiring_certifications(user)
            .filter(enterprise__district=district)
            .select_related("tier")
            .order_by("valid_until", "enterprise__name")[:20],
            enterprise_count=enterprises_for(user).filter(district=district).count(),
            reports=restrict(ReportRun.objects.all(), user).filter(district=district)[:6],
            metrics=Metric.objects.all(),
            today=today,
        )
        return context


def _may_see_district(user: Any, district: District) -> bool:
    if user.is_superuser:
        return True
    if getattr(user, "role", "") == "district_staff":
        return bool(user.district_id == district.pk)
    return user.jurisdiction_id in (None, district.jurisdiction_id)


class ReportsView(RoleRequiredMixin, TemplateView):
    """Reports in scope, with a form to request one; rows being generated refresh themselves."""

    template_name = "reporting/reports.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user: Any = self.request.user
        districts = District.objects.all()
        if getattr(user, "district_id", None):
            districts = districts.filter(pk=user.district_id)
        elif user.jurisdiction_id:
            districts = districts.filter(jurisdiction_id=user.jurisdiction_id)
        context.update(
            reports=restrict(ReportRun.objects.select_related("jurisdiction", "district"), user)[:100],
            districts=districts,
            period=reports.previous_period(),
            can_city=is_office(user),
            # Auditors read reports but request none (reports.report_request refuses them).
            can_request=user.is_superuser or getattr(user, "role", "") != "auditor",
        )
        return context

    def post(self, request: HttpRequest) -> HttpResponse:
        try:
            if request.POST.get("kind") == ReportKind.CLOSING:
                run = reports.closing_report_request(actor=request.user, plan_code=request.POST.get("plan", ""))
            else:
                run = reports.report_request(
                    actor=request.user,
                    kind=request.POST.get("kind", ""),
                    period=request.POST.get("period", ""),
                    district_code=request.POST.get("district") or None,
                    jurisdiction_code=request.POST.get("jurisdiction") or None,
                )
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("reporting:reports")
        messages.success(request, _("The report is being generated: %(report)s") % {"report": run})
        return redirect("reporting:reports")


def report_row(request: HttpRequest, pk: int) -> HttpResponse:
    """One row of the reports table (polled while the report is generated)."""
    if not request.user.is_authenticated:
        raise Http404("not found")
    run = restrict(ReportRun.objects.select_related("jurisdiction", "district"), request.user).filter(pk=pk).first()
    if run is None:
        raise Http404("not found")
    return render(request, "reporting/_report_row.html", {"r": run})
