"""Filters of the registry API (django-filter): district, tier, industry, size, status, text search."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import django_filters as df
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from enterprises.models import Application, Certification, EligibilityAssessment, Enterprise, SizeClass
from enterprises.models.lifecycle import ApplicationStatusChoices, CertificationStatusChoices
from enterprises.models.registry import ListingStatus
from enterprises.rules import credit_code
from enterprises.rules.lifecycle import CertificationStatus as C


class CodeInFilter(df.BaseInFilter, df.CharFilter):
    """Comma-separated codes: ?district=500101,500103"""


class EnterpriseFilter(df.FilterSet):
    district = CodeInFilter(field_name="district__code", label=_("District codes (comma-separated)"))
    jurisdiction = df.CharFilter(field_name="district__jurisdiction__code", label=_("Jurisdiction code"))
    tier = CodeInFilter(field_name="current_tier__code", label=_("Current tier codes"))
    has_tier = df.BooleanFilter(field_name="current_tier", lookup_expr="isnull", exclude=True, label=_("Holds a tier"))
    industry = CodeInFilter(field_name="industry__code", label=_("GB/T 4754 sections"))
    size_class = df.MultipleChoiceFilter(choices=SizeClass.choices)
    listing_status = df.MultipleChoiceFilter(choices=ListingStatus.choices)
    certification_status = df.ChoiceFilter(
        choices=CertificationStatusChoices.choices,
        method="filter_certification_status",
        label=_("Has a certification in this status"),
    )
    expiring_within_days = df.NumberFilter(
        method="filter_expiring", min_value=0, max_value=3650, label=_("Holds a certification ending within N days")
    )
    q = df.CharFilter(method="filter_text", label=_("Name or credit code contains"))

    class Meta:
        model = Enterprise
        fields: list[str] = []

    def filter_certification_status(self, qs: QuerySet[Enterprise], name: str, value: str) -> QuerySet[Enterprise]:
        return qs.filter(Exists(Certification.objects.filter(enterprise=OuterRef("pk"), status=value)))

    def filter_expiring(self, qs: QuerySet[Enterprise], name: str, value: Any) -> QuerySet[Enterprise]:
        today = timezone.localdate()
        return qs.filter(
            Exists(
                Certification.objects.filter(
                    enterprise=OuterRef("pk"),
                    status__in=C.HOLDING,
                    valid_until__gt=today,
                    valid_until__lte=today + timedelta(days=int(value)),
                )
            )
        )

    def filter_text(self, qs: QuerySet[Enterprise], name: str, value: str) -> QuerySet[Enterprise]:
        value = value.strip()
        if not value:
            return qs
        code = credit_code.normalise(value)
        return qs.filter(Q(name__icontains=value) | Q(credit_code__startswith=code))


class ApplicationFilter(df.FilterSet):
    status = df.MultipleChoiceFilter(choices=ApplicationStatusChoices.choices)
    tier = CodeInFilter(field_name="tier__code")
    district = CodeInFilter(field_name="enterprise__district__code")
    enterprise = df.CharFilter(field_name="enterprise__credit_code", method="filter_code")
    batch_year = df.NumberFilter()

    class Meta:
        model = Application
        fields: list[str] = []

    def filter_code(self, qs: QuerySet[Application], name: str, value: str) -> QuerySet[Application]:
        return qs.filter(enterprise__credit_code=credit_code.normalise(value))


class CertificationFilter(df.FilterSet):
    status = df.MultipleChoiceFilter(choices=CertificationStatusChoices.choices)
    tier = CodeInFilter(field_name="tier__code")
    district = CodeInFilter(field_name="enterprise__district__code")
    enterprise = df.CharFilter(field_name="enterprise__credit_code", method="filter_code")
    valid_until_before = df.DateFilter(field_name="valid_until", lookup_expr="lte")
    valid_until_after = df.DateFilter(field_name="valid_until", lookup_expr="gt")

    class Meta:
        model = Certification
        fields: list[str] = []

    def filter_code(self, qs: QuerySet[Certification], name: str, value: str) -> QuerySet[Certification]:
        return qs.filter(enterprise__credit_code=credit_code.normalise(value))


def strict_boolean(label: Any) -> df.TypedChoiceFilter:
    """true/false/1/0, and a 400 for anything else (BooleanFilter silently ignores a typo)."""
    return df.TypedChoiceFilter(
        choices=[(v, v) for v in ("true", "false", "1", "0")], coerce=lambda v: v in ("true", "1"), label=label
    )


class AssessmentFilter(df.FilterSet):
    tier = CodeInFilter(field_name="tier__code", label=_("Tier codes"))
    district = CodeInFilter(field_name="enterprise__district__code", label=_("District codes (comma-separated)"))
    jurisdiction = df.CharFilter(field_name="enterprise__district__jurisdiction__code", label=_("Jurisdiction code"))
    enterprise = df.CharFilter(method="filter_code", label=_("Unified social credit code"))
    passed = strict_boolean(_("Eligible now"))
    near = strict_boolean(_("Within one indicator"))
    missing_data = strict_boolean(_("Missing data"))
    provisional = strict_boolean(_("Provisional"))

    class Meta:
        model = EligibilityAssessment
        fields: list[str] = []

    def filter_code(
        self, qs: QuerySet[EligibilityAssessment], name: str, value: str
    ) -> QuerySet[EligibilityAssessment]:
        return qs.filter(enterprise__credit_code=credit_code.normalise(value))
