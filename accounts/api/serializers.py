from __future__ import annotations

from typing import Any

from rest_framework import serializers

from accounts.models import AuditEntry, User
from zjtx.access import redact_changes


class AuditEntrySerializer(serializers.ModelSerializer[AuditEntry]):
    actor = serializers.CharField(source="actor_name", read_only=True)
    model = serializers.SerializerMethodField()

    class Meta:
        model = AuditEntry
        fields = [
            "id",
            "at",
            "actor",
            "action",
            "model",
            "object_id",
            "object_repr",
            "changes",
            "remote_addr",
            "source",
        ]

    def to_representation(self, instance: AuditEntry) -> dict[str, Any]:
        data = super().to_representation(instance)
        request = self.context.get("request")
        data["changes"] = redact_changes(getattr(request, "user", None), instance.district_id, data["changes"])
        return data

    def get_model(self, obj: AuditEntry) -> str:
        ct = obj.content_type
        return f"{ct.app_label}.{ct.model}" if ct is not None else ""


class MeSerializer(serializers.ModelSerializer[User]):
    district: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )
    jurisdiction: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )
    role = serializers.CharField(
        read_only=True, help_text="municipal_official, district_staff, program_admin, auditor; empty: superuser"
    )
    role_label = serializers.CharField(source="get_role_display", read_only=True)

    class Meta:
        model = User
        fields = [
            "username",
            "first_name",
            "last_name",
            "role",
            "role_label",
            "district",
            "jurisdiction",
            "is_superuser",
        ]
        read_only_fields = fields

    def update(self, instance: User, validated_data: dict[str, Any]) -> User:  # pragma: no cover - read only
        raise serializers.ValidationError("read only")


class TokenRequestSerializer(serializers.Serializer[Any]):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, trim_whitespace=False, style={"input_type": "password"})
    otp = serializers.CharField(
        max_length=10, required=False, help_text="Superusers: the code of their authenticator app, when required."
    )


class TokenSerializer(serializers.Serializer[Any]):
    token = serializers.CharField()
    expires = serializers.DateTimeField(help_text="The token stops working then; log in again for a new one")
