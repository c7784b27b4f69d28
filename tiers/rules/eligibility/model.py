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

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from functools import cached_property

from .nodes import Check, Points, Value
from .reading import FACT_NAMES, FIGURE_NAMES, MONEY_FIGURES, NO_FIGURES, Facts, Reader, YearFigures

__all__ = [
    "FACT_NAMES", "FIGURE_NAMES", "MONEY_FIGURES", "NO_FIGURES", "AssessmentKind", "Category", "CategoryShortfall",
    "Document", "Facts", "Indicator", "IndicatorResult", "Reader", "Result", "Role", "RuleSet", "YearFigures",
]  # fmt: skip


class Role(StrEnum):
    HARD = "hard"  # must be met
    WAIVABLE = "waivable"  # must be met unless a direct qualification is met
    SCORED = "scored"  # contributes points to the score, which must reach the pass mark unless a direct route is met
    DIRECT = "direct"  # meeting one waives the scored / waivable indicators (直通条件)


class AssessmentKind(StrEnum):
    """Why an enterprise is assessed: a new application for a tier, or the re-review (复核) of one it holds."""

    NEW_APPLICATION = "new_application"
    RE_REVIEW = "re_review"


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
