"""Scale benchmark: each figure beside a reference measured in the same run on the same database.

Not part of the test run (pytest ignores tests/bench).  Against a database filled by generate_dataset:

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/zjtx_bench REDIS_URL=redis://127.0.0.1:6379/7
    .venv/bin/python manage.py migrate
    .venv/bin/python tests/bench/generate_dataset.py --reset --seed 1
    .venv/bin/python tests/bench/bench_scale.py [--only import,snapshot,api,reports,memory] [--rows 100000]

Sections (all print figure, reference, ratio and goal):
- import: the importer on ROWS new enterprises from .csv and .xlsx (validation, diff against the stored rows,
  audit entries) against a raw COPY of the same rows into the same table; then the re-import of the same file
  (nothing to write).  Every write is rolled back afterwards.
- snapshot: the daily progress snapshot against one hand-written SQL statement computing the same counts.
- api: the enterprise list (page of 50, district + tier filters) as a municipal official and as district
  staff, p50/p95 of REQUESTS requests against the bare ORM .values() query of the same page; the number of
  queries at page sizes 10/50/200; the name search (`q`) with and without the trigram index.
- reports: one district's PDF + xlsx and the city-wide report.
- memory: peak RSS of a fresh process importing 10k/50k/100k rows, and generating the reports.

Writes are rolled back and the trigram index is dropped only inside a rolled-back transaction, so the data set
is left as it was.  The machine is shared: run it when nothing else is heavy, and read the ratios (both sides
are measured in the same minute) rather than the absolute times.
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zjtx.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from accounts.models import User  # noqa: E402
from enterprises.models import Enterprise  # noqa: E402
from enterprises.rules import credit_code  # noqa: E402
from reference.models import District, Industry  # noqa: E402
from tests.bench.summary import Row, print_summary, save  # noqa: E402

HEADERS = ["统一社会信用代码", "企业名称", "所属区县", "行业门类", "成立日期", "企业规模", "上市情况", "上市日期",
           "主导产品", "联系人", "联系电话"]  # fmt: skip
FACT_HEADERS = ["年度", "营业收入(万元)", "主营业务收入(万元)", "研发费用(万元)", "从业人员", "研发人员"]
COPY_COLUMNS = ("credit_code", "name", "district_id", "industry_id", "founded_on", "size_class", "listing_status",
                "listed_on", "main_product", "contact_name", "contact_phone", "created_at", "updated_at")  # fmt: skip
# Organisation numbers from this offset on are never drawn by generate_dataset (it uses the enterprise id).
IMPORT_OFFSET = 50_000_000

RESULTS: list[tuple[str, str, str, str, str]] = []
SUMMARY: list[Row] = []


def record(
    figure: str, value: str, reference: str = "", ratio: str = "", goal: str = "", ok: bool | None = None,
    *, summary: bool = True,
) -> None:  # fmt: skip
    """Print one figure now and keep it for the summary table at the end (`summary=False`: printed only)."""
    if ok is None and goal:  # the older sections write the verdict into the goal's text
        if goal.endswith("MISSED"):
            ok = False
        elif goal.endswith(": met"):
            ok = True
    if ok is not None:
        goal = goal.removesuffix(": met").removesuffix(": MISSED")
    RESULTS.append((figure, value, reference, ratio, goal))
    verdict = "" if ok is None else ("met" if ok else "MISSED")
    print(f"  {figure:58} {value:>14} {reference:>22} {ratio:>8}  {goal} {verdict}", flush=True)
    if summary:
        SUMMARY.append(Row(figure.strip(), value, reference, ratio, goal, ok))


def seconds(t: float) -> str:
    return f"{t:.2f} s" if t >= 1 else f"{t * 1000:.1f} ms"


def met(ok: bool) -> str:
    return "met" if ok else "MISSED"


@contextmanager
def rolled_back() -> Iterator[None]:
    """Run the block in a transaction that is always rolled back (the data set stays as generated)."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def superuser() -> User:
    user, _ = User.objects.get_or_create(username="bench_root", defaults={"is_superuser": True, "is_staff": True})
    return user


# --- import ----------------------------------------------------------------------------------


def import_rows(n: int, *, facts: bool = False) -> list[list[Any]]:
    """n new enterprises spread over all districts, as an official's spreadsheet would have them."""
    districts = list(District.objects.order_by("code").values_list("name", "gb2260_code"))
    industries = ["C", "C", "C", "I", "M", "F", "E"]
    rows = []
    for i in range(n):
        name, division = districts[i % len(districts)]
        org = (IMPORT_OFFSET + i) * 7_654_321 % 1_000_000_000
        row: list[Any] = [
            credit_code.make(f"91{division or '110115'}{org:09d}"), f"导入测试{i}科技有限公司", name,
            industries[i % len(industries)], f"20{10 + i % 14:02d}-0{1 + i % 9}-1{i % 10}", "小型", "未上市", "",
            "工业控制器", "李女士", f"138{i:08d}",
        ]  # fmt: skip
        if facts:
            revenue = 1000 + i % 5000
            row += [2025, revenue, revenue * 9 // 10, 50 + i % 300, 20 + i % 200, 5 + i % 20]
        rows.append(row)
    return rows


def write_csv(rows: list[list[Any]], headers: list[str], path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(headers)
        writer.writerows(rows)


def write_xlsx(rows: list[list[Any]], headers: list[str], path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    book.save(path)


def copy_reference(rows: list[list[Any]], *, facts: bool = False) -> float:
    """COPY the same rows, already typed, into the enterprise table (and their facts into the facts table)."""
    import datetime as dt
    from decimal import Decimal

    districts = {d.name: d.pk for d in District.objects.all()}
    industries = {i.code: i.pk for i in Industry.objects.all()}
    now = timezone.now()
    typed = [
        (r[0], r[1], districts[r[2]], industries[r[3]], dt.date.fromisoformat(r[4]), "small", "unlisted", None,
         r[8], r[9], r[10], now, now)
        for r in rows
    ]  # fmt: skip
    with rolled_back():
        raw: Any = connection.connection
        start = time.perf_counter()
        with raw.cursor() as cursor:
            with cursor.copy(f"COPY enterprises_enterprise ({', '.join(COPY_COLUMNS)}) FROM STDIN") as copy:
                for row in typed:
                    copy.write_row(row)
            if facts:
                cursor.execute(
                    "SELECT credit_code, id FROM enterprises_enterprise WHERE credit_code = ANY(%s)",
                    [[r[0] for r in rows]],
                )
                ids = dict(cursor.fetchall())
                columns = "enterprise_id, year, revenue, main_business_revenue, rd_expense, employees, rd_staff"
                with cursor.copy(f"COPY enterprises_enterpriseyearfact ({columns}) FROM STDIN") as copy:
                    for r in rows:
                        copy.write_row((ids[r[0]], r[11], Decimal(r[12]) * 10000, Decimal(r[13]) * 10000,
                                        Decimal(r[14]) * 10000, r[15], r[16]))  # fmt: skip
        return time.perf_counter() - start


def run_import(path: Path, *, reimport: bool = False) -> tuple[float, Any]:
    from enterprises.services.importing import enterprises_import

    user = superuser()
    with rolled_back():
        if reimport:
            with path.open("rb") as f:
                enterprises_import(actor=user, stream=f, file_name=path.name)
        with path.open("rb") as f:
            return timed(lambda: enterprises_import(actor=user, stream=f, file_name=path.name))


def bench_import(n: int, workdir: Path) -> None:
    print(f"\nimport of {n:,} new enterprises (table holds {Enterprise.objects.count():,})")
    rows = import_rows(n)
    csv_path, xlsx_path = workdir / "bench.csv", workdir / "bench.xlsx"
    write_csv(rows, HEADERS, csv_path)
    write_xlsx(rows, HEADERS, xlsx_path)
    copy_s = min(copy_reference(rows) for _ in range(2))
    for path in (csv_path, xlsx_path):
        took, run = run_import(path)
        assert run.status == "done" and run.rows_created == n, (run.status, run.rows_created, run.message)
        ratio = took / copy_s
        goal = f"≤ 3× COPY: {met(ratio <= 3)}" if path.suffix == ".csv" else "(xlsx parsing included)"
        record(f"import {path.suffix} {n:,} rows, validated + audited", seconds(took), f"COPY {seconds(copy_s)}",
               f"{ratio:.2f}×", goal)  # fmt: skip
    took, run = run_import(csv_path, reimport=True)
    assert run.rows_unchanged == n and run.rows_created == 0, (run.rows_unchanged, run.rows_created)
    record("re-import of the same .csv (nothing written)", seconds(took), f"COPY {seconds(copy_s)}",
           f"{took / copy_s:.2f}×")  # fmt: skip
    fact_rows = import_rows(n, facts=True)
    facts_path = workdir / "bench_facts.csv"
    write_csv(fact_rows, HEADERS + FACT_HEADERS, facts_path)
    copy_facts = min(copy_reference(fact_rows, facts=True) for _ in range(2))
    took, run = run_import(facts_path)
    assert run.rows_created == n and run.facts_written == n, (run.rows_created, run.facts_written, run.message)
    record(f"import .csv {n:,} rows, each with a year of facts", seconds(took), f"COPY both {seconds(copy_facts)}",
           f"{took / copy_facts:.2f}×", f"≤ 3× COPY: {met(took / copy_facts <= 3)}")  # fmt: skip
    vacuum()


def vacuum() -> None:
    """Rolled-back imports leave dead rows behind; clear them so that repeated runs measure the same tables."""
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE enterprises_enterprise, enterprises_enterpriseyearfact, accounts_auditentry")


# --- snapshot --------------------------------------------------------------------------------

REFERENCE_SQL = """
SELECT e.district_id, c.tier_id, COUNT(DISTINCT c.enterprise_id)
  FROM enterprises_certification c JOIN enterprises_enterprise e ON e.id = c.enterprise_id
 WHERE c.tier_id = ANY(%(tiers)s) AND c.valid_from <= %(day)s AND c.valid_until > %(day)s
   AND (c.ended_on IS NULL OR c.ended_on > %(day)s)
 GROUP BY e.district_id, c.tier_id
UNION ALL
SELECT e.district_id, NULL, COUNT(*)
  FROM enterprises_enterprise e
 WHERE e.listing_status = ANY(%(boards)s) AND e.listed_on >= %(since)s AND e.listed_on <= %(day)s
 GROUP BY e.district_id
"""


def reference_params(day: Any) -> dict[str, Any]:
    """The parameters of REFERENCE_SQL for `day` (a date): the tiers and the listing window the metrics count."""
    import datetime as dt

    from enterprises.models import ListingStatus
    from reference.models import Tier
    from reporting.models import Metric

    codes = {c for m in Metric.objects.filter(kind="tier_holders") for c in m.params["tiers"]}
    since = min(dt.date.fromisoformat(m.params["since"]) for m in Metric.objects.filter(kind="new_listings"))
    return {
        "tiers": list(Tier.objects.filter(code__in=codes).values_list("id", flat=True)),
        "day": day,
        "boards": sorted(ListingStatus.listed_on_exchange()),
        "since": since,
    }


def bench_snapshot(repeat: int = 7) -> None:

    from reporting.services.snapshots import snapshot_day

    print("\ndaily progress snapshot (all targets, all districts and cities)")
    day = timezone.localdate()
    params = reference_params(day)

    def reference() -> None:
        with connection.cursor() as cursor:
            cursor.execute(REFERENCE_SQL, params)
            cursor.fetchall()

    def snapshot() -> None:
        with rolled_back():
            snapshot_day(day)

    reference(), snapshot()  # warm the cache alike
    ref_times, snap_times = [], []
    for _ in range(repeat):  # interleaved, so both sides see the same load
        ref_times.append(timed(reference)[0])
        snap_times.append(timed(snapshot)[0])
    ref, snap = statistics.median(ref_times), statistics.median(snap_times)
    with CaptureQueriesContext(connection) as queries:
        snapshot()
    record("snapshot_day (median of 7)", seconds(snap), f"GROUP BY {seconds(ref)}", f"{snap / ref:.2f}×",
           f"≤ 1.5×: {met(snap / ref <= 1.5)}")  # fmt: skip
    record("  queries per snapshot", str(len(queries)))


# --- API ---------------------------------------------------------------------------------------

LIST_FIELDS = ("credit_code", "name", "district__code", "district__name", "industry__code", "founded_on",
               "size_class", "listing_status", "listed_on", "main_product", "contact_name", "contact_phone",
               "current_tier__code", "current_tier__name", "current_tier__level", "current_tier_until", "created_at",
               "updated_at")  # fmt: skip


def bench_api(requests: int) -> None:
    from zjtx.access import restrict

    print(f"\nenterprise list API, {requests} requests per case, in-process (APIClient, no network)")
    official = User.objects.filter(role="municipal_official", jurisdiction__code="500000").first()
    staff = User.objects.filter(role="district_staff", district__code="500112").first()
    assert official and staff, "run generate_dataset first"
    url = reverse("enterprise-list")
    for user, label in ((official, "municipal official"), (staff, "district staff")):
        client = APIClient()
        client.force_authenticate(user)
        for tier in ("srdi_sme", "innovative_sme"):
            params = {"district": "500112", "tier": tier, "page_size": 50}
            client.get(url, params)
            api_times = []
            for _ in range(requests):
                took, response = timed(lambda c=client, p=params: c.get(url, p))
                assert response.status_code == 200
                api_times.append(took)
            qs = restrict(Enterprise.objects.all(), user).filter(district__code="500112", current_tier__code=tier)
            orm_times = [
                timed(lambda q=qs: list(q.values(*LIST_FIELDS).order_by("name", "id")[:50]))[0] for _ in range(requests)
            ]
            p50, p95 = percentile(api_times, 0.5), percentile(api_times, 0.95)
            o50, o95 = percentile(orm_times, 0.5), percentile(orm_times, 0.95)
            count = response.json()["count"]
            record(f"list {tier} in 500112 as {label}: p50 (rows)", f"{seconds(p50)} ({count:,})",
                   f".values() {seconds(o50)}", f"{p50 / o50:.1f}×")  # fmt: skip
            record(f"  list {tier} in 500112 as {label}: p95", seconds(p95), f".values() {seconds(o95)}",
                   f"{p95 / o95:.1f}×", f"p95 < 50 ms: {met(p95 < 0.05)}")  # fmt: skip
        counts = {}
        for size in (10, 50, 200):
            with CaptureQueriesContext(connection) as queries:
                client.get(url, {"district": "500112", "tier": "innovative_sme", "page_size": size})
            counts[size] = len(queries)
        record(f"  queries at page size 10/50/200 as {label}", "/".join(str(c) for c in counts.values()), "", "",
               f"constant: {met(len(set(counts.values())) == 1)}")  # fmt: skip
    bench_search(official)


def bench_search(user: User, repeat: int = 20) -> None:
    client = APIClient()
    client.force_authenticate(user)
    url = reverse("enterprise-list")
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE indexname = 'enterprise_name_trgm'")
        has_index = cursor.fetchone() is not None

    def run(term: str) -> tuple[float, int]:
        client.get(url, {"q": term})
        times = []
        for _ in range(repeat):
            took, response = timed(lambda: client.get(url, {"q": term}))
            times.append(took)
        return percentile(times, 0.5), response.json()["count"]

    for term in ("鑫泰精密", "重庆华宏", "华宏"):
        with_index, count = run(term)
        if has_index:
            with rolled_back():
                with connection.cursor() as cursor:
                    cursor.execute("DROP INDEX enterprise_name_trgm")
                without, _count = run(term)
            record(f"search q={term} ({count:,} matches) p50", seconds(with_index), f"no index {seconds(without)}",
                   f"{with_index / without:.2f}×")  # fmt: skip
        else:
            record(f"search q={term} ({count:,} matches) p50, no trigram index", seconds(with_index))


# --- every list, the name search, every page (issue 16) -----------------------------------------------

# The large lists, with the filters their users apply; every other list of the router is measured with none.
LARGE_LISTS: list[tuple[str, dict[str, Any]]] = [
    ("enterprise-list", {"district": "500112", "tier": "srdi_sme"}),
    ("enterprise-list", {"district": "500112"}),
    ("enterprise-list", {"expiring_within_days": 90}),
    ("demand-list", {"district": "500112"}),
    ("demand-list", {"overdue": "true"}),
    ("visit-list", {"district": "500112"}),
    ("serviceassignment-list", {}),
    ("certification-list", {"district": "500112"}),
]
LIST_GOAL_S = 0.05
PAGE_GOAL_S = 0.15


def bench_users() -> dict[str, User]:
    """The roles the lists and pages are measured as (an auditor is added: the generator makes none)."""
    official = User.objects.filter(role="municipal_official", jurisdiction__code="500000").first()
    staff = User.objects.filter(role="district_staff", district__code="500112").order_by("username").first()
    progadmin = User.objects.filter(role="program_admin").order_by("username").first()
    assert official and staff and progadmin, "run generate_dataset first"
    auditor, _ = User.objects.get_or_create(username="bench_auditor", defaults={"role": "auditor", "is_staff": True})
    return {"official": official, "district staff": staff, "program admin": progadmin, "auditor": auditor}


def view_queryset(name: str, params: dict[str, Any], user: User) -> Any:
    """The queryset the list view pages through (scoped and filtered exactly as the view does it)."""
    from django.urls import resolve
    from rest_framework.test import APIRequestFactory, force_authenticate

    url = reverse(name)
    match = resolve(url)
    raw = APIRequestFactory().get(url, params)
    force_authenticate(raw, user)
    view = match.func.cls(**match.func.initkwargs)
    view.action_map = match.func.actions
    view.action = "list"
    view.args, view.kwargs, view.format_kwarg = (), {}, None
    view.request = view.initialize_request(raw)
    view.headers = {}
    return view.filter_queryset(view.get_queryset())


def ms(t: float) -> str:
    return f"{t * 1000:.1f} ms"


def bench_lists(requests: int, sweep_requests: int) -> None:
    """Every list endpoint of the API as an official and as district staff: p50/p95 beside the bare ORM page
    query (the same scoped, filtered queryset's first 50 rows, no count, no serialisation), and the number
    of queries at page sizes 10/50/200."""
    from zjtx.api_urls import router

    users = bench_users()
    cases = list(LARGE_LISTS)
    covered = {name for name, _p in cases}
    cases += [(f"{basename}-list", {}) for _prefix, _viewset, basename in router.registry
              if f"{basename}-list" not in covered]  # fmt: skip
    print(f"\nevery API list, page of 50: {requests} requests per large list, {sweep_requests} per other list")
    for role in ("official", "district staff"):
        user = users[role]
        client = APIClient()
        client.force_authenticate(user)
        for name, params in cases:
            n = requests if (name, params) in LARGE_LISTS else sweep_requests
            query = {**params, "page_size": 50}
            url = reverse(name)
            first = client.get(url, query)
            if first.status_code != 200:
                print(f"  {name} as {role}: {first.status_code} (not a list this role reads)")
                continue
            body = first.json()
            shown = f"{body['count']}{'+' if body.get('count_capped') else ''}" if isinstance(body, dict) else "?"
            qs = view_queryset(name, params, user)
            api_times, orm_times = [], []
            for _ in range(n):  # interleaved, so both sides see the same load
                api_times.append(timed(lambda c=client, u=url, q=query: c.get(u, q))[0])
                orm_times.append(timed(lambda q=qs: list(q.all()[:50]))[0])
            p50, p95 = percentile(api_times, 0.5), percentile(api_times, 0.95)
            o95 = percentile(orm_times, 0.95)
            label = f"API {name.removesuffix('-list')}" + "".join(f" {k}={v}" for k, v in params.items())
            record(f"{label} as {role}: p50 / p95 (rows)", f"{ms(p50)} / {ms(p95)} ({shown})", f"ORM page {ms(o95)}",
                   f"{p95 / o95:.1f}×", "p95 < 50 ms", p95 < LIST_GOAL_S)  # fmt: skip
            counts = []
            for size in (10, 50, 200):
                connection.queries_log.clear()
                with CaptureQueriesContext(connection) as queries:
                    client.get(url, {**params, "page_size": size})
                counts.append(len(queries))
            record(f"  {label} as {role}: queries at page size 10/50/200", "/".join(map(str, counts)), "", "",
                   "constant", len(set(counts)) == 1, summary=(name, params) in LARGE_LISTS)  # fmt: skip


def bench_name_search(requests: int) -> None:
    """`q` as an official: a rare and a common pair of characters through the bigram column, three and four
    characters through the trigram index; the reference is the same search by icontains measured beside it
    (for two characters that is the sequential scan it was before; for more, the bare ORM page)."""
    from zjtx.access import restrict

    official = bench_users()["official"]
    client = APIClient()
    client.force_authenticate(official)
    url = reverse("enterprise-list")
    print(f"\nname search (q) as an official, {requests} requests each")
    cases = [("华宏", "rare pair", 0.02), ("精密", "common pair", 0.12), ("华宏精", "3 characters", None),
             ("重庆华宏", "4 characters", None)]  # fmt: skip
    for term, kind, goal in cases:
        base = restrict(Enterprise.objects.all(), official).filter(name__icontains=term)

        def reference(b: Any = base) -> None:
            b.values("pk")[:1001].count()
            list(b.select_related("district", "industry", "current_tier").order_by("name", "id")[:50])

        client.get(url, {"q": term})
        reference()
        api_times, ref_times = [], []
        for _ in range(requests):
            took, response = timed(lambda t=term: client.get(url, {"q": t}))
            api_times.append(took)
            ref_times.append(timed(reference)[0])
        body = response.json()
        matches = f"{body['count']}{'+' if body['count_capped'] else ''}"
        p50, p95, r95 = percentile(api_times, 0.5), percentile(api_times, 0.95), percentile(ref_times, 0.95)
        ref_label = "icontains (seq scan)" if len(term) == 2 else "ORM icontains"
        record(f"search q={term} ({kind}): p50 / p95 (matches)", f"{ms(p50)} / {ms(p95)} ({matches})",
               f"{ref_label} {ms(r95)}", f"{p95 / r95:.2f}×",
               f"p95 < {goal * 1000:.0f} ms" if goal else "as before", p95 < goal if goal else None)  # fmt: skip


def bench_pages(requests: int) -> None:
    """Every page as each role through Django's test client (server time, no network): p50/p95 beside the
    time its SQL took in one of the requests."""
    from django.db.models import Count
    from django.test import Client

    from servicedesk.models import Visit

    users = bench_users()
    busiest = (
        Visit.objects.filter(enterprise__district__code="500112")
        .values("enterprise__credit_code")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    assert busiest, "run generate_dataset first"
    code = busiest["enterprise__credit_code"]
    pages = [
        ("dashboard", reverse("reporting:dashboard"), {}),
        ("district page 500112", reverse("reporting:district", args=["500112"]), {}),
        ("enterprise page, most visited firm of 500112", reverse("enterprises:detail", args=[code]), {}),
        ("enterprise list page", reverse("enterprises:list"), {}),
        ("enterprise list page, 500112", reverse("enterprises:list"), {"district": "500112"}),
        ("enterprise list page, q=精密", reverse("enterprises:list"), {"q": "精密"}),
        ("enterprise list page, ending within 90 days", reverse("enterprises:list"), {"expiring_within_days": 90}),
        ("benefits to claim (list page)", reverse("programs:matches"), {}),
        ("notifications (list page)", reverse("servicedesk:notifications"), {}),
        ("work queue", reverse("servicedesk:work"), {}),
        ("uptake", reverse("programs:uptake"), {}),
        ("reports", reverse("reporting:reports"), {}),
        ("policies", reverse("programs:list"), {}),
        ("tier lists", reverse("tiers:tier-lists"), {}),
    ]
    print(f"\nevery page through the test client, {requests} requests each (p95 goal < 150 ms); the enterprise page "
          f"is {code}'s, {busiest['n']} visits")  # fmt: skip
    for role, user in users.items():
        client = Client()
        client.force_login(user)
        for label, url, params in pages:
            first = client.get(url, params)
            if first.status_code != 200:
                print(f"  {label} as {role}: {first.status_code} (not a page this role sees)")
                continue
            connection.queries_log.clear()  # a full log (9,000 entries) would capture nothing
            with CaptureQueriesContext(connection) as queries:
                client.get(url, params)
            sql = sum(float(q["time"]) for q in queries.captured_queries)
            times = [timed(lambda c=client, u=url, p=params: c.get(u, p))[0] for _ in range(requests)]
            p50, p95 = percentile(times, 0.5), percentile(times, 0.95)
            record(f"page {label} as {role}: p50 / p95", f"{ms(p50)} / {ms(p95)}",
                   f"its SQL {ms(sql)} ({len(queries)} q.)", f"{p95 / sql:.1f}×" if sql else "",
                   "p95 < 150 ms", p95 < PAGE_GOAL_S)  # fmt: skip


# --- reports -----------------------------------------------------------------------------------


def bench_reports() -> None:
    from reference.models import Jurisdiction
    from reporting.models import ReportKind
    from reporting.services.reports import _ensure_run, previous_period, report_generate

    print("\nreports (PDF + xlsx), last month")
    period = previous_period()
    jurisdiction = Jurisdiction.objects.get(code="500000")
    district = District.objects.get(code="500112")
    for kind, place, goal in ((ReportKind.DISTRICT, district, 5), (ReportKind.CITY, None, 30)):
        run = _ensure_run(kind, jurisdiction, place, period)
        took, done = timed(lambda r=run: report_generate(r.pk))
        assert done.status == "done", done.error
        label = f"{kind} report {place.code if place else jurisdiction.code} {period}"
        record(label, seconds(took), "", "", f"< {goal} s: {met(took < goal)}")


# --- memory ------------------------------------------------------------------------------------


def peak_rss_kib() -> int:
    """The process's peak resident set (VmHWM).  Not ru_maxrss: Linux carries that over from the parent
    through fork and exec, so a child would report the benchmark's own peak."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def child(args: argparse.Namespace) -> None:
    """Run one job in this fresh process and print its peak RSS (KiB) before and after the job."""
    if args.child == "import":
        path = Path(args.file) if args.file else Path(args.workdir) / f"mem_{args.rows}.csv"  # written by the parent
        before = peak_rss_kib()
        took, run = run_import(path)
        print(f"RUN {took:.3f} {run.status} {run.rows_created} {run.message!r}")
    else:
        from reference.models import Jurisdiction
        from reporting.services.reports import _ensure_run, previous_period, report_generate

        jurisdiction = Jurisdiction.objects.get(code="500000")
        place = District.objects.get(code="500112") if args.child == "district" else None
        run = _ensure_run(args.child, jurisdiction, place, previous_period())
        before = peak_rss_kib()
        report_generate(run.pk)
    after = peak_rss_kib()
    print(f"PEAK {before} {after}")


def measure(job: str, rows: int, workdir: Path, env: dict[str, str] | None = None) -> tuple[int, int]:
    before, after, _run = measure_run(job, rows, workdir, env)
    return before, after


def measure_run(
    job: str, rows: int, workdir: Path, env: dict[str, str] | None = None, file: Path | None = None
) -> tuple[int, int, list[str]]:
    """Run `job` in a fresh process: (RSS at start, peak RSS) in KiB and, for an import, its RUN line's fields
    (seconds, status, rows created, message)."""
    command = [sys.executable, __file__, "--child", job, "--rows", str(rows), "--workdir", str(workdir)]
    if file:
        command += ["--file", str(file)]
    out = subprocess.run(
        command, capture_output=True, text=True, check=True, env={**os.environ, **(env or {})}
    ).stdout.strip().splitlines()  # fmt: skip
    before, after = (int(x) for x in out[-1].split()[1:])
    run = next((line.split(" ", 4)[1:] for line in out if line.startswith("RUN ")), [])
    return before, after, run


def bench_xlsx(sizes: list[int], workdir: Path) -> None:
    """.xlsx imports of growing size, each in a fresh process: time against a COPY of the same rows, peak RSS,
    and which reader read it (python-calamine whole, or openpyxl streaming above ZJTX_IMPORT_FAST_XLSX_CELLS)."""
    from django.conf import settings

    print("\n.xlsx import by size (fresh process each; COPY of the same rows measured beside it)")
    for n in sizes:
        rows = import_rows(n)
        path = workdir / f"xlsx_{n}.xlsx"
        write_xlsx(rows, HEADERS, path)
        copy_s = min(copy_reference(rows) for _ in range(2))
        before, after, (took, status, created, message) = measure_run("import", n, workdir, file=path)
        assert status == "done" and int(created) == n, (status, created, message)
        reader = "calamine" if (n + 1) * len(HEADERS) <= settings.ZJTX_IMPORT_FAST_XLSX_CELLS else "openpyxl"
        ratio = float(took) / copy_s
        record(f"import .xlsx {n:,} rows ({reader})", seconds(float(took)), f"COPY {seconds(copy_s)}",
               f"{ratio:.2f}×", f"≤ 3× COPY: {met(ratio <= 3)}")  # fmt: skip
        record("  peak RSS", f"{after / 1024:.0f} MiB", f"start {before / 1024:.0f} MiB", "",
               f"< 300 MB: {met(after * 1024 < 300e6)}")  # fmt: skip
        path.unlink()
    vacuum()


def bench_list(n: int, workdir: Path) -> None:
    """A published list of n new innovative-SME certifications for registered firms without one: the preview
    and the confirmed import, against a COPY of the rows the import writes (certifications, their transitions,
    their audit entries)."""
    import json

    from django.contrib.contenttypes.models import ContentType
    from django.core.files.uploadedfile import SimpleUploadedFile

    from reference.models import Tier
    from tiers.models import Certification
    from tiers.services import tier_lists
    from tiers.services.tier_list_export import COLUMNS as LIST_COLUMNS

    print(f"\ntier list import (名单导入) of {n:,} rows")
    tier = Tier.objects.get(code="innovative_sme")
    firms = list(
        Enterprise.objects.filter(certifications__isnull=True)
        .order_by("id")
        .values_list("name", "credit_code", "district__name")[:n]
    )
    path = workdir / "list.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(LIST_COLUMNS)
        for i, (name, code, district) in enumerate(firms, start=1):
            w.writerow([i, name, code, district, "2026年第一批", "2026-06-15", "2026-07-01", "", ""])
    user = superuser()
    with rolled_back():
        run = tier_lists.tier_list_start(
            actor=user, upload=SimpleUploadedFile("list.csv", path.read_bytes()), tier=tier, kind="certification",
            enqueue=False,
        )  # fmt: skip
        preview_s, run = timed(lambda: tier_lists.tier_list_preview(run.pk))
        assert run.counts["new"] == len(firms), run.counts
        tier_lists.tier_list_confirm(actor=user, run_id=run.pk, enqueue=False)
        apply_s, run = timed(lambda: tier_lists.tier_list_apply(run.pk))
        assert run.status == "done" and run.written["certifications_created"] == len(firms), (run.status, run.message)
    ids = dict(Enterprise.objects.filter(credit_code__in=[f[1] for f in firms]).values_list("credit_code", "id"))
    ct = ContentType.objects.get_for_model(Certification).pk
    now = timezone.now()

    def copy() -> float:
        with rolled_back():
            raw: Any = connection.connection
            start = time.perf_counter()
            with raw.cursor() as cursor:
                cursor.execute("SELECT nextval('enterprises_certification_id_seq')")
                first = cursor.fetchone()[0] + 1_000_000
                columns = "id, enterprise_id, tier_id, status, valid_from, valid_until, reason, created_at, updated_at"
                with cursor.copy(f"COPY enterprises_certification ({columns}) FROM STDIN") as c:
                    for i, (_name, code, _d) in enumerate(firms):
                        c.write_row((first + i, ids[code], tier.pk, "active", "2026-07-01", "2029-07-01", "", now, now))
                columns = "certification_id, action, from_status, to_status, at, reason"
                with cursor.copy(f"COPY enterprises_certificationtransition ({columns}) FROM STDIN") as c:
                    for i in range(len(firms)):
                        c.write_row((first + i, "list_import", "", "active", now, ""))
                columns = "at, actor_name, action, content_type_id, object_id, object_repr, changes, source"
                with cursor.copy(f"COPY accounts_auditentry ({columns}) FROM STDIN") as c:
                    for i in range(len(firms)):
                        changes = json.dumps({"status": [None, "active"], "valid_from": [None, "2026-07-01"]})
                        c.write_row((now, "bench", "import", ct, str(first + i), "x", changes, "tier_list"))
            return time.perf_counter() - start

    copy_s = min(copy() for _ in range(2))
    record(f"list preview {len(firms):,} rows (read, match, plan)", seconds(preview_s), f"COPY {seconds(copy_s)}",
           f"{preview_s / copy_s:.2f}×")  # fmt: skip
    record(f"list import {len(firms):,} rows (plan again + write)", seconds(apply_s), f"COPY {seconds(copy_s)}",
           f"{apply_s / copy_s:.2f}×", f"≤ 3× COPY: {met(apply_s / copy_s <= 3)}")  # fmt: skip
    vacuum()


def bench_bombs(workdir: Path) -> None:
    """The upload bombs of issue 12, each imported in a fresh process: refused, and the peak RSS stays low."""
    sys.path.insert(0, str(ROOT))
    from tests.enterprises import workbooks

    print("\nupload bombs (fresh process each): outcome and peak RSS")
    bombs = [
        ("one row of 4,000,000 cells", "wide.xlsx", workbooks.wide_row_bomb),
        ("2,500,000 rows", "rows.xlsx", workbooks.many_rows_bomb),
        ("one shared string of 400 MB", "sst.xlsx", workbooks.shared_string_bomb),
        ("billion laughs", "laughs.xlsx", lambda: workbooks.workbook([], prolog=workbooks.BILLION_LAUGHS)),
        ("a CSV of one 50 MB line", "line.csv", workbooks.single_line_csv),
    ]
    for label, name, make in bombs:
        path = workdir / name
        path.write_bytes(make())
        before, after, (took, status, _created, message) = measure_run("import", 0, workdir, file=path)
        size = path.stat().st_size
        record(f"{label} ({size / 1024:,.0f} KB): {status} in {seconds(float(took))}", f"{after / 1024:.0f} MiB",
               f"start {before / 1024:.0f} MiB", "", f"< 300 MB: {met(after * 1024 < 300e6)}")  # fmt: skip
        print(f"      {message}")
        path.unlink()


def bench_memory(workdir: Path, report_databases: list[str]) -> None:
    print("\npeak memory (fresh process each; RSS before the job → peak)")
    peaks = []
    for rows in (10_000, 50_000, 100_000):
        write_csv(import_rows(rows), HEADERS, workdir / f"mem_{rows}.csv")
        before, after = measure("import", rows, workdir)
        peaks.append(after)
        record(f"import .csv {rows:,} rows: peak RSS", f"{after / 1024:.0f} MiB", f"start {before / 1024:.0f} MiB")
    vacuum()
    growth = (peaks[-1] - peaks[0]) / 1024
    record("  growth 10k → 100k rows", f"{growth:+.0f} MiB", "", "", f"flat (< 50 MiB): {met(growth < 50)}")
    for job in ("district", "city"):
        sizes = []
        for url in [os.environ["DATABASE_URL"], *report_databases]:
            env = {"DATABASE_URL": url}
            before, after = measure(job, 0, workdir, env)
            sizes.append(after)
            record(f"{job} report on {url.rsplit('/', 1)[-1]}: peak RSS", f"{after / 1024:.0f} MiB",
                   f"start {before / 1024:.0f} MiB")  # fmt: skip
        if len(sizes) > 1:
            spread = (max(sizes) - min(sizes)) / 1024
            record(f"  {job} report spread across data sets", f"{spread:.0f} MiB", "", "",
                   f"flat (< 20 MiB): {met(spread < 20)}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", default="import,xlsx,bombs,list,snapshot,api,lists,search,pages,reports,memory")
    parser.add_argument("--list-requests", type=int, default=60, help="requests per large list and role (lists)")
    parser.add_argument("--sweep-requests", type=int, default=20, help="requests per other list and role (lists)")
    parser.add_argument("--search-requests", type=int, default=40)
    parser.add_argument("--page-requests", type=int, default=20, help="requests per page and role (pages)")
    parser.add_argument("--summary-json", help="also write the summary rows here (tests/bench/summary.py merges runs)")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument(
        "--report-databases",
        default="",
        help="comma-separated DATABASE_URLs of smaller data sets, to compare the reports' peak memory",
    )
    parser.add_argument("--xlsx-rows", default="10000,100000,300000", help="sizes of the .xlsx section")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    if connection.vendor != "postgresql":
        sys.exit("bench_scale needs PostgreSQL (DATABASE_URL=postgres://...)")
    print(f"database {connection.settings_dict['NAME']}: {Enterprise.objects.count():,} enterprises; "
          f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")  # fmt: skip
    only = set(args.only.split(","))
    with tempfile.TemporaryDirectory(prefix="zjtx-bench-") as tmp:
        workdir = Path(tmp)
        if "import" in only:
            bench_import(args.rows, workdir)
        if "snapshot" in only:
            bench_snapshot()
        if "api" in only:
            bench_api(args.requests)
        if "lists" in only:
            bench_lists(args.list_requests, args.sweep_requests)
        if "search" in only:
            bench_name_search(args.search_requests)
        if "pages" in only:
            bench_pages(args.page_requests)
        if "reports" in only:
            bench_reports()
        if "xlsx" in only:
            bench_xlsx([int(n) for n in args.xlsx_rows.split(",")], workdir)
        if "bombs" in only:
            bench_bombs(workdir)
        if "list" in only:
            bench_list(args.rows, workdir)
        if "memory" in only:
            bench_memory(workdir, [u for u in args.report_databases.split(",") if u])
    print(f"\nload average at the end {os.getloadavg()[0]:.2f}")
    size = f"{Enterprise.objects.count():,} enterprises"
    print_summary(SUMMARY, title=f"summary ({size}, database {connection.settings_dict['NAME']})")
    if args.summary_json:
        save(SUMMARY, args.summary_json)


if __name__ == "__main__":
    main()
