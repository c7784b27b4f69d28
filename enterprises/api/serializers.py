"""Serializers of the registry API: validate input and shape output, no workflow."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from enterprises.models import EligibilityProfile, Enterprise, EnterpriseYearFact, ImportRun
from enterprises.rule_messages import credit_code_message
from enterprises.rules import credit_code
from reference.api.serializers import TierRefSerializer
from reference.models import District, Industry
from zjtx.access import can_see_contact
from zjtx.api import QueueNoticeField
from zjtx.privacy import mask_phone


class EnterpriseSerializer(serializers.ModelSerializer[Enterprise]):
    district = serializers.SlugRelatedField(slug_field="code", queryset=District.objects.all())
    district_name = serializers.CharField(source="district.name", read_only=True)
    industry = serializers.SlugRelatedField(slug_field="code", queryset=Industry.objects.all())
    current_tier = TierRefSerializer(read_only=True)
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
            data["contact_phone"] = mask_phone(instance.contact_phone)
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
            "development_score",
            "national_market_rank",
            "niche_years",
            "chain_product",
        ]
        # The (enterprise, year) pair is upserted by the service, not created twice.
        validators: list[Any] = []


class EnterpriseRefSerializer(serializers.ModelSerializer[Enterprise]):
    district: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Enterprise
        fields = ["credit_code", "name", "district"]


class ImportRunSerializer(serializers.ModelSerializer[ImportRun]):
    """An import's counts; its rejected rows are paginated under errors/ and downloadable from errors-file/."""

    queue_notice = QueueNoticeField()

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
            "message",
            "started_at",
            "finished_at",
            "sent_at",
            "queue_notice",
        ]


class ImportErrorSerializer(serializers.Serializer[Any]):
    """One rejected row: its number in the file (the header is row 1), its credit code as the file has it,
    and every reason, each echoing the cell it is about."""

    row = serializers.IntegerField()
    credit_code = serializers.CharField()
    reasons = serializers.ListField(child=serializers.CharField())


class ImportUploadSerializer(serializers.Serializer[Any]):
    file = serializers.FileField(help_text=".csv or .xlsx with Chinese column headers")


class EligibilityProfileSerializer(serializers.ModelSerializer[EligibilityProfile]):
    """The facts the tier criteria need beyond the yearly figures; empty = not known."""

    class Meta:
        model = EligibilityProfile
        fields = [
            "niche_market_since", "high_tech", "innovation_honour", "rd_institution", "award_level", "award_year",
            "award_rank", "maker_china", "maker_china_year", "ip_grade", "strategic_emerging", "product_domain",
            "digital_level", "quality_items", "local_feature_points", "info_system", "management_certification",
            "national_market_share", "own_brand", "chain_key_link", "key_field", "updated_at",
        ]  # fmt: skip
        read_only_fields = ["updated_at"]
