"""The vocabulary of eligibility: an enterprise's facts, criteria documents, indicators and results.

Pure Python (no Django).  The criteria are data (fixtures/criteria/*.yaml, read by
criteria.py into RuleSet / Indicator); nodes.py evaluates an indicator's test or points on
the facts; evaluate.py turns a rule set into a Result.

Conventions every document shares (docs/domain/eligibility.md):

- "上年度" (last year) is the calendar year before the assessment day (the reference year);
  "近2年" is that year and the one before; "近三年" (awards, contests) is the three calendar
  years before the assessment year and the assessment year itself; "本年度" is the year of
  the assessment.
- 以上, 以下, 不低于, 不高于 include the number itself (民法典 第1259条): "≥ X" and "≤ X".
  A points table's bands are closed at both ends; a value on an edge two bands share
  belongs to both and takes the higher score (for a table of conditions: it qualifies when
  either band's condition is met).
- A fact that is not recorded is None, never zero.  An indicator that needs it is
  "missing data" (met None, points None) and names the facts it lacked.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from functools import cached_property
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .nodes import Check, Points, Value


class Role(StrEnum):
    HARD = "hard"  # must be met
    WAIVABLE = "waivable"  # must be met unless a direct qualification is met
    SCORED = "scored"  # contributes points to the score, which must reach the pass mark unless a direct route is met
    DIRECT = "direct"  # meeting one waives the scored / waivable indicators (直通条件)


class AssessmentKind(StrEnum):
    """Why an enterprise is assessed: a new application for a tier, or the re-review (复核) of one it holds."""

    NEW_APPLICATION = "new_application"
    RE_REVIEW = "re_review"


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


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str  # Chinese, as the official text names it
    name_en: str
    role: Role
    threshold: str
    threshold_en: str
    citation: str  # document number and clause, e.g. "工信部企业〔2022〕63号 附件2 一(二)"
    reads: tuple[str, ...]  # the facts it reads (fact names; yearly figures by name)
    test: Check | None = None  # met / not met (hard, waivable, direct)
    points: Points | None = None  # points (scored)
    shown: tuple[Value, ...] = ()  # the values the finding displays, in order (each value node once)
    category: str = ""  # score category (innovation, growth, specialisation, ...)
    max_points: Decimal | None = None
    applies_to: frozenset[AssessmentKind] = frozenset(AssessmentKind)
    confirmed: bool = True  # False: taken from public summaries, not from the official text; see `source`
    source: str = ""
    note: str = ""


@dataclass(frozen=True)
class Category:
    code: str
    name: str
    name_en: str
    minimum: Decimal = Decimal(0)


@dataclass(frozen=True)
class Document:
    """One criteria document (a national measure, a province's own standard), as its data file describes it."""

    key: str  # "MIIT-2022-63": stored with every assessment made under it
    number: str  # 工信部企业〔2022〕63号
    title: str
    title_en: str
    issued_on: date | None
    effective_from: date
    new_applications_until: date | None  # new applications are judged by a successor from this day
    source: str
    confirmed: bool
    note: str = ""


@dataclass(frozen=True)
class RuleSet:
    """The criteria of one tier under one document.

    `adopted_from` names the document whose annex this one applies unchanged (2号 第三十条 keeps
    63号 附件1 for 创新型中小企业 until a merged standard is issued): the indicators and their
    citations are that annex's, the document that applies is this one.
    """

    tier: str
    document: Document
    annex: str  # the annex or chapter that sets the criteria, e.g. "附件2 专精特新中小企业认定标准"
    name: str
    name_en: str
    effective_from: date
    new_applications_until: date | None
    indicators: tuple[Indicator, ...]
    pass_mark: Decimal | None = None
    categories: tuple[Category, ...] = ()
    adopted_from: Document | None = None
    clause: str = ""  # the clause of `document` that makes the adopted annex apply ("第三十条")
    note: str = ""

    @cached_property
    def _by_code(self) -> dict[str, Indicator]:
        return {i.code: i for i in self.indicators}

    def indicator(self, code: str) -> Indicator | None:
        return self._by_code.get(code)

    def max_points(self, code: str) -> Decimal:
        ind = self.indicator(code)
        return ind.max_points if ind is not None and ind.max_points is not None else Decimal(0)

    def of_role(self, role: Role, kind: AssessmentKind | None = None) -> tuple[Indicator, ...]:
        return tuple(i for i in self.for_kind(kind) if i.role == role)

    @cached_property
    def _of_kind(self) -> dict[AssessmentKind, tuple[Indicator, ...]]:
        return {k: tuple(i for i in self.indicators if k in i.applies_to) for k in AssessmentKind}

    def for_kind(self, kind: AssessmentKind | None) -> tuple[Indicator, ...]:
        return self.indicators if kind is None else self._of_kind[kind]

    @cached_property
    def category_of(self) -> dict[str, str]:
        """Indicator code → its score category."""
        return {i.code: i.category for i in self.indicators if i.category}

    def category(self, code: str) -> Category | None:
        return next((c for c in self.categories if c.code == code), None)

    @property
    def key(self) -> str:
        return f"{self.document.key}/{self.tier}"

    @property
    def source(self) -> str:
        """The document and annex, as a verdict names them."""
        doc = self.document
        if self.adopted_from is not None:
            return f"{doc.number} {self.clause}: {self.adopted_from.number} {self.annex}"
        return f"{doc.number}《{doc.title}》 {self.annex}"

    def new_applications_on(self, day: date) -> bool:
        return self.effective_from <= day and (self.new_applications_until is None or day < self.new_applications_until)


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
class CategoryShortfall:
    """A score category below its minimum: what it scored (with the facts recorded) and what it needs."""

    code: str
    points: Decimal
    minimum: Decimal

    @property
    def short_by(self) -> Decimal:
        return self.minimum - self.points


@dataclass(frozen=True)
class Result:
    """The verdict on one enterprise for one tier under one document.

    passed: meets the criteria whatever the missing facts are.
    near: "within one indicator" — exactly one indicator stands between the firm and
      the tier, whatever the missing facts are (see evaluate.py).
    missing_data: the missing facts decide between eligible / near / not near.
    """

    tier: str
    rule_set: str  # the document's key ("MIIT-2026-2")
    kind: AssessmentKind
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
    category_shortfalls: tuple[CategoryShortfall, ...] = ()  # categories below their minimum (known points)

    @property
    def met_count(self) -> int:
        return sum(1 for i in self.indicators if i.met)

    @property
    def key(self) -> str:
        return f"{self.rule_set}/{self.tier}"


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
