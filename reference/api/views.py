"""API of the reference data: jurisdictions, districts, industries (read-only) and tiers (program admins)."""

from __future__ import annotations

from rest_framework import viewsets

from reference.api import serializers as s
from reference.models import District, Industry, Jurisdiction, Tier
from zjtx.api import ScopedViewSetMixin


class JurisdictionViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet[Jurisdiction]):
    queryset = Jurisdiction.objects.all()
    serializer_class = s.JurisdictionSerializer
    lookup_field = "code"
    pagination_class = None


class DistrictViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet[District]):
    queryset = District.objects.select_related("jurisdiction")
    serializer_class = s.DistrictSerializer
    lookup_field = "code"
    filterset_fields = ["kind"]
    pagination_class = None


class IndustryViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet[Industry]):
    queryset = Industry.objects.all()
    serializer_class = s.IndustrySerializer
    lookup_field = "code"
    pagination_class = None


class TierViewSet(ScopedViewSetMixin, viewsets.ModelViewSet[Tier]):
    """Tiers are reference data that program admins maintain."""

    queryset = Tier.objects.select_related("jurisdiction")
    serializer_class = s.TierSerializer
    lookup_field = "code"
    pagination_class = None
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
