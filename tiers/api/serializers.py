"""Serializers of applications, certifications, eligibility assessments and candidates."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from enterprises.api.serializers import EnterpriseRefSerializer
from reference.api.serializers import TierRefSerializer
from reference.models import Tier
from tiers import eligibility_text
from tiers.models import Application, Certification, EligibilityAssessment
from zjtx.api import TransitionEventSerializer


class ApplicationSerializer(serializers.ModelSerializer[Application]):
    enterprise = EnterpriseRefSerializer(read_only=True)
    tier = TierRefSerializer(read_only=True)
    submitted_by: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )

    class Meta:
        model = Application
        fields = [
            "id",
            "enterprise",
            "tier",
            "batch_year",
            "status",
            "note",
            "submitted_at",
            "submitted_by",
            "decided_at",
        ]


class ApplicationDetailSerializer(ApplicationSerializer):
    transitions = TransitionEventSerializer(many=True, read_only=True)

    class Meta(ApplicationSerializer.Meta):
        fields = [*ApplicationSerializer.Meta.fields, "transitions"]


class ApplicationCreateSerializer(serializers.Serializer[Any]):
    enterprise = serializers.CharField(max_length=40, help_text="Unified social credit code")
    tier = serializers.SlugRelatedField(slug_field="code", queryset=Tier.objects.all())
    batch_year = serializers.IntegerField(min_value=2000, max_value=2100)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class TransitionSerializer(serializers.Serializer[Any]):
    action = serializers.CharField(max_length=30)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    valid_from = serializers.DateField(required=False, help_text="Start of the certification (certify only)")


class CertificationSerializer(serializers.ModelSerializer[Certification]):
    enterprise = EnterpriseRefSerializer(read_only=True)
    tier = TierRefSerializer(read_only=True)

    class Meta:
        model = Certification
        fields = ["id", "enterprise", "tier", "application", "status", "valid_from", "valid_until", "reason"]


class CertificationDetailSerializer(CertificationSerializer):
    transitions = TransitionEventSerializer(many=True, read_only=True)

    class Meta(CertificationSerializer.Meta):
        fields = [*CertificationSerializer.Meta.fields, "transitions"]


class _AssessmentBase(serializers.ModelSerializer[EligibilityAssessment]):
    enterprise = EnterpriseRefSerializer(read_only=True)
    tier: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(slug_field="code", read_only=True)
    status = serializers.CharField(read_only=True)
    pass_mark = serializers.SerializerMethodField()
    lacking = serializers.SerializerMethodField(help_text="Indicators not met, spelled out")
    unknown = serializers.SerializerMethodField(help_text="Indicators whose facts are missing")
    document = serializers.SerializerMethodField(help_text="The criteria document the verdict was made under")

    def get_document(self, obj: EligibilityAssessment) -> dict[str, Any]:
        return eligibility_text.document(obj)

    def get_pass_mark(self, obj: EligibilityAssessment) -> str | None:
        return eligibility_text.pass_mark(obj)

    def get_lacking(self, obj: EligibilityAssessment) -> list[dict[str, Any]]:
        return eligibility_text.gaps(obj, list(obj.lacking))

    def get_unknown(self, obj: EligibilityAssessment) -> list[dict[str, Any]]:
        return eligibility_text.gaps(obj, list(obj.unknown))


class AssessmentSerializer(_AssessmentBase):
    indicators = serializers.SerializerMethodField()
    direct_qualification = serializers.SerializerMethodField()

    class Meta:
        model = EligibilityAssessment
        fields = [
            "id", "enterprise", "tier", "rule_set", "document", "provisional", "assessed_on", "status", "passed",
            "near", "missing_data", "score", "score_max", "pass_mark", "direct_qualification", "indicators_met",
            "lacking", "unknown", "indicators",
        ]  # fmt: skip

    def get_indicators(self, obj: EligibilityAssessment) -> list[dict[str, Any]]:
        return eligibility_text.indicators(obj)

    def get_direct_qualification(self, obj: EligibilityAssessment) -> dict[str, Any] | None:
        return eligibility_text.direct_qualification(obj)


class CandidateSerializer(_AssessmentBase):
    """One firm of a district's candidate list: its verdict and what it still lacks."""

    rank = serializers.IntegerField(read_only=True)

    class Meta:
        model = EligibilityAssessment
        fields = [
            "rank", "id", "enterprise", "tier", "status", "score", "pass_mark", "indicators_met", "lacking",
            "unknown", "rule_set", "document", "provisional", "assessed_on",
        ]  # fmt: skip


class VerdictSerializer(AssessmentSerializer):
    """One verdict on one enterprise now (not stored): which tier, as which kind of assessment, why this document."""

    kind = serializers.CharField(read_only=True, help_text="new_application or re_review")
    purpose = serializers.CharField(
        read_only=True,
        help_text="next_tier: a new application for the tier above; re_review: a held tier under the document its "
        "certificate was granted under; in_force: a held tier under the document in force for new applications",
    )
    reason = serializers.CharField(read_only=True, help_text="in_force, certificate_origin, no_successor, ...")
    certification = serializers.DictField(read_only=True, allow_null=True)

    class Meta(AssessmentSerializer.Meta):
        fields = [
            "tier", "kind", "purpose", "reason", "certification", "rule_set", "document", "provisional", "assessed_on",
            "status", "passed", "near", "missing_data", "score", "score_max", "pass_mark", "direct_qualification",
            "indicators_met", "lacking", "unknown", "indicators",
        ]  # fmt: skip


class AssessmentCountSerializer(serializers.Serializer[Any]):
    district = serializers.CharField()
    tier = serializers.CharField(source="tier_code")
    assessed = serializers.IntegerField()
    eligible = serializers.IntegerField(help_text="eligible now")
    near = serializers.IntegerField(help_text="within one indicator")
    missing_data = serializers.IntegerField()
