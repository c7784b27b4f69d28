"""The vocabulary of eligibility rules: an enterprise's facts, indicators, rule sets and results.

Pure Python (no Django): the facts come in as plain dataclasses, the criteria are
data (RuleSet of Indicator), and `evaluate.evaluate` turns one into a Result.

Conventions used by every rule set (see README "Eligibility scoring and candidates"):

- "上年度" (last year) is the calendar year before the assessment day; "近2年" is
  that year and the one before; "近三年" (awards, contests) is the three calendar
  years before the assessment year and the assessment year itself.
- Thresholds: "X以上" and "不低于X" include X; "X以下" excludes X; "不高于X" includes X.
  Score bands "a-b" are read [a, b): a value on a shared edge scores the band whose
  lower bound it is (the official tables write the edges of neighbouring bands
  twice; this is how the edge is resolved, and boundary tests pin it).
- A fact that is not recorded is None, never zero.  An indicator that needs it is
  "missing data" (met None, points None) and names the facts it lacked.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum


class Role(StrEnum):
    HARD = "hard"  # must be met
    WAIVABLE = "waivable"  # must be met unless a direct qualification is met
    SCORED = "scored"  # contributes points to the score, which must reach the pass mark unless a direct route is met
    DIRECT = "direct"  # meeting one waives the scored / waivable indicators (直通条件)


@dataclass(frozen=True)
class YearFigures:
    """One year of an enterprise's reported figures (yuan, head counts). None = not reported."""

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


NO_FIGURES = YearFigures()


@dataclass(frozen=True)
class Facts:
    """Everything the rules may look at for one enterprise on one day. None = unknown."""

    assessed_on: date
    years: Mapping[int, YearFigures] = field(default_factory=dict)
    size_class: str | None = None
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


@dataclass(frozen=True)
class Measure:
    """What an indicator found: a display value and either met (yes/no) or points; None when facts were missing."""

    value: str | None
    met: bool | None = None
    points: Decimal | None = None


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str  # Chinese, as the official text names it
    name_en: str
    role: Role
    threshold: str
    threshold_en: str
    citation: str
    measure: Callable[[Reader], Measure]
    category: str = ""  # score category (innovation, growth, specialisation, ...)
    max_points: Decimal | None = None
    confirmed: bool = True  # False: figures taken from a single unofficial copy; see `note`
    note: str = ""


@dataclass(frozen=True)
class Category:
    code: str
    name: str
    name_en: str
    minimum: Decimal = Decimal(0)


@dataclass(frozen=True)
class RuleSet:
    """The criteria of one tier under one version of the national text, in force for [effective_from, until)."""

    tier: str
    version: str
    name: str
    name_en: str
    source: str
    effective_from: date
    effective_until: date | None
    indicators: tuple[Indicator, ...]
    pass_mark: Decimal | None = None
    categories: tuple[Category, ...] = ()
    note: str = ""

    def indicator(self, code: str) -> Indicator | None:
        for ind in self.indicators:
            if ind.code == code:
                return ind
        return None

    def max_points(self, code: str) -> Decimal:
        ind = self.indicator(code)
        return ind.max_points if ind is not None and ind.max_points is not None else Decimal(0)

    def of_role(self, role: Role) -> tuple[Indicator, ...]:
        return tuple(i for i in self.indicators if i.role == role)

    @property
    def key(self) -> str:
        return f"{self.version}/{self.tier}"


@dataclass(frozen=True)
class IndicatorResult:
    code: str
    value: str | None
    met: bool | None
    points: Decimal | None
    missing_facts: tuple[str, ...]

    def as_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "value": self.value,
            "met": self.met,
            "points": None if self.points is None else str(self.points),
            "missing_facts": list(self.missing_facts),
        }


@dataclass(frozen=True)
class Result:
    """The verdict on one enterprise for one tier.

    passed: meets the criteria whatever the missing facts are.
    near: "within one indicator" — exactly one indicator stands between the firm and
      the tier, whatever the missing facts are (see evaluate.distance).
    missing_data: the missing facts decide between eligible / near / not near.
    """

    tier: str
    rule_set: str
    provisional: bool
    passed: bool
    near: bool
    missing_data: bool
    score: Decimal | None  # points of the indicators with data (the score when nothing is missing)
    score_max: Decimal | None  # the score if every missing indicator scored full points
    direct_qualification: str | None
    distance: tuple[int, int]
    indicators: tuple[IndicatorResult, ...]
    lacking: tuple[str, ...]  # indicators (and "score") not met; what the firm still lacks
    unknown: tuple[str, ...]  # indicators without data that could change the verdict
    score_closers: tuple[str, ...] = ()  # scored indicators whose full points alone would reach the pass mark

    @property
    def met_count(self) -> int:
        return sum(1 for i in self.indicators if i.met)


class Reader:
    """Reads facts for one indicator and remembers which ones were missing."""

    def __init__(self, facts: Facts) -> None:
        self.facts = facts
        self.missing: list[str] = []

    def year(self, name: str, back: int = 0) -> Decimal | int | None:
        """A yearly figure of the reference year (back=0), the year before (1), ..."""
        y = self.facts.reference_year - back
        value = getattr(self.facts.years.get(y, NO_FIGURES), name)
        if value is None:
            self.missing.append(f"{name}:{y}")
        return value  # type: ignore[no-any-return]

    def money(self, name: str, back: int = 0) -> Decimal | None:
        value = self.year(name, back)
        return None if value is None else Decimal(value)

    def get(self, name: str) -> object:
        value = getattr(self.facts, name)
        if value is None:
            self.missing.append(name)
        return value
