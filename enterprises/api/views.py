"""Registry API views: thin, scoped through ScopedViewSetMixin, writes through services."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.api.serializers import AuditEntrySerializer
from accounts.audit import history, record
from accounts.models import AuditAction
from enterprises.api import filters
from enterprises.api import serializers as s
from enterprises.models import EligibilityProfile, Enterprise, ImportRun
from enterprises.rules import credit_code
from enterprises.services import exporting, importing, registry
from enterprises.services import profile as profiles
from enterprises.services.import_report import import_errors_csv
from zjtx.api import ScopedViewSetMixin
from zjtx.downloads import file_download
from zjtx.errors import NotFound


class EnterpriseViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet[Enterprise],
):
    """The registry. Detail URLs use the unified social credit code: /api/v1/enterprises/{credit_code}/"""

    queryset = Enterprise.objects.select_related("district", "industry", "current_tier")
    serializer_class = s.EnterpriseSerializer
    filterset_class = filters.EnterpriseFilter
    lookup_field = "credit_code"
    lookup_value_regex = "[0-9A-Za-z]{18}"
    ordering_fields = ["name", "credit_code", "founded_on", "updated_at"]

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Any]]:
        if self.action in ("update", "partial_update"):
            return s.EnterpriseUpdateSerializer
        if self.action == "facts" and self.request.method != "GET":
            return s.YearFactSerializer
        if self.action == "profile":
            return s.EligibilityProfileSerializer
        if self.action == "import_file":
            return s.ImportUploadSerializer
        return super().get_serializer_class()

    def get_object(self) -> Enterprise:
        code = credit_code.normalise(self.kwargs[self.lookup_field])
        return get_object_or_404(self.get_queryset(), credit_code=code)

    def perform_create(self, serializer: serializers.BaseSerializer[Enterprise]) -> None:
        serializer.instance = registry.enterprise_create(actor=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer: serializers.BaseSerializer[Enterprise]) -> None:
        assert serializer.instance is not None
        serializer.instance = registry.enterprise_update(
            actor=self.request.user, enterprise=serializer.instance, **serializer.validated_data
        )

    @extend_schema(responses=AuditEntrySerializer(many=True))
    @action(detail=True, methods=["get"])
    def history(self, request: Request, credit_code: str) -> Response:
        """Every recorded change to the enterprise: who, when, before and after."""
        enterprise = self.get_object()
        page: Any = self.paginate_queryset(history(enterprise).select_related("actor"))  # type: ignore[arg-type]
        data = AuditEntrySerializer(page, many=True, context=self.get_serializer_context()).data
        return self.get_paginated_response(data)

    @extend_schema(request=s.YearFactSerializer, responses=s.YearFactSerializer(many=True))
    @action(detail=True, methods=["get", "put"])
    def facts(self, request: Request, credit_code: str) -> Response:
        """GET: the enterprise's yearly facts. PUT: create or replace one year's facts."""
        enterprise = self.get_object()
        if request.method == "PUT":
            serializer = s.YearFactSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            data = dict(serializer.validated_data)
            fact = registry.year_fact_upsert(actor=request.user, enterprise=enterprise, year=data.pop("year"), **data)
            return Response(s.YearFactSerializer(fact).data)
        return Response(s.YearFactSerializer(enterprise.year_facts.order_by("-year"), many=True).data)

    @extend_schema(request=s.EligibilityProfileSerializer, responses=s.EligibilityProfileSerializer)
    @action(detail=True, methods=["get", "put", "patch"])
    def profile(self, request: Request, credit_code: str) -> Response:
        """GET: the facts the tier criteria need beyond the yearly figures. PUT/PATCH: record them."""
        enterprise = self.get_object()
        if request.method == "GET":
            profile = EligibilityProfile.objects.filter(enterprise=enterprise).first()
            return Response(s.EligibilityProfileSerializer(profile or EligibilityProfile(enterprise=enterprise)).data)
        serializer = s.EligibilityProfileSerializer(data=request.data, partial=request.method == "PATCH")
        serializer.is_valid(raise_exception=True)
        profile = profiles.profile_update(actor=request.user, enterprise=enterprise, **serializer.validated_data)
        return Response(s.EligibilityProfileSerializer(profile).data)

    @extend_schema(responses={(200, "text/csv"): OpenApiTypes.STR})
    @action(detail=False, methods=["get"], pagination_class=None)
    def export(self, request: Request) -> StreamingHttpResponse:
        """The list as CSV (same filters as the list, every matching row); recorded in the audit log."""
        queryset = self.filter_queryset(self.get_queryset())
        filters = {key: ",".join(values)[:200] for key, values in request.query_params.lists()}
        body = exporting.enterprises_export(actor=request.user, queryset=queryset, filters=filters)
        response = StreamingHttpResponse(body, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="enterprises-{timezone.localdate():%Y%m%d}.csv"'
        return response

    @extend_schema(request={"multipart/form-data": s.ImportUploadSerializer}, responses={202: s.ImportRunSerializer})
    @action(detail=False, methods=["post"], url_path="import", parser_classes=[MultiPartParser, FormParser])
    def import_file(self, request: Request) -> Response:
        """Upload a .csv or .xlsx file; the import runs as a job. Poll /api/v1/imports/{id}/ for its report."""
        serializer = s.ImportUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        run = importing.import_start(actor=request.user, upload=serializer.validated_data["file"])
        run.refresh_from_db()
        return Response(s.ImportRunSerializer(run).data, status=status.HTTP_202_ACCEPTED)


class ImportRunViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet[ImportRun]):
    """Import runs with their counts. The rejected rows (up to 50,000 a run) are never in the list or the
    detail: page through them under errors/, or download them as CSV from errors-file/."""

    queryset = ImportRun.objects.defer("errors")
    serializer_class = s.ImportRunSerializer

    @extend_schema(responses=s.ImportErrorSerializer(many=True))
    @action(detail=True, methods=["get"])
    def errors(self, request: Request, pk: str) -> Response:
        """The run's rejected rows in file order, paginated."""
        run = get_object_or_404(self.get_queryset().defer(None), pk=pk)
        page: Any = self.paginate_queryset(run.errors)  # type: ignore[arg-type]
        return self.get_paginated_response(s.ImportErrorSerializer(page, many=True).data)

    @extend_schema(responses={(200, "text/csv"): OpenApiTypes.STR})
    @action(detail=True, methods=["get"], url_path="errors-file", pagination_class=None)
    def errors_file(self, request: Request, pk: str) -> HttpResponse:
        """The rejected rows as a CSV file (UTF-8 with BOM, as Excel expects); recorded in the audit log."""
        run = get_object_or_404(self.get_queryset().defer(None), pk=pk)
        name, body = import_errors_csv(actor=request.user, run=run)
        response = HttpResponse(body, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response

    @extend_schema(responses={(200, "application/octet-stream"): bytes})
    @action(detail=True, methods=["get"], url_path="file", pagination_class=None)
    def file(self, request: Request, pk: str) -> HttpResponseBase:
        """The file as it was uploaded (imports started from the command line keep none)."""
        run = get_object_or_404(self.get_queryset(), pk=pk)
        if not run.stored_file:
            raise NotFound(_("This import kept no file."))
        record(AuditAction.DOWNLOAD, run, changes={"file": run.file_name})
        return file_download(run.stored_file, run.file_name)
