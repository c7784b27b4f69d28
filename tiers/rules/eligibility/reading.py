"""The facts the criteria read, and the reader that notes which of them are missing.

Pure Python (no Django).  A fact that is not recorded is None, never zero; the Reader
remembers every fact an indicator needed and did not find, so the finding can name them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

MONEY_FIGURES = frozenset(
    {"revenue", "main_business_revenue", "rd_expense", "total_assets", "total_liabilities", "net_profit",
     "equity_financing"}
)  # fmt: skip


@dataclass(frozen=True)
class YearFigures:
    """One year of an enterprise's reported figures (yuan, head counts, ...). None = not reported."""

    revenue: Decimal | None = None
    main_business_revenue: Decimal | None = None
    rd_expense: Decimal | None = None
    total_assets: Decimal | None = None
    total_liabilities: Decimal | None = None
    net_profit: Decimal | None = None
    equity_financing: Decimal | None = None
    employees: int | None = None
    rd_staff: int | None = None
    invention_patents: int | None = None
    class_i_ip: int | None = None
    # 专精特新发展评价得分 the national platform gives for this year (工信厅企业〔2024〕75号)
    development_score: Decimal | None = None
    national_market_rank: int | None = None  # the main product's rank in its national niche market
    niche_years: int | None = None  # full years in the niche market at the end of this year
    chain_product: bool | None = None  # main product in the six basics (工业六基) or at a key link of a chain


NO_FIGURES = YearFigures()


@dataclass(frozen=True)
class Facts:
    """Everything the rules may look at for one enterprise on one day. None = unknown."""

    assessed_on: date
    years: Mapping[int, YearFigures] = field(default_factory=dict)
    size_class: str | None = None
    held_level: int | None = None  # level of the highest tier the enterprise holds on the day (0: none)
    niche_market_since: date | None = None
    high_tech: bool | None = None
    innovation_honour: bool | None = None
    rd_institution: str | None = None
    award_level: str | None = None
    award_year: int | None = None
    award_rank: int | None = None
    maker_china: str | None = None
    maker_china_year: int | None = None
    ip_grade: str | None = None
    strategic_emerging: bool | None = None
    product_domain: str | None = None
    digital_level: int | None = None
    quality_items: int | None = None
    local_feature_points: Decimal | None = None
    info_system: bool | None = None
    management_certification: bool | None = None
    national_market_share: Decimal | None = None
    own_brand: bool | None = None
    chain_key_link: bool | None = None
    key_field: bool | None = None

    @property
    def reference_year(self) -> int:
        """上年度: the calendar year before the assessment."""
        return self.assessed_on.year - 1


FACT_NAMES = frozenset(Facts.__dataclass_fields__) - {"assessed_on", "years"}
FIGURE_NAMES = frozenset(YearFigures.__dataclass_fields__)


class Reader:
    """Reads facts for one indicator and remembers which ones were missing."""

    def __init__(self, facts: Facts, cache: dict[int, Any] | None = None) -> None:
        self.facts = facts
        self.missing: list[str] = []
        # What each value node read, with the facts it found missing: shared by the readers of one indicator, so a
        # value read by two branches, or again for the display, is computed once.
        self.cache: dict[int, Any] = {} if cache is None else cache

    def sub(self) -> Reader:
        """A reader of its own missing facts that shares this one's cache."""
        return Reader(self.facts, self.cache)

    def year(self, name: str, back: int = 0) -> Decimal | int | bool | None:
        """A yearly figure of the reference year (back=0), the year before (1), ...; back=-1 is the assessment year."""
        y = self.facts.reference_year - back
        value = getattr(self.facts.years.get(y, NO_FIGURES), name)
        if value is None:
            self.missing.append(f"{name}:{y}")
        return value  # type: ignore[no-any-return]

    def get(self, name: str) -> object:
        value = getattr(self.facts, name)
        if value is None:
            self.missing.append(name)
        return value
