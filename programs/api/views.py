"""Programs API views: thin, scoped through ScopedViewSetMixin, writes and quotes through services."""

from __future__ import annotations

from typing import Any

from django.db.models import DecimalField, Prefetch, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from enterprises.selectors import enterprise_in_scope
from programs import selectors
from programs.api import filters
from programs.api import serializers as s
from programs.benefit_messages import tier_names_of
from programs.models import (
    BenefitApplication,
    BenefitMatch,
    Commitment,
    Measure,
    Policy,
    ResponsibleUnit,
    SubsidyRule,
)
from programs.rules.benefits import BenefitStatus as B
from programs.services import benefits, quoting
from programs.services.rules import subsidy_rule_save
from zjtx.access import Action, has_any_role
from zjtx.api import ScopedViewSetMixin
from zjtx.errors import DomainError


class HasRole(permissions.BasePermission):
    """Any signed-in user with a role: quoting computes, it changes nothing."""

    def has_permission(self, request: Any, view: Any) -> bool:
        return has_any_role(request.user)


class QuoteMixin:
    """POST …/{id}/quote/ {inputs, on, enterprise}: the amount and its explanation, for anyone with a role."""

    request: Any

    def scope_action(self) -> str:
        if getattr(self, "action", None) == "quote":
            return Action.VIEW
        return super().scope_action()  # type: ignore[misc, no-any-return]

    def quote_response(self, request: Request, **target: Any) -> Response:
        serializer = s.QuoteRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        enterprise = enterprise_in_scope(request.user, data["enterprise"]) if data.get("enterprise") else None
        quote = quoting.quote_subsidy(
            actor=request.user,
            inputs=data.get("inputs") or {},
            on=data.get("on") or timezone.localdate(),
            enterprise=enterprise,
            **target,
        )
        return Response(s.QuoteSerializer(quote).data)


class ResponsibleUnitViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet[ResponsibleUnit]):
    queryset = ResponsibleUnit.objects.select_related("jurisdiction")
    serializer_class = s.ResponsibleUnitSerializer
    lookup_field = "code"
    pagination_class = None


class PolicyViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet[Policy]):
    """Policy documents; the detail adds the groups (actions, task groups) and the quantitative commitments."""

    queryset = selectors.policies()
    serializer_class = s.PolicySerializer
    lookup_field = "code"
    pagination_class = None

    def get_queryset(self) -> QuerySet[Policy]:
        qs = super().get_queryset()
        if self.action == "retrieve":
            qs = qs.prefetch_related(
                "groups__units",
                Prefetch("commitments", queryset=Commitment.objects.select_related("measure")),
            )
        return qs

    def get_serializer_class(self) -> Any:
        return s.PolicyDetailSerializer if self.action == "retrieve" else s.PolicySerializer


class MeasureViewSet(QuoteMixin, ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet[Measure]):
    """Measures, tasks and safeguards of the policies, with who may benefit, who answers for them, their rules."""

    queryset = selectors.measures()
    serializer_class = s.MeasureSerializer
    filterset_class = filters.MeasureFilter

    def get_queryset(self) -> QuerySet[Measure]:
        qs = super().get_queryset()
        if self.action == "retrieve":
            committed = Sum(
                "benefit_applications__approved_amount",
                filter=Q(benefit_applications__status__in=sorted(B.COMMITTED)),
            )
            qs = qs.prefetch_related(
                Prefetch("commitments", queryset=Commitment.objects.select_related("measure"))
            ).annotate(committed=Coalesce(committed, Value(0), output_field=DecimalField()))
        return qs

    def get_serializer_class(self) -> Any:
        return s.MeasureDetailSerializer if self.action == "retrieve" else s.MeasureSerializer

    @extend_schema(request=s.QuoteRequestSerializer, responses=s.QuoteSerializer)
    @action(detail=True, methods=["post"], permission_classes=[HasRole])
    def quote(self, request: Request, pk: str) -> Response:
        """Quote under the measure's rule in force on `on`: the amount and the trace (clause, bands, caps)."""
        return self.quote_response(request, measure=self.get_object())


class SubsidyRuleViewSet(QuoteMixin, ScopedViewSetMixin, viewsets.ModelViewSet[SubsidyRule]):
    """Subsidy rules as data: program administrators add and change them; everyone with a role reads and quotes."""

    queryset = selectors.subsidy_rules()
    serializer_class = s.SubsidyRuleSerializer
    filterset_class = filters.SubsidyRuleFilter
    lookup_field = "code"
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def perform_create(self, serializer: serializers.BaseSerializer[SubsidyRule]) -> None:
        serializer.instance = subsidy_rule_save(actor=self.request.user, rule=SubsidyRule(**serializer.validated_data))

    def perform_update(self, serializer: serializers.BaseSerializer[SubsidyRule]) -> None:
        rule = serializer.instance
        assert rule is not None
        for name, value in serializer.validated_data.items():
            setattr(rule, name, value)
        serializer.instance = subsidy_rule_save(actor=self.request.user, rule=rule)

    @extend_schema(request=s.QuoteRequestSerializer, responses=s.QuoteSerializer)
    @action(detail=True, methods=["post"], permission_classes=[HasRole])
    def quote(self, request: Request, code: str) -> Response:
        """Quote under this rule; a day outside its period is refused with a message saying so."""
        return self.quote_response(request, rule=self.get_object())


class BenefitApplicationViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet[BenefitApplication],
):
    """Benefit applications. Create = the district applies; then POST {action, reason, amount} to /transition/."""

    queryset = selectors.benefit_applications()
    serializer_class = s.BenefitApplicationSerializer
    filterset_class = filters.BenefitApplicationFilter
    ordering_fields = ["submitted_at", "basis_date", "amount", "status"]

    def get_queryset(self) -> QuerySet[BenefitApplication]:
        qs = super().get_queryset()
        return selectors.with_transitions(qs) if self.action == "retrieve" else qs

    def get_serializer_class(self) -> Any:
        return {
            "retrieve": s.BenefitApplicationDetailSerializer,
            "create": s.BenefitApplicationCreateSerializer,
            "transition": s.BenefitTransitionSerializer,
        }.get(self.action, s.BenefitApplicationSerializer)

    @extend_schema(request=s.BenefitApplicationCreateSerializer, responses={201: s.BenefitApplicationDetailSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = s.BenefitApplicationCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        application = benefits.benefit_application_submit(
            actor=request.user,
            enterprise=enterprise_in_scope(request.user, data["enterprise"], Action.CHANGE),
            measure=data["measure"],
            inputs=data.get("inputs") or {},
            basis_date=data.get("basis_date"),
            note=data.get("note", ""),
        )
        return Response(self._detail(application.pk), status=status.HTTP_201_CREATED)

    @extend_schema(request=s.BenefitTransitionSerializer, responses=s.BenefitApplicationDetailSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request: Request, pk: str) -> Response:
        application_id = self.get_object().pk
        serializer = s.BenefitTransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        benefits.benefit_application_transition(
            actor=request.user,
            application_id=application_id,
            action=data["action"],
            reason=data.get("reason", ""),
            amount=data.get("amount"),
        )
        return Response(self._detail(application_id))

    def _detail(self, pk: int) -> Any:
        """The application as it is after the service ran (the caller was allowed to act on it)."""
        application = selectors.with_transitions(selectors.benefit_applications()).get(pk=pk)
        return s.BenefitApplicationDetailSerializer(application).data


class BenefitMatchViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet[BenefitMatch]):
    """Policy matches (政策找企业) of the last nightly run: per enterprise and measure, qualifies / does not (with
    the reasons) / cannot tell (with the facts missing), and the amount where the enterprise's facts give it.
    ?verdict=qualifies&claimed=false is the list of measures firms qualify for and have not applied under."""

    queryset = selectors.matches_for_everyone()
    serializer_class = s.BenefitMatchSerializer
    filterset_class = filters.BenefitMatchFilter
    ordering_fields = ["amount", "since", "verdict"]

    def get_serializer_context(self) -> dict[str, Any]:
        names = tier_names_of()
        return {**super().get_serializer_context(), "tier_names": names, "matched_on": selectors.last_matched_on()}

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "by",
                str,
                enum=["measure", "district"],
                description="one row per measure (default) or per measure and district",
            )
        ],
        responses=s.UptakeSerializer(many=True),
    )
    @action(detail=False, methods=["get"], pagination_class=None, filterset_class=None)
    def uptake(self, request: Request) -> Response:
        """Per measure (or measure and district): firms qualifying, applied, approved, paid; money pending,
        committed and paid against the budget; what the unclaimed qualifying firms would be granted."""
        by = request.query_params.get("by", "measure")
        if by not in ("measure", "district"):
            raise DomainError(_("by must be measure or district."), field="by")
        rows = selectors.measure_uptake(request.user, by_district=by == "district")
        return Response(s.UptakeSerializer(rows, many=True).data)
