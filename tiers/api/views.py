"""API of applications, certifications (moved by their transitions), eligibility assessments and candidates."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from enterprises.selectors import enterprise_in_scope
from reference.models import District, Tier
from tiers.api import filters
from tiers.api import serializers as s
from tiers.models import (
    Application,
    ApplicationTransition,
    Certification,
    CertificationTransition,
    EligibilityAssessment,
)
from tiers.selectors import assessment_counts, candidates_for
from tiers.services import eligibility, lifecycle
from zjtx.access import Action
from zjtx.api import ScopedViewSetMixin
from zjtx.errors import DomainError


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

    @extend_schema(
        parameters=[OpenApiParameter("enterprise", str, required=True, description="credit code")],
        responses=s.VerdictSerializer(many=True),
    )
    @action(detail=False, methods=["get"], pagination_class=None, filter_backends=[])
    def verdicts(self, request: Request) -> Response:
        """One enterprise's verdicts today, evaluated now: the new application for the tier above its own under the
        document in force, and each held tier's re-review under the document its certificate was granted under —
        beside the document in force while they differ."""
        code = request.query_params.get("enterprise", "").strip()
        if not code:
            raise DomainError(_("Name the enterprise by its credit code."), field="enterprise")
        enterprise = enterprise_in_scope(request.user, code, Action.VIEW)
        day = timezone.localdate()
        rows = []
        for verdict in eligibility.verdicts(enterprise, day):
            row = verdict.as_assessment(enterprise.pk, day)
            row.kind = str(verdict.choice.kind)  # type: ignore[attr-defined]
            row.purpose = verdict.purpose  # type: ignore[attr-defined]
            row.reason = verdict.choice.reason  # type: ignore[attr-defined]
            cert = verdict.certification
            row.certification = (  # type: ignore[attr-defined]
                None
                if cert is None
                else {
                    "id": cert.pk,
                    "valid_from": cert.valid_from.isoformat(),
                    "valid_until": cert.valid_until.isoformat(),
                }
            )
            rows.append(row)
        return Response(s.VerdictSerializer(rows, many=True).data)

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
