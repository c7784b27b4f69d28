"""A national-size synthetic data set for benchmarks: enterprises, yearly facts, certifications, service desk.

`tests/bench/generate_dataset.py` runs `generate()`.  Everything is drawn from one
`random.Random(seed)`, so the same seed and sizes give the same rows.  Rows are
produced by Python generators and streamed into PostgreSQL with COPY FROM STDIN
(text format), table by table, with explicit ids so that later tables can point
at earlier ones without reading them back.  Afterwards the id sequences are
moved past the new ids, `Enterprise.current_tier` is derived from the
certifications in one UPDATE, and the tables are analysed.

Shapes (see README, "Performance"):
- districts weighted by size (main urban districts of Chongqing and Beijing's core
  districts get most firms, autonomous counties fewest);
- industries mostly manufacturing (C), then software/IT (I) and research (M);
- a tier pyramid: ~88% hold no tier, ~9% innovative SME, ~2.6% SRDI SME, ~0.4%
  little giants; a holder of level n also holds level n-1; certifications run
  [from, from + 3 years), lapsed ones are expired and renewed, a few are revoked
  or under re-review, so some end within the coming weeks;
- yearly facts for the last `years` full years since founding, sized by size class;
- specialists (service assignments) for SRDI firms and little giants;
- visits spread over 3 years by the district's staff, more often to tiered firms;
- demands in every status, most raised during a visit, with the events that led
  to their status (raise, assign, start, resolve, close, reopen).

The generated texts contain no tab, newline or backslash, so they need no COPY escaping.
"""

from __future__ import annotations

import bisect
import datetime as dt
import io
import itertools
import json
import random
import time
from array import array
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from enterprises.rules import credit_code
from tiers.rules.lifecycle import add_years

# Tables this generator fills (and `reset` empties), in dependency order.
GENERATED_TABLES = (
    "enterprises_enterprise",
    "enterprises_enterpriseyearfact",
    "enterprises_certification",
    "enterprises_serviceassignment",
    "enterprises_visit",
    "enterprises_demand",
    "enterprises_demandevent",
)
USER_PREFIX = "gen_"
NULL = "\\N"  # COPY's text format for NULL
STAFF_PER_DISTRICT = 3
# 北京经济技术开发区 has no GB/T 2260 code of its own; its firms are registered in 大兴区.
FUNCTIONAL_ZONE_DIVISION = "110115"
FIRST_CERTIFICATION = dt.date(2022, 8, 1)  # 工信部企业〔2022〕63号 in force

# Relative number of enterprises per district: main urban districts and Beijing's core
# districts hold most firms; kinds set the base (district 4, county 1.5, autonomous county 1).
_BIG = {
    "500112": 5, "500107": 4, "500106": 4, "500105": 4, "500108": 3, "500113": 3, "500109": 3,
    "500103": 2.5, "500120": 2, "500115": 2, "500117": 2, "500110": 1.5,
    "110108": 6, "110105": 5, "110106": 3, "110114": 3, "110115": 3, "110113": 2.5, "110000-ETDA": 3,
    "110102": 2, "110101": 1.5, "110112": 2,
}  # fmt: skip
_KIND_WEIGHT = {"district": 4.0, "county": 1.5, "autonomous_county": 1.0, "functional_zone": 4.0}
_INDUSTRY_WEIGHT = {
    "C": 52, "I": 14, "M": 10, "F": 6, "E": 4, "L": 3, "G": 2, "D": 2, "N": 1.5, "A": 1.5,
    "B": 0.8, "R": 0.8, "O": 0.6, "Q": 0.5, "K": 0.5, "H": 0.4, "P": 0.2, "J": 0.2, "S": 0.05, "T": 0.01,
}  # fmt: skip
_INDUSTRY_TERMS = {
    "C": ("机械", "精密制造", "电子", "新材料", "汽车零部件", "智能装备", "化工", "医药", "仪器仪表", "模具", "光电"),
    "I": ("软件", "信息技术", "网络科技", "数据科技", "智能科技", "云计算"),
    "M": ("检测技术", "工程技术", "生物科技", "技术研究院", "工业设计"),
}
_OTHER_TERMS = ("贸易", "建设", "农业科技", "物流", "能源", "环保科技", "商务服务", "文化传媒")
_PRODUCTS = {
    "C": ("数控机床主轴", "高精度轴承", "新能源汽车电机壳体", "工业机器人减速器", "锂电池隔膜", "光学镜头模组",
          "医用导管", "液压阀组", "半导体封装材料", "智能仪表"),
    "I": ("工业互联网平台", "政务数据中台", "智能制造执行系统", "信息安全网关", "边缘计算终端"),
    "M": ("第三方检测服务", "工程咨询", "生物试剂", "工业设计服务"),
}  # fmt: skip
_ZIHAO = (
    "华宏鑫泰恒瑞盛达通博创科新鼎嘉汇金昌隆兴誉捷远航晟润德益佳安信联中海天"
    "永弘伟辉腾飞英卓峰锐特凯宇诚康健明立方正元长和丰源星光云山川江"
)
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
_SUFFIXES = ("有限公司", "有限公司", "有限公司", "股份有限公司", "有限责任公司")
_SIZE = (("micro", 35), ("small", 45), ("medium", 18), ("large", 2))
_BOARDS = (
    ("neeq", 30), ("regional_equity", 25), ("bse", 15), ("star", 10), ("chinext", 10), ("main_board", 8),
    ("overseas", 2),
)  # fmt: skip
# (revenue median in yuan, employees range) per size class.
_SCALE = {"micro": (2e6, (3, 20)), "small": (2.5e7, (20, 300)), "medium": (1.5e8, (300, 1000)),
          "large": (8e8, (1000, 3000))}  # fmt: skip
_MODES = (("on_site", 60), ("phone", 25), ("online", 15))
_MET = ("总经理", "董事长", "财务负责人", "技术负责人", "行政主管", "研发总监")
_NOTES = ("了解企业生产经营情况", "宣讲专精特新扶持政策", "走访调研研发投入情况", "协调用地用工问题",
          "跟进前次诉求办理进展", "了解融资需求", "指导梯度培育申报")  # fmt: skip
_CATEGORIES = (("land", 10), ("labour", 15), ("energy", 8), ("supporting_facilities", 8), ("financing", 22),
               ("technology", 12), ("market", 12), ("talent", 10), ("other", 3))  # fmt: skip
_DEMAND_TEXT = {
    "land": "申请扩建厂房用地", "labour": "招聘熟练技术工人困难", "energy": "高峰期用电负荷不足",
    "supporting_facilities": "园区道路及配套设施需完善", "financing": "需要流动资金贷款支持",
    "technology": "寻求高校技术合作", "market": "希望对接大企业供应链", "talent": "引进高层次人才落户",
    "other": "咨询政策兑现流程",
}  # fmt: skip
_SATISFACTION = (("satisfied", 70), ("basically_satisfied", 22), ("unsatisfied", 8))
# Demand status by age (days since raised): (max age, [(status, weight)]).
_STATUS_BY_AGE = (
    (30, (("open", 30), ("assigned", 30), ("in_progress", 30), ("resolved", 10))),
    (180, (("open", 5), ("assigned", 10), ("in_progress", 25), ("resolved", 20), ("closed", 35), ("reopened", 5))),
    (10**6, (("open", 1), ("assigned", 2), ("in_progress", 7), ("resolved", 10), ("closed", 75), ("reopened", 5))),
)
# The actions that lead from raising to each status.
_PATHS = {
    "open": ("raise",),
    "assigned": ("raise", "assign"),
    "in_progress": ("raise", "assign", "start"),
    "resolved": ("raise", "assign", "start", "resolve"),
    "closed": ("raise", "assign", "start", "resolve", "close"),
    "reopened": ("raise", "assign", "start", "resolve", "close", "reopen"),
}
_TO = {"raise": "open", "assign": "assigned", "start": "in_progress", "resolve": "resolved", "close": "closed",
       "reopen": "reopened"}  # fmt: skip


class DatasetError(RuntimeError):
    """The data set cannot be generated here (not PostgreSQL, data present without --reset, production)."""


@dataclass(frozen=True)
class Sizes:
    enterprises: int = 500_000
    years: int = 5
    visits: int = 2_000_000
    demands: int = 500_000


@dataclass
class _District:
    id: int
    code: str
    division: str
    jurisdiction_id: int
    city: str
    weight: float
    staff: list[int] = field(default_factory=list)
    units: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class Report:
    timings: list[tuple[str, int, float]] = field(default_factory=list)

    def add(self, label: str, rows: int, seconds: float) -> None:
        self.timings.append((label, rows, seconds))

    @property
    def total_seconds(self) -> float:
        return sum(t for _l, _r, t in self.timings)


def _weighted(pairs: Iterable[tuple[Any, float]]) -> tuple[list[Any], list[float]]:
    values, cum, total = [], [], 0.0
    for value, weight in pairs:
        total += weight
        values.append(value)
        cum.append(total)
    return values, cum


def _ts(day: dt.date, hour: int, minute: int = 0) -> str:
    return f"{day.isoformat()} {hour:02d}:{minute:02d}:00+08"


def _copy(table: str, columns: tuple[str, ...], lines: Iterable[str]) -> int:
    """Stream text-format lines into `table` with COPY FROM STDIN; returns the number of rows."""
    rows = 0
    raw: Any = connection.connection
    with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        buffer: list[str] = []
        for line in lines:
            buffer.append(line)
            if len(buffer) >= 10_000:
                copy.write("".join(buffer))
                rows += len(buffer)
                buffer.clear()
        if buffer:
            copy.write("".join(buffer))
            rows += len(buffer)
    return rows


def _next_id(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")
        return int(cursor.fetchone()[0])


class Generator:
    def __init__(self, sizes: Sizes, seed: int, today: dt.date, log: Callable[[str], None]) -> None:
        self.sizes = sizes
        self.rng = random.Random(seed)
        self.today = today
        self.log = log
        self.now = _ts(today, 9)
        # Per enterprise (index i ↔ id first_enterprise + i): district index, level, founding year, weight.
        self.district_of: list[int] = []
        self.level_of: list[int] = []
        self.size_of: list[str] = []
        self.founded_year: list[int] = []
        self.visit_enterprise = array("i")
        self.visit_day = array("i")

    # --- reference data and users --------------------------------------------------------

    def load_reference(self) -> None:
        from accounts.models import User
        from programs.models import ResponsibleUnit
        from reference.models import District, Industry, Tier

        self.districts = [
            _District(
                id=d.pk,
                code=d.code,
                division=d.gb2260_code or FUNCTIONAL_ZONE_DIVISION,
                jurisdiction_id=d.jurisdiction_id,
                city=d.jurisdiction.short_name,
                weight=_KIND_WEIGHT.get(d.kind, 1.0) * _BIG.get(d.code, 1.0),
            )
            for d in District.objects.select_related("jurisdiction").order_by("code")
        ]
        self.industries = {i.code: i.pk for i in Industry.objects.all()}
        self.tiers = {t.code: (t.pk, t.level, t.validity_years, t.effective_from) for t in Tier.objects.all()}
        units: dict[int, list[tuple[int, str]]] = {}
        for u in ResponsibleUnit.objects.order_by("code"):
            units.setdefault(u.jurisdiction_id, []).append((u.pk, u.code))
        existing = set(User.objects.filter(username__startswith=USER_PREFIX).values_list("username", flat=True))
        new = []
        for d in self.districts:
            d.units = units.get(d.jurisdiction_id, [])
            for k in range(1, STAFF_PER_DISTRICT + 1):
                name = f"{USER_PREFIX}staff_{d.code}_{k}"
                if name not in existing:
                    new.append(User(username=name, role="district_staff", district_id=d.id,
                                    jurisdiction_id=d.jurisdiction_id, password="!"))  # fmt: skip
        for j in {d.jurisdiction_id for d in self.districts}:
            name = f"{USER_PREFIX}official_{j}"
            if name not in existing:
                new.append(User(username=name, role="municipal_official", jurisdiction_id=j, password="!"))
        if f"{USER_PREFIX}progadmin" not in existing:
            new.append(User(username=f"{USER_PREFIX}progadmin", role="program_admin", password="!"))
        User.objects.bulk_create(new)
        by_name = dict(User.objects.filter(username__startswith=USER_PREFIX).values_list("username", "id"))
        for d in self.districts:
            d.staff = [by_name[f"{USER_PREFIX}staff_{d.code}_{k}"] for k in range(1, STAFF_PER_DISTRICT + 1)]

    # --- enterprises -----------------------------------------------------------------------

    def enterprises(self) -> int:
        rng, n = self.rng, self.sizes.enterprises
        self.first_enterprise = _next_id("enterprises_enterprise")
        cum_d = list(itertools.accumulate(d.weight for d in self.districts))
        self.district_of = [bisect.bisect(cum_d, rng.random() * cum_d[-1]) for _ in range(n)]
        codes, cum_i = _weighted((c, w) for c, w in _INDUSTRY_WEIGHT.items() if c in self.industries)
        sizes, cum_s = _weighted(_SIZE)
        boards, cum_b = _weighted(_BOARDS)
        base = self.first_enterprise
        columns = ("id", "credit_code", "name", "district_id", "industry_id", "founded_on", "size_class",
                   "listing_status", "listed_on", "main_product", "contact_name", "contact_phone", "created_at",
                   "updated_at")  # fmt: skip
        first_founding = dt.date(1995, 1, 1).toordinal()
        founding_span = dt.date(self.today.year - 1, 6, 30).toordinal() - first_founding
        listing_from = dt.date(2012, 1, 1).toordinal()
        listing_span = self.today.toordinal() - listing_from

        def rows() -> Iterator[str]:
            for i in range(n):
                d = self.districts[self.district_of[i]]
                u = rng.random()
                level = 3 if u < 0.004 else 2 if u < 0.03 else 1 if u < 0.12 else 0
                self.level_of.append(level)
                industry = codes[bisect.bisect(cum_i, rng.random() * cum_i[-1])]
                size = sizes[bisect.bisect(cum_s, rng.random() * cum_s[-1])]
                if level >= 2 and size == "micro":
                    size = "small"
                self.size_of.append(size)
                founded = dt.date.fromordinal(first_founding + rng.randrange(founding_span))
                self.founded_year.append(founded.year)
                listed_share = 0.04 if level >= 2 else 0.005 if level == 1 else 0.001
                if rng.random() < listed_share:
                    status = boards[bisect.bisect(cum_b, rng.random() * cum_b[-1])]
                    listed = dt.date.fromordinal(
                        max(founded.toordinal() + 365, listing_from + rng.randrange(listing_span))
                    )
                    listed_on = min(listed, self.today).isoformat()
                else:
                    status, listed_on = "unlisted", NULL
                terms = _INDUSTRY_TERMS.get(industry, _OTHER_TERMS)
                zihao = rng.choice(_ZIHAO) + rng.choice(_ZIHAO) + (rng.choice(_ZIHAO) if rng.random() < 0.3 else "")
                name = f"{d.city}{zihao}{rng.choice(terms)}{rng.choice(_SUFFIXES)}"
                product = rng.choice(_PRODUCTS.get(industry, _PRODUCTS["C"]))
                contact = rng.choice(_SURNAMES) + ("先生" if rng.random() < 0.6 else "女士")
                # 9-digit organisation part: a bijection of i, so codes are unique and scattered.
                org = (base + i) * 7_654_321 % 1_000_000_000
                code = credit_code.make(f"91{d.division}{org:09d}")
                yield (
                    f"{base + i}\t{code}\t{name}\t{d.id}\t{self.industries[industry]}\t{founded.isoformat()}\t{size}\t"
                    f"{status}\t{listed_on}\t{product}\t{contact}\t1{rng.randrange(3, 9)}{rng.randrange(10**9):09d}\t"
                    f"{self.now}\t{self.now}\n"
                )

        return _copy("enterprises_enterprise", columns, rows())

    # --- yearly facts ----------------------------------------------------------------------

    def year_facts(self) -> int:
        rng, years = self.rng, self.sizes.years
        last = self.today.year - 1
        first_id = _next_id("enterprises_enterpriseyearfact")
        columns = ("id", "enterprise_id", "year", "revenue", "main_business_revenue", "rd_expense", "total_assets",
                   "total_liabilities", "net_profit", "equity_financing", "employees", "rd_staff",
                   "invention_patents", "class_i_ip")  # fmt: skip

        def rows() -> Iterator[str]:
            next_id = first_id
            for i in range(self.sizes.enterprises):
                median, (lo, hi) = _SCALE[self.size_of[i]]
                level = self.level_of[i]
                revenue = median * rng.lognormvariate(0, 0.6)
                employees = rng.randint(lo, hi)
                rd_share = 0.02 + 0.015 * level + rng.random() * 0.04
                patents = int(rng.expovariate(1.0) * (1 + 3 * level))
                start = max(last - years + 1, self.founded_year[i] + 1)
                for year in range(start, last + 1):
                    revenue *= 1 + rng.gauss(0.08, 0.15)
                    revenue = max(revenue, 1e5)
                    main = revenue * (0.8 + rng.random() * 0.2)
                    assets = revenue * (0.6 + rng.random() * 1.4)
                    liabilities = assets * (0.2 + rng.random() * 0.5)
                    profit = revenue * rng.gauss(0.06, 0.08)
                    equity = f"{revenue * rng.random() * 0.5:.2f}" if rng.random() < 0.05 else NULL
                    employees = max(1, int(employees * (1 + rng.gauss(0.03, 0.08))))
                    rd_staff = min(employees, int(employees * (0.05 + 0.05 * level + rng.random() * 0.15)))
                    patents += int(rng.random() < 0.3 + 0.15 * level)
                    yield (
                        f"{next_id}\t{self.first_enterprise + i}\t{year}\t{revenue:.2f}\t{main:.2f}\t"
                        f"{revenue * rd_share:.2f}\t{assets:.2f}\t{liabilities:.2f}\t{profit:.2f}\t{equity}\t"
                        f"{employees}\t{rd_staff}\t{patents}\t{patents + int(rng.random() * 3)}\n"
                    )
                    next_id += 1

        return _copy("enterprises_enterpriseyearfact", columns, rows())

    # --- certifications --------------------------------------------------------------------

    def certifications(self) -> int:
        rng, today = self.rng, self.today
        ladder = [c for c in ("innovative_sme", "srdi_sme", "little_giant") if c in self.tiers]
        tech = self.tiers.get("tech_sme")
        first_id = _next_id("enterprises_certification")
        columns = ("id", "enterprise_id", "tier_id", "status", "valid_from", "valid_until", "ended_on", "reason",
                   "created_at", "updated_at")  # fmt: skip
        start = FIRST_CERTIFICATION.toordinal()

        def chain(eid: int, tier: str, first: dt.date, *, renew: bool, revoke: bool) -> Iterator[tuple[Any, ...]]:
            tier_id, _level, validity, _since = self.tiers[tier]
            valid_from = first
            while True:
                until = add_years(valid_from, validity)
                if until <= today:
                    yield (eid, tier_id, "expired", valid_from, until, until, "valid_until")
                    if not renew:
                        return
                    valid_from = until
                    continue
                if revoke:
                    ended = dt.date.fromordinal(rng.randint(valid_from.toordinal(), today.toordinal()))
                    yield (eid, tier_id, "revoked", valid_from, until, ended, "撤销认定")
                elif (until - today).days < 150 and rng.random() < 0.3:
                    yield (eid, tier_id, "re_review", valid_from, until, None, "")
                else:
                    yield (eid, tier_id, "active", valid_from, until, None, "")
                return

        def certs() -> Iterator[tuple[Any, ...]]:
            for i, level in enumerate(self.level_of):
                eid = self.first_enterprise + i
                if level:
                    floor = start
                    revoked_level = level if rng.random() < 0.01 else 0
                    for k in range(level):
                        remaining = today.toordinal() - 30 * (level - k) - floor
                        first = dt.date.fromordinal(floor + rng.randrange(max(remaining, 1)))
                        floor = first.toordinal() + 1
                        yield from chain(eid, ladder[k], first, renew=True, revoke=revoked_level == k + 1)
                elif rng.random() < 0.03:  # a lapsed innovative SME that did not renew
                    first = dt.date.fromordinal(start + rng.randrange(470))
                    yield from chain(eid, ladder[0], first, renew=False, revoke=False)
                if tech is not None and rng.random() < 0.03 and tech[3] < today:
                    since = tech[3].toordinal()
                    first = dt.date.fromordinal(since + rng.randrange(today.toordinal() - since))
                    yield from chain(eid, "tech_sme", first, renew=False, revoke=False)

        def rows() -> Iterator[str]:
            for n, (eid, tier_id, status, valid_from, until, ended, reason) in enumerate(certs()):
                ended_text = ended.isoformat() if ended else NULL
                stamp = _ts(valid_from, 10)
                yield (
                    f"{first_id + n}\t{eid}\t{tier_id}\t{status}\t{valid_from.isoformat()}\t{until.isoformat()}\t"
                    f"{ended_text}\t{reason}\t{stamp}\t{stamp}\n"
                )

        return _copy("enterprises_certification", columns, rows())

    def refresh_current_tier(self) -> int:
        """Enterprise.current_tier = the highest tier held today (the SQL form of lifecycle.refresh_current_tier)."""
        with connection.cursor() as cursor:
            cursor.execute(
                """
                UPDATE enterprises_enterprise e
                   SET current_tier_id = best.tier_id, current_tier_until = best.valid_until
                  FROM (SELECT DISTINCT ON (c.enterprise_id) c.enterprise_id, c.tier_id, c.valid_until
                          FROM enterprises_certification c JOIN enterprises_tier t ON t.id = c.tier_id
                         WHERE c.status IN ('active', 're_review') AND c.valid_from <= %s AND c.valid_until > %s
                         ORDER BY c.enterprise_id, t.level DESC, c.valid_until DESC) best
                 WHERE e.id = best.enterprise_id AND e.id >= %s
                """,
                [self.today, self.today, self.first_enterprise],
            )
            return int(cursor.rowcount)

    # --- service desk ----------------------------------------------------------------------

    def assignments(self) -> int:
        rng, today = self.rng, self.today
        first_id = _next_id("enterprises_serviceassignment")
        columns = ("id", "enterprise_id", "specialist_id", "started_by_id", "started_at", "ended_at", "ended_by_id",
                   "end_reason", "policy_notes")  # fmt: skip

        def rows() -> Iterator[str]:
            n = first_id
            for i, level in enumerate(self.level_of):
                if level < 2:
                    continue
                d = self.districts[self.district_of[i]]
                eid = self.first_enterprise + i
                started = today - dt.timedelta(days=rng.randint(7, 730))
                specialist = rng.choice(d.staff)
                if rng.random() < 0.15:  # an earlier specialist, replaced on `started`
                    before = started - dt.timedelta(days=rng.randint(60, 400))
                    other = rng.choice(d.staff)
                    yield (
                        f"{n}\t{eid}\t{other}\t{other}\t{_ts(before, 9)}\t{_ts(started, 9)}\t{specialist}\t人员调整\t\n"
                    )
                    n += 1
                start = _ts(started, 9, 30)
                yield f"{n}\t{eid}\t{specialist}\t{specialist}\t{start}\t{NULL}\t{NULL}\t\t一企一策服务包\n"
                n += 1

        return _copy("enterprises_serviceassignment", columns, rows())

    def _enterprise_weights(self) -> list[float]:
        # Tiered firms are visited (and raise demands) more often.
        per_level = (1.0, 4.0, 20.0, 30.0)
        return list(itertools.accumulate(per_level[level] for level in self.level_of))

    def visits(self) -> int:
        rng, today = self.rng, self.today
        self.first_visit = _next_id("enterprises_visit")
        cum = self._enterprise_weights()
        total = cum[-1]
        span = 3 * 365
        first_day = today.toordinal() - span
        days = [dt.date.fromordinal(first_day + k) for k in range(span + 1)]
        iso = [d.isoformat() for d in days]
        stamps = [_ts(d, 17) for d in days]
        modes, cum_m = _weighted(_MODES)
        columns = ("id", "enterprise_id", "visitor_id", "visited_on", "mode", "met_with", "notes", "follow_up_on",
                   "created_at")  # fmt: skip

        def rows() -> Iterator[str]:
            for n in range(self.sizes.visits):
                i = bisect.bisect(cum, rng.random() * total)
                k = rng.randrange(span + 1)
                self.visit_enterprise.append(i)
                self.visit_day.append(k)
                d = self.districts[self.district_of[i]]
                follow = iso[min(k + rng.randint(14, 90), span)] if rng.random() < 0.3 else NULL
                mode = modes[bisect.bisect(cum_m, rng.random() * cum_m[-1])]
                yield (
                    f"{self.first_visit + n}\t{self.first_enterprise + i}\t{rng.choice(d.staff)}\t{iso[k]}\t{mode}\t"
                    f"{rng.choice(_MET)}\t{rng.choice(_NOTES)}\t{follow}\t{stamps[k]}\n"
                )

        self.visit_first_day = first_day
        return _copy("enterprises_visit", columns, rows())

    def demands(self) -> tuple[int, int]:
        """Demands and their events, in batches (COPY of demands, then of their events) to bound memory."""
        first_id = _next_id("enterprises_demand")
        first_event = _next_id("enterprises_demandevent")
        columns = ("id", "enterprise_id", "visit_id", "category", "description", "unit_id", "raised_on", "due_on",
                   "status", "satisfaction", "resolution", "raised_by_id", "resolved_at", "closed_at", "created_at",
                   "updated_at")  # fmt: skip
        event_columns = ("id", "demand_id", "action", "from_status", "to_status", "actor_id", "at", "reason", "details")
        demands = events = 0
        batch = 50_000
        for start in range(0, self.sizes.demands, batch):
            rows: list[str] = []
            event_rows: list[str] = []
            for n in range(start, min(start + batch, self.sizes.demands)):
                first_event = self._demand(first_id + n, first_event, rows, event_rows)
            demands += _copy("enterprises_demand", columns, rows)
            events += _copy("enterprises_demandevent", event_columns, event_rows)
        return demands, events

    def _demand(self, demand_id: int, next_event: int, rows: list[str], events: list[str]) -> int:
        """Append one demand and the events that led to its status; returns the next event id."""
        rng, today = self.rng, self.today
        if not hasattr(self, "_demand_tables"):
            self._demand_tables = (
                _weighted(_CATEGORIES),
                _weighted(_SATISFACTION),
                [(limit, *_weighted(weights)) for limit, weights in _STATUS_BY_AGE],
                self._enterprise_weights(),
            )
        (categories, cum_c), (satisfactions, cum_s), by_age, cum = self._demand_tables
        now_ordinal = today.toordinal()
        if self.visit_enterprise and rng.random() < 0.7:
            v = rng.randrange(len(self.visit_enterprise))
            i, raised = self.visit_enterprise[v], self.visit_first_day + self.visit_day[v]
            visit = str(self.first_visit + v)
        else:
            i = bisect.bisect(cum, rng.random() * cum[-1])
            raised, visit = now_ordinal - rng.randrange(3 * 365), NULL
        d = self.districts[self.district_of[i]]
        age = now_ordinal - raised
        _limit, statuses, cum_st = next(b for b in by_age if age <= b[0])
        path = _PATHS[statuses[bisect.bisect(cum_st, rng.random() * cum_st[-1])]]
        category = categories[bisect.bisect(cum_c, rng.random() * cum_c[-1])]
        raised_day = dt.date.fromordinal(raised)
        due = raised_day + dt.timedelta(days=rng.choice((15, 30, 60, 90)))
        staff = rng.choice(d.staff)
        unit_id, unit_code = rng.choice(d.units) if len(path) > 1 and d.units else (None, None)
        # The raise on its day; the later steps spread over the demand's age, in order.
        offsets = [0, *sorted(rng.randint(0, age) for _ in path[1:])]
        satisfaction = resolved_at = closed_at = None
        resolution = created_at = last_at = ""
        for step, action in enumerate(path):
            day = raised_day + dt.timedelta(days=offsets[step])
            # Today's events happen just after midnight, so none lies in the future.
            at = _ts(day, 0, step) if day == today else _ts(day, 10 + min(step, 8), 5 * step)
            details: dict[str, Any] = {}
            reason = ""
            if action == "raise":
                details = {"category": category, "due_on": due.isoformat()}
                created_at = at
            elif action == "assign":
                details = {"unit": [None, unit_code]}
            elif action == "resolve":
                reason = resolution = "已协调相关部门解决"
                resolved_at = at
            elif action == "close":
                satisfaction = satisfactions[bisect.bisect(cum_s, rng.random() * cum_s[-1])]
                details = {"satisfaction": satisfaction}
                closed_at = at
            elif action == "reopen":
                reason = "企业反映问题未彻底解决"
                details = {"previous_satisfaction": satisfaction}
                satisfaction = resolved_at = closed_at = None
            before = _TO[path[step - 1]] if step else ""
            events.append(
                f"{next_event}\t{demand_id}\t{action}\t{before}\t{_TO[action]}\t{staff}\t{at}\t{reason}\t"
                f"{json.dumps(details, ensure_ascii=False)}\n"
            )
            next_event += 1
            last_at = at
        rows.append(
            f"{demand_id}\t{self.first_enterprise + i}\t{visit}\t{category}\t{_DEMAND_TEXT[category]}\t"
            f"{unit_id or NULL}\t{raised_day.isoformat()}\t{due.isoformat()}\t{_TO[path[-1]]}\t"
            f"{satisfaction or NULL}\t{resolution}\t{staff}\t{resolved_at or NULL}\t{closed_at or NULL}\t"
            f"{created_at}\t{last_at}\n"
        )
        return next_event

    # --- afterwards ------------------------------------------------------------------------

    def reset_sequences(self) -> None:
        with connection.cursor() as cursor:
            for table in GENERATED_TABLES:
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE(MAX(id), 1), MAX(id) IS NOT NULL)"
                    f" FROM {table}"
                )


def _drop_gin_indexes(table: str) -> list[str]:
    """Drop the table's GIN indexes (the name search's trigrams and bigrams) before a bulk load and return
    their definitions: maintained row by row they made the COPY of 500,000 enterprises about three times
    slower than building them once afterwards (a few seconds each)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexdef LIKE %s",
            [table, "% USING gin %"],
        )
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
    return [definition for _name, definition in indexes]


def _create_indexes(definitions: list[str]) -> int:
    with connection.cursor() as cursor:
        for definition in definitions:
            cursor.execute(definition)
    return 0


def _check_database() -> None:
    if connection.vendor != "postgresql":
        raise DatasetError("generate_dataset needs PostgreSQL (COPY); set DATABASE_URL=postgres://...")
    if getattr(settings, "PRODUCTION", False):
        raise DatasetError("generate_dataset refuses to run with ZJTX_PRODUCTION=1.")


def reset() -> None:
    """Empty the generated tables (and everything that hangs off enterprises) and remove the generated users."""
    from accounts.models import User
    from reporting.models import MetricSnapshot, Target

    _check_database()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(GENERATED_TABLES)} RESTART IDENTITY CASCADE")
        MetricSnapshot.objects.all().delete()
        Target.objects.filter(parent__isnull=False).delete()
        User.objects.filter(username__startswith=USER_PREFIX).delete()


def generate(
    sizes: Sizes, *, seed: int = 1, today: dt.date | None = None, log: Callable[[str], None] = print
) -> Report:
    """Build the data set; refuses (DatasetError) when enterprises exist already (see `reset`)."""
    from enterprises.models import Enterprise

    _check_database()
    if Enterprise.objects.exists():
        raise DatasetError("The database already holds enterprises; run with --reset to replace them.")
    report = Report()
    today = today or timezone.localdate()
    gen = Generator(sizes, seed, today, log)

    def timed(label: str, work: Callable[[], Any]) -> None:
        started = time.perf_counter()
        work()
        seconds = time.perf_counter() - started
        report.add(label, 0, seconds)
        log(f"  {label:38} {'':>10}      {seconds:8.1f} s")

    def step(label: str, work: Callable[[], Any]) -> Any:
        started = time.perf_counter()
        with transaction.atomic():
            result = work()
        seconds = time.perf_counter() - started
        rows = sum(result) if isinstance(result, tuple) else int(result or 0)
        report.add(label, rows, seconds)
        log(f"  {label:38} {rows:>10,} rows {seconds:8.1f} s")
        return result

    with connection.cursor() as cursor:
        # Session settings only: the data is consistent by construction, so foreign-key triggers
        # (queued per row, as the constraints are deferred) are skipped; commits need not wait for the disk.
        cursor.execute("SET synchronous_commit = off")
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        superuser = bool(cursor.fetchone()[0])
        if superuser:
            cursor.execute("SET session_replication_role = replica")
        else:
            log("  (not a superuser: foreign keys are checked row by row, which is slower)")

    def reference() -> int:
        call_command("load_reference_data", stdout=io.StringIO())
        gen.load_reference()
        return 0

    def sequences() -> int:
        gen.reset_sequences()
        return 0

    try:
        step("reference data and users", reference)
        gin_indexes = _drop_gin_indexes("enterprises_enterprise")
        try:
            step("enterprises", gen.enterprises)
        finally:
            step("name search indexes (GIN), built once", lambda: _create_indexes(gin_indexes))
        step("yearly facts", gen.year_facts)
        step("certifications", gen.certifications)
        step("current tier (one UPDATE)", gen.refresh_current_tier)
        step("service assignments", gen.assignments)
        step("visits", gen.visits)
        step("demands and their events", gen.demands)
        step("sequences", sequences)
    finally:
        if superuser:
            with connection.cursor() as cursor:
                cursor.execute("SET session_replication_role = DEFAULT")

    def analyse(statement: str) -> Callable[[], int]:
        def run() -> int:
            with connection.cursor() as cursor:
                cursor.execute(statement)
            return 0

        return run

    # Statistics before anything queries the new rows: without them the planner takes the freshly
    # loaded tables for empty and the snapshots (nested loops over 500k rows) took 85 s instead of a
    # few.  VACUUM (not inside a transaction, hence outside `step`) also sets the visibility map, so
    # the lists' index-only scans need no heap fetches on the generated rows.
    # VACUUM cannot run inside a transaction (the test suite's), where ANALYZE alone does.
    timed("VACUUM ANALYZE", analyse("ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"))
    step("district targets and snapshots", lambda: _targets_and_snapshots(today))
    timed("ANALYZE of the snapshots and targets", analyse("ANALYZE reporting_metricsnapshot, reporting_target"))
    log(f"  {'built in':38} {'':>10}      {report.total_seconds:8.1f} s")
    return report


def _targets_and_snapshots(today: dt.date) -> int:
    """Split the city tier targets among the districts by their number of firms; snapshot the last 12 months."""
    from django.db.models import Count

    from accounts.models import User
    from enterprises.models import Enterprise
    from reporting.models import MetricKind, Target
    from reporting.services.snapshots import snapshot_day
    from reporting.services.targets import target_split

    admin = User.objects.get(username=f"{USER_PREFIX}progadmin")
    for target in Target.objects.filter(district__isnull=True, metric__kind=MetricKind.TIER_HOLDERS).select_related(
        "jurisdiction"
    ):
        counts = dict(
            Enterprise.objects.filter(district__jurisdiction=target.jurisdiction)
            .values_list("district__code")
            .annotate(n=Count("id"))
        )
        total = sum(counts.values())
        if not total:
            continue
        shares = {code: target.value * n // total for code, n in counts.items()}
        biggest = max(counts, key=lambda c: counts[c])
        shares[biggest] += target.value - sum(shares.values())
        target_split(actor=admin, target_id=target.pk, shares=shares)
    written = 0
    first = today.replace(day=1)
    days = []
    for _ in range(12):
        first = (first - dt.timedelta(days=1)).replace(day=1)
        days.append(first)
    for day in [*reversed(days), today]:
        written += snapshot_day(day)
    return written
