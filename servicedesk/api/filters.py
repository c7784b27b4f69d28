"""Filters of the service-desk API: status, category, unit, overdue, district, enterprise, dates."""

from __future__ import annotations

from typing import Any

import django_filters as df
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from enterprises.rules import credit_code
from servicedesk.models import (
    Demand,
    DemandCategory,
    DemandStatusChoices,
    ServiceAssignment,
    ServiceDeskDailyCheck,
    Visit,
    VisitMode,
)
from servicedesk.selectors import overdue_q, visit_due
from zjtx.filters import CodeInFilter, DistrictCodeFilter


class CreditCodeFilter(df.CharFilter):
    """?enterprise=<credit code>, in any case and with stray spaces."""

    def filter(self, qs: QuerySet[Any], value: Any) -> QuerySet[Any]:
        if not value:
            return qs
        return qs.filter(**{self.field_name: credit_code.normalise(value)})


class StrictBooleanFilter(df.TypedChoiceFilter):
    """true/false (or 1/0); anything else is a 400, not silently ignored."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("choices", [("true", "true"), ("false", "false"), ("1", "1"), ("0", "0")])
        kwargs.setdefault("coerce", lambda value: value in ("true", "1"))
        super().__init__(*args, **kwargs)


class DemandFilter(df.FilterSet):
    status = df.MultipleChoiceFilter(choices=DemandStatusChoices.choices)
    category = df.MultipleChoiceFilter(choices=DemandCategory.choices)
    unit = CodeInFilter(field_name="unit__code", label=_("Responsible unit codes (comma-separated)"))
    overdue = StrictBooleanFilter(method="filter_overdue", label=_("Past the due date and not yet resolved"))
    district = DistrictCodeFilter(field_name="enterprise__district__code", label=_("District codes (comma-separated)"))
    enterprise = CreditCodeFilter(field_name="enterprise__credit_code", label=_("Unified social credit code"))
    visit = df.NumberFilter(field_name="visit_id")
    due_before = df.DateFilter(field_name="due_on", lookup_expr="lt")
    due_after = df.DateFilter(field_name="due_on", lookup_expr="gte")
    raised_after = df.DateFilter(field_name="raised_on", lookup_expr="gte")
    raised_before = df.DateFilter(field_name="raised_on", lookup_expr="lt")

    class Meta:
        model = Demand
        fields: list[str] = []

    def filter_overdue(self, qs: QuerySet[Demand], name: str, value: bool) -> QuerySet[Demand]:
        q = overdue_q(timezone.localdate())
        return qs.filter(q) if value else qs.exclude(q)


class VisitFilter(df.FilterSet):
    district = DistrictCodeFilter(field_name="enterprise__district__code", label=_("District codes (comma-separated)"))
    enterprise = CreditCodeFilter(field_name="enterprise__credit_code", label=_("Unified social credit code"))
    mode = df.MultipleChoiceFilter(choices=VisitMode.choices)
    visitor = df.CharFilter(field_name="visitor__username")
    visited_after = df.DateFilter(field_name="visited_on", lookup_expr="gte")
    visited_before = df.DateFilter(field_name="visited_on", lookup_expr="lt")

    class Meta:
        model = Visit
        fields: list[str] = []


class ServiceAssignmentFilter(df.FilterSet):
    district = DistrictCodeFilter(field_name="enterprise__district__code", label=_("District codes (comma-separated)"))
    enterprise = CreditCodeFilter(field_name="enterprise__credit_code", label=_("Unified social credit code"))
    specialist = df.CharFilter(field_name="specialist__username")
    active = StrictBooleanFilter(field_name="ended_at", lookup_expr="isnull", label=_("Current assignments only"))
    visit_due = StrictBooleanFilter(
        method="filter_visit_due", label=_("Active and not visited within the visit interval")
    )

    class Meta:
        model = ServiceAssignment
        fields: list[str] = []

    def filter_visit_due(self, qs: QuerySet[ServiceAssignment], name: str, value: bool) -> QuerySet[ServiceAssignment]:
        due = visit_due(qs)
        return due if value else qs.exclude(pk__in=due.values("pk"))


class DailyCheckFilter(df.FilterSet):
    day = df.DateFilter()
    day_after = df.DateFilter(field_name="day", lookup_expr="gte")
    day_before = df.DateFilter(field_name="day", lookup_expr="lt")
    district = DistrictCodeFilter(field_name="district__code", label=_("District codes (comma-separated)"))

    class Meta:
        model = ServiceDeskDailyCheck
        fields: list[str] = []
