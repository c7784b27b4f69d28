"""Targets, progress, snapshots, reports and job runs over the API; scoped like everything else."""

from __future__ import annotations

from typing import Any

import django_filters as df
from django.db.models import QuerySet
from django.http import HttpResponseBase
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.audit import record
from accounts.models import AuditAction
from reference.models import JobRun, Jurisdiction
from reporting.api import serializers as s
from reporting.models import ManualValue, Metric, MetricSnapshot, ReportRun, Target
from reporting.selectors import candidate_pipeline, progress_rows
from reporting.services import reports, targets
from zjtx.api import ScopedViewSetMixin
from zjtx.downloads import file_download
from zjtx.errors import DomainError, NotFound


class MetricViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet[Metric]):
    queryset = Metric.objects.all()
    serializer_class = s.MetricSerializer
    lookup_field = "code"
    pagination_class = None


class TargetFilter(df.FilterSet):
    metric = df.CharFilter(field_name="metric__code")
    jurisdiction = df.CharFilter(field_name="jurisdiction__code")
    district = df.CharFilter(field_name="district__code")
    city = df.BooleanFilter(field_name="district", lookup_expr="isnull", label="City-wide targets only")
    deadline = df.DateFilter()
    deadline_after = df.DateFilter(field_name="deadline", lookup_expr="gte")
    plan = df.CharFilter(field_name="policy__code")

    class Meta:
        model = Target
        fields: list[str] = []


class TargetViewSet(ScopedViewSetMixin, viewsets.ModelViewSet[Target]):
    """Targets. Program admins and officials add city-wide targets and split them into district targets."""

    queryset = Target.objects.select_related("metric", "jurisdiction", "district", "policy")
    filterset_class = TargetFilter
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]

    def get_serializer_class(self) -> Any:
        if self.action in ("create", "update", "partial_update"):
            return s.TargetWriteSerializer
        if self.action == "split":
            return s.SplitSerializer
        return s.TargetSerializer

    def perform_create(self, serializer: Any) -> None:
        jurisdiction = serializer.validated_data["jurisdiction"]
        if getattr(self.request.user, "jurisdiction_id", None) not in (None, jurisdiction.pk):
            raise NotFound(_("No such jurisdiction."))
        serializer.save()

    @extend_schema(request=s.SplitSerializer, responses=s.TargetSerializer(many=True))
    @action(detail=True, methods=["post"])
    def split(self, request: Request, pk: str) -> Response:
        """Replace the district shares of a city-wide target: {"shares": {"500101": 120, ...}} adding up to it."""
        target = self.get_object()  # out of scope answers 404 before the body is looked at
        serializer = s.SplitSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        parts = targets.target_split(
            actor=request.user, target_id=target.pk, shares=serializer.validated_data["shares"]
        )
        return Response(s.TargetSerializer(parts, many=True).data)


TARGET_PARAMETERS = [
    OpenApiParameter("metric", str),
    OpenApiParameter("district", str),
    OpenApiParameter("jurisdiction", str),
    OpenApiParameter("active", bool, description="only targets whose deadline has not passed"),
    OpenApiParameter("plan", str, description="the plan period (policy code)"),
]


class TargetRowsView(ListAPIView[Any]):
    """Rows computed for the visible targets (not a queryset): filters checked by TargetFilter, no pagination."""

    pagination_class = None
    filter_backends: list[Any] = []

    def targets(self, *, ignore: tuple[str, ...] = ()) -> QuerySet[Target]:
        params = self.request.query_params.copy()
        for name in ignore:
            params.pop(name, None)
        f = TargetFilter(params, queryset=Target.objects.restrict(self.request.user))
        if not f.is_valid():
            raise DomainError(_("Invalid filter: %(errors)s") % {"errors": dict(f.errors)})
        qs = f.qs.select_related("metric", "jurisdiction", "district", "policy")
        if params.get("active") in ("1", "true", "True"):
            qs = qs.filter(deadline__gte=timezone.localdate())
        return qs


class ProgressView(TargetRowsView):
    """Progress of each target in scope: current value, %, gap, pace needed, trend, projection, rank, off track.

    A target whose deadline has passed is closed: its figures are those at the deadline, its rank the final
    rank, `final` adds met or missed by how much and the value today; a closed target is never off track.
    Running targets come first."""

    serializer_class = s.ProgressSerializer

    @extend_schema(
        parameters=[
            *TARGET_PARAMETERS,
            OpenApiParameter("city", bool, description="only city-wide targets"),
            OpenApiParameter("off_track", bool),
            OpenApiParameter("closed", bool, description="only closed targets (final results), or only running ones"),
        ]
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        rows = progress_rows(self.request.user, targets=self.targets())
        off = self.request.query_params.get("off_track")
        if off in ("1", "true", "True", "0", "false", "False"):
            wanted = off in ("1", "true", "True")
            rows = [r for r in rows if r.progress is not None and r.progress.off_track == wanted]
        closed = self.request.query_params.get("closed")
        if closed in ("1", "true", "True", "0", "false", "False"):
            rows = [r for r in rows if (r.target.deadline < timezone.localdate()) == (closed in ("1", "true", "True"))]
        # Running targets lead, closed ones follow; each keeps the order of the targets list.
        return sorted(rows, key=lambda r: r.target.deadline < timezone.localdate())


class CandidatePipelineView(TargetRowsView):
    """Per tier target and district: the gap to the target beside the candidates eligible now and within one
    indicator (from the nightly eligibility assessment). Districts see their own rows only."""

    serializer_class = s.PipelineSerializer

    @extend_schema(parameters=TARGET_PARAMETERS)
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        # A district's rows also come from a city target that was not split: filter the rows, not the targets.
        rows = candidate_pipeline(self.request.user, targets=self.targets(ignore=("district",)))
        district = self.request.query_params.get("district")
        if district:
            rows = [r for r in rows if r.district is not None and r.district.code == district]
        return rows


class SnapshotFilter(df.FilterSet):
    metric = df.CharFilter(field_name="metric__code")
    district = df.CharFilter(field_name="district__code")
    jurisdiction = df.CharFilter(field_name="jurisdiction__code")
    city = df.BooleanFilter(field_name="district", lookup_expr="isnull")
    since = df.DateFilter(field_name="day", lookup_expr="gte")
    until = df.DateFilter(field_name="day", lookup_expr="lte")

    class Meta:
        model = MetricSnapshot
        fields: list[str] = []


class SnapshotViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet[MetricSnapshot]):
    """The daily time series: ?metric=srdi_smes&district=500112&since=2026-01-01&until=2026-06-30"""

    queryset = MetricSnapshot.objects.select_related("metric", "district")
    serializer_class = s.SnapshotSerializer
    filterset_class = SnapshotFilter
    ordering = ["day", "id"]


class ManualValueViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet[ManualValue],
):
    """Hand-entered figures of metrics the registry cannot count; who and when are kept."""

    queryset = ManualValue.objects.select_related("metric", "jurisdiction", "district", "entered_by")
    serializer_class = s.ManualValueSerializer

    def perform_create(self, serializer: Any) -> None:
        data = serializer.validated_data
        code = (data.get("jurisdiction") or {}).get("code")
        jurisdiction = Jurisdiction.objects.filter(code=code).first() if code else None
        if code and jurisdiction is None:
            raise DomainError(_("Unknown jurisdiction %(code)s.") % {"code": code}, field="jurisdiction")
        serializer.instance = targets.manual_value_record(
            actor=self.request.user,
            metric=data["metric"],
            as_of=data["as_of"],
            value=data["value"],
            district=data.get("district"),
            jurisdiction=jurisdiction,
            note=data.get("note", ""),
        )


class ReportRunViewSet(
    ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[ReportRun]
):
    """Reports. POST {kind, period, district | jurisdiction} queues one (202); GET shows status and file links."""

    queryset = ReportRun.objects.select_related("jurisdiction", "district")
    serializer_class = s.ReportRunSerializer
    filterset_fields = ["kind", "period", "status"]
    write_model = None  # requests are checked by the service (staff may request their own district's)

    def get_queryset(self) -> QuerySet[ReportRun]:
        from zjtx.access import restrict

        # Downloads are reads: they use the view scope even though the action is a GET on a detail route.
        return restrict(self.queryset.all(), self.request.user)

    @extend_schema(request=s.ReportRequestSerializer, responses={202: s.ReportRunSerializer})
    def create(self, request: Request) -> Response:
        serializer = s.ReportRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        run = reports.report_request(
            actor=request.user,
            kind=data["kind"],
            period=data["period"],
            district_code=data.get("district") or None,
            jurisdiction_code=data.get("jurisdiction") or None,
        )
        run.refresh_from_db()
        return Response(s.ReportRunSerializer(run).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses={(200, "application/octet-stream"): bytes})
    @action(detail=True, methods=["get"], url_path=r"download/(?P<fmt>pdf|xlsx)")
    def download(self, request: Request, pk: str, fmt: str) -> HttpResponseBase:
        run = self.get_object()
        stored = getattr(run, fmt)
        if run.status != "done" or not stored:
            raise NotFound(_("The report is not ready."))
        record(AuditAction.DOWNLOAD, run, changes={"format": fmt})
        place = run.district.code if run.district else run.jurisdiction.code
        return file_download(stored, f"{run.kind}-{place}-{run.period}.{fmt}")


class JobRunViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet[JobRun]):
    queryset = JobRun.objects.all()
    serializer_class = s.JobRunSerializer
    filterset_fields = ["job", "key", "status"]
