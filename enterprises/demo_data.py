"""A small, deterministic demo registry: enterprises in every district with five years of figures.

Everything is derived from a seeded random generator, so two runs on an empty database produce
the same rows; running it on a database that already holds enterprises is a no-op.  Each firm's
planned rung on the ladder (`planned_level`) sizes its figures here and gives it its
certifications in the tiers demo.
"""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from enterprises.models import Enterprise, EnterpriseYearFact, ListingStatus, SizeClass
from enterprises.rules import credit_code
from reference.models import District, Industry
from zjtx.audit_context import audit_context

_WORDS = [
    "精工",
    "智造",
    "数联",
    "恒通",
    "华创",
    "博远",
    "鼎新",
    "睿智",
    "巨能",
    "聚源",
    "航宇",
    "芯动",
    "天成",
    "科瑞",
    "宏达",
    "和信",
    "锐思",
    "瀚海",
    "嘉合",
    "金桥",
]
_TRADES = {
    "C": ["精密机械", "汽车零部件", "新材料", "电子元器件", "智能装备", "生物医药", "仪器仪表"],
    "I": ["软件", "信息技术", "数据科技", "网络科技"],
    "M": ["检测技术", "工程技术", "环保科技", "生物科技"],
}
_PRODUCTS = [
    "高精度减速器",
    "车用传感器",
    "工业软件",
    "锂电池隔膜",
    "医用导管",
    "数控刀具",
    "光学镜头",
    "工业机器人控制器",
]


def planned_level(seed: int, code: str) -> int:
    """The demo firm's rung: 0 none, 1 innovative SME, 2 SRDI SME, 3 little giant (same for every run)."""
    return random.Random(f"{seed}:{code}").choices([0, 1, 2, 3], weights=[40, 35, 18, 7])[0]


def _code(rng: random.Random, division: str) -> str:
    body = "91" + division + "".join(rng.choice(credit_code.ALPHABET[:10] + "ABCDEFGHJKLMN") for _ in range(9))
    return credit_code.make(body)


def _facts(rng: random.Random, enterprise: Enterprise, years: range, level: int) -> list[EnterpriseYearFact]:
    base = Decimal(rng.randint(8, 60 * (level + 1))) * Decimal("1000000")
    employees = rng.randint(30, 120 * (level + 1))
    rows = []
    for year in years:
        growth = Decimal(1) + Decimal(rng.randint(-5, 25)) / Decimal(100)
        base = (base * growth).quantize(Decimal("0.01"))
        main = (base * Decimal(rng.randint(70, 98)) / Decimal(100)).quantize(Decimal("0.01"))
        rd = (base * Decimal(rng.randint(2, 12)) / Decimal(100)).quantize(Decimal("0.01"))
        employees = max(10, employees + rng.randint(-5, 20))
        rows.append(
            EnterpriseYearFact(
                enterprise=enterprise,
                year=year,
                revenue=base,
                main_business_revenue=main,
                rd_expense=rd,
                total_assets=(base * Decimal("1.4")).quantize(Decimal("0.01")),
                net_profit=(base * Decimal(rng.randint(-3, 15)) / Decimal(100)).quantize(Decimal("0.01")),
                equity_financing=Decimal(rng.choice([0, 0, 0, 5_000_000, 20_000_000])),
                employees=employees,
                rd_staff=max(1, employees * rng.randint(8, 30) // 100),
                invention_patents=rng.randint(0, 6 * (level + 1)),
                class_i_ip=rng.randint(0, 3 * (level + 1)),
            )
        )
    return rows


@transaction.atomic
def load_demo(seed: int = 2025, per_district: int = 12) -> str:
    if Enterprise.objects.exists():
        return "registry demo: already loaded"
    rng = random.Random(seed)
    industries = {i.code: i for i in Industry.objects.all()}
    today = timezone.localdate()
    created: list[tuple[Enterprise, int]] = []
    with audit_context(source="demo"):
        for district in District.objects.select_related("jurisdiction").order_by("code"):
            # The districts of the demo staff get more enterprises, so their pages are not empty.
            count = per_district * (3 if district.code in ("500112", "500105", "110108") else 1)
            division = district.gb2260_code or "110115"
            for i in range(count):
                section = rng.choices(["C", "I", "M"], weights=[7, 2, 1])[0]
                short = district.name.rstrip("区县")[:2] if len(district.name) > 3 else district.name[:2]
                trade = rng.choice(_TRADES[section])
                name = f"{district.jurisdiction.short_name}{short}{rng.choice(_WORDS)}{trade}有限公司"
                code = _code(rng, division)
                level = planned_level(seed, code)
                listed = level == 3 and rng.random() < 0.3
                # Some SRDI firms on the regional market's SRDI board (专精特新专板); a generator of their own,
                # so the rest of the demo stays as it was.
                board = random.Random(f"{seed}:board:{code}")
                on_board = not listed and level >= 2 and board.random() < 0.25
                enterprise = Enterprise(
                    credit_code=code,
                    name=f"{name[:-4]}{i + 1:02d}有限公司" if i % 7 == 6 else name,
                    district=district,
                    industry=industries[section],
                    founded_on=date(rng.randint(1998, 2019), rng.randint(1, 12), rng.randint(1, 28)),
                    size_class=rng.choices([SizeClass.MEDIUM, SizeClass.SMALL, SizeClass.MICRO], weights=[2, 6, 2])[0],
                    listing_status=rng.choice([ListingStatus.STAR, ListingStatus.BSE, ListingStatus.CHINEXT])
                    if listed
                    else ListingStatus.REGIONAL_EQUITY
                    if on_board
                    else ListingStatus.UNLISTED,
                    listed_on=date(rng.randint(2021, today.year), rng.randint(1, 12), 15)
                    if listed
                    else date(today.year - 1, board.randint(1, 12), 15)
                    if on_board
                    else None,
                    main_product=rng.choice(_PRODUCTS),
                    contact_name=rng.choice("王李张刘陈杨赵黄周吴") + rng.choice(["先生", "女士", "经理"]),
                    contact_phone=f"1{rng.choice('3589')}{rng.randint(0, 999999999):09d}",
                )
                created.append((enterprise, level))
        Enterprise.objects.bulk_create([e for e, _ in created], batch_size=500)
        facts: list[EnterpriseYearFact] = []
        for enterprise, level in created:
            facts.extend(_facts(rng, enterprise, range(today.year - 4, today.year), level))
        EnterpriseYearFact.objects.bulk_create(facts, batch_size=1000)
    return f"registry demo: {len(created)} enterprises, {len(facts)} yearly facts"
