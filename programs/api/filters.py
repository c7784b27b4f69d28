"""Filters of the programs API (django-filter)."""

from __future__ import annotations

from typing import Any

import django_filters as df
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from enterprises.rules import credit_code
from programs.models import (
    BenefitApplication,
    BenefitMatch,
    BenefitStatusChoices,
    MatchVerdict,
    Measure,
    MeasureKind,
    RuleKind,
    SubsidyRule,
)
from zjtx.filters import DistrictCodeFilter


class MeasureFilter(df.FilterSet):
    policy = df.CharFilter(field_name="policy__code", label=_("Policy code"))
    jurisdiction = df.CharFilter(field_name="policy__jurisdiction__code", label=_("Jurisdiction code"))
    kind = df.ChoiceFilter(choices=MeasureKind.choices)
    funding = df.BooleanFilter(label=_("Grants money"))
    has_rule = df.BooleanFilter(field_name="subsidy_rules", lookup_expr="isnull", exclude=True, distinct=True)
    q = df.CharFilter(method="filter_text", label=_("Name or text contains"))

    class Meta:
        model = Measure
        fields: list[str] = []

    def filter_text(self, qs: QuerySet[Measure], name: str, value: str) -> QuerySet[Measure]:
        value = value.strip()
        return qs.filter(Q(name__icontains=value) | Q(name_en__icontains=value) | Q(text__icontains=value))


class SubsidyRuleFilter(df.FilterSet):
    policy = df.CharFilter(field_name="measure__policy__code", label=_("Policy code"))
    measure = df.NumberFilter(field_name="measure_id")
    kind = df.ChoiceFilter(choices=RuleKind.choices)
    in_force_on = df.DateFilter(method="filter_in_force", label=_("In force on this day"))

    class Meta:
        model = SubsidyRule
        fields: list[str] = []

    def filter_in_force(self, qs: QuerySet[SubsidyRule], name: str, value: object) -> QuerySet[SubsidyRule]:
        return qs.filter(effective_from__lte=value).exclude(effective_until__lte=value)


class EnterpriseMeasureFilter(df.FilterSet):
    """Filters of rows about an enterprise under a measure (applications, matches)."""

    measure = df.NumberFilter(field_name="measure_id")
    policy = df.CharFilter(field_name="measure__policy__code")
    district = DistrictCodeFilter(field_name="enterprise__district__code")
    enterprise = df.CharFilter(field_name="enterprise__credit_code", method="filter_code")

    def filter_code(self, qs: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return qs.filter(enterprise__credit_code=credit_code.normalise(value))


class BenefitApplicationFilter(EnterpriseMeasureFilter):
    status = df.MultipleChoiceFilter(choices=BenefitStatusChoices.choices)

    class Meta:
        model = BenefitApplication
        fields: list[str] = []


class BenefitMatchFilter(EnterpriseMeasureFilter):
    verdict = df.MultipleChoiceFilter(choices=MatchVerdict.choices)
    claimed = df.BooleanFilter(
        field_name="claimed", label=_("Claimed (an application under the measure, not rejected)")
    )

    class Meta:
        model = BenefitMatch
        fields: list[str] = []
