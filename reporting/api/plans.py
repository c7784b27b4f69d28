"""Plan periods over the API: list them with their state, add one from its document, ask for a closing evaluation."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from programs.models import Policy
from reporting.api.serializers import ReportRunSerializer
from reporting.models import ReportKind, ReportRun
from reporting.selectors import is_plan_closed, plan_last_day, plans_for
from reporting.services import plans, reports
from zjtx.access import restrict
from zjtx.api import ScopedViewSetMixin


class PlanSerializer(serializers.ModelSerializer[Policy]):
    jurisdiction: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(slug_field="code", read_only=True)
    last_day = serializers.SerializerMethodField(help_text="the plan's last day (its targets' latest deadline)")
    state = serializers.SerializerMethodField(help_text="running, or closed once its last day has passed")
    closing_report = serializers.IntegerField(
        source="closing_report_id", read_only=True, allow_null=True, help_text="id under /api/v1/reports/"
    )

    class Meta:
        model = Policy
        fields = ["code", "name", "name_en", "jurisdiction", "effective_from", "effective_until", "period_note",
                  "last_day", "state", "closing_report"]  # fmt: skip

    def get_last_day(self, plan: Any) -> dt.date | None:
        return plan_last_day(plan, plan.last_deadline)

    def get_state(self, plan: Any) -> str:
        return "closed" if is_plan_closed(plan, plan.last_deadline, timezone.localdate()) else "running"


class PlanLoadSerializer(serializers.Serializer[Any]):
    plan = PlanSerializer()
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    split = serializers.IntegerField(help_text="targets whose district shares were set")


class PlanViewSet(
    ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Policy]
):
    """Plan periods: the policy documents with targets in scope. POST adds or updates one from its document
    ({"policy": {...} or "code", "targets": [{"metric", "value", "deadline", "start", "source", "shares"}]},
    the same as a plan YAML file); program administrators only."""

    queryset = Policy.objects.all()
    serializer_class = PlanSerializer
    lookup_field = "code"
    lookup_value_regex = r"[-\w]+"
    pagination_class = None

    @property
    def write_model(self) -> Any:
        # Asking for a closing evaluation is a request to the report job, not a change of the plan.
        return None if self.action == "closing_report" else Policy

    def get_queryset(self) -> QuerySet[Policy]:
        # Scoped through the plan's targets: a plan is listed to whoever may see some of its targets.
        closing = restrict(ReportRun.objects.filter(kind=ReportKind.CLOSING, plan=OuterRef("pk")), self.request.user)
        return plans_for(self.request.user).annotate(closing_report_id=Subquery(closing.values("pk")[:1]))

    @extend_schema(request=OpenApiTypes.OBJECT, responses={201: PlanLoadSerializer})
    def create(self, request: Request) -> Response:
        result = plans.plan_load(actor=request.user, document=request.data)
        plan = self.get_queryset().get(pk=result.plan.pk)
        body = {"plan": plan, **{k: getattr(result, k) for k in ("created", "updated", "unchanged", "split")}}
        return Response(PlanLoadSerializer(body).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={202: ReportRunSerializer})
    @action(detail=True, methods=["post"], url_path="closing-report")
    def closing_report(self, request: Request, code: str) -> Response:
        """Queue the closing evaluation (终期评估) of an ended plan; GET /api/v1/reports/{id}/ shows its files."""
        plan = self.get_object()
        run = reports.closing_report_request(actor=request.user, plan_code=plan.code)
        run.refresh_from_db()
        return Response(ReportRunSerializer(run).data, status=status.HTTP_202_ACCEPTED)
