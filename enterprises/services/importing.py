"""Bulk import of enterprises and their yearly facts from .csv / .xlsx files.

The promise to the person importing:
- every good row goes in, every bad row is reported with its row number and reason;
- a re-import of the same file changes nothing (rows equal to what is stored are not written);
- a file that cannot be read, or a failure half-way, writes nothing: the data is
  written in one transaction, and only the ImportRun record survives a failure.

Rows are streamed, checked against lookups loaded once, and written in chunks.
On PostgreSQL a chunk is copied into a temporary table and compared, written and
audited by a few set-based statements (import_copy.py); elsewhere it is checked
against the stored rows with one query and written with bulk inserts and updates.
District staff import only into their own district.
"""

from __future__ import annotations

import contextvars
import hashlib
import sys
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from queue import Full, Queue
from typing import IO, Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.audit import record_many
from accounts.models import AuditAction
from enterprises.models import Enterprise, EnterpriseYearFact
from enterprises.models.registry import ImportRun, ImportStatus
from enterprises.services.import_copy import CopyWriter
from enterprises.services.import_files import SUPPORTED, ImportFileError, read_rows
from enterprises.services.import_rows import (
    Chunk,
    ColumnMap,
    Lookups,
    ParsedRow,
    map_headers,
    parse_row,
)
from reference.models import District, Industry
from zjtx.audit_context import audit_context
from zjtx.errors import DomainError
from zjtx.queue import enqueue_on_commit
from zjtx.roles import Role

CHUNK = 2000
COPY_CHUNK = 5_000
MAX_STORED_ERRORS = 50_000


def uses_copy() -> bool:
    """PostgreSQL imports through COPY and set-based SQL (import_copy.py); other databases through the ORM."""
    return connection.vendor == "postgresql"


def build_lookups() -> Lookups:
    districts: dict[str, int] = {}
    for d in District.objects.values("id", "code", "name"):
        districts[d["code"]] = d["id"]
        districts[d["name"]] = d["id"]
        short = d["name"].rstrip("区县") if d["name"][-1:] in "区县" else d["name"]
        districts.setdefault(short, d["id"])
    industries: dict[str, int] = {}
    for i in Industry.objects.values("id", "code", "name"):
        industries[i["code"]] = i["id"]
        industries[i["name"]] = i["id"]
    return Lookups(districts=districts, industries=industries, this_year=timezone.localdate().year)


def sha256_of(stream: IO[bytes]) -> str:
    digest = hashlib.sha256()
    for block in iter(lambda: stream.read(1 << 20), b""):
        digest.update(block)
    stream.seek(0)
    return digest.hexdigest()


def _check_importer(actor: Any) -> None:
    if getattr(actor, "is_superuser", False):
        return
    if getattr(actor, "role", "") != Role.DISTRICT_STAFF or not getattr(actor, "is_active", False):
        raise DomainError(_("Only district service staff import enterprises."), code="forbidden_role")


def enterprises_import(*, actor: Any, stream: IO[bytes], file_name: str) -> ImportRun:
    """Import one file now (management command); returns the ImportRun with its counts and rejected rows."""
    _check_importer(actor)
    run = ImportRun.objects.create(
        file_name=file_name[:255], status=ImportStatus.PENDING, actor=actor, district_id=_own_district(actor)
    )
    return _execute(run, actor, stream)


def upload_name(upload: Any) -> str:
    """The uploaded file's own name, once its size and type are acceptable (a DomainError on `file` otherwise)."""
    if upload.size > settings.ZJTX_IMPORT_MAX_BYTES:
        raise DomainError(
            _("The file is larger than %(mb)s MB.") % {"mb": settings.ZJTX_IMPORT_MAX_BYTES // (1024 * 1024)},
            code="too_large",
            field="file",
        )
    name = Path(upload.name or "upload").name
    if Path(name).suffix.lower() not in SUPPORTED:
        raise DomainError(
            _("Unsupported file type; use %(supported)s.") % {"supported": ", ".join(SUPPORTED)},
            code="unsupported_file",
            field="file",
        )
    return name


def import_start(*, actor: Any, upload: Any) -> ImportRun:
    """Keep an uploaded file and queue its import; the run's status tells how it goes."""
    _check_importer(actor)
    name = upload_name(upload)
    run = ImportRun(file_name=name[:255], status=ImportStatus.PENDING, actor=actor, district_id=_own_district(actor))
    run.stored_file.save(name, upload, save=False)
    run.save()
    enqueue_on_commit("enterprises.run_import", run)
    return run


def import_execute(run_id: int) -> ImportRun | None:
    """Run a queued import (Celery task body). A run that already finished is left alone."""
    with transaction.atomic():
        run = ImportRun.objects.select_for_update(of=("self",)).filter(pk=run_id).select_related("actor").first()
        if run is None or run.status in (ImportStatus.DONE, ImportStatus.FAILED):
            return run
        run.status = ImportStatus.RUNNING
        run.save(update_fields=["status"])
    with run.stored_file.open("rb") as stream:
        return _execute(run, run.actor, stream)


def _own_district(actor: Any) -> int | None:
    return None if getattr(actor, "is_superuser", False) else getattr(actor, "district_id", None)


def _execute(run: ImportRun, actor: Any, stream: IO[bytes]) -> ImportRun:
    run.sha256 = sha256_of(stream)
    run.status = ImportStatus.RUNNING
    run.rows_total = run.rows_created = run.rows_updated = run.rows_unchanged = 0
    run.facts_written = run.rows_rejected = 0
    run.save()
    importer = _Importer(run, actor, build_lookups())
    try:
        with audit_context(actor=actor, source="import"), transaction.atomic():
            importer.import_rows(read_rows(stream, run.file_name))
    except ImportFileError as exc:
        _finish(run, ImportStatus.FAILED, message=str(exc), keep_counts=False)
        return run
    except Exception:
        _finish(run, ImportStatus.FAILED, message=_("The import failed and nothing was written."), keep_counts=False)
        raise
    _finish(run, ImportStatus.DONE)
    return run


def import_progress(run: ImportRun) -> int | None:
    """Rows read so far by a running import (kept in the cache: the run's own row is inside its transaction)."""
    value = cache.get(_progress_key(run.pk))
    return int(value) if value is not None else None


def _progress_key(run_id: int) -> str:
    return f"import-progress:{run_id}"


def _finish(run: ImportRun, status: str, *, message: str = "", keep_counts: bool = True) -> None:
    run.status = status
    run.message = message
    run.finished_at = timezone.now()
    if not keep_counts:
        run.rows_created = run.rows_updated = run.rows_unchanged = run.facts_written = 0
    run.save()


_HASH_MASK = (1 << 64) - 1


@dataclass
class _Seen:
    """What earlier rows of the same file said, to catch duplicates and contradictions."""

    # code → row number << 64 | 64-bit hash of the row's enterprise values: one int per code, as this
    # index is the only part of an import that grows with the file (everything else is per chunk).
    enterprise: dict[str, int] = field(default_factory=dict)
    facts: dict[str, int] = field(default_factory=dict)  # "code:year" → row number


class _Importer:
    def __init__(self, run: ImportRun, actor: Any, lookups: Lookups) -> None:
        self.run = run
        self.actor = actor
        self.lookups = lookups
        self.own_district = _own_district(actor)
        self.seen = _Seen()
        self.errors: list[dict[str, Any]] = []
        self.columns: ColumnMap | None = None
        self.writer: _OrmWriter | CopyWriter | None = None
        self.lock = threading.Lock()

    # --- reading ---------------------------------------------------------------------------

    def import_rows(self, rows: Iterable[tuple[int, tuple[Any, ...]]]) -> None:
        iterator = iter(rows)
        for _number, cells in iterator:
            if any(c not in (None, "") for c in cells):
                columns, problems = map_headers(cells)
                if columns is None:
                    raise ImportFileError(" ".join(problems))
                self.columns = columns
                break
        else:
            raise ImportFileError(_("The file has no header row."))
        fact_fields = columns.fact_fields if columns.has_facts else None
        if uses_copy():
            self.writer, chunk = CopyWriter(columns.enterprise_fields, fact_fields), COPY_CHUNK
        else:
            self.writer, chunk = _OrmWriter(columns.enterprise_fields, fact_fields), CHUNK
        writer = self.writer
        prepared = (writer.prepare(rows) for rows in _chunks(self._parsed(iterator), chunk))
        for parsed in _read_ahead(prepared):
            self._write(parsed)
            cache.set(_progress_key(self.run.pk), self.run.rows_total, timeout=24 * 3600)
        self.writer.close()
        self.errors.sort(key=lambda e: e["row"])
        self.run.errors = self.errors[:MAX_STORED_ERRORS]

    def _parsed(self, rows: Iterator[tuple[int, tuple[Any, ...]]]) -> Iterator[ParsedRow]:
        assert self.columns is not None
        for number, cells in rows:
            if _blank(cells):
                continue
            self.run.rows_total += 1
            row = parse_row(number, cells, self.columns, self.lookups)
            if row.ok:
                self._check_scope_and_duplicates(row)
            if row.ok:
                yield row
            else:
                self._reject(row)

    def _check_scope_and_duplicates(self, row: ParsedRow) -> None:
        if self.own_district is not None and row.enterprise.get("district_id") != self.own_district:
            row.errors.append(_("%(column)s: outside your district") % {"column": self._label("district")})
            return
        # Good rows carry the same fields in the same order (parse_row), so the values alone compare.
        values_hash = hash(tuple(row.enterprise.values())) & _HASH_MASK
        packed = self.seen.enterprise.get(row.code)
        earlier = None if packed is None else packed >> 64
        if packed is not None and packed & _HASH_MASK != values_hash:
            row.errors.append(_("contradicts row %(row)s for the same credit code") % {"row": earlier})
            return
        if row.year is None and earlier is not None:
            row.errors.append(_("duplicate of row %(row)s") % {"row": earlier})
            return
        if row.year is not None:
            key = f"{row.code}:{row.year}"
            if key in self.seen.facts:
                row.errors.append(
                    _("duplicate of row %(row)s for year %(year)s") % {"row": self.seen.facts[key], "year": row.year}
                )
                return
            self.seen.facts[key] = row.number
        if earlier is None:
            self.seen.enterprise[row.code] = row.number << 64 | values_hash

    def _label(self, fname: str) -> str:
        return self.columns.labels.get(fname, fname) if self.columns else fname

    def _reject(self, row: ParsedRow) -> None:
        # Both the reading thread (parse errors) and the writing one (rows of other districts) reject.
        with self.lock:
            self.run.rows_rejected += 1
            if len(self.errors) < MAX_STORED_ERRORS:
                # A rejected code is echoed as the file has it, so the person can find the row.
                self.errors.append({"row": row.number, "credit_code": row.code or row.raw_code, "reasons": row.errors})

    # --- writing ---------------------------------------------------------------------------

    def _write(self, chunk: Chunk) -> None:
        assert self.columns is not None and self.writer is not None
        if self.own_district is not None:
            kept = self._drop_other_districts(chunk.rows)
            if len(kept) < len(chunk.rows):
                chunk = self.writer.prepare(kept)
        created, updated, unchanged, facts = self.writer.write(chunk)
        self.run.rows_created += created
        self.run.rows_updated += updated
        self.run.rows_unchanged += unchanged
        self.run.facts_written += facts

    def _drop_other_districts(self, rows: list[ParsedRow]) -> list[ParsedRow]:
        # The row's own district was checked on parsing; an enterprise registered elsewhere stays untouched.
        foreign = set(
            Enterprise.objects.filter(credit_code__in={r.code for r in rows})
            .exclude(district_id=self.own_district or 0)
            .values_list("credit_code", flat=True)
        )
        kept = []
        for r in rows:
            if r.code in foreign:
                r.errors.append(
                    _("%(column)s: already registered outside your district") % {"column": self._label("credit_code")}
                )
                self._reject(r)
            else:
                kept.append(r)
        return kept


class _OrmWriter:
    """Writes a chunk with bulk_create / bulk_update and record_many: for databases without COPY (SQLite)."""

    def __init__(self, enterprise_fields: list[str], fact_fields: list[str] | None) -> None:
        self.present = enterprise_fields
        self.fact_fields = fact_fields

    def close(self) -> None:
        pass

    def prepare(self, rows: list[ParsedRow]) -> Chunk:
        return Chunk(rows, len({r.code for r in rows}))

    def write(self, chunk: Chunk) -> tuple[int, int, int, int]:
        rows = chunk.rows
        present = self.present
        codes = {r.code for r in rows}
        existing = {
            e["credit_code"]: e
            for e in Enterprise.objects.filter(credit_code__in=codes).values(*{"id", "district_id", *present})
        }
        now = timezone.now()
        to_create: dict[str, Enterprise] = {}
        to_update: dict[str, tuple[Enterprise, dict[str, list[Any]]]] = {}
        handled: set[str] = set()
        for r in rows:
            if r.code in handled:
                continue
            handled.add(r.code)
            stored = existing.get(r.code)
            if stored is None:
                to_create[r.code] = Enterprise(**r.enterprise)
                continue
            changes = {f: [stored[f], r.enterprise[f]] for f in present if _differs(stored[f], r.enterprise[f])}
            if changes:
                # bulk_update does not apply auto_now, so the timestamp is set here.
                obj = Enterprise(id=stored["id"], updated_at=now, **r.enterprise)
                to_update[r.code] = (obj, changes)
        created = Enterprise.objects.bulk_create(to_create.values(), batch_size=1000)
        if to_update:
            Enterprise.objects.bulk_update(
                [obj for obj, _c in to_update.values()],
                sorted({f for _o, ch in to_update.values() for f in ch} | {"updated_at"}),
                batch_size=1000,
            )
        record_many(
            AuditAction.IMPORT,
            [(e, {f: [None, _plain(getattr(e, f))] for f in present}) for e in created]
            + [(obj, {f: [_plain(a), _plain(b)] for f, (a, b) in ch.items()}) for obj, ch in to_update.values()],
        )
        facts = 0
        if self.fact_fields is not None:
            ids = {code: e["id"] for code, e in existing.items()} | {e.credit_code: e.pk for e in created}
            district_of = {e["id"]: e["district_id"] for e in existing.values()}
            district_of |= {e.pk: e.district_id for e in created}
            facts = self._write_facts([r for r in rows if r.year is not None], ids, district_of)
        return len(created), len(to_update), len(handled) - len(created) - len(to_update), facts

    def _write_facts(self, rows: list[ParsedRow], ids: dict[str, int], district_of: dict[int, int]) -> int:
        present = self.fact_fields or []
        wanted = {(ids[r.code], r.year): r for r in rows if r.code in ids and r.year is not None}
        if not wanted:
            return 0
        stored = {
            (f["enterprise_id"], f["year"]): f
            for f in EnterpriseYearFact.objects.filter(
                enterprise_id__in={k[0] for k in wanted}, year__in={k[1] for k in wanted}
            ).values("id", "enterprise_id", "year", *present)
        }
        new: list[EnterpriseYearFact] = []
        changed: list[tuple[EnterpriseYearFact, dict[str, list[Any]]]] = []
        for (eid, year), r in wanted.items():
            assert year is not None
            old = stored.get((eid, year))
            if old is None:
                new.append(EnterpriseYearFact(enterprise_id=eid, year=year, **r.facts))
                continue
            diff = {f: [old[f], r.facts[f]] for f in present if _differs(old[f], r.facts[f])}
            if diff:
                changed.append((EnterpriseYearFact(id=old["id"], enterprise_id=eid, year=year, **r.facts), diff))
        EnterpriseYearFact.objects.bulk_create(new, batch_size=1000)
        if changed:
            EnterpriseYearFact.objects.bulk_update(
                [o for o, _d in changed], sorted({f for _o, d in changed for f in d}), batch_size=1000
            )
        for fact in [*new, *(o for o, _d in changed)]:
            # The audit entry names the enterprise's district; set it here rather than load each enterprise.
            fact.enterprise = Enterprise(id=fact.enterprise_id, district_id=district_of[fact.enterprise_id])
        record_many(
            AuditAction.IMPORT,
            [(f, {k: [None, _plain(getattr(f, k))] for k in present}) for f in new]
            + [(o, {k: [_plain(a), _plain(b)] for k, (a, b) in d.items()}) for o, d in changed],
        )
        return len(new) + len(changed)


def _blank(cells: tuple[Any, ...]) -> bool:
    # any() in C first: most rows have a truthy cell; only all-falsy rows (0 is a value) need the exact test.
    return not any(cells) and all(c in (None, "") for c in cells)


def _differs(stored: Any, new: Any) -> bool:
    if isinstance(stored, Decimal) or isinstance(new, Decimal):
        return (Decimal(stored) if stored is not None else None) != (Decimal(new) if new is not None else None)
    return bool(stored != new)


def _plain(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) or hasattr(value, "isoformat") else value


_T = TypeVar("_T")


def _read_ahead(items: Iterator[_T], depth: int = 1) -> Iterator[_T]:
    """Yield `items`, produced by a helper thread up to `depth` ahead.

    Reading and checking rows is Python work; writing a chunk is mostly waiting for the database,
    which releases the GIL.  Reading the next chunks while the current one is written uses the
    second core.  The thread runs in a copy of this context and this language; it touches no
    database connection.  Its exceptions (an unreadable file) are raised here.
    """
    queue: Queue[tuple[str, Any]] = Queue(maxsize=depth)
    stop = threading.Event()

    def put(item: tuple[str, Any]) -> bool:
        while not stop.is_set():
            try:
                queue.put(item, timeout=0.1)
                return True
            except Full:
                continue
        return False

    language = translation.get_language()

    def produce() -> None:
        try:
            # Django keeps the active language per thread, so the reasons are worded in the reader's here too.
            with translation.override(language):
                for item in items:
                    if not put(("item", item)):
                        return
            put(("done", None))
        except BaseException as exc:  # handed to the consumer, which raises it
            put(("error", exc))

    context = contextvars.copy_context()
    thread = threading.Thread(target=context.run, args=(produce,), name="import-reader", daemon=True)
    # The writing thread wakes up for every answer of the database; with the default 5 ms switch
    # interval it would often wait that long for the GIL held by the reading thread.
    interval = sys.getswitchinterval()
    sys.setswitchinterval(min(interval, 0.0005))
    thread.start()
    try:
        while True:
            kind, value = queue.get()
            if kind == "done":
                return
            if kind == "error":
                raise value
            yield value
    finally:
        stop.set()
        thread.join()
        sys.setswitchinterval(interval)


def _chunks(items: Iterable[ParsedRow], size: int) -> Iterator[list[ParsedRow]]:
    chunk: list[ParsedRow] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
