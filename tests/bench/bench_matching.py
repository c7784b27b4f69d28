"""Benchmark of the nightly policy matching (政策找企业) on the national data set, beside one SQL pass.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/zjtx_bench REDIS_URL=redis://127.0.0.1:6379/7
    .venv/bin/python manage.py migrate && .venv/bin/python manage.py load_reference_data
    .venv/bin/python tests/bench/bench_matching.py            # ~5 minutes at 500,000 enterprises

Not part of the test run.  It empties programs_benefitmatch, then times:

- the reference: one SQL statement that computes the same (enterprise, measure) verdicts for the
  region, tier, industry, beneficiary and listing conditions and writes them into a temporary table
  (the database's own cost of producing the rows; rolled back);
- the job from an empty table (every row new), in this process, with its resident memory sampled
  after every range of enterprises (flat memory: the same after 10% as after 100%);
- the job again for the same day (nothing changed: nothing written);
- the next night after a measure's tier condition changed (五.3 narrowed to little giants), then the
  condition is put back;
- the reads at this size: the uptake of every measure and per district as the city's official, and the
  first page of a district's unclaimed matches with its count.

It checks that the job's qualifying firms per measure equal the reference's, and prints the figures.
The matches of the last run are left in place (the pages can be tried on them).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zjtx.settings")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import User  # noqa: E402
from enterprises.models import Enterprise  # noqa: E402
from programs import selectors  # noqa: E402
from programs.models import BenefitMatch, Measure  # noqa: E402
from programs.services.matching import MatchRun, match_all, targets_for  # noqa: E402
from reference.models import District, Industry, Jurisdiction, Tier  # noqa: E402
from tiers.models import Certification  # noqa: E402
from tiers.rules.lifecycle import CertificationStatus  # noqa: E402


def status_kib(field: str) -> int:
    """A field of /proc/self/status in KiB: VmRSS (now) or VmHWM (the peak)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    return 0


def mib(kib: int) -> str:
    return f"{kib / 1024:.0f} MiB"


def reference_sql(day: Any) -> tuple[float, int, dict[int, int]]:
    """One SQL pass writing the same pairs into a temporary table: (seconds, rows, qualifying per measure)."""
    targets = targets_for(day)
    values, params = [], []
    for t in targets:
        listing = None
        for c in t.scope.conditions:
            assert c.fact == "listing_status" and c.op == "in", "the reference knows only listing conditions"
            listing = list(c.value)
        values.append("(%s, %s, %s::text[], %s::text[], %s, %s::text[])")
        params += [
            t.measure_id, t.scope.region, sorted(t.scope.tiers), sorted(t.scope.industries),
            t.scope.beneficiary == "enterprise", listing,
        ]  # fmt: skip
    q = connection.ops.quote_name
    sql = f"""
        CREATE TEMPORARY TABLE bench_reference_match AS
        WITH held AS (
            SELECT c.enterprise_id, array_agg(t.code::text) AS tiers
            FROM {q(Certification._meta.db_table)} c JOIN {q(Tier._meta.db_table)} t ON t.id = c.tier_id
            WHERE c.status = ANY(%s) AND c.valid_from <= %s AND c.valid_until > %s
            GROUP BY c.enterprise_id
        ), m (measure_id, region, tiers, industries, for_enterprises, listing) AS (VALUES {", ".join(values)})
        SELECT e.id AS enterprise_id, m.measure_id,
               CASE WHEN m.for_enterprises
                     AND (cardinality(m.tiers) = 0 OR h.tiers && m.tiers)
                     AND (cardinality(m.industries) = 0 OR i.code = ANY(m.industries))
                     AND (m.listing IS NULL OR e.listing_status = ANY(m.listing))
                    THEN 'qualifies' ELSE 'does_not' END AS verdict
        FROM {q(Enterprise._meta.db_table)} e
        JOIN {q(District._meta.db_table)} d ON d.id = e.district_id
        JOIN {q(Jurisdiction._meta.db_table)} j ON j.id = d.jurisdiction_id
        JOIN {q(Industry._meta.db_table)} i ON i.id = e.industry_id
        JOIN m ON m.region = j.code
        LEFT JOIN held h ON h.enterprise_id = e.id
    """
    with transaction.atomic(), connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute(sql, [sorted(CertificationStatus.HOLDING), day, day, *params])
        took = time.perf_counter() - started
        cursor.execute("SELECT count(*) FROM bench_reference_match")
        rows = cursor.fetchone()[0]
        cursor.execute("SELECT measure_id, count(*) FROM bench_reference_match WHERE verdict = 'qualifies' GROUP BY 1")
        qualifying = dict(cursor.fetchall())
        transaction.set_rollback(True)
    return took, rows, qualifying


def timed_run(day: Any, samples: list[tuple[int, int]] | None = None) -> tuple[float, MatchRun]:
    def progress(run: MatchRun) -> None:
        if samples is not None:
            samples.append((run.enterprises, status_kib("VmRSS")))

    started = time.perf_counter()
    run = match_all(day, progress=progress)
    return time.perf_counter() - started, run


def best_of(n: int, fn: Any) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(n):
        started = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - started)
    return best, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--skip-change", action="store_true", help="leave out the changed-condition night")
    options = parser.parse_args()
    day = timezone.localdate()
    enterprises = Enterprise.objects.count()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE state = 'active'")
        active = cursor.fetchone()[0]
    print(f"{enterprises:,} enterprises; {len(targets_for(day))} measures in force with a rule on {day}; "
          f"load average {os.getloadavg()[0]:.1f}; {active} active database sessions")  # fmt: skip

    took_ref, ref_rows, ref_qualifying = reference_sql(day)
    print(f"reference, one SQL pass: {ref_rows:,} rows in {took_ref:.1f} s")

    BenefitMatch.objects.all().delete() if connection.vendor != "postgresql" else _truncate()
    start_rss = status_kib("VmRSS")
    samples: list[tuple[int, int]] = []
    cold, run = timed_run(day, samples)
    peak = status_kib("VmHWM")
    print(f"job, empty table: {cold:.1f} s ({cold / took_ref:.2f}× the reference) — "
          f"read {run.read_seconds:.1f} s, check {run.judge_seconds:.1f} s, write {run.write_seconds:.1f} s; "
          f"{run.pairs:,} rows ({run.qualifies:,} qualify, {run.does_not:,} do not, {run.cannot_tell:,} cannot tell), "
          f"{run.distinct_applicants:,} distinct applicants judged")  # fmt: skip
    marks = [samples[0], samples[len(samples) // 4], samples[len(samples) // 2], samples[-1]]
    print("resident memory: start " + mib(start_rss) + "; "
          + "; ".join(f"after {n:,} enterprises {mib(kib)}" for n, kib in marks)
          + f"; peak {mib(peak)}")  # fmt: skip
    mismatch = {m: (run.by_measure.get(str(m), 0), n) for m, n in ref_qualifying.items()}
    mismatch = {m: v for m, v in mismatch.items() if v[0] != v[1]}
    print("qualifying per measure equal to the reference's: " + ("yes" if not mismatch else f"NO {mismatch}"))
    assert run.pairs == ref_rows, (run.pairs, ref_rows)

    warm, again = timed_run(day)
    print(f"job, same day again: {warm:.1f} s ({warm / took_ref:.2f}×) — write {again.write_seconds:.1f} s; "
          f"written {again.created + again.updated + again.removed}")  # fmt: skip

    if not options.skip_change:
        cloud = Measure.objects.get(policy__code="bj-2023-ten-actions", clause="五.3")
        before = list(cloud.tiers.all())
        cloud.tiers.set([Tier.objects.get(code="little_giant")])
        try:
            night, changed = timed_run(day + timedelta(days=1))
        finally:
            cloud.tiers.set(before)
        print(f"next night, 五.3 narrowed to little giants: {night:.1f} s — {changed.updated:,} rows rewritten, "
              f"{changed.qualifies:,} qualify")  # fmt: skip

    official = User(
        username="bench-official", role="municipal_official", jurisdiction=Jurisdiction.objects.get(code="110000")
    )
    staff = User(username="bench-staff", role="district_staff", district=District.objects.get(code="110108"))
    took, rows = best_of(3, lambda: selectors.measure_uptake(official))
    print(f"uptake by measure, Beijing's official: {took * 1000:.0f} ms ({len(rows)} measures)")
    took, rows = best_of(3, lambda: selectors.measure_uptake(official, by_district=True))
    print(f"uptake by measure and district: {took * 1000:.0f} ms ({len(rows)} rows)")
    took, _page = best_of(3, lambda: list(selectors.unclaimed_matches_for(staff)[:50]))
    print(f"unclaimed matches of Haidian, first page of 50: {took * 1000:.0f} ms")
    took, count = best_of(3, lambda: selectors.unclaimed_matches_for(staff).count())
    print(f"… and their count ({count:,}): {took * 1000:.0f} ms")
    return 0


def _truncate() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {BenefitMatch._meta.db_table}")


if __name__ == "__main__":
    sys.exit(main())
