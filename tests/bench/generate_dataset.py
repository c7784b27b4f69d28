"""Generate a deterministic national-size data set for benchmarks (PostgreSQL only).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/zjtx_bench \\
        .venv/bin/python tests/bench/generate_dataset.py --enterprises 500000 --years 5 \\
        --visits 2000000 --demands 500000 --seed 1 [--reset]

The generator lives with the benchmarks, not among the product's commands: it writes synthetic rows
a real deployment must never hold.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zjtx.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from tests.bench import dataset  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    """Parse the arguments and generate; a refusal raises dataset.DatasetError."""
    defaults = dataset.Sizes()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--enterprises", type=int, default=defaults.enterprises)
    parser.add_argument("--years", type=int, default=defaults.years, help="yearly facts for the last N years")
    parser.add_argument("--visits", type=int, default=defaults.visits)
    parser.add_argument("--demands", type=int, default=defaults.demands)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--reset",
        action="store_true",
        help="first empty the enterprises and everything hanging off them, snapshots, district targets "
        "and the generated users",
    )
    options = parser.parse_args(argv)
    sizes = dataset.Sizes(
        enterprises=options.enterprises, years=options.years, visits=options.visits, demands=options.demands
    )
    if min(sizes.enterprises, sizes.years, sizes.visits, sizes.demands) < 0 or sizes.enterprises == 0:
        parser.error("Sizes must be positive (at least one enterprise).")
    started = time.perf_counter()
    if options.reset:
        print("emptying the generated tables…")
        dataset.reset()
    print(
        f"generating {sizes.enterprises:,} enterprises, {sizes.years} years of facts, "
        f"{sizes.visits:,} visits, {sizes.demands:,} demands (seed {options.seed})"
    )
    dataset.generate(sizes, seed=options.seed, log=print)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        size = cursor.fetchone()[0]
    print(f"done in {time.perf_counter() - started:.1f} s; database size {size}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except dataset.DatasetError as exc:
        sys.exit(f"error: {exc}")
