"""Serializers of the registry API: validate input and shape output, no workflow."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from enterprises import eligibility_text
from enterprises.models import (
    Application,
    Certification,
    District,
    EligibilityAssessment,
    EligibilityProfile,
    Enterprise,
    EnterpriseYearFact,
    ImportRun,
    Industry,
    Jurisdiction,
    Tier,
)
from enterprises.rule_messages import credit_code_message
from enterprises.rules import contact, credit_code
from zjtx.access import can_see_contact


class JurisdictionSerializer(serializers.ModelSerializer[Jurisdiction]):
    class Meta:
        model = Jurisdiction
        fields = ["code", "name", "name_en", "short_name"]


class DistrictSerializer(serializers.ModelSerializer[District]):
    jurisdiction: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = District
        fields = ["code", "gb2260_code", "name", "name_en", "kind", "jurisdiction"]


class IndustrySerializer(serializers.ModelSerializer[Industry]):
    class Meta:
        model = Industry
        fields = ["code", "name", "name_en"]


class TierSerializer(serializers.ModelSerializer[Tier]):
    jurisdiction = serializers.SlugRelatedField(
        slug_field="code", queryset=Jurisdiction.objects.all(), allow_null=True, required=False
    )

    class Meta:
        model = Tier
        fields = [
            "code",
            "name",
            "name_en",
            "level",
            "certifying_level",
            "jurisdiction",
            "validity_years",
            "effective_from",
            "effective_until",
            "source",
        ]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start = attrs.get("effective_from", getattr(self.instance, "effective_from", None))
        end = attrs.get("effective_until", getattr(self.instance, "effective_until", None))
        if start and end and end <= start:
            raise serializers.ValidationError({"effective_until": _("Must be after the start of the period.")})
        return attrs


class TierRefSerializer(serializers.ModelSerializer[Tier]):
    class Meta:
        model = Tier
        fields = ["code", "name", "level"]


class EnterpriseSerializer(serializers.ModelSerializer[Enterprise]):
    district = serializers.SlugRelatedField(slug_field="code", queryset=District.objects.all())
    district_name = serializers.CharField(source="district.name", read_only=True)
    industry = serializers.SlugRelatedField(slug_field="code", queryset=Industry.objects.all())
    current_tier = TierRefSerializer(read_only=True, allow_null=True)
    contact_phone = serializers.CharField(max_length=30, required=False, allow_blank=True)

    class Meta:
        model = Enterprise
        fields = [
            "credit_code",
            "name",
            "district",
            "district_name",
            "industry",
            "founded_on",
            "size_class",
            "listing_status",
            "listed_on",
            "main_product",
            "contact_name",
            "contact_phone",
            "current_tier",
            "current_tier_until",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["current_tier_until", "created_at", "updated_at"]

    def validate_credit_code(self, value: str) -> str:
        try:
            return credit_code.validate(value)
        except credit_code.CreditCodeError as exc:
            raise serializers.ValidationError(
                _("Invalid unified social credit code: %(reason)s") % {"reason": credit_code_message(exc)}
            ) from exc

    def to_representation(self, instance: Enterprise) -> dict[str, Any]:
        data = super().to_representation(instance)
        request = self.context.get("request")
        if not can_see_contact(getattr(request, "user", None), instance.district_id):
            data["contact_phone"] = contact.mask_phone(instance.contact_phone)
        return data


class EnterpriseUpdateSerializer(EnterpriseSerializer):
    class Meta(EnterpriseSerializer.Meta):
        read_only_fields = ["credit_code", *EnterpriseSerializer.Meta.read_only_fields]


class YearFactSerializer(serializers.ModelSerializer[EnterpriseYearFact]):
    class Meta:
        model = EnterpriseYearFact
        fields = [
            "year",
            "revenue",
            "main_business_revenue",
            "rd_expense",
            "total_assets",
            "total_liabilities",
            "net_profit",
            "equity_financing",
            "employees",
            "rd_staff",
            "invention_patents",
            "class_i_ip",
        ]
        # The (enterprise, year) pair is upserted by the service, not created twice.
        validators: list[Any] = []


class TransitionEventSerializer(serializers.Serializer[Any]):
    action = serializers.CharField()
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    actor = serializers.CharField(source="actor.username", read_only=True, allow_null=True)
    at = serializers.DateTimeField()
    reason = serializers.CharField()


class EnterpriseRefSerializer(serializers.ModelSerializer[Enterprise]):
    district: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Enterprise
        fields = ["credit_code", "name", "district"]


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


class ImportRunSerializer(serializers.ModelSerializer[ImportRun]):
    class Meta:
        model = ImportRun
        fields = [
            "id",
            "file_name",
            "sha256",
            "status",
            "rows_total",
            "rows_created",
            "rows_updated",
            "rows_unchanged",
            "facts_written",
            "rows_rejected",
            "errors",
            "message",
            "started_at",
            "finished_at",
        ]


class ImportUploadSerializer(serializers.Serializer[Any]):
    file = serializers.FileField(help_text=".csv or .xlsx with Chinese column headers")


# --- eligibility ------------------------------------------------------------------------------


class EligibilityProfileSerializer(serializers.ModelSerializer[EligibilityProfile]):
    """The facts the tier criteria need beyond the yearly figures; empty = not known."""

    updated_at = serializers.DateTimeField(read_only=True, allow_null=True, help_text="Empty: nothing recorded yet")

    class Meta:
        model = EligibilityProfile
        fields = [
            "niche_market_since", "high_tech", "innovation_honour", "rd_institution", "award_level", "award_year",
            "award_rank", "maker_china", "maker_china_year", "ip_grade", "strategic_emerging", "product_domain",
            "digital_level", "quality_items", "local_feature_points", "info_system", "management_certification",
            "national_market_share", "own_brand", "chain_key_link", "key_field", "updated_at",
        ]  # fmt: skip
        read_only_fields = ["updated_at"]


class _AssessmentBase(serializers.ModelSerializer[EligibilityAssessment]):
    enterprise = EnterpriseRefSerializer(read_only=True)
    tier: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(slug_field="code", read_only=True)
    status = serializers.CharField(read_only=True)
    pass_mark = serializers.SerializerMethodField()
    lacking = serializers.SerializerMethodField(help_text="Indicators not met, spelled out")
    unknown = serializers.SerializerMethodField(help_text="Indicators whose facts are missing")

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
            "id", "enterprise", "tier", "rule_set", "provisional", "assessed_on", "status", "passed", "near",
            "missing_data", "score", "score_max", "pass_mark", "direct_qualification", "indicators_met",
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
            "unknown", "rule_set", "provisional", "assessed_on",
        ]  # fmt: skip


class AssessmentCountSerializer(serializers.Serializer[Any]):
    district = serializers.CharField()
    tier = serializers.CharField(source="tier_code")
    assessed = serializers.IntegerField()
    eligible = serializers.IntegerField(help_text="eligible now")
    near = serializers.IntegerField(help_text="within one indicator")
    missing_data = serializers.IntegerField()
