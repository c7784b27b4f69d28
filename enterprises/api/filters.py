"""Filters of the registry API (django-filter): district, tier, industry, size, listing, text search.

Rooms above the registry contribute filters on their own data through `EnterpriseFilter.contribute`
(tiers adds certification status and certifications ending soon).
"""

from __future__ import annotations

import django_filters as df
from django.db import connection
from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext_lazy as _

from enterprises.models import Enterprise, SizeClass
from enterprises.models.registry import ListingStatus
from enterprises.rules import credit_code
from zjtx.filters import CodeInFilter, DistrictCodeFilter


class EnterpriseFilter(df.FilterSet):
    district = DistrictCodeFilter(field_name="district__code", label=_("District codes (comma-separated)"))
    jurisdiction = df.CharFilter(field_name="district__jurisdiction__code", label=_("Jurisdiction code"))
    tier = CodeInFilter(field_name="current_tier__code", label=_("Current tier codes"))
    has_tier = df.BooleanFilter(field_name="current_tier", lookup_expr="isnull", exclude=True, label=_("Holds a tier"))
    industry = CodeInFilter(field_name="industry__code", label=_("GB/T 4754 sections"))
    size_class = df.MultipleChoiceFilter(choices=SizeClass.choices)
    listing_status = df.MultipleChoiceFilter(choices=ListingStatus.choices)
    q = df.CharFilter(method="filter_text", label=_("Name or credit code contains"))

    class Meta:
        model = Enterprise
        fields: list[str] = []

    @classmethod
    def contribute(cls, name: str, filter_: df.Filter) -> None:
        """Add a filter that reads the data of a room above the registry (e.g. tiers: certification status).

        Those rooms call this from their AppConfig.ready(), so the registry imports none of them (imports
        run downhill) while the enterprise list and page still filter by their data.
        """
        filter_.model = cls._meta.model
        cls.base_filters[name] = filter_

    def filter_text(self, qs: QuerySet[Enterprise], name: str, value: str) -> QuerySet[Enterprise]:
        value = value.strip()
        if not value:
            return qs
        code = credit_code.normalise(value)
        if len(value) == 2 and connection.vendor == "postgresql":
            # Two characters: the bigram column (migration enterprises/0008), exact like icontains; the
            # trigram index serves three characters and more.
            by_name = Q(
                RawSQL(f"{Enterprise._meta.db_table}.name_bigrams @> ARRAY[UPPER(%s)]", [value], BooleanField())
            )
        else:
            by_name = Q(name__icontains=value)
        if not credit_code.could_be_part_of_a_code(code):
            # Chinese text cannot be part of a credit code; leaving the OR out lets the name's index
            # answer alone instead of a plan that also checks every code.
            return qs.filter(by_name)
        return qs.filter(by_name | Q(credit_code__startswith=code))
