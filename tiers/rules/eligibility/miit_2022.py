"""The national criteria of 工信部企业〔2022〕63号《优质中小企业梯度培育管理暂行办法》 as data.

Annex 1: 创新型中小企业评价标准; annex 2: 专精特新中小企业认定标准; annex 3: 专精特新"小巨人"
企业认定标准.  In force from 2022-08-01; replaced by the revised 《优质中小企业梯度培育管理办法》
from 2026-04-01 (Xinhua, 2026-01-17), whose annexes are not encoded yet (see registry.py).

Each indicator cites its annex and item.  Figures were read from copies of the annexes
(a government site, hedong.gov.cn, for annex 2's conditions; several consulting and
district pages for the score tables, cross-checked).  Two items of annex 2's innovation
table (R&D staff share, R&D institution level) were found in no copy and are encoded
from the commonly published table: they carry confirmed=False.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from enterprises.rules.facts import AwardLevel, IpGrade, MakerChina, ProductDomain, RdInstitution
from tiers.rules.eligibility.evaluate import (
    all3,
    any3,
    at_least,
    at_most,
    band_down,
    band_up,
    fmt_money,
    fmt_pct,
    growth,
    percent,
    sum_at_least,
)
from tiers.rules.eligibility.model import (
    Category,
    Indicator,
    Measure,
    Reader,
    Role,
    RuleSet,
)

VERSION = "MIIT-2022-63"
SOURCE = "工业和信息化部《优质中小企业梯度培育管理暂行办法》(工信部企业〔2022〕63号)"
EFFECTIVE_FROM = date(2022, 8, 1)
EFFECTIVE_UNTIL = date(2026, 4, 1)  # the revised 办法 takes effect (Xinhua, 2026-01-17)
A1 = "工信部企业〔2022〕63号 附件1"
A2 = "工信部企业〔2022〕63号 附件2"
A3 = "工信部企业〔2022〕63号 附件3"
SIZE = "《中小企业划型标准规定》(工信部联企业〔2011〕300号); 63号 第二章 (参评企业须为中小企业)"
WAN = Decimal(10_000)  # 万元


def D(x: str | int) -> Decimal:
    return Decimal(x)


# --- shared readings -----------------------------------------------------------------------


def _sme(r: Reader) -> Measure:
    size = r.get("size_class")
    return Measure(str(size) if size else None, met=None if size is None else size != "large")


def _ratio(r: Reader, part: str, whole: str, back: int = 0) -> Decimal | None:
    """part / whole of one year in percent; a whole of zero (or less) is named like a missing fact."""
    p, w = r.money(part, back), r.money(whole, back)
    if w is not None and w <= 0:
        r.missing.append(f"{whole}:{r.facts.reference_year - back}:not_positive")
        return None
    return percent(p, w)


def _growth(r: Reader, name: str, back: int = 0) -> Decimal | None:
    """Growth of a figure in the year `back` years before the reference year, over the year before it."""
    current, previous = r.money(name, back), r.money(name, back + 1)
    if previous is not None and previous <= 0:
        r.missing.append(f"{name}:{r.facts.reference_year - back - 1}:not_positive")
        return None
    return growth(current, previous)


def _debt_ratio(r: Reader) -> Decimal | None:
    return percent(r.money("total_liabilities"), r.money("total_assets"))


def _total(r: Reader, name: str, years: int, threshold: Decimal) -> tuple[Decimal, bool | None]:
    """The known sum of a yearly amount over the last `years` years, and whether the full sum reaches the threshold."""
    amounts = [r.money(name, back) for back in range(years)]
    return sum((a for a in amounts if a is not None), Decimal(0)), sum_at_least(amounts, threshold)


def _years_in_niche(r: Reader, as_of: date) -> int | None:
    since = r.get("niche_market_since")
    if not isinstance(since, date):
        return None
    years = as_of.year - since.year - ((as_of.month, as_of.day) < (since.month, since.day))
    return max(years, 0)


def _within_three_years(r: Reader, year_field: str) -> bool | None:
    year = r.get(year_field)
    if year is None:
        return None
    assert isinstance(year, int)
    return r.facts.assessed_on.year - 3 <= year <= r.facts.assessed_on.year


def _award(r: Reader, *, provincial_rank: int | None, national_rank: int | None) -> Measure:
    """近三年 science award at a level (and rank among the award-winning units, where the text sets one)."""
    level = r.get("award_level")
    if level is None:
        return Measure(None)
    if level == AwardLevel.NONE:
        return Measure(str(level), met=False)
    limit = national_rank if level == AwardLevel.NATIONAL else provincial_rank
    if level == AwardLevel.PROVINCIAL and provincial_rank is None and national_rank is not None:
        return Measure(str(level), met=False)  # only national awards count
    recent = _within_three_years(r, "award_year")
    ranked: bool | None = True
    if limit is not None:
        rank = r.get("award_rank")
        ranked = None if rank is None else int(rank) <= limit  # type: ignore[call-overload]
    value = f"{level} {r.facts.award_year or '—'} #{r.facts.award_rank or '—'}"
    return Measure(value, met=all3([recent, ranked]))


def _maker_china(r: Reader, *, best_of: str) -> Measure:
    placing = r.get("maker_china")
    if placing is None:
        return Measure(None)
    ok = placing == MakerChina.TOP50 or (best_of == MakerChina.TOP500 and placing == MakerChina.TOP500)
    if not ok:
        return Measure(str(placing), met=False)
    return Measure(f"{placing} {r.facts.maker_china_year or '—'}", met=_within_three_years(r, "maker_china_year"))


def _flag(name: str) -> Callable[[Reader], Measure]:
    def measure(r: Reader) -> Measure:
        value = r.get(name)
        if value is None:
            return Measure(None)
        return Measure("yes" if value else "no", met=bool(value))

    return measure


def _ip_points(r: Reader, table: dict[str, int]) -> Measure:
    grade = r.get("ip_grade")
    if grade is None:
        return Measure(None)
    return Measure(str(grade), points=D(table.get(str(grade), 0)))


# --- annex 1: 创新型中小企业 -------------------------------------------------------------


def _a1_ip(r: Reader) -> Measure:
    return _ip_points(
        r,
        {IpGrade.HIGH_VALUE_CLASS_I: 20, IpGrade.OWN_CLASS_I: 15, IpGrade.CLASS_I: 10, IpGrade.CLASS_II: 5},
    )


def _a1_rd_ratio(r: Reader) -> Measure:
    ratio = _ratio(r, "rd_expense", "revenue")
    points = band_up(ratio, ((5, 20), (3, 15), (2, 10), (1, 5)))
    return Measure(fmt_pct(ratio) if ratio is not None else None, points=points)


def _a1_growth(r: Reader) -> Measure:
    g = _growth(r, "main_business_revenue")
    return Measure(fmt_pct(g) if g is not None else None, points=band_up(g, ((15, 20), (10, 15), (5, 10), (0, 5))))


def _a1_debt(r: Reader) -> Measure:
    ratio = _debt_ratio(r)
    return Measure(fmt_pct(ratio) if ratio is not None else None, points=band_down(ratio, ((55, 10), (75, 5))))


def _a1_domain(r: Reader) -> Measure:
    emerging = r.get("strategic_emerging")
    if emerging is None:
        return Measure(None)
    return Measure("yes" if emerging else "no", points=D(10 if emerging else 5))


def _a1_main_share(r: Reader) -> Measure:
    share = _ratio(r, "main_business_revenue", "revenue")
    return Measure(
        fmt_pct(share) if share is not None else None,
        points=band_up(share, ((70, 20), (60, 15), (55, 10), (50, 5))),
    )


def _a1_direct_award(r: Reader) -> Measure:
    return _award(r, provincial_rank=None, national_rank=None)


def _a1_direct_honour(r: Reader) -> Measure:
    high_tech, honour = r.get("high_tech"), r.get("innovation_honour")
    met = any3([None if high_tech is None else bool(high_tech), None if honour is None else bool(honour)])
    value = f"high-tech {'—' if high_tech is None else high_tech}; honour {'—' if honour is None else honour}"
    return Measure(value, met=met)


def _a1_direct_institution(r: Reader) -> Measure:
    level = r.get("rd_institution")
    if level is None:
        return Measure(None)
    return Measure(str(level), met=level in (RdInstitution.PROVINCIAL, RdInstitution.NATIONAL))


def _a1_direct_equity(r: Reader) -> Measure:
    known, met = _total(r, "equity_financing", 3, 500 * WAN)
    return Measure(fmt_money(known), met=met)


# fmt: off
INNOVATIVE_SME = RuleSet(
    tier="innovative_sme",
    version=VERSION,
    name="创新型中小企业评价标准",
    name_en="Innovative SME evaluation standard",
    source=f"{SOURCE} 附件1",
    effective_from=EFFECTIVE_FROM,
    effective_until=EFFECTIVE_UNTIL,
    pass_mark=D(60),
    categories=(
        Category("innovation", "创新能力指标", "Innovation ability", D(20)),
        Category("growth", "成长性指标", "Growth", D(15)),
        Category("specialisation", "专业化指标", "Specialisation", D(15)),
    ),
    indicators=(
        Indicator(
            "sme", "中小企业", "Is an SME", Role.HARD, "非大型企业", "not a large enterprise", SIZE, _sme
        ),
        Indicator(
            "ip", "与企业主导产品相关的有效知识产权数量", "IP related to the main product", Role.SCORED,
            "Ⅰ类高价值20/自主研发Ⅰ类15/Ⅰ类10/Ⅱ类5/无0", "high-value class I 20, own class I 15, class I 10, class II 5",
            f"{A1} 二(一)1", _a1_ip, category="innovation", max_points=D(20),
        ),
        Indicator(
            "rd_ratio", "上年度研发费用总额占营业收入总额比重", "Last year's R&D expense / revenue", Role.SCORED,
            "≥5%:20, 3–5%:15, 2–3%:10, 1–2%:5", "≥5%: 20, 3–5%: 15, 2–3%: 10, 1–2%: 5",
            f"{A1} 二(一)2", _a1_rd_ratio, category="innovation", max_points=D(20),
        ),
        Indicator(
            "growth", "上年度主营业务收入增长率", "Last year's main-business revenue growth", Role.SCORED,
            "≥15%:20, 10–15%:15, 5–10%:10, 0–5%:5", "≥15%: 20, 10–15%: 15, 5–10%: 10, 0–5%: 5",
            f"{A1} 二(二)3", _a1_growth, category="growth", max_points=D(20),
        ),
        Indicator(
            "debt_ratio", "上年度资产负债率", "Last year's debt-to-assets ratio", Role.SCORED,
            "<55%:10, 55–75%:5, ≥75%:0", "<55%: 10, 55–75%: 5, ≥75%: 0",
            f"{A1} 二(二)4", _a1_debt, category="growth", max_points=D(10),
        ),
        Indicator(
            "domain", "主导产品所属领域情况", "Field of the main product", Role.SCORED,
            "属于《战略性新兴产业分类》10, 其他5", "strategic emerging industry 10, other 5",
            f"{A1} 二(三)5", _a1_domain, category="specialisation", max_points=D(10),
        ),
        Indicator(
            "main_share", "上年度主营业务收入总额占营业收入总额比重", "Main business / revenue, last year", Role.SCORED,
            "≥70%:20, 60–70%:15, 55–60%:10, 50–55%:5", "≥70%: 20, 60–70%: 15, 55–60%: 10, 50–55%: 5",
            f"{A1} 二(三)6", _a1_main_share, category="specialisation", max_points=D(20),
        ),
        Indicator(
            "direct_award", "近三年内获得过国家级、省级科技奖励", "National or provincial S&T award in 3 years",
            Role.DIRECT, "国家级或省级", "national or provincial", f"{A1} 一(一)", _a1_direct_award,
        ),
        Indicator(
            "direct_honour", "高新技术企业、国家级技术创新示范企业、知识产权优势/示范企业(有效期内)",
            "High-tech enterprise or a national innovation / IP honour (valid)", Role.DIRECT,
            "有效期内", "valid", f"{A1} 一(二)", _a1_direct_honour,
        ),
        Indicator(
            "direct_institution", "拥有经认定的省部级以上研发机构", "Recognised provincial or national R&D institution",
            Role.DIRECT, "省部级以上", "provincial or national", f"{A1} 一(三)", _a1_direct_institution,
        ),
        Indicator(
            "direct_equity", "近三年新增股权融资总额(合格机构投资者的实缴额)", "New equity financing in 3 years",
            Role.DIRECT, "≥500万元", "≥ ¥5,000,000", f"{A1} 一(四)", _a1_direct_equity,
        ),
    ),
)
# fmt: on


# --- annex 2: 专精特新中小企业 -----------------------------------------------------------


def _a2_niche(r: Reader) -> Measure:
    years = _years_in_niche(r, r.facts.assessed_on)
    return Measure(None if years is None else str(years), met=at_least(years, 2))


def _a2_rd(r: Reader) -> Measure:
    rd = r.money("rd_expense")
    enough = at_least(rd, 100 * WAN)
    if enough is False:
        return Measure(fmt_money(rd), met=False)
    ratio = _ratio(r, "rd_expense", "revenue")
    return Measure(f"{fmt_money(rd)}; {fmt_pct(ratio)}", met=all3([enough, at_least(ratio, 3)]))


def _a2_revenue(r: Reader) -> Measure:
    revenue = r.money("revenue")
    if at_least(revenue, 1000 * WAN):
        return Measure(fmt_money(revenue), met=True)
    known, by_equity = _total(r, "equity_financing", 2, 2000 * WAN)
    met = any3([at_least(revenue, 1000 * WAN), by_equity])
    return Measure(f"{fmt_money(revenue)}; equity 2y {fmt_money(known)}", met=met)


def _a2_main_share(r: Reader) -> Measure:
    share = _ratio(r, "main_business_revenue", "revenue")
    return Measure(fmt_pct(share) if share is not None else None, points=band_up(share, ((80, 5), (70, 3), (60, 1))))


def average_growth_2y(r: Reader, name: str = "main_business_revenue") -> Decimal | None:
    """近2年平均增长率: the mean of the last two years' growth rates (needs three years of figures)."""
    g1, g2 = _growth(r, name, 1), _growth(r, name, 0)
    if g1 is None or g2 is None:
        return None
    return (g1 + g2) / 2


def _a2_growth(r: Reader) -> Measure:
    g = average_growth_2y(r)
    return Measure(fmt_pct(g) if g is not None else None, points=band_up(g, ((10, 10), (8, 8), (6, 6), (4, 4), (0, 2))))


def _a2_niche_points(r: Reader) -> Measure:
    years = _years_in_niche(r, r.facts.assessed_on)
    return Measure(None if years is None else str(years), points=None if years is None else D(min(years // 2, 5)))


def _a2_domain(r: Reader) -> Measure:
    domain = r.get("product_domain")
    if domain is None:
        return Measure(None)
    table: dict[str, int] = {ProductDomain.KEY_CHAIN: 5, ProductDomain.SIX_BASICS: 3}
    return Measure(str(domain), points=D(table.get(str(domain), 0)))


def _a2_digital(r: Reader) -> Measure:
    level = r.get("digital_level")
    if level is None:
        return Measure(None)
    return Measure(str(level), points=band_up(Decimal(level), ((3, 5), (2, 3))))  # type: ignore[arg-type]


def _a2_quality(r: Reader) -> Measure:
    items = r.get("quality_items")
    if items is None:
        return Measure(None)
    return Measure(str(items), points=D(min(3 * int(items), 5)))  # type: ignore[call-overload]


def _a2_margin(r: Reader) -> Measure:
    margin = _ratio(r, "net_profit", "revenue")
    return Measure(
        fmt_pct(margin) if margin is not None else None,
        points=band_up(margin, ((10, 10), (8, 8), (6, 6), (4, 4), (2, 2))),
    )


def _a2_debt(r: Reader) -> Measure:
    ratio = _debt_ratio(r)
    return Measure(fmt_pct(ratio) if ratio is not None else None, points=band_down(ratio, ((50, 5), (60, 3), (70, 1))))


def _a2_local(r: Reader) -> Measure:
    points = r.get("local_feature_points")
    if points is None:
        return Measure(None)
    value = min(max(Decimal(points), Decimal(0)), Decimal(15))  # type: ignore[arg-type]
    return Measure(str(value), points=value)


def _a2_ip(r: Reader) -> Measure:
    return _ip_points(
        r, {IpGrade.HIGH_VALUE_CLASS_I: 10, IpGrade.OWN_CLASS_I: 8, IpGrade.CLASS_I: 6, IpGrade.CLASS_II: 2}
    )


def _a2_rd_input(r: Reader) -> Measure:
    rd = r.money("rd_expense")
    ratio = _ratio(r, "rd_expense", "revenue")
    by_amount = band_up(rd, ((500 * WAN, 10), (400 * WAN, 8), (300 * WAN, 6), (200 * WAN, 4), (100 * WAN, 2)))
    by_ratio = band_up(ratio, ((10, 10), (8, 8), (6, 6), (4, 4), (3, 2)))
    # The better of the two readings counts; one reading alone decides only when it is already full points.
    known = [p for p in (by_amount, by_ratio) if p is not None]
    decided = len(known) == 2 or any(p == 10 for p in known)
    return Measure(f"{fmt_money(rd)}; {fmt_pct(ratio)}", points=max(known) if decided else None)


def _a2_rd_staff(r: Reader) -> Measure:
    share = percent(r.year("rd_staff"), r.year("employees"))
    return Measure(fmt_pct(share) if share is not None else None, points=band_up(share, ((20, 5), (10, 3), (5, 1))))


def _a2_institution(r: Reader) -> Measure:
    level = r.get("rd_institution")
    if level is None:
        return Measure(None)
    table = {
        RdInstitution.NATIONAL: 10, RdInstitution.PROVINCIAL: 8, RdInstitution.MUNICIPAL: 4,
        RdInstitution.BELOW_MUNICIPAL: 2,
    }  # fmt: skip
    return Measure(str(level), points=D(table.get(str(level), 0)))  # type: ignore[call-overload]


def _a2_direct_award(r: Reader) -> Measure:
    return _award(r, provincial_rank=3, national_rank=5)


def _a2_direct_rd(r: Reader) -> Measure:
    known, met = _total(r, "rd_expense", 2, 2 * 1000 * WAN)  # an average of 1000万元 over two years
    return Measure(f"avg {fmt_money(known / 2)}", met=met)


def _a2_direct_equity(r: Reader) -> Measure:
    known, met = _total(r, "equity_financing", 2, 6000 * WAN)
    return Measure(fmt_money(known), met=met)


def _a2_direct_maker(r: Reader) -> Measure:
    return _maker_china(r, best_of=MakerChina.TOP500)


# fmt: off
SRDI_SME = RuleSet(
    tier="srdi_sme",
    version=VERSION,
    name="专精特新中小企业认定标准",
    name_en="SRDI SME certification standard",
    source=f"{SOURCE} 附件2",
    effective_from=EFFECTIVE_FROM,
    effective_until=EFFECTIVE_UNTIL,
    pass_mark=D(60),
    categories=(
        Category("specialisation", "专业化指标", "Specialisation"),
        Category("refinement", "精细化指标", "Refinement"),
        Category("distinctiveness", "特色化指标", "Distinctiveness"),
        Category("innovation", "创新能力指标", "Innovation ability"),
    ),
    indicators=(
        Indicator("sme", "中小企业", "Is an SME", Role.HARD, "非大型企业", "not a large enterprise", SIZE, _sme),
        Indicator(
            "niche_years", "从事特定细分市场时间", "Years in the niche market", Role.HARD,
            "≥2年", "≥ 2 years", f"{A2} 一(一)", _a2_niche,
        ),
        Indicator(
            "rd_expense", "上年度研发费用总额及占营业收入总额比重", "Last year's R&D expense and its share of revenue",
            Role.HARD, "≥100万元 且 ≥3%", "≥ ¥1,000,000 and ≥ 3% of revenue", f"{A2} 一(二)", _a2_rd,
        ),
        Indicator(
            "revenue", "上年度营业收入总额(或近2年新增股权融资)", "Last year's revenue (or 2 years' new equity)",
            Role.HARD, "≥1000万元, 或近2年新增股权融资≥2000万元",
            "≥ ¥10,000,000, or new equity ≥ ¥20,000,000 in 2 years",
            f"{A2} 一(三)", _a2_revenue,
        ),
        Indicator(
            "main_share", "上年度主营业务收入总额占营业收入总额比重", "Main business / revenue, last year", Role.SCORED,
            "≥80%:5, 70–80%:3, 60–70%:1", "≥80%: 5, 70–80%: 3, 60–70%: 1",
            f"{A2} 二(一)1", _a2_main_share, category="specialisation", max_points=D(5),
        ),
        Indicator(
            "growth_2y", "近2年主营业务收入平均增长率", "Average main-business growth over 2 years", Role.SCORED,
            "≥10%:10, 8–10%:8, 6–8%:6, 4–6%:4, 0–4%:2", "≥10%: 10, 8–10%: 8, 6–8%: 6, 4–6%: 4, 0–4%: 2",
            f"{A2} 二(一)2", _a2_growth, category="specialisation", max_points=D(10),
            note="mean of the two yearly growth rates (interpretation; the annex names no formula)",
        ),
        Indicator(
            "niche_points", "从事特定细分市场年限", "Years in the niche market (points)", Role.SCORED,
            "每满2年1分, 最高5分", "1 point per full 2 years, at most 5",
            f"{A2} 二(一)3", _a2_niche_points, category="specialisation", max_points=D(5),
        ),
        Indicator(
            "product_domain", "主导产品所属领域情况", "Field of the main product", Role.SCORED,
            "补短板/锻长板/填空白5, 六基/老字号/龙头配套3",
            "key-chain gap filled 5, six basics / time-honoured / key supplier 3",
            f"{A2} 二(一)4", _a2_domain, category="specialisation", max_points=D(5),
        ),
        Indicator(
            "digital_level", "数字化水平", "Digitalisation level", Role.SCORED,
            "三级以上5, 二级3, 一级0", "level 3+: 5, level 2: 3, level 1: 0",
            f"{A2} 二(二)5", _a2_digital, category="refinement", max_points=D(5),
        ),
        Indicator(
            "quality", "质量管理水平", "Quality management", Role.SCORED,
            "每项3分, 最高5分", "3 points per item, at most 5",
            f"{A2} 二(二)6", _a2_quality, category="refinement", max_points=D(5),
        ),
        Indicator(
            "net_margin", "上年度净利润率", "Last year's net profit margin", Role.SCORED,
            "≥10%:10, 8–10%:8, 6–8%:6, 4–6%:4, 2–4%:2", "≥10%: 10, 8–10%: 8, 6–8%: 6, 4–6%: 4, 2–4%: 2",
            f"{A2} 二(二)7", _a2_margin, category="refinement", max_points=D(10),
        ),
        Indicator(
            "debt_ratio", "上年度资产负债率", "Last year's debt-to-assets ratio", Role.SCORED,
            "<50%:5, 50–60%:3, 60–70%:1, ≥70%:0", "<50%: 5, 50–60%: 3, 60–70%: 1, ≥70%: 0",
            f"{A2} 二(二)8", _a2_debt, category="refinement", max_points=D(5),
        ),
        Indicator(
            "local_feature", "地方特色指标(省级主管部门设定)", "Local distinctiveness (set by the province)",
            Role.SCORED,
            "0–15分", "0–15 points", f"{A2} 二(三)9", _a2_local, category="distinctiveness", max_points=D(15),
            note="the province sets 1–3 indicators; the points it awards are entered as a fact",
        ),
        Indicator(
            "ip", "与企业主导产品相关的有效知识产权数量", "IP related to the main product", Role.SCORED,
            "Ⅰ类高价值10/自主研发Ⅰ类8/Ⅰ类6/Ⅱ类2", "high-value class I 10, own class I 8, class I 6, class II 2",
            f"{A2} 二(四)10", _a2_ip, category="innovation", max_points=D(10),
        ),
        Indicator(
            "rd_input", "上年度研发费用投入", "Last year's R&D input", Role.SCORED,
            "≥500万元或≥10%:10 … ≥100万元或≥3%:2", "≥ ¥5m or ≥10%: 10 … ≥ ¥1m or ≥3%: 2",
            f"{A2} 二(四)11", _a2_rd_input, category="innovation", max_points=D(10),
        ),
        Indicator(
            "rd_staff_share", "上年度研发人员占比", "Last year's R&D staff share", Role.SCORED,
            "≥20%:5, 10–20%:3, 5–10%:1", "≥20%: 5, 10–20%: 3, 5–10%: 1",
            f"{A2} 二(四)12", _a2_rd_staff, category="innovation", max_points=D(5), confirmed=False,
            note="bands not found in any copy consulted; encoded from the commonly published table",
        ),
        Indicator(
            "rd_institution", "建立研发机构级别", "Level of the R&D institution", Role.SCORED,
            "国家级10, 省级8, 市级4, 市级以下2", "national 10, provincial 8, municipal 4, lower 2",
            f"{A2} 二(四)13", _a2_institution, category="innovation", max_points=D(10), confirmed=False,
            note="bands not found in any copy consulted; encoded from the commonly published table",
        ),
        Indicator(
            "direct_award", "近三年省级科技奖励(排名前三)或国家级科技奖励(排名前五)",
            "Provincial S&T award (top 3) or national (top 5) in 3 years", Role.DIRECT,
            "省级前三/国家级前五", "provincial top 3 / national top 5", f"{A2} 一(四)1", _a2_direct_award,
        ),
        Indicator(
            "direct_rd", "近两年研发费用总额均值", "Average R&D expense over 2 years", Role.DIRECT,
            "≥1000万元", "≥ ¥10,000,000", f"{A2} 一(四)2", _a2_direct_rd,
        ),
        Indicator(
            "direct_equity", "近两年新增股权融资总额(合格机构投资者的实缴额)", "New equity financing in 2 years",
            Role.DIRECT, "≥6000万元", "≥ ¥60,000,000", f"{A2} 一(四)3", _a2_direct_equity,
        ),
        Indicator(
            "direct_maker", "近三年进入“创客中国”全国500强企业组名单", "创客中国 national top 500 in 3 years",
            Role.DIRECT, "全国500强", "national top 500", f"{A2} 一(四)4", _a2_direct_maker,
        ),
    ),
)
# fmt: on


# --- annex 3: 专精特新"小巨人" -----------------------------------------------------------


def _a3_niche(r: Reader) -> Measure:
    years = _years_in_niche(r, date(r.facts.reference_year, 12, 31))  # 截至上年末
    return Measure(None if years is None else str(years), met=at_least(years, 3))


def _a3_main_share(r: Reader) -> Measure:
    share = _ratio(r, "main_business_revenue", "revenue")
    return Measure(fmt_pct(share) if share is not None else None, met=at_least(share, 70))


def _a3_growth(r: Reader) -> Measure:
    g = average_growth_2y(r)
    return Measure(fmt_pct(g) if g is not None else None, met=at_least(g, 5))


def _a3_debt(r: Reader) -> Measure:
    ratio = _debt_ratio(r)
    return Measure(fmt_pct(ratio) if ratio is not None else None, met=at_most(ratio, 70))


def _a3_market_share(r: Reader) -> Measure:
    share = r.get("national_market_share")
    if share is None:
        return Measure(None)
    return Measure(fmt_pct(Decimal(share)), met=at_least(Decimal(share), 10))  # type: ignore[arg-type]


def _a3_rd_by_band(r: Reader) -> Measure:
    """R&D intensity by revenue band; below 50 million the equity + R&D + staff route."""
    revenue = r.money("revenue")
    if revenue is None:
        return Measure(None)
    if revenue >= 5000 * WAN:
        floor = 3 if revenue >= 10_000 * WAN else 6
        ratios = [_ratio(r, "rd_expense", "revenue", back) for back in (0, 1)]
        met = all3([at_least(x, floor) for x in ratios])
        return Measure(f"{fmt_money(revenue)}; {' / '.join(fmt_pct(x) for x in ratios)} (≥{floor}%)", met=met)
    eq, enough_equity = _total(r, "equity_financing", 2, 8000 * WAN)
    spent, enough_rd = _total(r, "rd_expense", 2, 3000 * WAN)
    staff = percent(r.year("rd_staff"), r.year("employees"))
    met = all3([enough_equity, enough_rd, at_least(staff, 50)])
    value = f"{fmt_money(revenue)}; equity {fmt_money(eq)}; R&D {fmt_money(spent)}; staff {fmt_pct(staff)}"
    return Measure(value, met=met)


def _a3_institution(r: Reader) -> Measure:
    level = r.get("rd_institution")
    if level is None:
        return Measure(None)
    return Measure(str(level), met=level != RdInstitution.NONE)


def _a3_class_i_ip(r: Reader) -> Measure:
    count = r.year("class_i_ip")
    return Measure(None if count is None else str(count), met=at_least(count, 2))


def _a3_direct_award(r: Reader) -> Measure:
    return _award(r, provincial_rank=None, national_rank=3)


def _a3_direct_maker(r: Reader) -> Measure:
    return _maker_china(r, best_of=MakerChina.TOP50)


# fmt: off
LITTLE_GIANT = RuleSet(
    tier="little_giant",
    version=VERSION,
    name="专精特新“小巨人”企业认定标准",
    name_en='SRDI "little giant" certification standard',
    source=f"{SOURCE} 附件3",
    effective_from=EFFECTIVE_FROM,
    effective_until=EFFECTIVE_UNTIL,
    indicators=(
        Indicator("sme", "中小企业", "Is an SME", Role.HARD, "非大型企业", "not a large enterprise", SIZE, _sme),
        Indicator(
            "niche_years", "截至上年末从事特定细分市场时间", "Years in the niche market at the end of last year",
            Role.HARD, "≥3年", "≥ 3 years", f"{A3} 一", _a3_niche,
        ),
        Indicator(
            "main_share", "主营业务收入总额占营业收入总额比重", "Main business / revenue", Role.HARD,
            "≥70%", "≥ 70%", f"{A3} 一", _a3_main_share,
        ),
        Indicator(
            "growth_2y", "近2年主营业务收入平均增长率", "Average main-business growth over 2 years", Role.HARD,
            "≥5%", "≥ 5%", f"{A3} 一", _a3_growth,
            note="mean of the two yearly growth rates (interpretation; the annex names no formula)",
        ),
        Indicator(
            "info_system", "至少1项核心业务采用信息系统支撑",
            "At least one core business supported by an information system",
            Role.HARD, "是", "yes", f"{A3} 二", _flag("info_system"),
        ),
        Indicator(
            "management_certification", "取得相关管理体系认证或发达国家和地区产品认证",
            "Management-system certification or developed-market product certification", Role.HARD,
            "是", "yes", f"{A3} 二", _flag("management_certification"),
        ),
        Indicator(
            "debt_ratio", "截至上年末资产负债率", "Debt-to-assets ratio at the end of last year", Role.HARD,
            "≤70%", "≤ 70%", f"{A3} 二", _a3_debt,
        ),
        Indicator(
            "market_share", "主导产品全国细分市场占有率", "National share of the niche market", Role.HARD,
            "≥10%", "≥ 10%", f"{A3} 三", _a3_market_share,
        ),
        Indicator(
            "own_brand", "拥有直接面向市场并具有竞争优势的自主品牌", "Own competitive brand", Role.HARD,
            "是", "yes", f"{A3} 三", _flag("own_brand"),
        ),
        Indicator(
            "rd_by_band", "近2年研发费用占营业收入比重(按营业收入分档)", "R&D intensity over 2 years, by revenue band",
            Role.WAIVABLE,
            "营收≥1亿: 均≥3%; 5000万–1亿: 均≥6%; <5000万: 近2年股权融资≥8000万、研发费用≥3000万、研发人员≥50%",
            "revenue ≥ ¥100m: both years ≥3%; ¥50–100m: both ≥6%; "
            "below: 2-year equity ≥ ¥80m, R&D ≥ ¥30m, R&D staff ≥50%",
            f"{A3} 四(一)1", _a3_rd_by_band,
            note="below ¥50m the R&D ¥30m is read as the 2-year total (the clause opens with 近2年)",
        ),
        Indicator(
            "rd_institution", "自建或与高校、科研机构联合建立研发机构", "Own or joint R&D institution", Role.WAIVABLE,
            "已建立", "established", f"{A3} 四(一)2", _a3_institution,
        ),
        Indicator(
            "class_i_ip", "与主导产品相关的Ⅰ类知识产权", "Class I IP related to the main product", Role.WAIVABLE,
            "≥2项", "≥ 2", f"{A3} 四(一)3", _a3_class_i_ip,
            note="the text also asks that they are applied and yield economic benefit: not checked",
        ),
        Indicator(
            "chain_key_link", "位于产业链关键环节(补短板、锻长板、填空白)", "Key link of an industrial chain",
            Role.HARD, "是", "yes", f"{A3} 五", _flag("chain_key_link"),
        ),
        Indicator(
            "key_field", "主导产品属于重点领域(核心基础零部件等/制造强国十大重点产业/网络强国)",
            "Main product in a key field", Role.HARD, "是", "yes", f"{A3} 六", _flag("key_field"),
        ),
        Indicator(
            "direct_award", "近三年获得国家级科技奖励(排名前三)", "National S&T award in 3 years (top 3)", Role.DIRECT,
            "国家级前三", "national top 3", f"{A3} 四(二)1", _a3_direct_award,
        ),
        Indicator(
            "direct_maker", "近三年进入“创客中国”全国50强企业组名单", "创客中国 national top 50 in 3 years",
            Role.DIRECT, "全国50强", "national top 50", f"{A3} 四(二)2", _a3_direct_maker,
        ),
    ),
)
# fmt: on

RULE_SETS = (INNOVATIVE_SME, SRDI_SME, LITTLE_GIANT)
