"""A small, deterministic demo data set: users of every role, enterprises, facts, tiers, applications.

Everything is derived from a seeded random generator, so two runs on an empty
database produce the same rows; running it on a database that already holds
the demo is a no-op (users and enterprises are matched by natural key).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.audit import audit_context
from accounts.models import User
from accounts.roles import Role
from enterprises.models import (
    District,
    Enterprise,
    EnterpriseYearFact,
    Industry,
    Jurisdiction,
    ListingStatus,
    SizeClass,
    Tier,
)
from enterprises.rules import credit_code
from enterprises.services import lifecycle

DEMO_PASSWORD = "zjtx-demo-2025"

# (username, role, district code, jurisdiction code, is_superuser)
DEMO_USERS: tuple[tuple[str, str, str | None, str | None, bool], ...] = (
    ("admin", "", None, None, True),
    ("official_cq", Role.MUNICIPAL_OFFICIAL, None, "500000", False),
    ("official_bj", Role.MUNICIPAL_OFFICIAL, None, "110000", False),
    ("staff_yubei", Role.DISTRICT_STAFF, "500112", None, False),
    ("staff_jiangbei", Role.DISTRICT_STAFF, "500105", None, False),
    ("staff_haidian", Role.DISTRICT_STAFF, "110108", None, False),
    # The national-level program admin keeps national reference data (tiers, divisions); each city's keeps
    # its own programs, rules and targets.
    ("progadmin", Role.PROGRAM_ADMIN, None, None, False),
    ("progadmin_cq", Role.PROGRAM_ADMIN, None, "500000", False),
    ("progadmin_bj", Role.PROGRAM_ADMIN, None, "110000", False),
    ("auditor", Role.AUDITOR, None, None, False),
)

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


@dataclass
class DemoSummary:
    users: int
    enterprises: int
    facts: int
    certifications: int
    applications: int


def _users() -> list[User]:
    users = []
    districts = {d.code: d for d in District.objects.all()}
    jurisdictions = {j.code: j for j in Jurisdiction.objects.all()}
    for username, role, district, jurisdiction, superuser in DEMO_USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(
                username=username,
                role=role,
                district=districts.get(district or ""),
                jurisdiction=jurisdictions.get(jurisdiction or ""),
                is_superuser=superuser,
                is_staff=True,
            )
            user.set_password(DEMO_PASSWORD)
            user.save()
        users.append(user)
    return users


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
def load_demo(*, enterprises_per_district: int = 12, seed: int = 2025) -> DemoSummary:
    rng = random.Random(seed)
    with audit_context(source="demo"):
        users = _users()
        admin = users[0]
        if Enterprise.objects.exists():
            return DemoSummary(len(users), Enterprise.objects.count(), 0, 0, 0)
        tiers = {t.code: t for t in Tier.objects.all()}
        industries = {i.code: i for i in Industry.objects.all()}
        today = timezone.localdate()
        created: list[tuple[Enterprise, int]] = []
        for district in District.objects.select_related("jurisdiction").order_by("code"):
            # The districts of the demo staff get more enterprises, so their pages are not empty.
            count = enterprises_per_district * (3 if district.code in ("500112", "500105", "110108") else 1)
            division = district.gb2260_code or "110115"
            for i in range(count):
                section = rng.choices(["C", "I", "M"], weights=[7, 2, 1])[0]
                short = district.name.rstrip("区县")[:2] if len(district.name) > 3 else district.name[:2]
                trade = rng.choice(_TRADES[section])
                name = f"{district.jurisdiction.short_name}{short}{rng.choice(_WORDS)}{trade}有限公司"
                level = rng.choices([0, 1, 2, 3], weights=[40, 35, 18, 7])[0]
                listed = level == 3 and rng.random() < 0.3
                enterprise = Enterprise(
                    credit_code=_code(rng, division),
                    name=f"{name[:-4]}{i + 1:02d}有限公司" if i % 7 == 6 else name,
                    district=district,
                    industry=industries[section],
                    founded_on=date(rng.randint(1998, 2019), rng.randint(1, 12), rng.randint(1, 28)),
                    size_class=rng.choices([SizeClass.MEDIUM, SizeClass.SMALL, SizeClass.MICRO], weights=[2, 6, 2])[0],
                    listing_status=rng.choice([ListingStatus.STAR, ListingStatus.BSE, ListingStatus.CHINEXT])
                    if listed
                    else ListingStatus.UNLISTED,
                    listed_on=date(rng.randint(2021, today.year), rng.randint(1, 12), 15) if listed else None,
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

        certs = 0
        ladder = ["innovative_sme", "srdi_sme", "little_giant"]
        for enterprise, level in created:
            for rung in range(level):
                # Some certifications end within the next 90 days, so the expiring list has content.
                start = today - timedelta(days=rng.randint(30, 3 * 365 - 1))
                if rng.random() < 0.1:
                    start = today - timedelta(days=3 * 365 - rng.randint(5, 80))
                lifecycle.certification_import(
                    actor=admin, enterprise=enterprise, tier=tiers[ladder[rung]], valid_from=start
                )
                certs += 1
        applications = _demo_applications(rng, users, tiers, created)
    return DemoSummary(len(users), len(created), len(facts), certs, applications)


def _demo_applications(
    rng: random.Random, users: list[User], tiers: dict[str, Tier], created: list[tuple[Enterprise, int]]
) -> int:
    staff = {u.district_id: u for u in users if u.role == Role.DISTRICT_STAFF}
    official = {u.jurisdiction_id: u for u in users if u.role == Role.MUNICIPAL_OFFICIAL}
    ladder = ["innovative_sme", "srdi_sme", "little_giant"]
    steps: list[list[tuple[str, str]]] = [
        [],
        [("district", "recommend")],
        [("district", "recommend"), ("official", "start_review")],
        [("district", "recommend"), ("official", "start_review"), ("official", "publicise")],
    ]
    count = 0
    year = timezone.localdate().year
    for enterprise, level in created:
        actor = staff.get(enterprise.district_id)
        if actor is None or level >= 3 or rng.random() < 0.5:
            continue
        app = lifecycle.application_submit(
            actor=actor, enterprise=enterprise, tier=tiers[ladder[level]], batch_year=year
        )
        for who, action in rng.choice(steps):
            person: Any = actor if who == "district" else official[enterprise.district.jurisdiction_id]
            lifecycle.application_transition(actor=person, application_id=app.pk, action=action)
        count += 1
    return count
