"""API of the tier-list import (名单导入): upload a list for a tier and kind, read its preview, confirm or cancel,
export a tier's certifications in the same layout. Thin: the services in tiers/services/tier_lists.py."""

from __future__ import annotations

from typing import Any

from django.http import StreamingHttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from reference.models import Industry, Tier
from tiers.models import ListKindChoices, TierListImport
from tiers.services import tier_list_export, tier_lists
from zjtx.api import ScopedViewSetMixin


class TierListImportSerializer(serializers.ModelSerializer[TierListImport]):
    tier: serializers.SlugRelatedField[Tier] = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = TierListImport
        fields = [
            "id", "file_name", "sha256", "tier", "kind", "status", "rows_total", "counts", "written",
            "accept_exceptions", "message", "started_at", "previewed_at", "confirmed_at", "finished_at",
        ]  # fmt: skip


class TierListUploadSerializer(serializers.Serializer[Any]):
    file = serializers.FileField(
        help_text=".csv or .xlsx: 序号, 企业名称, 统一社会信用代码, 所属区县, 批次, 公示日期, 认定日期, 有效期, 备注"
    )
    tier = serializers.SlugRelatedField(slug_field="code", queryset=Tier.objects.all())
    kind = serializers.ChoiceField(choices=ListKindChoices.choices)
    default_industry = serializers.SlugRelatedField(
        slug_field="code", queryset=Industry.objects.all(), required=False, allow_null=True,
        help_text="GB/T 4754 section of the enterprises the list creates, for lists without 行业门类",
    )  # fmt: skip


class TierListConfirmSerializer(serializers.Serializer[Any]):
    accept_exceptions = serializers.BooleanField(
        default=False, help_text="also write the rows whose enterprise lacked the level below (recorded as exceptions)"
    )


class TierListRowSerializer(serializers.Serializer[Any]):
    row = serializers.IntegerField()
    credit_code = serializers.CharField()
    name = serializers.CharField()
    outcome = serializers.CharField()
    new_enterprise = serializers.BooleanField()
    valid_from = serializers.DateField(allow_null=True)
    valid_until = serializers.DateField(allow_null=True)
    reasons = serializers.ListField(child=serializers.CharField())


class TierListImportViewSet(
    ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[TierListImport]
):
    """Published tier lists imported by municipal officials: POST a file, poll until `previewed`, read the rows
    under rows/, then POST confirm/ (or cancel/); the import runs as a job and ends `done`."""

    queryset = TierListImport.objects.select_related("tier").defer("rows")
    serializer_class = TierListImportSerializer
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Any]]:
        if self.action == "create":
            return TierListUploadSerializer
        if self.action == "confirm":
            return TierListConfirmSerializer
        return super().get_serializer_class()

    @extend_schema(request={"multipart/form-data": TierListUploadSerializer}, responses={202: TierListImportSerializer})
    def create(self, request: Request) -> Response:
        serializer = TierListUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        run = tier_lists.tier_list_start(
            actor=request.user, upload=data["file"], tier=data["tier"], kind=data["kind"],
            default_industry=data.get("default_industry"),
        )  # fmt: skip
        return Response(TierListImportSerializer(run).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        parameters=[OpenApiParameter("outcome", str, description="only rows of this outcome")],
        responses=TierListRowSerializer(many=True),
    )
    @action(detail=True, methods=["get"])
    def rows(self, request: Request, pk: str) -> Response:
        """The preview's rows worth reading: every conflict, exception and rejected row, the first 200 of the
        others; paginated, in file order."""
        run = get_object_or_404(self.get_queryset().defer(None), pk=pk)
        rows = run.rows
        if outcome := request.query_params.get("outcome"):
            rows = [r for r in rows if r["outcome"] == outcome]
        page: Any = self.paginate_queryset(rows)  # type: ignore[arg-type]
        return self.get_paginated_response(TierListRowSerializer(page, many=True).data)

    @extend_schema(request=TierListConfirmSerializer, responses={202: TierListImportSerializer})
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk: str) -> Response:
        """Write the previewed list (a job); refused when the registry changed since the preview."""
        serializer = TierListConfirmSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        get_object_or_404(self.get_queryset(), pk=pk)
        run = tier_lists.tier_list_confirm(
            actor=request.user, run_id=int(pk), accept_exceptions=serializer.validated_data["accept_exceptions"]
        )
        return Response(TierListImportSerializer(run).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=None, responses=TierListImportSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str) -> Response:
        get_object_or_404(self.get_queryset(), pk=pk)
        run = tier_lists.tier_list_cancel(actor=request.user, run_id=int(pk))
        return Response(TierListImportSerializer(run).data)

    @extend_schema(
        parameters=[OpenApiParameter("tier", str, required=True, description="tier code")],
        responses={(200, "text/csv"): OpenApiTypes.STR},
    )
    @action(detail=False, methods=["get"], pagination_class=None)
    def export(self, request: Request) -> StreamingHttpResponse:
        """The tier's held certifications in the list layout (imports back unchanged); recorded in the audit log."""
        tier = get_object_or_404(Tier.objects.all(), code=request.query_params.get("tier", ""))
        body = tier_list_export.certifications_export(actor=request.user, tier=tier)
        response = StreamingHttpResponse(body, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{tier.code}-{timezone.localdate():%Y%m%d}.csv"'
        return response
