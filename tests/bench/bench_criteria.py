"""Benchmark of the criteria evaluator: reading the documents, and one evaluation per rule set.

Not part of the test run (pytest ignores tests/bench); pure Python, no database:

    .venv/bin/python tests/bench/bench_criteria.py [evaluations per rule set, default 20000]

Each rule set is evaluated on varied facts (an SRDI-like firm whose figures, scores and dates are drawn per
evaluation, about one fact in ten missing), so values are computed and missing facts named as in the nightly job.
The figure to set against the job is µs per evaluation times the enterprises assessed.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def _rules_package() -> str:
    for package in ("tiers.rules.eligibility", "enterprises.rules.eligibility"):
        if (ROOT / package.replace(".", "/")).is_dir():
            return package
    raise SystemExit("no criteria evaluator found")


def main() -> None:
    import importlib

    rules = importlib.import_module(_rules_package())
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    started = time.perf_counter()
    criteria = rules.Criteria.from_directory(ROOT / "fixtures" / "criteria")
    print(f"read {len(criteria.documents())} documents, {len(criteria.rule_sets)} rule sets: "
          f"{(time.perf_counter() - started) * 1000:.0f} ms")  # fmt: skip
    rng = random.Random(7)
    day = dt.date(2026, 6, 30)

    def maybe(value: object) -> object:
        return None if rng.random() < 0.1 else value

    def money(low: int, high: int) -> Decimal:
        return Decimal(rng.randint(low, high)) * 10_000

    def facts() -> object:
        revenue = money(800, 8000)
        years = {
            2026: rules.YearFigures(development_score=maybe(Decimal(rng.randint(30, 80)))),
            2025: rules.YearFigures(
                revenue=maybe(revenue), main_business_revenue=maybe(revenue * rng.randint(60, 99) / 100),
                rd_expense=maybe(revenue * rng.randint(1, 12) / 100),
                net_profit=maybe(revenue * rng.randint(-3, 15) / 100),
                total_assets=revenue * 2, total_liabilities=maybe(revenue * rng.randint(40, 170) / 100),
                employees=200, rd_staff=maybe(rng.randint(5, 80)), equity_financing=Decimal(0),
                class_i_ip=maybe(rng.randint(0, 6)), development_score=maybe(Decimal(rng.randint(30, 80))),
                national_market_rank=maybe(rng.randint(1, 10)), chain_product=maybe(rng.random() < 0.4),
            ),
            2024: rules.YearFigures(revenue=revenue * 9 / 10, main_business_revenue=revenue * 8 / 10,
                                    rd_expense=maybe(revenue / 20), equity_financing=Decimal(0)),
            2023: rules.YearFigures(revenue=revenue * 8 / 10, main_business_revenue=revenue * 7 / 10),
        }  # fmt: skip
        return rules.Facts(
            assessed_on=day, years=years, size_class="small", held_level=rng.randint(0, 2),
            niche_market_since=maybe(dt.date(rng.randint(2010, 2025), 6, 1)), product_domain=maybe("six_basics"),
            digital_level=maybe(rng.randint(1, 4)), quality_items=maybe(rng.randint(0, 3)),
            local_feature_points=maybe(Decimal(rng.randint(0, 15))), ip_grade=maybe("class_i"),
            rd_institution=maybe(rng.choice(["none", "municipal", "provincial"])), award_level="none",
            maker_china="none", high_tech=maybe(rng.random() < 0.3), innovation_honour=False,
            strategic_emerging=maybe(True), national_market_share=maybe(Decimal(rng.randint(1, 20))),
            info_system=True, management_certification=True, own_brand=True, chain_key_link=True, key_field=True,
        )  # fmt: skip

    samples = [facts() for _ in range(500)]
    for rule_set in criteria.rule_sets:
        started = time.perf_counter()
        for i in range(n):
            rules.evaluate(rule_set, samples[i % len(samples)])
        per = (time.perf_counter() - started) / n * 1e6
        print(f"{rule_set.key:32} {len(rule_set.indicators):3} indicators  {per:6.0f} µs per evaluation")


if __name__ == "__main__":
    main()
