"""Page-number pagination whose count stops at a cap: the API's pagination and every list page use it.

An exact COUNT(*) over a district's demands or visits (hundreds of thousands of scoped, joined rows) was
80–92% of a list request at national scale, while a count that stops after `cap + 1` rows
(`SELECT COUNT(*) FROM (… LIMIT 1001)`) costs a few milliseconds.  So the count is exact up to the cap
and otherwise reported as "more than the cap" (the API's `count_capped`, the pages' "1000+").  The
planner's row estimate is never used: it is about 3× off for district-filtered lists.

Paging goes on past the cap: the count looks as far ahead as the requested page's end (plus one row),
so `has_next` is right on every page; a deep page costs what its OFFSET costs anyway.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.conf import settings
from django.core.paginator import Paginator


def default_cap() -> int:
    return int(getattr(settings, "ZJTX_PAGINATION_COUNT_CAP", 1000))


def count_upto(object_list: Any, limit: int) -> int:
    """How many rows there are, counting no further than `limit` (one query for a queryset)."""
    if hasattr(object_list, "query") and hasattr(object_list, "order_by"):
        # The ordering is irrelevant to a count and would force a sort of every row under the LIMIT; the
        # annotations (e.g. the assignments' visit clock, two subqueries a row) are irrelevant too.
        return int(object_list.order_by().values("pk")[:limit].count())
    return min(len(object_list), limit)


class CappedPaginator(Paginator):
    """django.core.paginator.Paginator with a count that stops at `cap` (see the module docstring).

    `count` is the number of rows known (exact when `capped` is false); `shown_count` is what to show:
    the exact count, or the cap when there are more (with `capped` true, shown as "1000+").
    """

    def __init__(self, object_list: Any, per_page: int | str, *args: Any, cap: int | None = None, **kwargs: Any):
        super().__init__(object_list, per_page, *args, **kwargs)
        self.cap = default_cap() if cap is None else cap
        self._wanted_page = 1

    def validate_number(self, number: Any) -> int:
        # Record the page asked for before `count` is first computed, so that the count looks past it.
        try:
            wanted = int(float(number)) if isinstance(number, (int, float, str)) else 1
        except (TypeError, ValueError, OverflowError):
            wanted = 1
        if "count" not in self.__dict__ and wanted > self._wanted_page:
            self._wanted_page = wanted
        return super().validate_number(number)

    @cached_property
    def count(self) -> int:  # type: ignore[override]
        # Bounded so that an absurd page number stays a valid LIMIT (PostgreSQL's bigint); it then
        # answers "no such page" like any page past the end.
        horizon = min(max(self.cap, self._wanted_page * int(self.per_page)), 2**62)
        return count_upto(self.object_list, horizon + 1)

    @property
    def capped(self) -> bool:
        return self.count > self.cap

    @property
    def shown_count(self) -> int:
        return min(self.count, self.cap)
