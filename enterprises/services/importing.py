"""Bulk import of enterprises and their yearly facts from .csv / .xlsx files.

The promise to the person importing:
- every good row goes in, every bad row is reported with its row number and reason;
- a re-import of the same file changes nothing (rows equal to what is stored are not written);
- a file that cannot be read, or a failure half-way, writes nothing: the data is
  written in one transaction, and only the ImportRun record survives a failure.

Rows are streamed and written in chunks; each chunk is checked against the
stored rows with one query, and written with bulk inserts and updates.
District staff import only into their own district.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import audit_context, record_many
from accounts.models import AuditAction
from accounts.roles import Role
from enterprises.models import District, Enterprise, EnterpriseYearFact, Industry
from enterprises.models.registry import ImportRun, ImportStatus
from enterprises.services.import_files import SUPPORTED, ImportFileError, read_rows
from enterprises.services.import_rows import (
    ENTERPRISE_FIELDS,
    FACT_FIELDS,
    ColumnMap,
    Lookups,
    ParsedRow,
    map_headers,
    parse_row,
)
from zjtx.errors import DomainError

CHUNK = 2000
MAX_STORED_ERRORS = 50_000


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


def import_start(*, actor: Any, upload: Any) -> ImportRun:
    """Keep an uploaded file and queue its import; the run's status tells how it goes."""
    from enterprises.tasks import run_import

    _check_importer(actor)
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
    run = ImportRun(file_name=name[:255], status=ImportStatus.PENDING, actor=actor, district_id=_own_district(actor))
    run.stored_file.save(name, upload, save=False)
    run.save()
    transaction.on_commit(lambda: run_import.delay(run.pk))
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


@dataclass
class _Seen:
    """What earlier rows of the same file said, to catch duplicates and contradictions."""

    enterprise: dict[str, tuple[int, int]] = field(default_factory=dict)  # code → (row, hash of values)
    facts: dict[tuple[str, int], int] = field(default_factory=dict)  # (code, year) → row


class _Importer:
    def __init__(self, run: ImportRun, actor: Any, lookups: Lookups) -> None:
        self.run = run
        self.actor = actor
        self.lookups = lookups
        self.own_district = _own_district(actor)
        self.seen = _Seen()
        self.errors: list[dict[str, Any]] = []
        self.columns: ColumnMap | None = None

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
        for chunk in _chunks(self._parsed(iterator), CHUNK):
            self._write(chunk)
            cache.set(_progress_key(self.run.pk), self.run.rows_total, timeout=24 * 3600)
        self.run.errors = self.errors[:MAX_STORED_ERRORS]

    def _parsed(self, rows: Iterator[tuple[int, tuple[Any, ...]]]) -> Iterator[ParsedRow]:
        assert self.columns is not None
        for number, cells in rows:
            if not any(c not in (None, "") for c in cells):
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
        values_hash = hash(tuple(sorted((k, str(v)) for k, v in row.enterprise.items())))
        earlier = self.seen.enterprise.get(row.code)
        if earlier is not None and earlier[1] != values_hash:
            row.errors.append(_("contradicts row %(row)s for the same credit code") % {"row": earlier[0]})
            return
        if row.year is None and earlier is not None:
            row.errors.append(_("duplicate of row %(row)s") % {"row": earlier[0]})
            return
        if row.year is not None:
            key = (row.code, row.year)
            if key in self.seen.facts:
                row.errors.append(
                    _("duplicate of row %(row)s for year %(year)s") % {"row": self.seen.facts[key], "year": row.year}
                )
                return
            self.seen.facts[key] = row.number
        if earlier is None:
            self.seen.enterprise[row.code] = (row.number, values_hash)

    def _label(self, fname: str) -> str:
        return self.columns.labels.get(fname, fname) if self.columns else fname

    def _reject(self, row: ParsedRow) -> None:
        self.run.rows_rejected += 1
        if len(self.errors) < MAX_STORED_ERRORS:
            self.errors.append({"row": row.number, "credit_code": row.code, "reasons": row.errors})

    # --- writing ---------------------------------------------------------------------------

    def _write(self, rows: list[ParsedRow]) -> None:
        assert self.columns is not None
        present = [f for f in ENTERPRISE_FIELDS if f in row_fields(rows)]
        codes = {r.code for r in rows}
        existing = {
            e["credit_code"]: e
            for e in Enterprise.objects.filter(credit_code__in=codes).values(*{"id", "district_id", *present})
        }
        if self.own_district is not None:
            rows = self._drop_other_districts(rows, existing)

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
        self.run.rows_created += len(created)
        self.run.rows_updated += len(to_update)
        self.run.rows_unchanged += len(handled) - len(created) - len(to_update)

        if self.columns.has_facts:
            ids = {code: e["id"] for code, e in existing.items()} | {e.credit_code: e.pk for e in created}
            self._write_facts([r for r in rows if r.year is not None], ids)

    def _drop_other_districts(self, rows: list[ParsedRow], existing: dict[str, dict[str, Any]]) -> list[ParsedRow]:
        # The row's own district was checked on parsing; an enterprise registered elsewhere stays untouched.
        foreign = {code for code, e in existing.items() if e["district_id"] != self.own_district}
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

    def _write_facts(self, rows: list[ParsedRow], ids: dict[str, int]) -> None:
        assert self.columns is not None
        present = [f for f in FACT_FIELDS if f in self.columns.index]
        wanted = {(ids[r.code], r.year): r for r in rows if r.code in ids and r.year is not None}
        if not wanted:
            return
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
        record_many(
            AuditAction.IMPORT,
            [(f, {k: [None, _plain(getattr(f, k))] for k in present}) for f in new]
            + [(o, {k: [_plain(a), _plain(b)] for k, (a, b) in d.items()}) for o, d in changed],
        )
        self.run.facts_written += len(new) + len(changed)


def row_fields(rows: list[ParsedRow]) -> set[str]:
    return set(rows[0].enterprise) if rows else set()


def _differs(stored: Any, new: Any) -> bool:
    if isinstance(stored, Decimal) or isinstance(new, Decimal):
        return (Decimal(stored) if stored is not None else None) != (Decimal(new) if new is not None else None)
    return bool(stored != new)


def _plain(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) or hasattr(value, "isoformat") else value


def _chunks(items: Iterable[ParsedRow], size: int) -> Iterator[list[ParsedRow]]:
    chunk: list[ParsedRow] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
