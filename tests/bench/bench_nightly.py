"""Nightly jobs at national scale, each in a fresh process beside a reference measured in the same run.

Not part of the test run (pytest ignores tests/bench).  Against a database filled by generate_dataset
(and, for the memory comparison, a smaller one):

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/zjtx_bench_nightly REDIS_URL=redis://127.0.0.1:6379/13
    .venv/bin/python manage.py migrate
    .venv/bin/python tests/bench/generate_dataset.py --reset --seed 1          # 500,000 enterprises
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/zjtx_bench_nightly50 .venv/bin/python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/zjtx_bench_nightly50 .venv/bin/python \\
        tests/bench/generate_dataset.py --reset --seed 1 --enterprises 50000 --visits 200000 --demands 50000
    .venv/bin/python tests/bench/bench_nightly.py \\
        --small-database postgres://postgres@127.0.0.1:5432/zjtx_bench_nightly50   # ~15 minutes at 500k

The jobs, as beat runs them (the Celery task functions called in the child process):
- assess: enterprises.assess_eligibility, twice: the first night (the assessment table empty, every row
  new) and the next night (day + 1: every row rewritten).  Reference: one pass reading the same inputs
  (enterprises, tiers, profiles and four years of facts, through a server-side cursor into Python) plus
  one set-based INSERT … SELECT writing the same rows the job wrote into a copy of the table.
- expire: enterprises.expire_certifications for the day --expiry-days ahead (default 90: a backlog of
  a quarter's certificates, so that there is work to time; a real night has a few dozen).  Reference:
  the bare UPDATE of the same certifications.
- servicedesk: enterprises.servicedesk_daily_check.  Reference: the bare query selecting the same
  overdue demands and the same enterprises due for a visit, counted per district.
- snapshot: reporting.daily_snapshot.  Reference: the hand-written GROUP BY of bench_scale.

Every job and every reference runs in its own fresh process, so the peak RSS of a job is that job's
alone.  The shorter jobs and their references run twice in their process and the second run is timed
(a worker is a long-lived process); the snapshot first takes, untimed, the deadline-day snapshots the
generated data set lacks (a real night finds them taken), all inside the rolled-back transaction.

Peak RSS is the child's VmHWM (/proc/<pid>/status, read by the child at its end); ru_maxrss of the
child (os.wait4) is printed beside it: Linux carries the parent's peak over to a child through
fork/exec, so ru_maxrss is only the child's own when the parent is smaller (it is here: the parent
never loads Django).  The parent also samples the child's RSS every 0.2 s, to show it flat during a run.

The data set is left as it was:
- expire, servicedesk and snapshot run inside a transaction that is rolled back after the timing;
- the assessment must commit (it commits per chunk, as at night): its table is first copied aside
  (bench_nightly_saved_assessments) and emptied, and afterwards restored from the copy, the job-run
  rows the benchmark added are deleted and the touched tables vacuumed.  An interrupted run leaves the
  copy behind; the next run restores it before it starts.

The machine is shared (2 cores): the load average is printed beside every figure; read the ratios.
`nightly_rows()` returns the summary rows (figure, value, reference, ratio, goal, met) for the
summary table of bench_scale.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zjtx.settings")

ASSESSMENTS = "enterprises_eligibilityassessment"
SAVED = "bench_nightly_saved_assessments"
SAVED_STATE = "bench_nightly_state"  # the highest job-run id before the benchmark, to delete the runs it added
JOBS = ("assess", "expire", "servicedesk", "snapshot")
ASSESS_GOAL_SECONDS = 300
FLAT_MIB = 50  # growth of peak RSS from the small to the national data set still called flat
SNAPSHOT_GOAL_RATIO = 1.5


# --- child side: runs in the fresh process ----------------------------------------------------


def status_kib(field: str, pid: int | str = "self") -> int:
    """A field of /proc/<pid>/status in KiB (VmRSS now, VmHWM the peak); 0 once the process is gone."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    for line in text.splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    return 0


def _timed(fn: Any) -> tuple[float, Any]:
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def _rolled_back(fn: Any) -> tuple[float, Any]:
    """Time fn inside a transaction that is always rolled back (the data set stays as generated)."""
    from django.db import transaction

    with transaction.atomic():
        took, result = _timed(fn)
        transaction.set_rollback(True)
    return took, result


def _night(fn: Any, before: Any = None) -> tuple[float, Any]:
    """Time fn as a worker runs it on a normal night, and undo everything.

    In one transaction that is rolled back: `before` (untimed: bringing the data set to the state a
    night finds), then fn once untimed (a worker's process is long-lived: its first-query costs,
    imports and caches are paid), then fn timed.  Each run of fn is undone by its own savepoint, so
    the timed run starts from the same state as the first.
    """
    from django.db import transaction

    with transaction.atomic():
        if before is not None:
            before()
        _rolled_back(fn)
        took, result = _rolled_back(fn)
        transaction.set_rollback(True)
    return took, result


def _scalar(sql: str, params: Any = None) -> Any:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return row[0] if row else None


def _execute(*statements: str) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def child_prepare(day: dt.date, options: argparse.Namespace) -> dict[str, Any]:
    """Copy the assessment table aside and empty it (the first night's state)."""
    if _scalar("SELECT to_regclass(%s)", [SAVED]):
        child_restore(day, options)  # a run was interrupted: put its copy back first
    saved = _scalar(f"SELECT count(*) FROM {ASSESSMENTS}")
    _execute(
        f"CREATE TABLE {SAVED} AS TABLE {ASSESSMENTS}",
        f"CREATE TABLE {SAVED_STATE} AS SELECT coalesce(max(id), 0) AS last_run FROM enterprises_jobrun",
        f"TRUNCATE {ASSESSMENTS}",
    )
    enterprises = _scalar("SELECT count(*) FROM enterprises_enterprise")
    return {"seconds": 0.0, "saved": saved, "enterprises": enterprises}


def child_restore(day: dt.date, options: argparse.Namespace) -> dict[str, Any]:
    """Put the assessment table back as it was, drop the benchmark's job runs, vacuum what the jobs touched."""
    if not _scalar("SELECT to_regclass(%s)", [SAVED]):
        return {"seconds": 0.0, "restored": None}
    _execute(
        f"TRUNCATE {ASSESSMENTS}",
        f"INSERT INTO {ASSESSMENTS} SELECT * FROM {SAVED}",
        f"DELETE FROM enterprises_jobrun WHERE id > (SELECT last_run FROM {SAVED_STATE})",
        f"DROP TABLE {SAVED}",
        f"DROP TABLE {SAVED_STATE}",
    )
    restored = _scalar(f"SELECT count(*) FROM {ASSESSMENTS}")
    # Rolled-back expiries and rewritten assessments leave dead rows; the next run should find clean tables.
    _execute(
        f"VACUUM ANALYZE {ASSESSMENTS}, enterprises_certification, enterprises_certificationtransition, "
        "enterprises_enterprise, accounts_auditentry, enterprises_jobrun, enterprises_servicedeskdailycheck, "
        "reporting_metricsnapshot"
    )
    return {"seconds": 0.0, "restored": restored}


def child_baseline(day: dt.date, options: argparse.Namespace) -> dict[str, Any]:
    """A Django process that does nothing but one query: the floor under every job's peak RSS."""
    from django.utils import timezone

    _scalar("SELECT 1")
    return {"seconds": 0.0, "today": timezone.localdate().isoformat()}


def child_assess(day: dt.date, options: argparse.Namespace) -> dict[str, Any]:
    from tiers.tasks import assess_eligibility

    took, result = _timed(lambda: assess_eligibility(day.isoformat()))
    result.pop("districts", None)  # per district counts: not needed here
    return {"seconds": took, "result": result}


def _assess_inputs_sql(day: dt.date) -> tuple[str, list[Any]]:
    """The same inputs the job reads (tasks → services.eligibility.facts_for), in one statement."""
    from enterprises.services.profile import PROFILE_FIELDS
    from tiers.services.eligibility import YEAR_FIELDS

    profile = ", ".join(f"p.{f}" for f in PROFILE_FIELDS)
    year = ", ".join(f"f.{f}" for f in YEAR_FIELDS)
    sql = f"""
        SELECT e.id, e.size_class, t.level, d.jurisdiction_id, {profile}, f.year, {year}
          FROM enterprises_enterprise e
          JOIN enterprises_district d ON d.id = e.district_id
          LEFT JOIN enterprises_tier t ON t.id = e.current_tier_id
          LEFT JOIN enterprises_eligibilityprofile p ON p.enterprise_id = e.id
          LEFT JOIN enterprises_enterpriseyearfact f
                 ON f.enterprise_id = e.id AND f.year BETWEEN %s AND %s
         ORDER BY e.id
    """
    return sql, [day.year - 3, day.year]


def child_assess_reference(day: dt.date, options: argparse.Namespace) -> dict[str, Any]:
    """Read the job's inputs in one pass, then write the rows the job wrote in one INSERT … SELECT (rolled back)."""
    from django.db import connection, transaction

    sql, params = _assess_inputs_sql(day)
    rows = 0
    with transaction.atomic():  # a named (server-side) cursor needs a transaction
        raw: Any = connection.connection
        started = time.perf_counter()
        with raw.cursor(name="bench_nightly_inputs") as cursor:
            cursor.itersize = 10_000
            cursor.execute(sql, params)
            for _row in cursor:
                rows += 1
        read = time.perf_counter() - started

    def write() -> int:
        with connection.cursor() as cursor:
            # A real table (WAL-logged like the job's) with the same indexes and constraints, dropped by the rollback.
            cursor.execute(f"CREATE TABLE bench_nightly_write (LIKE {ASSESSMENTS} INCLUDING ALL)")
            cursor.execute(f"INSERT INTO bench_nightly_write SELECT * FROM {ASSESSMENTS}")
            return int(cursor.rowcount)

    wrote, written = _rolled_back(write)
    return {"seconds": read + wrote, "read_seconds": read, "write_seconds": wrote, "rows_read": rows,
            "rows_written": written}  # fmt: skip


def child_expire(day: dt.date, options: argparse.Namespace) -> dict[str, Any]:
    """The expiry task's body (tiers.tasks.expire_certifications) for a day ahead, rolled back."""
    from tiers.services import lifecycle
    from zjtx.audit_context import audit_context

    on = day + dt.timedelta(days=options.expiry_days)

    def expire() -> int:
        with audit_context(source="nightly"):
            return lifecycle.certifications_expire(today=on)

    took, expired = _night(expire)
    return {"seconds": took, "expired": expired, "on": on.isoformat()}


def child_expire_reference(day: dt.date, options: argparse.Namespace) -> dict[str, Any]:
    from tiers.rules.lifecycle import CertificationStatus as C

    on = day + dt.timedelta(days=options.expiry_days)
    sql = """UPDATE enterprises_certification SET status = %s, ended_on = valid_until, updated_at = now()
              WHERE status = ANY(%s) AND valid_until <= %s"""

    def update() -> int:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(sql, [C.EXPIRED, sorted(C.HOLDING), on])
            return int(cursor.rowcount)

    took, updated = _night(update)
    return {"seconds": took, "expired": updated, "on": on.isoformat()}


def child_servicedesk(day: dt.date, options: argparse.Namespace) -> dict[str, Any]:
    from servicedesk.tasks import servicedesk_daily_check

    took, result = _night(lambda: servicedesk_daily_check(day.isoformat()))
    return {"seconds": took, "overdue": result["overdue_demands"], "due": result["unvisited_enterprises"]}


SERVICEDESK_REFERENCE_SQL = """
SELECT 'overdue', e.district_id, count(*)
  FROM enterprises_demand m JOIN enterprises_enterprise e ON e.id = m.enterprise_id
 WHERE m.status = ANY(%(pending)s) AND m.due_on < %(day)s
 GROUP BY e.district_id
UNION ALL
SELECT 'due', e.district_id, count(*)
  FROM enterprises_serviceassignment a JOIN enterprises_enterprise e ON e.id = a.enterprise_id
 WHERE a.ended_at IS NULL
   AND NOT EXISTS (SELECT 1 FROM enterprises_visit v WHERE v.enterprise_id = a.enterprise_id
                                                       AND v.visited_on >= %(cutoff)s)
   AND EXISTS (SELECT 1 FROM enterprises_serviceassignment b WHERE b.enterprise_id = a.enterprise_id
                                                               AND b.started_at < %(cutoff_at)s)
 GROUP BY e.district_id
"""


def child_servicedesk_reference(day: dt.date, options: argparse.Namespace) -> dict[str, Any]:
    from django.conf import settings
    from django.db import connection
    from django.utils import timezone

    from servicedesk.rules.demands import DemandStatus as D

    cutoff = day - dt.timedelta(days=settings.ZJTX_VISIT_INTERVAL_DAYS)
    params = {
        "pending": sorted(D.PENDING),
        "day": day,
        "cutoff": cutoff,
        "cutoff_at": timezone.make_aware(dt.datetime.combine(cutoff, dt.time.min)),
    }

    def select() -> list[tuple[str, int, int]]:
        with connection.cursor() as cursor:
            cursor.execute(SERVICEDESK_REFERENCE_SQL, params)
            return cursor.fetchall()

    took, rows = _night(select)
    overdue = sum(n for kind, _d, n in rows if kind == "overdue")
    due = sum(n for kind, _d, n in rows if kind == "due")
    return {"seconds": took, "overdue": overdue, "due": due}


def child_snapshot(day: dt.date, options: argparse.Namespace) -> dict[str, Any]:
    from reporting.services.snapshots import ensure_deadline_snapshots
    from reporting.tasks import daily_snapshot

    caught_up: list[dt.date] = []

    def catch_up() -> None:
        # The generated data set has no snapshots of the targets' past deadline days, so every run of the
        # task would first take them (four more snapshots, three quarters of its time); a real night finds
        # them taken.  Taken here untimed, inside the rolled-back transaction.
        caught_up.extend(ensure_deadline_snapshots(day))

    took, rows = _night(lambda: daily_snapshot(day.isoformat()), before=catch_up)
    return {"seconds": took, "rows": rows, "caught_up": [d.isoformat() for d in caught_up]}


def child_snapshot_reference(day: dt.date, options: argparse.Namespace) -> dict[str, Any]:
    """bench_scale's hand-written GROUP BY of the same counts (imported, so that both benchmarks time one text)."""
    from django.db import connection

    from tests.bench.bench_scale import REFERENCE_SQL, reference_params

    params = reference_params(day)

    def select() -> int:
        with connection.cursor() as cursor:
            cursor.execute(REFERENCE_SQL, params)
            return len(cursor.fetchall())

    took, rows = _night(select)
    return {"seconds": took, "rows": rows}


CHILDREN = {
    "prepare": child_prepare,
    "restore": child_restore,
    "baseline": child_baseline,
    "assess": child_assess,
    "assess-reference": child_assess_reference,
    "expire": child_expire,
    "expire-reference": child_expire_reference,
    "servicedesk": child_servicedesk,
    "servicedesk-reference": child_servicedesk_reference,
    "snapshot": child_snapshot,
    "snapshot-reference": child_snapshot_reference,
}


def child_main(options: argparse.Namespace) -> int:
    import django

    django.setup()
    from django.utils import timezone

    day = dt.date.fromisoformat(options.day) if options.day else timezone.localdate()
    start_kib = status_kib("VmRSS")
    out = CHILDREN[options.child](day, options)
    out.update(start_kib=start_kib, peak_kib=status_kib("VmHWM"))
    Path(options.out).write_text(json.dumps(out, default=str))
    return 0


# --- parent side: never loads Django, so that its own peak stays out of the children's ru_maxrss ----------


def run_child(kind: str, options: argparse.Namespace, database: str | None = None, day: str | None = None) -> dict:
    """Run one child; its JSON result plus start/peak RSS, ru_maxrss (KiB), RSS samples and the load average."""
    # DEBUG off, as on a worker: with it on, Django keeps the text of the last 9,000 queries, and the
    # assessment's bulk upserts (megabytes each) would make its memory grow with the data set.
    env = {**os.environ, "DEBUG": "false", **({"DATABASE_URL": database} if database else {})}
    with tempfile.TemporaryDirectory() as tmp:
        out, err = Path(tmp) / "out.json", Path(tmp) / "stderr"
        command = [sys.executable, __file__, "--child", kind, "--out", str(out),
                   "--expiry-days", str(options.expiry_days)]  # fmt: skip
        if day or options.day:
            command += ["--day", day or options.day]
        load = os.getloadavg()[0]
        started = time.perf_counter()
        with err.open("w") as stderr:
            process = subprocess.Popen(command, env=env, stdout=stderr, stderr=stderr)
            samples: list[tuple[float, int]] = []
            while True:
                pid, status, usage = os.wait4(process.pid, os.WNOHANG)
                if pid:
                    break
                samples.append((time.perf_counter() - started, status_kib("VmRSS", process.pid)))
                time.sleep(0.2)
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0 or not out.exists():
            sys.exit(f"child {kind} failed ({process.returncode}):\n{err.read_text()[-4000:]}")
        result: dict[str, Any] = json.loads(out.read_text())
    result.update(ru_maxrss_kib=usage.ru_maxrss, samples=samples, load=load)
    return result


def mib(kib: float) -> str:
    return f"{kib / 1024:.0f} MiB"


def seconds(t: float) -> str:
    return f"{t:.1f} s" if t >= 10 else f"{t:.2f} s" if t >= 1 else f"{t * 1000:.0f} ms"


def _rss_path(samples: list[tuple[float, int]]) -> str:
    """The child's RSS at a quarter, half, three quarters and the end of its run (flat within the run?)."""
    kept = [kib for _t, kib in samples if kib]
    if len(kept) < 4:
        return ""
    return " → ".join(mib(kept[int(len(kept) * q) - 1]) for q in (0.25, 0.5, 0.75, 1.0))


class Table:
    def __init__(self) -> None:
        self.rows: list[dict[str, str]] = []

    def add(self, figure: str, value: str, reference: str = "", ratio: str = "", goal: str = "",
            met: bool | None = None, note: str = "", load: float | None = None) -> None:  # fmt: skip
        """A summary row; `load` (the 1-minute load average when the job started) is kept beside it."""
        row = {"figure": figure, "value": value, "reference": reference, "ratio": ratio, "goal": goal,
               "met": "" if met is None else "met" if met else "MISSED",
               "load": "" if load is None else f"{load:.2f}"}  # fmt: skip
        self.rows.append(row)
        print(f"  {figure:52} {value:>10} {reference:>26} {ratio:>7}  {goal:24} {row['met']:6} "
              f"{'load ' + row['load'] if row['load'] else ''} {note}", flush=True)  # fmt: skip

    def markdown(self) -> str:
        lines = ["| figure | value | reference | ratio | goal | met | load |", "|---|---|---|---|---|---|---|"]
        lines += [f"| {r['figure']} | {r['value']} | {r['reference']} | {r['ratio']} | {r['goal']} | {r['met']} "
                  f"| {r['load']} |" for r in self.rows]  # fmt: skip
        return "\n".join(lines)


def _label(database: str | None) -> str:
    return (database or os.environ.get("DATABASE_URL", "")).rsplit("/", 1)[-1]


def _memory_row(table: Table, job: str, runs: list[dict], baseline: dict, note: str = "") -> int:
    peak = max(r["peak_kib"] for r in runs)
    maxrss = max(r["ru_maxrss_kib"] for r in runs)
    table.add(f"{job}: peak RSS", mib(peak), f"bare Django {mib(baseline['peak_kib'])}",
              f"+{(peak - baseline['peak_kib']) / 1024:.0f} MiB", note=f"ru_maxrss {mib(maxrss)}; "
              f"during the run {_rss_path(runs[-1]['samples'])}", load=runs[-1]["load"])  # fmt: skip
    return int(peak)


def bench(options: argparse.Namespace, table: Table) -> None:
    jobs = [j for j in options.only.split(",") if j]
    databases: list[str | None] = [None, *([options.small_database] if options.small_database else [])]
    peaks: dict[tuple[str, str], int] = {}
    for database in databases:
        label = _label(database)
        baseline = run_child("baseline", options, database)
        day = options.day or baseline["today"]
        print(f"\n{label}: nightly jobs for {day}; load average {os.getloadavg()[0]:.2f}; "
              f"a bare Django process peaks at {mib(baseline['peak_kib'])}")  # fmt: skip
        national = database is None
        suffix = "" if national else f" ({label})"
        if "assess" in jobs:
            prepared = run_child("prepare", options, database, day)
            try:
                first = run_child("assess", options, database, day)
                reference = run_child("assess-reference", options, database, day)
                following = dt.date.fromisoformat(day) + dt.timedelta(days=1)
                second = run_child("assess", options, database, following.isoformat())
            finally:
                run_child("restore", options, database, day)
            n = prepared["enterprises"]
            ref = reference["seconds"]
            result = first["result"]
            print(f"    {n:,} enterprises, {result['assessed']:,} assessed ({result['eligible']:,} eligible, "
                  f"{result['near']:,} near, {result['missing_data']:,} missing data); reference read "
                  f"{reference['rows_read']:,} rows in {seconds(reference['read_seconds'])}, wrote "
                  f"{reference['rows_written']:,} in {seconds(reference['write_seconds'])}; "
                  f"{prepared['saved']:,} stored assessments set aside and restored")  # fmt: skip
            for run, night in ((first, "first night, table empty"), (second, "next night, every row rewritten")):
                took = run["seconds"]
                table.add(f"eligibility assessment {n:,}{suffix}: {night}", seconds(took),
                          f"read inputs + write {seconds(ref)}", f"{took / ref:.1f}×",
                          f"< {ASSESS_GOAL_SECONDS} s" if national else "", took < ASSESS_GOAL_SECONDS if national
                          else None, load=run["load"])  # fmt: skip
            peaks[("eligibility assessment", label)] = _memory_row(table, f"eligibility assessment{suffix}",
                                                                   [first, second], baseline)  # fmt: skip
        for job, name in (("expire", "expiry"), ("servicedesk", "service-desk daily check"),
                          ("snapshot", "daily snapshot")):  # fmt: skip
            if job not in jobs:
                continue
            runs, refs = [], []
            for _ in range(options.repeat):  # interleaved, so both sides see the same load
                refs.append(run_child(f"{job}-reference", options, database, day))
                runs.append(run_child(job, options, database, day))
            took = statistics.median(r["seconds"] for r in runs)
            ref = statistics.median(r["seconds"] for r in refs)
            load = statistics.median(r["load"] for r in runs)
            if job == "expire":
                assert runs[0]["expired"] == refs[0]["expired"], (runs[0], refs[0])
                figure = f"expiry of {runs[0]['expired']:,} certifications (to {runs[0]['on']}){suffix}"
                reference = f"bare UPDATE {seconds(ref)}"
                goal, ok = "", None
            elif job == "servicedesk":
                assert (runs[0]["overdue"], runs[0]["due"]) == (refs[0]["overdue"], refs[0]["due"]), (runs, refs)
                figure = (f"service-desk check ({runs[0]['overdue']:,} overdue demands, {runs[0]['due']:,} "
                          f"firms due a visit){suffix}")  # fmt: skip
                reference = f"bare SELECT {seconds(ref)}"
                goal, ok = "", None
            else:
                figure = f"daily snapshot ({runs[0]['rows']:,} rows){suffix}"
                reference = f"GROUP BY {seconds(ref)}"
                # The goals are set for the national data set; on the small one the job's fixed cost (its
                # run record, reading the targets, 486 inserted rows) outweighs the counting.
                goal = f"≤ {SNAPSHOT_GOAL_RATIO}× GROUP BY" if national else ""
                ok = took / ref <= SNAPSHOT_GOAL_RATIO if national else None
            table.add(f"{figure}, median of {options.repeat}", seconds(took), reference, f"{took / ref:.1f}×",
                      goal, ok, load=load)  # fmt: skip
            peaks[(name, label)] = _memory_row(table, f"{name}{suffix}", runs, baseline)
    if len(databases) > 1:
        national, small = _label(None), _label(databases[1])
        for name in dict.fromkeys(n for n, _ in peaks):
            if (name, small) in peaks:
                growth = (peaks[(name, national)] - peaks[(name, small)]) / 1024
                table.add(f"{name}: peak RSS growth {small} → {national}", f"{growth:+.0f} MiB", "", "",
                          f"flat (< {FLAT_MIB} MiB)", growth < FLAT_MIB)  # fmt: skip


def nightly_rows(argv: list[str] | None = None) -> list[dict[str, str]]:
    """Run the benchmark (options as on the command line; the small data set from NIGHTLY_SMALL_DATABASE_URL)
    and return its summary rows: figure, value, reference, ratio, goal, met (and load, the load average)."""
    options = parser().parse_args(argv or [])
    table = Table()
    bench(options, table)
    return table.rows


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--only", default=",".join(JOBS), help=f"comma-separated, of {', '.join(JOBS)}")
    p.add_argument(
        "--small-database",
        default=os.environ.get("NIGHTLY_SMALL_DATABASE_URL", ""),
        help="DATABASE_URL of a smaller data set: each job's peak RSS there against the national one",
    )
    p.add_argument("--repeat", type=int, default=3, help="runs of the shorter jobs and their references (median)")
    p.add_argument("--expiry-days", type=int, default=90, help="expire what ends within this many days")
    p.add_argument("--day", default="", help="the night's day (default today, Asia/Shanghai)")
    p.add_argument("--summary-json", help="also write the rows for tests/bench/summary.py (--concat, bench_scale's)")
    p.add_argument("--child", choices=sorted(CHILDREN), help=argparse.SUPPRESS)
    p.add_argument("--out", help=argparse.SUPPRESS)
    return p


def main() -> int:
    options = parser().parse_args()
    if options.child:
        return child_main(options)
    table = Table()
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    print(f"  {'figure':52} {'value':>10} {'reference':>26} {'ratio':>7}  {'goal':24} met")
    bench(options, table)
    print("\n" + table.markdown())
    if options.summary_json:
        from tests.bench.summary import Row, save

        save(
            [
                Row(r["figure"], r["value"], r["reference"], r["ratio"], r["goal"],
                    {"met": True, "MISSED": False}.get(r["met"]), float(r["load"] or 0))
                for r in table.rows
            ],
            options.summary_json,
        )  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
