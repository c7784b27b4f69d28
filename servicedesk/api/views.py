"""Service-desk API views: thin, scoped through ScopedViewSetMixin, writes through servicedesk.services.

Detail actions look the object up before reading the body, so an object out
of the user's scope answers 404 whatever was sent.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _
from django_filters.utils import translate_validation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from enterprises.api.filters import EnterpriseFilter
from enterprises.api.serializers import EnterpriseSerializer
from enterprises.models import Enterprise
from enterprises.rules import credit_code
from enterprises.selectors import enterprises_for
from servicedesk import services as servicedesk
from servicedesk.api import filters
from servicedesk.api import serializers as s
from servicedesk.models import Demand, DemandEvent, ServiceAssignment, ServiceDeskDailyCheck, Visit
from servicedesk.selectors import (
    demand_counts_by_district,
    enterprises_without_specialist,
    package_measures,
    visits_for,
    with_visit_clock,
)
from zjtx.api import ScopedViewSetMixin
from zjtx.errors import DomainError, NotFound

_WRITE_METHODS = ["get", "post", "patch", "head", "options"]


def _validated(serializer_class: type[serializers.Serializer[Any]], request: Request) -> dict[str, Any]:
    body = serializer_class(data=request.data)
    body.is_valid(raise_exception=True)
    return dict(body.validated_data)


def _enterprise(user: Any, code: str) -> Enterprise:
    """The enterprise the user can see with this credit code, else 404 (out of scope looks the same as absent)."""
    enterprise = enterprises_for(user).filter(credit_code=credit_code.normalise(code)).first()
    if enterprise is None:
        raise NotFound(_("No such enterprise."))
    return enterprise


class ServiceAssignmentViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet[ServiceAssignment],
):
    """Service specialists (一企一策一人). POST assigns or reassigns; PATCH changes the active policy package;
    POST /end/ ends an assignment; /history/?enterprise= lists every assignment of one enterprise;
    /unassigned/ lists enterprises without a specialist."""

    queryset = ServiceAssignment.objects.select_related(
        "enterprise", "enterprise__district", "specialist", "started_by", "ended_by"
    ).prefetch_related(Prefetch("policy_measures", queryset=package_measures()))
    serializer_class = s.ServiceAssignmentSerializer
    filterset_class = filters.ServiceAssignmentFilter
    ordering_fields = ["started_at", "ended_at"]
    http_method_names = _WRITE_METHODS

    def get_queryset(self) -> QuerySet[ServiceAssignment]:
        return with_visit_clock(super().get_queryset())

    def get_serializer_class(self) -> Any:
        return {
            "create": s.ServiceAssignmentCreateSerializer,
            "partial_update": s.PolicyPackageSerializer,
            "end": s.ReasonSerializer,
            "unassigned": EnterpriseSerializer,
        }.get(self.action, s.ServiceAssignmentSerializer)

    def _out(self, assignment: ServiceAssignment, code: int = status.HTTP_200_OK) -> Response:
        fresh = with_visit_clock(self.queryset.all()).get(pk=assignment.pk)
        return Response(s.ServiceAssignmentSerializer(fresh).data, status=code)

    @extend_schema(request=s.ServiceAssignmentCreateSerializer, responses={201: s.ServiceAssignmentSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = _validated(s.ServiceAssignmentCreateSerializer, request)
        assignment = servicedesk.specialist_assign(
            actor=request.user,
            enterprise=_enterprise(request.user, data["enterprise"]),
            specialist=data["specialist"],
            policy_measures=data.get("policy_measures"),
            policy_notes=data.get("policy_notes"),
            reason=data.get("reason", ""),
        )
        return self._out(assignment, status.HTTP_201_CREATED)

    @extend_schema(request=s.PolicyPackageSerializer, responses=s.ServiceAssignmentSerializer)
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        pk = self.get_object().pk
        data = _validated(s.PolicyPackageSerializer, request)
        assignment = servicedesk.policy_package_update(actor=request.user, assignment_id=pk, **data)
        return self._out(assignment)

    @extend_schema(request=s.ReasonSerializer, responses=s.ServiceAssignmentSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request: Request, pk: str) -> Response:
        """End the assignment without a successor; a reason is required."""
        assignment_id = self.get_object().pk
        data = _validated(s.ReasonSerializer, request)
        assignment = servicedesk.specialist_end(actor=request.user, assignment_id=assignment_id, reason=data["reason"])
        return self._out(assignment)

    @extend_schema(
        parameters=[OpenApiParameter("enterprise", OpenApiTypes.STR, required=True, description="Credit code")],
        responses=s.ServiceAssignmentSerializer(many=True),
    )
    @action(detail=False, methods=["get"])
    def history(self, request: Request) -> Response:
        """Every specialist the enterprise has had, oldest first, with who ended each period and why."""
        code = request.query_params.get("enterprise", "")
        if not code.strip():
            raise DomainError(_("Name the enterprise: ?enterprise=<credit code>."), field="enterprise")
        enterprise = _enterprise(request.user, code)
        rows = self.get_queryset().filter(enterprise=enterprise).order_by("started_at", "id")
        return Response(s.ServiceAssignmentSerializer(rows, many=True).data)

    @extend_schema(
        filters=False,
        parameters=[OpenApiParameter(name, OpenApiTypes.STR) for name in EnterpriseFilter.base_filters],
        responses=EnterpriseSerializer(many=True),
    )
    @action(detail=False, methods=["get"])
    def unassigned(self, request: Request) -> Response:
        """Enterprises without an active specialist; takes the enterprise list's filters (district, tier, ...)."""
        found = EnterpriseFilter(request.query_params, queryset=enterprises_without_specialist(request.user))
        if not found.is_valid():
            raise translate_validation(found.errors)
        page: Any = self.paginate_queryset(found.qs)  # type: ignore[arg-type]
        return self.get_paginated_response(EnterpriseSerializer(page, many=True, context={"request": request}).data)


class VisitViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet[Visit],
):
    """Visits (走访) logged by the specialists, with the demands raised in them. Visits are not edited."""

    # Not .only() on the demands: audited models read every field when loaded.
    queryset = Visit.objects.select_related("enterprise", "enterprise__district", "visitor").prefetch_related(
        Prefetch("demands", queryset=Demand.objects.order_by("id"))
    )
    serializer_class = s.VisitSerializer
    filterset_class = filters.VisitFilter
    ordering_fields = ["visited_on", "created_at"]

    def get_serializer_class(self) -> Any:
        return s.VisitCreateSerializer if self.action == "create" else s.VisitSerializer

    @extend_schema(request=s.VisitCreateSerializer, responses={201: s.VisitSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = _validated(s.VisitCreateSerializer, request)
        enterprise = _enterprise(request.user, data.pop("enterprise"))
        demands = [dict(d) for d in data.pop("demands", [])]
        visit = servicedesk.visit_log(actor=request.user, enterprise=enterprise, demands=demands, **data)
        return Response(s.VisitSerializer(self.queryset.get(pk=visit.pk)).data, status=status.HTTP_201_CREATED)


class DemandViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet[Demand],
):
    """Enterprise demands (诉求). POST raises one; PATCH corrects category, description or due date;
    POST {action, note, unit, due_on, satisfaction} to /transition/ to assign, start, resolve, close or reopen."""

    queryset = Demand.objects.select_related("enterprise", "enterprise__district", "unit", "raised_by")
    serializer_class = s.DemandSerializer
    filterset_class = filters.DemandFilter
    ordering_fields = ["raised_on", "due_on", "updated_at", "status"]
    http_method_names = _WRITE_METHODS

    def get_queryset(self) -> QuerySet[Demand]:
        qs = super().get_queryset()
        if self.action == "retrieve":
            qs = qs.prefetch_related(Prefetch("events", queryset=DemandEvent.objects.select_related("actor")))
        return qs

    def get_serializer_class(self) -> Any:
        return {
            "retrieve": s.DemandDetailSerializer,
            "create": s.DemandCreateSerializer,
            "partial_update": s.DemandUpdateSerializer,
            "transition": s.DemandTransitionSerializer,
            "counts": s.DemandCountsSerializer,
        }.get(self.action, s.DemandSerializer)

    def _out(self, demand: Demand, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.queryset.prefetch_related(
            Prefetch("events", queryset=DemandEvent.objects.select_related("actor"))
        ).get(pk=demand.pk)
        return Response(s.DemandDetailSerializer(fresh).data, status=code)

    @extend_schema(request=s.DemandCreateSerializer, responses={201: s.DemandDetailSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = _validated(s.DemandCreateSerializer, request)
        enterprise = _enterprise(request.user, data.pop("enterprise"))
        visit_id = data.pop("visit", None)
        visit = None
        if visit_id is not None:
            visit = visits_for(request.user).filter(pk=visit_id).first()
            if visit is None:
                raise DomainError(_("No such visit."), field="visit")
        demand = servicedesk.demand_create(actor=request.user, enterprise=enterprise, visit=visit, **data)
        return self._out(demand, status.HTTP_201_CREATED)

    @extend_schema(request=s.DemandUpdateSerializer, responses=s.DemandDetailSerializer)
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        pk = self.get_object().pk
        data = _validated(s.DemandUpdateSerializer, request)
        demand = servicedesk.demand_update(actor=request.user, demand_id=pk, **data)
        return self._out(demand)

    @extend_schema(request=s.DemandTransitionSerializer, responses=s.DemandDetailSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request: Request, pk: str) -> Response:
        demand_id = self.get_object().pk
        data = _validated(s.DemandTransitionSerializer, request)
        demand = servicedesk.demand_transition(actor=request.user, demand_id=demand_id, **data)
        return self._out(demand)

    @extend_schema(
        filters=False,
        parameters=[OpenApiParameter("on", OpenApiTypes.DATE, description="Counts as of this day (default today)")],
        responses=s.DemandCountsSerializer(many=True),
    )
    @action(detail=False, methods=["get"], pagination_class=None, filter_backends=[])
    def counts(self, request: Request) -> Response:
        """Open, overdue, resolved and closed demands per district, within the user's scope."""
        raw = request.query_params.get("on")
        on = serializers.DateField().run_validation(raw) if raw else None
        counts = demand_counts_by_district(request.user, on=on)
        return Response([{"district": code, **c} for code, c in counts.items()])


class ServiceDeskDailyCheckViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet[ServiceDeskDailyCheck]):
    """What the daily job found per district and day: overdue demands and enterprises due for a visit."""

    queryset = ServiceDeskDailyCheck.objects.select_related("district")
    serializer_class = s.ServiceDeskDailyCheckSerializer
    filterset_class = filters.DailyCheckFilter
    ordering_fields = ["day", "overdue_demands", "unvisited_enterprises"]
