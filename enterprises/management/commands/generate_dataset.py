"""Generate a deterministic national-size data set for benchmarks (PostgreSQL only).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/zjtx_bench \\
        .venv/bin/python manage.py generate_dataset --enterprises 500000 --years 5 \\
        --visits 2000000 --demands 500000 --seed 1 [--reset]
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from enterprises.services import dataset


class Command(BaseCommand):
    help = "Fill the database with a seeded synthetic data set (enterprises, facts, certifications, service desk)."

    def add_arguments(self, parser: CommandParser) -> None:
        defaults = dataset.Sizes()
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

    def handle(self, *args: Any, **options: Any) -> None:
        sizes = dataset.Sizes(
            enterprises=options["enterprises"],
            years=options["years"],
            visits=options["visits"],
            demands=options["demands"],
        )
        if min(sizes.enterprises, sizes.years, sizes.visits, sizes.demands) < 0 or sizes.enterprises == 0:
            raise CommandError("Sizes must be positive (at least one enterprise).")
        started = time.perf_counter()
        try:
            if options["reset"]:
                self.stdout.write("emptying the generated tables…")
                dataset.reset()
            self.stdout.write(
                f"generating {sizes.enterprises:,} enterprises, {sizes.years} years of facts, "
                f"{sizes.visits:,} visits, {sizes.demands:,} demands (seed {options['seed']})"
            )
            dataset.generate(sizes, seed=options["seed"], log=self.stdout.write)
        except dataset.DatasetError as exc:
            raise CommandError(str(exc)) from exc
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
            size = cursor.fetchone()[0]
        self.stdout.write(f"done in {time.perf_counter() - started:.1f} s; database size {size}")
