"""Serializers of the service-desk API: validate input and shape output; the services do the work."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import timezone
from rest_framework import serializers

from enterprises.api.serializers import EnterpriseRefSerializer
from programs.models import Measure, ResponsibleUnit
from servicedesk.models import (
    Demand,
    DemandCategory,
    SatisfactionChoices,
    ServiceAssignment,
    ServiceDeskDailyCheck,
    Visit,
    VisitMode,
)
from servicedesk.rules import demands as rules
from zjtx.api import TransitionEventSerializer

_username: dict[str, Any] = {"slug_field": "username", "read_only": True}


# At most this many measures in one request; a package holds measures of one jurisdiction's policies.
MAX_PACKAGE_MEASURES = 50


class PackageMeasureSerializer(serializers.ModelSerializer[Measure]):
    """A measure of the policy package: its id (what the API takes), policy code, clause and name."""

    policy: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Measure
        fields = ["id", "policy", "clause", "name", "name_en"]


class PolicyMeasuresField(serializers.ListField):
    """The policy package's measures as programs.Measure ids (see /api/v1/measures/); the service checks them."""

    child = serializers.IntegerField(min_value=1)
    max_length = MAX_PACKAGE_MEASURES


# --- assignments ---------------------------------------------------------------------------


class ServiceAssignmentSerializer(serializers.ModelSerializer[ServiceAssignment]):
    enterprise = EnterpriseRefSerializer(read_only=True)
    specialist: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(**_username)
    specialist_name = serializers.SerializerMethodField()
    started_by: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(**_username, allow_null=True)
    ended_by: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(**_username, allow_null=True)
    is_active = serializers.BooleanField(read_only=True)
    policy_measures = PackageMeasureSerializer(many=True, read_only=True)
    last_visited_on = serializers.DateField(read_only=True, allow_null=True, default=None)
    visit_due = serializers.SerializerMethodField()

    class Meta:
        model = ServiceAssignment
        fields = [
            "id",
            "enterprise",
            "specialist",
            "specialist_name",
            "policy_measures",
            "policy_notes",
            "is_active",
            "last_visited_on",
            "visit_due",
            "started_at",
            "started_by",
            "ended_at",
            "ended_by",
            "end_reason",
        ]

    def get_specialist_name(self, obj: ServiceAssignment) -> str:
        return obj.specialist.get_full_name() or obj.specialist.username

    def get_visit_due(self, obj: ServiceAssignment) -> bool | None:
        """Whether the enterprise is due for a visit (active assignments listed by the API; otherwise null)."""
        first = getattr(obj, "first_assigned_on", None)
        if obj.ended_at is not None or first is None:
            return None
        return rules.is_visit_due(
            last_visited_on=getattr(obj, "last_visited_on", None),
            first_assigned_on=first,
            today=timezone.localdate(),
            interval_days=settings.ZJTX_VISIT_INTERVAL_DAYS,
        )


class ServiceAssignmentCreateSerializer(serializers.Serializer[Any]):
    enterprise = serializers.CharField(max_length=40, help_text="Unified social credit code")
    specialist = serializers.CharField(max_length=150, help_text="Username of a district service staff member")
    policy_measures = PolicyMeasuresField(
        required=False,
        help_text="Ids of measures of the enterprise's jurisdiction; absent on reassignment: carried over",
    )
    policy_notes = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    reason = serializers.CharField(
        required=False, allow_blank=True, max_length=2000, default="", help_text="Required when replacing a specialist"
    )


class PolicyPackageSerializer(serializers.Serializer[Any]):
    policy_measures = PolicyMeasuresField(required=False, help_text="Measure ids; replaces the package's measures")
    policy_notes = serializers.CharField(required=False, allow_blank=True, max_length=5000)


class ReasonSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=2000)


# --- demands -------------------------------------------------------------------------------


class DemandSerializer(serializers.ModelSerializer[Demand]):
    enterprise = EnterpriseRefSerializer(read_only=True)
    unit: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )
    unit_name = serializers.CharField(source="unit.display_name", read_only=True, allow_null=True, default=None)
    raised_by: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(**_username)
    is_overdue = serializers.SerializerMethodField()

    class Meta:
        model = Demand
        fields = [
            "id",
            "enterprise",
            "visit",
            "category",
            "description",
            "unit",
            "unit_name",
            "raised_on",
            "due_on",
            "status",
            "is_overdue",
            "satisfaction",
            "resolution",
            "raised_by",
            "resolved_at",
            "closed_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_is_overdue(self, obj: Demand) -> bool:
        return rules.is_overdue(obj.status, obj.due_on, timezone.localdate())


class DemandEventSerializer(TransitionEventSerializer):
    details = serializers.JSONField()


class DemandDetailSerializer(DemandSerializer):
    events = DemandEventSerializer(many=True, read_only=True)

    class Meta(DemandSerializer.Meta):
        fields = [*DemandSerializer.Meta.fields, "events"]
        read_only_fields = fields


class DemandInputSerializer(serializers.Serializer[Any]):
    """A demand as raised: during a visit (nested) or on its own."""

    category = serializers.ChoiceField(choices=DemandCategory.choices)
    description = serializers.CharField(max_length=5000)
    due_on = serializers.DateField()
    unit = serializers.SlugRelatedField(
        slug_field="code",
        queryset=ResponsibleUnit.objects.all(),
        required=False,
        allow_null=True,
        help_text="Responsible unit code (/api/v1/responsible-units/); given, the demand is routed (assigned) at once",
    )


class DemandCreateSerializer(DemandInputSerializer):
    enterprise = serializers.CharField(max_length=40, help_text="Unified social credit code")
    raised_on = serializers.DateField(required=False, help_text="Defaults to today")
    visit = serializers.IntegerField(required=False, allow_null=True, help_text="Id of the visit it was raised in")


class DemandUpdateSerializer(serializers.Serializer[Any]):
    category = serializers.ChoiceField(choices=DemandCategory.choices, required=False)
    description = serializers.CharField(max_length=5000, required=False)
    due_on = serializers.DateField(required=False)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class DemandTransitionSerializer(serializers.Serializer[Any]):
    action = serializers.ChoiceField(choices=[t.action for t in rules.DEMAND_TRANSITIONS])
    note = serializers.CharField(
        required=False, allow_blank=True, max_length=2000, default="", help_text="Required to resolve or reopen"
    )
    unit = serializers.SlugRelatedField(
        slug_field="code",
        queryset=ResponsibleUnit.objects.all(),
        required=False,
        allow_null=True,
        help_text="assign only: responsible unit code",
    )
    due_on = serializers.DateField(required=False, allow_null=True, help_text="assign or reopen: a new due date")
    satisfaction = serializers.ChoiceField(
        choices=SatisfactionChoices.choices, required=False, allow_null=True, help_text="close only"
    )


class DemandCountsSerializer(serializers.Serializer[Any]):
    district = serializers.CharField()
    open = serializers.IntegerField()
    overdue = serializers.IntegerField()
    resolved = serializers.IntegerField()
    closed = serializers.IntegerField()


# --- visits --------------------------------------------------------------------------------


class DemandRefSerializer(serializers.ModelSerializer[Demand]):
    class Meta:
        model = Demand
        fields = ["id", "category", "status", "due_on"]


class VisitSerializer(serializers.ModelSerializer[Visit]):
    enterprise = EnterpriseRefSerializer(read_only=True)
    visitor: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(**_username)
    demands = DemandRefSerializer(many=True, read_only=True)

    class Meta:
        model = Visit
        fields = [
            "id",
            "enterprise",
            "visitor",
            "visited_on",
            "mode",
            "met_with",
            "notes",
            "follow_up_on",
            "demands",
            "created_at",
        ]


class VisitCreateSerializer(serializers.Serializer[Any]):
    enterprise = serializers.CharField(max_length=40, help_text="Unified social credit code")
    visited_on = serializers.DateField()
    mode = serializers.ChoiceField(choices=VisitMode.choices)
    met_with = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    notes = serializers.CharField(required=False, allow_blank=True, max_length=10000, default="")
    follow_up_on = serializers.DateField(required=False, allow_null=True)
    demands = DemandInputSerializer(many=True, required=False, help_text="Demands the enterprise raised in the visit")


# --- the daily check -----------------------------------------------------------------------


class ServiceDeskDailyCheckSerializer(serializers.ModelSerializer[ServiceDeskDailyCheck]):
    district: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(slug_field="code", read_only=True)
    district_name = serializers.CharField(source="district.display_name", read_only=True)

    class Meta:
        model = ServiceDeskDailyCheck
        fields = [
            "id",
            "day",
            "district",
            "district_name",
            "open_demands",
            "overdue_demands",
            "resolved_demands",
            "closed_demands",
            "unvisited_enterprises",
            "details",
            "computed_at",
        ]
