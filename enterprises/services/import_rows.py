"""Turning one row of an enterprise file into checked values, or into reasons it is rejected.

Column headers are Chinese, as government spreadsheets have them; money
columns may be in 元 or 万元 as their header says ("营业收入(万元)").  A row is
parsed against lookups loaded once per import (districts, industries), so
parsing runs no query.  Reasons are translated for the person reading the
import report.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from enterprises.models.registry import ListingStatus, SizeClass
from enterprises.rule_messages import credit_code_message
from enterprises.rules import credit_code
from enterprises.services.import_cells import (
    code_cell,
    count_cell,
    date_cell,
    decimal_cell,
    free_text,
    nonnegative_zero,
    shown,
    text_cell,
)

# Field names of the enterprise and of its yearly facts that a file may carry.
ENTERPRISE_FIELDS = (
    "credit_code",
    "name",
    "district_id",
    "industry_id",
    "founded_on",
    "size_class",
    "listing_status",
    "listed_on",
    "main_product",
    "contact_name",
    "contact_phone",
)
MONEY_FIELDS = (
    "revenue",
    "main_business_revenue",
    "rd_expense",
    "total_assets",
    "total_liabilities",
    "net_profit",
    "equity_financing",
)
_ALWAYS = ("credit_code", "name", "district_id", "industry_id")
COUNT_FIELDS = ("employees", "rd_staff", "invention_patents", "class_i_ip")
# Read by the 2026 criteria (工信部企业〔2026〕2号): the platform's development score, the national market rank,
# full years in the niche market at the year's end, a six-basics / key-chain main product.
CRITERIA_FIELDS = ("development_score", "national_market_rank", "niche_years", "chain_product")
FACT_FIELDS = MONEY_FIELDS + COUNT_FIELDS + CRITERIA_FIELDS

_TEXT_HEADERS: dict[str, tuple[str, ...]] = {
    "credit_code": ("统一社会信用代码", "信用代码", "credit_code"),
    "name": ("企业名称", "名称", "name"),
    "district": ("所属区县", "区县", "所在区县", "区县代码", "district"),
    "industry": ("行业门类", "所属行业", "行业", "industry"),
    "founded_on": ("成立日期", "成立时间", "founded_on"),
    "size_class": ("企业规模", "规模", "size_class"),
    "listing_status": ("上市情况", "上市板块", "上市状态", "listing_status"),
    "listed_on": ("上市日期", "挂牌上市日期", "listed_on"),
    "main_product": ("主导产品", "细分市场", "主导产品/细分市场", "main_product"),
    "contact_name": ("联系人", "contact_name"),
    "contact_phone": ("联系电话", "联系人电话", "手机", "contact_phone"),
    "year": ("年度", "数据年度", "year"),
    "employees": ("从业人员", "从业人数", "职工人数", "employees"),
    "rd_staff": ("研发人员", "研发人员数", "rd_staff"),
    "invention_patents": ("发明专利", "发明专利数", "有效发明专利", "invention_patents"),
    "class_i_ip": ("一类知识产权", "i类知识产权", "Ⅰ类知识产权", "类Ⅰ知识产权", "class_i_ip"),
    "development_score": ("专精特新发展评价得分", "发展评价得分", "development_score"),
    "national_market_rank": ("细分市场全国排名", "全国市场排名", "市场占有率全国排名", "national_market_rank"),
    "niche_years": ("从事细分市场年限", "细分市场年限", "niche_years"),
    "chain_product": ("六基或产业链关键环节产品", "主导产品属于六基或产业链关键环节", "chain_product"),
}
_MONEY_HEADERS: dict[str, tuple[str, ...]] = {
    "revenue": ("营业收入", "revenue"),
    "main_business_revenue": ("主营业务收入", "main_business_revenue"),
    "rd_expense": ("研发费用", "研发投入", "rd_expense"),
    "total_assets": ("资产总额", "总资产", "total_assets"),
    "total_liabilities": ("负债总额", "总负债", "total_liabilities"),
    "net_profit": ("净利润", "net_profit"),
    "equity_financing": ("股权融资", "股权融资额", "equity_financing"),
}
_UNITS = {"": Decimal(1), "元": Decimal(1), "yuan": Decimal(1), "万元": Decimal(10000), "10kyuan": Decimal(10000)}

REQUIRED = ("credit_code", "name", "district", "industry")
REQUIRED_LABELS = {
    "credit_code": "统一社会信用代码",
    "name": "企业名称",
    "district": "所属区县",
    "industry": "行业门类",
}

_SIZE = {
    "中型": SizeClass.MEDIUM,
    "中型企业": SizeClass.MEDIUM,
    "小型": SizeClass.SMALL,
    "小型企业": SizeClass.SMALL,
    "微型": SizeClass.MICRO,
    "微型企业": SizeClass.MICRO,
    "大型": SizeClass.LARGE,
    "大型企业": SizeClass.LARGE,
} | {c.value: c for c in SizeClass}
_LISTING = {
    "未上市": ListingStatus.UNLISTED,
    "否": ListingStatus.UNLISTED,
    "无": ListingStatus.UNLISTED,
    "区域性股权市场": ListingStatus.REGIONAL_EQUITY,
    "专精特新专板": ListingStatus.REGIONAL_EQUITY,
    "股权交易中心": ListingStatus.REGIONAL_EQUITY,
    "新三板": ListingStatus.NEEQ,
    "全国中小企业股份转让系统": ListingStatus.NEEQ,
    "北交所": ListingStatus.BSE,
    "北京证券交易所": ListingStatus.BSE,
    "科创板": ListingStatus.STAR,
    "创业板": ListingStatus.CHINEXT,
    "主板": ListingStatus.MAIN_BOARD,
    "沪深主板": ListingStatus.MAIN_BOARD,
    "境外": ListingStatus.OVERSEAS,
    "境外上市": ListingStatus.OVERSEAS,
} | {c.value: c for c in ListingStatus}

MAX_MONEY = Decimal("99999999999999.99")
_UNLISTED = ListingStatus.UNLISTED.value
_PHONE = re.compile(r"[0-9+\-() ]{5,30}")
_HEADER_UNIT = re.compile(r"^(?P<name>[^()]+?)\((?P<unit>[^()]*)\)$")


def normalise_header(raw: Any) -> str:
    text = "" if raw is None else str(raw)
    text = text.replace("（", "(").replace("）", ")").replace("\ufeff", "")
    return "".join(text.split()).lower()


@dataclass(frozen=True)
class ColumnMap:
    """Which column index holds which field, and the scale of each money column."""

    index: dict[str, int]
    money_scale: dict[str, Decimal]
    labels: dict[str, str]
    ignored: tuple[str, ...]

    @property
    def has_facts(self) -> bool:
        return "year" in self.index

    @property
    def enterprise_fields(self) -> list[str]:
        """The enterprise fields every good row of this file carries (the four required ones and its columns)."""
        return [f for f in ENTERPRISE_FIELDS if f in _ALWAYS or f in self.index]

    @property
    def fact_fields(self) -> list[str]:
        return [f for f in FACT_FIELDS if f in self.index]


def map_headers(cells: Sequence[Any]) -> tuple[ColumnMap | None, list[str]]:
    """Match the header row; return the map or the problems that make the file unreadable."""
    lookup: dict[str, tuple[str, Decimal]] = {}
    for fname, names in _TEXT_HEADERS.items():
        for n in names:
            lookup[normalise_header(n)] = (fname, Decimal(1))
    for fname, names in _MONEY_HEADERS.items():
        for n in names:
            for unit, factor in _UNITS.items():
                header = f"{n}({unit})" if unit else n
                lookup[normalise_header(header)] = (fname, factor)
    index: dict[str, int] = {}
    scale: dict[str, Decimal] = {}
    labels: dict[str, str] = {}
    ignored: list[str] = []
    problems: list[str] = []
    for i, raw in enumerate(cells):
        key = normalise_header(raw)
        if not key:
            continue
        hit = lookup.get(key)
        if hit is None:
            ignored.append(str(raw))
            continue
        fname, sc = hit
        if fname in index:
            problems.append(_("Column %(name)s appears twice.") % {"name": raw})
            continue
        index[fname] = i
        scale[fname] = sc
        labels[fname] = str(raw).strip()
    missing = [REQUIRED_LABELS[f] for f in REQUIRED if f not in index]
    if missing:
        problems.append(_("Required columns are missing: %(columns)s.") % {"columns": "、".join(missing)})
    has_fact_column = any(f in index for f in FACT_FIELDS)
    if has_fact_column and "year" not in index:
        problems.append(_("Yearly figures need a 年度 (year) column."))
    if problems:
        return None, problems
    return ColumnMap(index, scale, labels, tuple(ignored)), []


@dataclass(slots=True)
class ParsedRow:
    number: int
    code: str = ""
    raw_code: str = ""  # the credit-code cell as the file has it, echoed in the error report
    enterprise: dict[str, Any] = field(default_factory=dict)
    year: int | None = None
    facts: dict[str, Any] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class Chunk:
    """Good rows written together; `codes` distinct credit codes.  A writer that stages rows with COPY
    fills in their COPY text (enterprises, and yearly facts when the file has them) while reading."""

    rows: list[ParsedRow]
    codes: int
    enterprises: str = ""
    facts: str | None = None


@dataclass(frozen=True)
class Lookups:
    districts: Mapping[str, int]  # code, full name and short name → id
    industries: Mapping[str, int]  # section letter and name → id
    this_year: int


_text = text_cell


def parse_row(number: int, cells: Sequence[Any], columns: ColumnMap, lookups: Lookups) -> ParsedRow:
    row = ParsedRow(number)
    width = len(cells)
    raw = {f: cells[i] if i < width else None for f, i in columns.index.items()}
    cell = raw.get

    def fail(fname: str, reason: str) -> None:
        value = shown(raw.get(fname))
        label = columns.labels.get(fname, fname)
        row.errors.append(f"{label} “{value}”: {reason}" if value else f"{label}: {reason}")

    code_value = cell("credit_code")
    row.raw_code = shown(code_value)
    try:
        raw_code = code_cell(code_value, digits=credit_code.LENGTH)
    except ValueError as exc:
        fail("credit_code", str(exc))
    else:
        if not raw_code:
            fail("credit_code", _("is required"))
        else:
            try:
                row.code = credit_code.validate(raw_code)
            except credit_code.CreditCodeError as exc:
                fail("credit_code", credit_code_message(exc))
    ent = row.enterprise
    ent["credit_code"] = row.code

    try:
        name = free_text(cell("name"))
    except ValueError as exc:
        name = ""
        fail("name", str(exc))
    else:
        if not name:
            fail("name", _("is required"))
        elif len(name) > 200:
            fail("name", _("is longer than 200 characters"))
    ent["name"] = name

    district = _text(cell("district"))
    if not district:
        fail("district", _("is required"))
    elif district not in lookups.districts:
        fail("district", _("unknown district"))
    else:
        ent["district_id"] = lookups.districts[district]

    industry = _text(cell("industry"))
    if not industry:
        fail("industry", _("is required"))
    elif industry.upper() not in lookups.industries and industry not in lookups.industries:
        fail("industry", _("unknown GB/T 4754 section"))
    else:
        ent["industry_id"] = lookups.industries.get(industry.upper(), lookups.industries.get(industry))

    for fname in ("founded_on", "listed_on"):
        if fname in columns.index:
            value = cell(fname)
            if _text(value):
                try:
                    day = date_cell(value)
                except ValueError as exc:
                    fail(fname, str(exc))
                else:
                    if day.year > lookups.this_year or day.year < 1900:
                        fail(fname, _("date is out of range"))
                    ent[fname] = day
            else:
                ent[fname] = None

    for fname, choices in (("size_class", _SIZE), ("listing_status", _LISTING)):
        if fname in columns.index:
            text = _text(cell(fname))
            if not text and fname == "listing_status":
                ent[fname] = _UNLISTED
            elif text in choices:
                ent[fname] = str(choices[text].value)
            else:
                fail(fname, _("unknown value"))
    if ent.get("listing_status", _UNLISTED) != _UNLISTED and not ent.get("listed_on"):
        fail("listed_on", _("a listed enterprise needs its listing date"))

    for fname, limit in (("main_product", 200), ("contact_name", 50), ("contact_phone", 30)):
        if fname in columns.index:
            try:
                text = code_cell(cell(fname), digits=11) if fname == "contact_phone" else free_text(cell(fname))
            except ValueError as exc:
                fail(fname, str(exc))
                continue
            if len(text) > limit:
                fail(fname, _("is longer than %(limit)s characters") % {"limit": limit})
            ent[fname] = text
    phone = ent.get("contact_phone", "")
    if phone and not _PHONE.fullmatch(phone):
        fail("contact_phone", _("is not a phone number"))

    if columns.has_facts:
        _parse_facts(row, cell, fail, columns, lookups)
    return row


def _parse_facts(row: ParsedRow, cell: Any, fail: Any, columns: ColumnMap, lookups: Lookups) -> None:
    values = {f: cell(f) for f in FACT_FIELDS if f in columns.index}
    year_cell = cell("year")
    if not _text(year_cell):
        if any(_text(v) for v in values.values()):
            fail("year", _("is required when yearly figures are given"))
        return
    try:
        year = count_cell(year_cell)
    except ValueError as exc:
        fail("year", str(exc))
        return
    if not 1949 <= year <= lookups.this_year:
        fail("year", _("year is out of range"))
        return
    row.year = year
    for fname, value in values.items():
        if not _text(value):
            row.facts[fname] = None
            continue
        try:
            if fname in CRITERIA_FIELDS:
                row.facts[fname] = _criteria_fact(fname, value)
            elif fname in MONEY_FIELDS:
                amount = decimal_cell(value) * columns.money_scale[fname]
                # Checked before rounding: quantize() of a huge number ("1e30") raises InvalidOperation.
                if abs(amount) > MAX_MONEY:
                    raise ValueError(_("is implausibly large"))
                amount = nonnegative_zero(amount.quantize(Decimal("0.01")))
                if amount < 0 and fname != "net_profit":
                    raise ValueError(_("cannot be negative"))
                row.facts[fname] = amount
            else:
                row.facts[fname] = count_cell(value)
        except ValueError as exc:
            fail(fname, str(exc))
    f = row.facts
    main, revenue = f.get("main_business_revenue"), f.get("revenue")
    if main is not None and revenue is not None and main > revenue:
        fail("main_business_revenue", _("exceeds operating revenue"))
    if f.get("rd_staff") is not None and f.get("employees") is not None and f["rd_staff"] > f["employees"]:
        fail("rd_staff", _("exceeds the number of employees"))


_YES = {"是", "有", "true", "yes", "y", "1"}
_NO = {"否", "无", "false", "no", "n", "0"}


def _criteria_fact(fname: str, raw: Any) -> Any:
    """The columns the 2026 criteria read: a score of 0–100, a rank from 1, whole years, 是/否."""
    if fname == "chain_product":
        if isinstance(raw, bool):  # an .xlsx TRUE / FALSE cell
            return raw
        text = text_cell(raw).lower()
        if text in _YES:
            return True
        if text in _NO:
            return False
        raise ValueError(_("use 是 or 否"))
    if fname == "development_score":
        score = decimal_cell(raw)
        if not 0 <= score <= 100:
            raise ValueError(_("must be between 0 and 100"))
        if score != score.quantize(Decimal("0.01")):
            raise ValueError(_("has more than two decimals"))
        return score.quantize(Decimal("0.01"))  # as stored, so both writers audit the same text
    value = count_cell(raw)
    if fname == "national_market_rank" and value < 1:
        raise ValueError(_("must be 1 or more"))
    if fname == "niche_years" and value > 200:
        raise ValueError(_("is implausibly large"))
    return value
