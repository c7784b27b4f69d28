"""Filters of applications, certifications and assessments, and the tier filters of the enterprise list."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import django_filters as df
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from enterprises.api.filters import EnterpriseFilter
from enterprises.models import Enterprise
from enterprises.rules import credit_code
from tiers.models import Application, Certification, EligibilityAssessment
from tiers.models.lifecycle import ApplicationStatusChoices, CertificationStatusChoices
from tiers.rules.lifecycle import CertificationStatus as C
from zjtx.filters import CodeInFilter, DistrictCodeFilter, strict_boolean


def _has_certification_in_status(qs: QuerySet[Enterprise], name: str, value: str) -> QuerySet[Enterprise]:
    return qs.filter(Exists(Certification.objects.filter(enterprise=OuterRef("pk"), status=value)))


def _holds_certification_ending_within(qs: QuerySet[Enterprise], name: str, value: Any) -> QuerySet[Enterprise]:
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


def contribute_enterprise_filters() -> None:
    """The enterprise list's filters on certifications (called from TiersConfig.ready)."""
    EnterpriseFilter.contribute(
        "certification_status",
        df.ChoiceFilter(
            choices=CertificationStatusChoices.choices,
            method=_has_certification_in_status,
            label=_("Has a certification in this status"),
        ),
    )
    EnterpriseFilter.contribute(
        "expiring_within_days",
        df.NumberFilter(
            method=_holds_certification_ending_within,
            min_value=0,
            max_value=3650,
            label=_("Holds a certification ending within N days"),
        ),
    )


class ApplicationFilter(df.FilterSet):
    status = df.MultipleChoiceFilter(choices=ApplicationStatusChoices.choices)
    tier = CodeInFilter(field_name="tier__code")
    district = DistrictCodeFilter(field_name="enterprise__district__code")
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
    district = DistrictCodeFilter(field_name="enterprise__district__code")
    enterprise = df.CharFilter(field_name="enterprise__credit_code", method="filter_code")
    valid_until_before = df.DateFilter(field_name="valid_until", lookup_expr="lte")
    valid_until_after = df.DateFilter(field_name="valid_until", lookup_expr="gt")

    class Meta:
        model = Certification
        fields: list[str] = []

    def filter_code(self, qs: QuerySet[Certification], name: str, value: str) -> QuerySet[Certification]:
        return qs.filter(enterprise__credit_code=credit_code.normalise(value))


class AssessmentFilter(df.FilterSet):
    tier = CodeInFilter(field_name="tier__code", label=_("Tier codes"))
    district = DistrictCodeFilter(field_name="enterprise__district__code", label=_("District codes (comma-separated)"))
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
