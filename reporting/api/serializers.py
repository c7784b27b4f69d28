"""Serializers of the targets and reports API."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from programs.models import Policy
from reference.models import District, JobRun, Jurisdiction
from reporting.models import ManualValue, Metric, MetricSnapshot, ReportKind, ReportRun, Target
from reporting.selectors import PipelineRow, ProgressRow
from zjtx.api import QueueNoticeField


class MetricSerializer(serializers.ModelSerializer[Metric]):
    class Meta:
        model = Metric
        fields = ["code", "name", "name_en", "kind", "params", "unit", "source"]


class TargetSerializer(serializers.ModelSerializer[Target]):
    metric: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(slug_field="code", read_only=True)
    jurisdiction: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(slug_field="code", read_only=True)
    district: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(slug_field="code", read_only=True)
    plan: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        source="policy", slug_field="code", read_only=True
    )

    class Meta:
        model = Target
        fields = ["id", "metric", "jurisdiction", "district", "parent", "plan", "value", "start", "deadline", "source"]


class TargetWriteSerializer(serializers.ModelSerializer[Target]):
    """Program admins add or change city-wide targets; district targets come from the split action."""

    metric = serializers.SlugRelatedField(slug_field="code", queryset=Metric.objects.all())
    jurisdiction = serializers.SlugRelatedField(slug_field="code", queryset=Jurisdiction.objects.all())
    plan = serializers.SlugRelatedField(
        source="policy", slug_field="code", queryset=Policy.objects.all(), required=False, allow_null=True
    )

    class Meta:
        model = Target
        fields = ["id", "metric", "jurisdiction", "plan", "value", "start", "deadline", "source"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start = attrs.get("start", getattr(self.instance, "start", None))
        deadline: Any = attrs.get("deadline", getattr(self.instance, "deadline", None))
        if start and deadline and deadline <= start:
            raise serializers.ValidationError({"deadline": "must be after the start"})
        if attrs.get("value", 1) <= 0:
            raise serializers.ValidationError({"value": "must be positive"})
        plan = attrs.get("policy", getattr(self.instance, "policy", None))
        jurisdiction = attrs.get("jurisdiction", getattr(self.instance, "jurisdiction", None))
        if plan is not None and jurisdiction is not None:
            errors = Target(jurisdiction=jurisdiction, policy=plan, deadline=deadline).plan_errors()
            if errors:
                raise serializers.ValidationError(errors)
        return attrs


class SplitSerializer(serializers.Serializer[Any]):
    shares = serializers.DictField(
        child=serializers.IntegerField(min_value=0), help_text="District code → share; must add up to the target"
    )


class FinalResultSerializer(serializers.Serializer[ProgressRow]):
    """A closed target's final result: at the deadline, met or missed by how much, and the value today."""

    value_at_deadline = serializers.IntegerField(source="final.at_deadline")
    at_deadline_as_of = serializers.DateField(source="as_of", help_text="the snapshot day (the deadline day)")
    met = serializers.BooleanField(source="final.met")
    difference = serializers.IntegerField(
        source="final.difference", help_text="value at the deadline minus the target: below zero, missed by that"
    )
    percent = serializers.DecimalField(source="final.percent", max_digits=9, decimal_places=1)
    final_rank = serializers.IntegerField(source="rank", allow_null=True)
    share_of_city = serializers.DecimalField(
        source="final.share_of_city", max_digits=5, decimal_places=1, allow_null=True,
        help_text="a district's value at the deadline as a percentage of the city's (for readers of the city)",
    )  # fmt: skip
    value_today = serializers.IntegerField(source="final.today", allow_null=True)
    today_as_of = serializers.DateField(allow_null=True)
    change_since_deadline = serializers.IntegerField(source="final.change_since_deadline", allow_null=True)


class ProgressSerializer(serializers.Serializer[ProgressRow]):
    target = serializers.IntegerField(source="target.pk")
    metric = serializers.CharField(source="target.metric.code")
    metric_name = serializers.CharField(source="target.metric.display_name")
    jurisdiction = serializers.CharField(source="target.jurisdiction.code")
    district = serializers.CharField(source="target.district.code", allow_null=True)
    place = serializers.CharField(source="place_name")
    deadline = serializers.DateField(source="target.deadline")
    as_of = serializers.DateField(allow_null=True)
    target_value = serializers.IntegerField(source="target.value")
    current = serializers.IntegerField(source="progress.current", allow_null=True)
    percent = serializers.DecimalField(source="progress.percent", max_digits=9, decimal_places=1, allow_null=True)
    gap = serializers.IntegerField(source="progress.gap", allow_null=True)
    days_left = serializers.IntegerField(source="progress.days_left", allow_null=True)
    pace_needed_per_month = serializers.DecimalField(
        source="progress.pace_needed_per_month", max_digits=12, decimal_places=1, allow_null=True
    )
    trend_per_month = serializers.DecimalField(
        source="progress.trend_per_month", max_digits=12, decimal_places=1, allow_null=True
    )
    projected_at_deadline = serializers.DecimalField(
        source="progress.projected_at_deadline", max_digits=14, decimal_places=0, allow_null=True
    )
    met = serializers.BooleanField(source="progress.met", allow_null=True)
    off_track = serializers.BooleanField(source="progress.off_track", allow_null=True)
    rank = serializers.IntegerField(allow_null=True, help_text="final rank once the target is closed")
    rank_of = serializers.IntegerField(allow_null=True)
    plan = serializers.CharField(source="target.policy.code", allow_null=True, default=None)
    closed = serializers.BooleanField(
        help_text="the deadline has passed: the figures above are those at the deadline, see final"
    )
    final = serializers.SerializerMethodField()

    @extend_schema_field(FinalResultSerializer(allow_null=True))
    def get_final(self, row: ProgressRow) -> dict[str, Any] | None:
        return FinalResultSerializer(row).data if row.final is not None else None


class SnapshotSerializer(serializers.ModelSerializer[MetricSnapshot]):
    metric: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(slug_field="code", read_only=True)
    district: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = MetricSnapshot
        fields = ["day", "metric", "district", "value"]


class ManualValueSerializer(serializers.ModelSerializer[ManualValue]):
    metric = serializers.SlugRelatedField(slug_field="code", queryset=Metric.objects.all())
    district = serializers.SlugRelatedField(
        slug_field="code", queryset=District.objects.all(), allow_null=True, required=False
    )
    jurisdiction = serializers.CharField(source="jurisdiction.code", required=False)
    entered_by = serializers.CharField(source="entered_by.username", read_only=True)

    class Meta:
        model = ManualValue
        fields = ["id", "metric", "jurisdiction", "district", "as_of", "value", "note", "entered_by", "entered_at"]
        read_only_fields = ["entered_at"]


class ReportRunSerializer(serializers.ModelSerializer[ReportRun]):
    jurisdiction: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(slug_field="code", read_only=True)
    district: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(slug_field="code", read_only=True)
    pdf_url = serializers.SerializerMethodField()
    xlsx_url = serializers.SerializerMethodField()
    queue_notice = QueueNoticeField()

    class Meta:
        model = ReportRun
        fields = [
            "id", "kind", "jurisdiction", "district", "period", "as_of", "language", "status", "error", "attempts",
            "requested_at", "started_at", "finished_at", "pdf_url", "xlsx_url", "sent_at", "queue_notice",
        ]  # fmt: skip

    def _url(self, obj: ReportRun, fmt: str) -> str | None:
        if obj.status != "done" or not getattr(obj, fmt):
            return None
        return reverse("reportrun-download", args=[obj.pk, fmt])

    def get_pdf_url(self, obj: ReportRun) -> str | None:
        return self._url(obj, "pdf")

    def get_xlsx_url(self, obj: ReportRun) -> str | None:
        return self._url(obj, "xlsx")


class ReportRequestSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=ReportKind.choices)
    period = serializers.RegexField(r"^\d{4}-\d{2}$", help_text="YYYY-MM")
    district = serializers.CharField(required=False, allow_blank=True, help_text="District code (district reports)")
    jurisdiction = serializers.CharField(required=False, allow_blank=True, help_text="Jurisdiction code (city reports)")


class JobRunSerializer(serializers.ModelSerializer[JobRun]):
    class Meta:
        model = JobRun
        fields = ["id", "job", "key", "status", "started_at", "finished_at", "error", "result"]


class PipelineSerializer(serializers.Serializer[PipelineRow]):
    target = serializers.IntegerField(source="target.pk")
    metric = serializers.CharField(source="target.metric.code")
    metric_name = serializers.CharField(source="target.metric.display_name")
    tiers = serializers.ListField(child=serializers.CharField())
    deadline = serializers.DateField(source="target.deadline")
    target_scope = serializers.SerializerMethodField(help_text="district: the district's own target; city: city-wide")
    target_value = serializers.IntegerField(source="target.value")
    district = serializers.CharField(source="district.code", allow_null=True, default=None)
    place = serializers.SerializerMethodField()
    current = serializers.IntegerField(allow_null=True)
    gap = serializers.IntegerField(allow_null=True, help_text="gap to the place's own target")
    city_gap = serializers.IntegerField(allow_null=True, help_text="the city-wide gap, for districts without a target")
    eligible = serializers.IntegerField(help_text="candidates eligible now")
    near = serializers.IntegerField(help_text="candidates within one indicator")
    candidates = serializers.IntegerField()
    missing_data = serializers.IntegerField()
    gap_after_candidates = serializers.IntegerField(allow_null=True)

    def get_target_scope(self, row: PipelineRow) -> str:
        return "district" if row.target.district_id else "city"

    def get_place(self, row: PipelineRow) -> str:
        return str(row.district or row.target.jurisdiction)
