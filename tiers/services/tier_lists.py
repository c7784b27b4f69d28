"""Importing published tier lists (名单导入): upload, preview, confirm or cancel, apply; and their export.

A municipal official uploads a list for a tier and a kind (tiers/rules/tier_lists.py).  The
preview (a Celery job) reads every row, matches it to the registry — by credit code, else by exact
name within the district; a valid code of an unknown enterprise creates it — and counts what would
change without writing anything.  The official confirms (accepting, or not, the rows that lack the
level below: exceptions) or cancels.  The confirmed import (a second job) plans the file again inside
one transaction, refuses if the registry changed since the preview (the counts differ), and writes
the enterprises, certifications, their transitions and audit entries, then the enterprises' current
tier.  Importing the same list again finds every row recorded and writes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import record_many
from accounts.models import AuditAction
from enterprises.models import Enterprise
from enterprises.services.import_files import ImportFileError, read_rows
from enterprises.services.importing import sha256_of, upload_name
from reference.models import District, Industry, Tier
from tiers.models import Certification, CertificationTransition, TierListImport, TierListStatus
from tiers.rules import tier_lists as rules
from tiers.rules.lifecycle import CertificationStatus as C
from tiers.rules.tier_lists import Held, ListedTier, ListKind, Outcome, Plan
from tiers.services.lifecycle import refresh_current_tier
from tiers.services.tier_list_copy import NewCertification, insert_certifications
from tiers.services.tier_list_rows import ListColumns, ListRow, map_list_headers, parse_list_row
from zjtx.access import locked_in_scope
from zjtx.audit_context import audit_context
from zjtx.errors import Conflict, DomainError
from zjtx.queue import enqueue_on_commit
from zjtx.roles import Role

CHUNK = 5000
SAMPLE = 200  # rows kept per plain outcome for the preview; conflicts, exceptions and rejections are all kept
MAX_KEPT = 50_000
REJECTED = "rejected"


def uses_copy() -> bool:
    """PostgreSQL writes the new certifications set-based (tier_list_copy.py); other databases through the ORM."""
    return connection.vendor == "postgresql"


def _reason_text(reason: str, row: ListRow, tier: Tier, other_row: int | None) -> str:
    texts = {
        "nothing_held": _("the enterprise holds no certification of %(tier)s to move"),
        "empty_period": _("the period ends before it starts"),
        "overlaps_later": _("a later certification of %(tier)s is already recorded"),
        "other_tier_held": _("another tier of the same level is held on the day"),
        "prerequisite_missing": _("the enterprise did not hold the level below on %(day)s"),
        "unknown_enterprise": _("no enterprise with this name in the district, and no credit code to create it"),
        "no_industry": _("an unknown enterprise needs 行业门类 (or an industry chosen at upload) to be created"),
        "two_matches": _("the name matches more than one enterprise in the district"),
        "other_jurisdiction": _("the enterprise is registered outside your jurisdiction"),
        "duplicate": _("the same enterprise is on row %(row)s"),
    }
    return texts[reason] % {"tier": tier, "day": row.day, "row": other_row}


# --- upload, confirm, cancel -----------------------------------------------------------------


def _check_official(actor: Any) -> None:
    if getattr(actor, "is_superuser", False):
        return
    if getattr(actor, "role", "") != Role.MUNICIPAL_OFFICIAL or not getattr(actor, "is_active", False):
        raise DomainError(_("Only municipal officials import tier lists."), code="forbidden_role")


def tier_list_start(
    *, actor: Any, upload: Any, tier: Tier, kind: str, default_industry: Industry | None = None, enqueue: bool = True
) -> TierListImport:
    """Keep the uploaded list and queue its preview (`enqueue=False`: the caller runs it, as the command does)."""
    _check_official(actor)
    if kind not in set(ListKind):
        raise DomainError(_("Unknown kind of list."), code="invalid", field="kind")
    jurisdiction_id = getattr(actor, "jurisdiction_id", None)
    if jurisdiction_id is not None and not tier.applies_to(jurisdiction_id):
        raise DomainError(_("The tier %(tier)s does not apply in this jurisdiction.") % {"tier": tier}, field="tier")
    name = upload_name(upload)
    run = TierListImport(
        file_name=name[:255],
        tier=tier,
        kind=kind,
        actor=actor,
        jurisdiction_id=jurisdiction_id,
        default_industry=default_industry,
    )
    run.stored_file.save(name, upload, save=False)
    run.save()
    if enqueue:
        enqueue_on_commit("tiers.tier_list_preview", run)
    return run


def tier_list_confirm(
    *, actor: Any, run_id: int, accept_exceptions: bool = False, enqueue: bool = True
) -> TierListImport:
    """The official confirms a previewed list; the import is queued."""
    _check_official(actor)
    with transaction.atomic():
        run = locked_in_scope(TierListImport.objects.all(), actor, run_id, _("No such list import."))
        if run.status != TierListStatus.PREVIEWED:
            raise Conflict(
                _("Only a previewed list can be confirmed; this one is: %(status)s.")
                % {"status": run.get_status_display()}
            )
        run.status = TierListStatus.APPLYING
        run.accept_exceptions = accept_exceptions
        run.confirmed_by = actor
        run.confirmed_at = timezone.now()
        run.save(update_fields=["status", "accept_exceptions", "confirmed_by", "confirmed_at"])
        if enqueue:
            enqueue_on_commit("tiers.tier_list_apply", run)
    return run


def tier_list_cancel(*, actor: Any, run_id: int) -> TierListImport:
    _check_official(actor)
    with transaction.atomic():
        run = locked_in_scope(TierListImport.objects.all(), actor, run_id, _("No such list import."))
        if run.status not in (TierListStatus.PENDING, TierListStatus.PREVIEWING, TierListStatus.PREVIEWED):
            raise Conflict(
                _("This list import can no longer be cancelled: %(status)s.") % {"status": run.get_status_display()}
            )
        run.status = TierListStatus.CANCELLED
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "finished_at"])
    return run


# --- planning ---------------------------------------------------------------------------------


@dataclass
class PlannedRow:
    row: ListRow
    outcome: str  # an Outcome or REJECTED
    reason: str = ""
    plan: Plan | None = None
    enterprise_id: int | None = None  # None: the enterprise is created
    other_row: int | None = None  # the earlier row of the same enterprise (duplicates)


@dataclass
class ListPlan:
    rows: list[PlannedRow] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    new_enterprises: int = 0

    def summary(self) -> dict[str, int]:
        return {**{o: self.counts.get(o, 0) for o in [*Outcome, REJECTED]}, "new_enterprises": self.new_enterprises}


def _lookups(run: TierListImport) -> tuple[dict[str, int], dict[str, int]]:
    districts: dict[str, int] = {}
    queryset = District.objects.all()
    if run.jurisdiction_id is not None:
        queryset = queryset.filter(jurisdiction_id=run.jurisdiction_id)
    for d in queryset.values("id", "code", "name"):
        districts[d["code"]] = districts[d["name"]] = d["id"]
        if d["name"][-1:] in "区县" and len(d["name"]) > 2:
            districts.setdefault(d["name"][:-1], d["id"])
    industries: dict[str, int] = {}
    for i in Industry.objects.values("id", "code", "name"):
        industries[i["code"]] = industries[i["name"]] = i["id"]
    return districts, industries


def _chunks(rows: Iterable[ListRow], size: int) -> Iterator[list[ListRow]]:
    chunk: list[ListRow] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def plan_list(run: TierListImport, stream: IO[bytes], *, lock: bool = False) -> ListPlan:
    """What each row of the list would change (no writes); `lock` locks the matched enterprises' rows."""
    tier = run.tier
    listed = ListedTier(tier.pk, tier.level, tier.validity_years)
    kind = ListKind(run.kind)
    districts, industries = _lookups(run)
    levels = dict(Tier.objects.values_list("id", "level"))
    result = ListPlan()
    seen: dict[int | str, int] = {}
    iterator = iter(read_rows(stream, run.file_name))
    columns: ListColumns | None = None
    for _number, cells in iterator:
        if any(c not in (None, "") for c in cells):
            columns, problems = map_list_headers(cells)
            if columns is None:
                raise ImportFileError(" ".join(problems))
            break
    if columns is None:
        raise ImportFileError(_("The file has no header row."))

    def parsed() -> Iterator[ListRow]:
        assert columns is not None
        for number, cells in iterator:
            if not any(c not in (None, "") for c in cells):
                continue
            yield parse_list_row(number, cells, columns, districts, industries)

    for chunk in _chunks(parsed(), CHUNK):
        good = [r for r in chunk if r.ok]
        by_code, by_name = _match(good, lock)
        held = _held([e["id"] for e in [*by_code.values(), *(m[0] for m in by_name.values() if len(m) == 1)]], levels)
        for row in chunk:
            result.rows.append(_plan_one(row, kind, listed, by_code, by_name, held, seen, run))
    for planned in result.rows:
        result.counts[planned.outcome] += 1
        result.new_enterprises += planned.enterprise_id is None and planned.outcome in (
            Outcome.NEW,
            Outcome.EXCEPTION,
        )
    return result


def _match(rows: list[ListRow], lock: bool) -> tuple[dict[str, dict[str, Any]], dict[tuple[int, str], list[Any]]]:
    fields = ("id", "credit_code", "name", "district_id", "district__jurisdiction_id")
    codes = {r.code for r in rows if r.code}
    queryset = Enterprise.objects.filter(credit_code__in=codes)
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    by_code = {e["credit_code"]: e for e in queryset.values(*fields)}
    wanted = {(r.district_id, r.name) for r in rows if not r.code and r.district_id is not None}
    by_name: dict[tuple[int, str], list[Any]] = {}
    if wanted:
        q = Q()
        for district_id, name in wanted:
            q |= Q(district_id=district_id, name=name)
        named = Enterprise.objects.filter(q)
        if lock:
            named = named.select_for_update(of=("self",))
        for e in named.values(*fields):
            by_name.setdefault((e["district_id"], e["name"]), []).append(e)
    return by_code, by_name


def _held(enterprise_ids: list[int], levels: dict[int, int]) -> dict[int, list[Held]]:
    held: dict[int, list[Held]] = {}
    rows = Certification.objects.filter(enterprise_id__in=enterprise_ids).values_list(
        "id", "enterprise_id", "tier_id", "status", "valid_from", "valid_until", "ended_on"
    )
    for cid, eid, tid, status, start, until, ended in rows:
        held.setdefault(eid, []).append(Held(cid, tid, levels[tid], status, start, until, ended))
    return held


def _plan_one(
    row: ListRow,
    kind: ListKind,
    tier: ListedTier,
    by_code: dict[str, dict[str, Any]],
    by_name: dict[tuple[int, str], list[Any]],
    held: dict[int, list[Held]],
    seen: dict[int | str, int],
    run: TierListImport,
) -> PlannedRow:
    if not row.ok:
        return PlannedRow(row, REJECTED)
    # A valid code of an unknown enterprise leaves `enterprise` empty: created if the list certifies it.
    enterprise = by_code.get(row.code) if row.code else None
    if not row.code:
        matches = by_name.get((row.district_id or 0, row.name), [])
        if len(matches) > 1:
            return PlannedRow(row, Outcome.CONFLICT, "two_matches")
        if not matches:
            return PlannedRow(row, Outcome.CONFLICT, "unknown_enterprise")
        enterprise = matches[0]
    outside = enterprise is not None and enterprise["district__jurisdiction_id"] != run.jurisdiction_id
    if outside and run.jurisdiction_id is not None:
        return PlannedRow(row, Outcome.CONFLICT, "other_jurisdiction")
    key: int | str = enterprise["id"] if enterprise is not None else row.code
    if key in seen:
        return PlannedRow(row, Outcome.CONFLICT, "duplicate", other_row=seen[key])
    seen[key] = row.number
    assert row.day is not None
    plan = rules.plan_row(
        kind, tier, held.get(enterprise["id"], []) if enterprise else [], day=row.day, until=row.until
    )
    creates = enterprise is None and plan.outcome in (Outcome.NEW, Outcome.EXCEPTION)
    if creates and row.industry_id is None and run.default_industry_id is None:
        return PlannedRow(row, Outcome.CONFLICT, "no_industry")
    return PlannedRow(row, plan.outcome, plan.reason, plan, enterprise["id"] if enterprise else None)


# --- preview and apply (the Celery jobs' bodies) -----------------------------------------------


def _kept_rows(plan: ListPlan, tier: Tier) -> list[dict[str, Any]]:
    kept: list[dict[str, Any]] = []
    shown: Counter[str] = Counter()
    for p in plan.rows:
        plain = p.outcome not in (Outcome.CONFLICT, Outcome.EXCEPTION, REJECTED)
        if (plain and shown[p.outcome] >= SAMPLE) or len(kept) >= MAX_KEPT:
            continue
        shown[p.outcome] += 1
        reasons = list(p.row.errors) if p.outcome == REJECTED else []
        if p.reason:
            reasons.append(_reason_text(p.reason, p.row, tier, p.other_row))
        kept.append(
            {
                "row": p.row.number,
                "credit_code": p.row.code or p.row.raw_code,
                "name": p.row.name,
                "outcome": p.outcome,
                "new_enterprise": p.enterprise_id is None and p.outcome in (Outcome.NEW, Outcome.EXCEPTION),
                "valid_from": p.plan.valid_from.isoformat() if p.plan and p.plan.valid_from else None,
                "valid_until": p.plan.valid_until.isoformat() if p.plan and p.plan.valid_until else None,
                "reasons": reasons,
            }
        )
    return kept


def tier_list_preview(run_id: int) -> TierListImport | None:
    """Plan the list and keep the preview; writes nothing else.  A run past its preview is left alone."""
    with transaction.atomic():
        run = TierListImport.objects.select_for_update(of=("self",)).filter(pk=run_id).first()
        if run is None or run.status not in (TierListStatus.PENDING, TierListStatus.PREVIEWING):
            return run
        run.status = TierListStatus.PREVIEWING
        run.save(update_fields=["status"])
    run = TierListImport.objects.select_related("tier").get(pk=run_id)
    try:
        with run.stored_file.open("rb") as stream:
            run.sha256 = sha256_of(stream)
            plan = plan_list(run, stream)
    except ImportFileError as exc:
        return _end(run, TierListStatus.FAILED, str(exc))
    run.rows_total = len(plan.rows)
    run.counts = plan.summary()
    run.rows = _kept_rows(plan, run.tier)
    run.previewed_at = timezone.now()
    # Cancelled meanwhile: keep the cancellation.
    TierListImport.objects.filter(pk=run.pk, status=TierListStatus.PREVIEWING).update(
        status=TierListStatus.PREVIEWED,
        sha256=run.sha256,
        rows_total=run.rows_total,
        counts=run.counts,
        rows=run.rows,
        previewed_at=run.previewed_at,
    )
    run.refresh_from_db()
    return run


def _end(run: TierListImport, status: str, message: str) -> TierListImport:
    run.status = status
    run.message = message
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "message", "finished_at", "sha256"])
    return run


def tier_list_apply(run_id: int) -> TierListImport | None:
    """Write a confirmed list in one transaction, as previewed; safe to run twice (the second finds it done)."""
    run = TierListImport.objects.select_related("tier", "confirmed_by").filter(pk=run_id).first()
    if run is None or run.status != TierListStatus.APPLYING:
        return run
    try:
        with audit_context(actor=run.confirmed_by, source="tier_list"), transaction.atomic():
            locked = TierListImport.objects.select_for_update().get(pk=run.pk)
            if locked.status != TierListStatus.APPLYING:
                return locked
            with run.stored_file.open("rb") as stream:
                if sha256_of(stream) != run.sha256:
                    raise ImportFileError(_("The stored file changed since the preview."))
                plan = plan_list(run, stream, lock=True)
            if plan.summary() != run.counts:
                raise ImportFileError(
                    _("The registry changed since the preview (the counts differ); upload the list again.")
                )
            run.written = _write(run, plan)
            run.status = TierListStatus.DONE
            run.finished_at = timezone.now()
            run.save(update_fields=["written", "status", "finished_at"])
    except ImportFileError as exc:
        return _end(run, TierListStatus.FAILED, str(exc))
    except Exception:
        _end(run, TierListStatus.FAILED, _("The import failed and nothing was written."))
        raise
    return run


# --- writing ------------------------------------------------------------------------------------


def _reason(run: TierListImport, p: PlannedRow) -> str:
    parts = [_("List import %(file)s, row %(row)s") % {"file": run.file_name, "row": p.row.number}]
    if p.row.batch:
        parts.append(p.row.batch)
    if p.outcome == Outcome.EXCEPTION:
        parts.append(
            _("exception accepted by %(who)s: the level below was not held on %(day)s")
            % {"who": getattr(run.confirmed_by, "username", ""), "day": p.row.day}
        )
    if p.row.note:
        parts.append(p.row.note)
    return "；".join(parts)


def _write(run: TierListImport, plan: ListPlan) -> dict[str, int]:
    today = timezone.localdate()
    now = timezone.now()
    actor = run.confirmed_by
    writing = [p for p in plan.rows if p.outcome in rules.WRITTEN]
    if run.accept_exceptions:
        writing += [p for p in plan.rows if p.outcome == Outcome.EXCEPTION]
    written: Counter[str] = Counter()

    # 1. Enterprises the list creates.
    new = [p for p in writing if p.enterprise_id is None]
    created = Enterprise.objects.bulk_create(
        [
            Enterprise(
                credit_code=p.row.code,
                name=p.row.name,
                district_id=p.row.district_id or 0,
                industry_id=p.row.industry_id or run.default_industry_id or 0,
            )
            for p in new
        ],
        batch_size=2000,
    )
    for p, e in zip(new, created, strict=True):
        p.enterprise_id = e.pk
    record_many(
        AuditAction.IMPORT,
        [
            (e, {f: [None, getattr(e, f)] for f in ("credit_code", "name", "district_id", "industry_id")})
            for e in created
        ],
    )
    written["enterprises_created"] = len(created)

    # 2. Certifications that end or move: renewals end the one they follow, endings and extensions move theirs.
    moving = {p.plan.certification_id: p for p in writing if p.plan and p.plan.certification_id}
    certs = Certification.objects.select_for_update().in_bulk(list(moving))
    changed: list[Certification] = []
    transitions: list[CertificationTransition] = []
    audit: list[tuple[Any, dict[str, Any]]] = []
    for cid, p in moving.items():
        cert, move = certs[cid], p.plan
        assert move is not None
        before = (cert.status, cert.valid_until, cert.ended_on)
        if p.outcome == Outcome.EXTENSION:
            action, cert.status, cert.valid_until = "confirm", C.ACTIVE, move.valid_until or cert.valid_until
            cert.ended_on = None
        elif p.outcome == Outcome.ENDING:
            action = "revoke" if run.kind == ListKind.REVOCATION else "re_review_failed"
            cert.status, cert.ended_on = C.REVOKED, min(move.valid_until or today, cert.valid_until)
        else:  # renewal (or an accepted exception that follows a held certification)
            action, cert.status = "renewed", C.EXPIRED
            cert.ended_on = min(move.valid_from or today, cert.valid_until)
        cert.reason = _reason(run, p)
        cert.updated_at = now
        changed.append(cert)
        transitions.append(
            CertificationTransition(
                certification=cert, action=action, from_status=before[0], to_status=cert.status, actor=actor,
                reason=cert.reason,
            )
        )  # fmt: skip
        after = (cert.status, cert.valid_until, cert.ended_on)
        fields = ("status", "valid_until", "ended_on")
        audit.append(
            (cert, {k: [_plain(a), _plain(b)] for k, a, b in zip(fields, before, after, strict=True) if a != b})
        )
    Certification.objects.bulk_update(changed, ["status", "valid_until", "ended_on", "reason", "updated_at"], 2000)
    written["certifications_moved"] = len(changed)

    # 3. New certifications (new, renewals, accepted exceptions); a period already over is recorded as expired.
    creating = []
    for p in writing:
        if p.outcome in (Outcome.NEW, Outcome.RENEWAL, Outcome.EXCEPTION):
            assert p.plan is not None and p.plan.valid_from and p.plan.valid_until and p.enterprise_id
            over = p.plan.valid_until <= today
            creating.append(
                (
                    p.row.number, p.enterprise_id, C.EXPIRED if over else C.ACTIVE, p.plan.valid_from,
                    p.plan.valid_until, p.plan.valid_until if over else None, _reason(run, p),
                )
            )  # fmt: skip
    if uses_copy():
        created_count = insert_certifications(tier_id=run.tier_id, rows=creating, actor_id=run.confirmed_by_id, now=now)
    else:
        created_count = _create_certifications(run, creating, transitions, audit)
    CertificationTransition.objects.bulk_create(transitions, batch_size=2000)
    _audit_with_districts(audit)
    written["certifications_created"] = created_count
    for p in writing:
        written[p.outcome] += 1
    written["exceptions_accepted"] = sum(1 for p in writing if p.outcome == Outcome.EXCEPTION)
    touched = sorted({p.enterprise_id for p in writing if p.enterprise_id})
    for start in range(0, len(touched), 10_000):
        refresh_current_tier(touched[start : start + 10_000])
    return dict(written)


def _create_certifications(
    run: TierListImport,
    creating: list[NewCertification],
    transitions: list[CertificationTransition],
    audit: list[tuple[Any, dict[str, Any]]],
) -> int:
    """The ORM writer of the new certifications (databases without COPY); their transitions and audit
    entries are added to the lists the caller writes."""
    fresh = Certification.objects.bulk_create(
        [
            Certification(
                enterprise_id=enterprise_id, tier=run.tier, status=status, valid_from=valid_from,
                valid_until=valid_until, ended_on=ended_on, reason=reason,
            )
            for _number, enterprise_id, status, valid_from, valid_until, ended_on, reason in creating
        ],
        batch_size=2000,
    )  # fmt: skip
    for cert in fresh:
        transitions.append(
            CertificationTransition(
                certification=cert, action="list_import", from_status="", to_status=cert.status,
                actor=run.confirmed_by, reason=cert.reason,
            )
        )  # fmt: skip
        audit.append(
            (
                cert,
                {
                    "tier_id": [None, cert.tier_id], "status": [None, cert.status],
                    "valid_from": [None, cert.valid_from.isoformat()],
                    "valid_until": [None, cert.valid_until.isoformat()], "reason": [None, cert.reason],
                },
            )
        )  # fmt: skip
    return len(fresh)


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def _audit_with_districts(items: list[tuple[Any, dict[str, Any]]]) -> None:
    # The audit entry names the enterprise's district; load them once rather than per certification.
    ids = {cert.enterprise_id for cert, _c in items}
    districts = dict(Enterprise.objects.filter(pk__in=ids).values_list("id", "district_id"))
    for cert, _changes in items:
        cert.enterprise = Enterprise(id=cert.enterprise_id, district_id=districts[cert.enterprise_id])
    record_many(AuditAction.IMPORT, items)
