"""Registry API views: thin, scoped through ScopedViewSetMixin, writes through services."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import ListAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.api.serializers import AuditEntrySerializer
from accounts.audit import history
from enterprises.api import filters
from enterprises.api import serializers as s
from enterprises.models import (
    Application,
    ApplicationTransition,
    Certification,
    CertificationTransition,
    District,
    EligibilityAssessment,
    EligibilityProfile,
    Enterprise,
    ImportRun,
    Industry,
    Jurisdiction,
    Tier,
)
from enterprises.rules import credit_code
from enterprises.selectors import assessment_counts, candidates_for, enterprise_in_scope
from enterprises.services import eligibility, exporting, importing, lifecycle, registry
from zjtx.access import Action
from zjtx.api import ScopedViewSetMixin
from zjtx.errors import DomainError


class JurisdictionViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet[Jurisdiction]):
    queryset = Jurisdiction.objects.all()
    serializer_class = s.JurisdictionSerializer
    lookup_field = "code"
    pagination_class = None


class DistrictViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet[District]):
    queryset = District.objects.select_related("jurisdiction")
    serializer_class = s.DistrictSerializer
    lookup_field = "code"
    filterset_fields = ["kind"]
    pagination_class = None


class IndustryViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet[Industry]):
    queryset = Industry.objects.all()
    serializer_class = s.IndustrySerializer
    lookup_field = "code"
    pagination_class = None


class TierViewSet(ScopedViewSetMixin, viewsets.ModelViewSet[Tier]):
    """Tiers are reference data that program admins maintain."""

    queryset = Tier.objects.select_related("jurisdiction")
    serializer_class = s.TierSerializer
    lookup_field = "code"
    pagination_class = None
    http_method_names = ["get", "post", "put", "patch", "head", "options"]


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

    @extend_schema(methods=["GET"], responses=s.YearFactSerializer(many=True))
    @extend_schema(methods=["PUT"], request=s.YearFactSerializer, responses=s.YearFactSerializer)
    @action(detail=True, methods=["get", "put"], pagination_class=None)
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
        profile = eligibility.profile_update(actor=request.user, enterprise=enterprise, **serializer.validated_data)
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
    queryset = ImportRun.objects.all()
    serializer_class = s.ImportRunSerializer


class ApplicationViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet[Application],
):
    """Tier applications. Create = the district submits; then POST {action, reason} to /transition/."""

    queryset = Application.objects.select_related("enterprise", "enterprise__district", "tier", "submitted_by")
    serializer_class = s.ApplicationSerializer
    filterset_class = filters.ApplicationFilter
    ordering_fields = ["submitted_at", "batch_year", "status"]

    def get_queryset(self) -> QuerySet[Application]:
        qs = super().get_queryset()
        if self.action == "retrieve":
            qs = qs.prefetch_related(
                Prefetch("transitions", queryset=ApplicationTransition.objects.select_related("actor"))
            )
        return qs

    def get_serializer_class(self) -> Any:
        return {
            "retrieve": s.ApplicationDetailSerializer,
            "create": s.ApplicationCreateSerializer,
            "transition": s.TransitionSerializer,
        }.get(self.action, s.ApplicationSerializer)

    @extend_schema(request=s.ApplicationCreateSerializer, responses={201: s.ApplicationDetailSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = s.ApplicationCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        enterprise = enterprise_in_scope(request.user, data["enterprise"], Action.CHANGE)
        application = lifecycle.application_submit(
            actor=request.user,
            enterprise=enterprise,
            tier=data["tier"],
            batch_year=data["batch_year"],
            note=data.get("note", ""),
        )
        return Response(s.ApplicationDetailSerializer(application).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.TransitionSerializer, responses=s.ApplicationDetailSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request: Request, pk: str) -> Response:
        application_id = self.get_object().pk  # out of scope answers 404 before the body is looked at
        serializer = s.TransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        application = lifecycle.application_transition(
            actor=request.user,
            application_id=application_id,
            action=data["action"],
            reason=data.get("reason", ""),
            valid_from=data.get("valid_from"),
        )
        return Response(s.ApplicationDetailSerializer(application).data)


class CertificationViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet[Certification]):
    """Certifications; POST {action, reason} to /transition/ to re-review, confirm or revoke."""

    queryset = Certification.objects.select_related("enterprise", "enterprise__district", "tier")
    serializer_class = s.CertificationSerializer
    filterset_class = filters.CertificationFilter
    ordering_fields = ["valid_from", "valid_until"]

    def get_queryset(self) -> QuerySet[Certification]:
        qs = super().get_queryset()
        if self.action == "retrieve":
            qs = qs.prefetch_related(
                Prefetch("transitions", queryset=CertificationTransition.objects.select_related("actor"))
            )
        return qs

    def get_serializer_class(self) -> Any:
        return {"retrieve": s.CertificationDetailSerializer, "transition": s.TransitionSerializer}.get(
            self.action, s.CertificationSerializer
        )

    @extend_schema(request=s.TransitionSerializer, responses=s.CertificationDetailSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request: Request, pk: str) -> Response:
        certification_id = self.get_object().pk  # out of scope answers 404 before the body is looked at
        serializer = s.TransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        cert = lifecycle.certification_transition(
            actor=request.user,
            certification_id=certification_id,
            action=serializer.validated_data["action"],
            reason=serializer.validated_data.get("reason", ""),
        )
        return Response(s.CertificationDetailSerializer(cert).data)


class EligibilityAssessmentViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet[EligibilityAssessment]):
    """Each enterprise's current assessment for the tier above its own: verdict, score, every indicator explained.

    Filters: tier, district, jurisdiction, enterprise (credit code), passed, near, missing_data, provisional.
    """

    queryset = EligibilityAssessment.objects.select_related("enterprise", "enterprise__district", "tier")
    serializer_class = s.AssessmentSerializer
    filterset_class = filters.AssessmentFilter
    ordering_fields = ["score", "indicators_met", "assessed_on"]

    @extend_schema(responses=s.AssessmentCountSerializer(many=True))
    @action(detail=False, methods=["get"], pagination_class=None)
    def summary(self, request: Request) -> Response:
        """Per district and tier: eligible now, within one indicator, missing data (same filters)."""
        counts = assessment_counts(self.filter_queryset(self.get_queryset()))
        return Response(s.AssessmentCountSerializer(counts, many=True).data)


def _known_codes(model: type[Tier] | type[District], raw: str, field: str) -> list[str]:
    codes = [c.strip() for c in raw.split(",") if c.strip()]
    unknown = sorted(set(codes) - set(model.objects.filter(code__in=codes).values_list("code", flat=True)))
    if unknown:
        raise DomainError(
            _("Unknown code: %(codes)s.") % {"codes": ", ".join(unknown)}, code="unknown_code", field=field
        )
    return codes


class CandidateListView(ListAPIView[EligibilityAssessment]):
    """A district's candidates for the next tier, ranked: eligible now first, then within one indicator, by score.

    ?tier=srdi_sme&district=500112 (both optional, comma-separated codes); &with_missing_data=true adds the firms
    whose missing facts decide the verdict.  Each firm lists what it still lacks and which facts are missing.
    """

    serializer_class = s.CandidateSerializer
    filter_backends: list[Any] = []

    @extend_schema(
        parameters=[
            OpenApiParameter("tier", str, description="tier codes, comma-separated"),
            OpenApiParameter("district", str, description="district code"),
            OpenApiParameter("with_missing_data", bool),
        ]
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[EligibilityAssessment]:
        params = self.request.query_params
        tiers = _known_codes(Tier, params["tier"], "tier") if params.get("tier") else None
        district = params.get("district") or None
        if district:
            _known_codes(District, district, "district")
        flag = params.get("with_missing_data", "false").lower()
        if flag not in ("true", "false", "1", "0"):
            raise DomainError(_("with_missing_data must be true or false."), field="with_missing_data")
        return candidates_for(
            self.request.user, tiers=tiers, district=district, with_missing_data=flag in ("true", "1")
        )

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page: Any = self.paginate_queryset(self.get_queryset())
        assert self.paginator is not None
        offset = (self.paginator.page.number - 1) * self.paginator.get_page_size(request)  # type: ignore[attr-defined]
        for position, row in enumerate(page, start=offset + 1):
            row.rank = position
        return self.get_paginated_response(self.get_serializer(page, many=True).data)
