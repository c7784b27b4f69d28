"""Serializers of the reference data (jurisdictions, districts, industries, tiers) and job runs."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from reference.models import District, Industry, Jurisdiction, Tier


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
