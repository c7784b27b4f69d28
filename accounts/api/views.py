from __future__ import annotations

from typing import Any

import django_filters as df
from django.contrib.auth.signals import user_logged_in
from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.serializers import AuditEntrySerializer, MeSerializer, TokenRequestSerializer, TokenSerializer
from accounts.models import AuditAction, AuditEntry
from accounts.services.login import login_attempt
from accounts.services.tokens import token_expiry, token_issue, tokens_revoke
from zjtx.api import ScopedViewSetMixin
from zjtx.throttling import AnonThrottle, LoginThrottle


class AuditEntryFilter(df.FilterSet):
    action = df.MultipleChoiceFilter(choices=AuditAction.choices)
    model = df.CharFilter(method="filter_model", label="app_label.model, e.g. enterprises.enterprise")
    object_id = df.CharFilter()
    actor = df.CharFilter(field_name="actor_name")
    since = df.IsoDateTimeFilter(field_name="at", lookup_expr="gte")
    until = df.IsoDateTimeFilter(field_name="at", lookup_expr="lt")

    class Meta:
        model = AuditEntry
        fields: list[str] = []

    def filter_model(self, qs: QuerySet[AuditEntry], name: str, value: str) -> QuerySet[AuditEntry]:
        app_label, _sep, model = value.lower().partition(".")
        ct = ContentType.objects.filter(app_label=app_label, model=model).first()
        return qs.filter(content_type=ct) if ct else qs.none()


class AuditEntryViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet[AuditEntry]):
    """The audit log, read-only for everyone; each user sees the entries about what is in their scope."""

    queryset = AuditEntry.objects.select_related("content_type")
    serializer_class = AuditEntrySerializer
    filterset_class = AuditEntryFilter


class MeView(APIView):
    """The signed-in user: role, district and jurisdiction."""

    @extend_schema(responses=MeSerializer)
    def get(self, request: Request) -> Response:
        return Response(MeSerializer(request.user).data)  # type: ignore[arg-type]


class TokenView(APIView):
    """POST {username, password[, otp]} → {token}. Throttled; failures count towards the lock-out."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes = [AnonThrottle, LoginThrottle]
    throttle_scope = "login"

    @extend_schema(request=TokenRequestSerializer, responses=TokenSerializer)
    def post(self, request: Request) -> Response:
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        user = login_attempt(
            request=request,
            username=data["username"],
            password=data["password"],
            otp=data.get("otp"),
            second_factor_now=True,
        )
        user_logged_in.send(sender=type(user), request=request._request, user=user)
        token = token_issue(user=user)
        return Response({"token": token.key, "expires": token_expiry(token)})


class TokenRevokeView(APIView):
    """POST: the caller's API token stops working at once (log out of the API)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None})
    def post(self, request: Request) -> Response:
        tokens_revoke(user=request.user, actor=request.user, reason="owner")
        return Response(status=status.HTTP_204_NO_CONTENT)
