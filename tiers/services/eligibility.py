"""Eligibility: assessing every enterprise for the tier above its current one, and the verdicts of one enterprise.

The nightly job reads facts in bulk (three queries per chunk of enterprises, walked by id),
evaluates each firm as a new application for the tier above its own under the criteria
document in force for new applications on the day (fixtures/criteria/, tiers/rules/eligibility),
and upserts one row per (enterprise, tier): a rerun for the same day rewrites the same rows,
and rows for a tier the enterprise is no longer assessed for (it moved up, or reached the top)
are deleted.  It acts for nobody, so it reads the tables directly (no user scope).

Writes are set-based, one transaction per chunk: on PostgreSQL the chunk's rows are COPYed into
a temporary table, merged by one INSERT … ON CONFLICT and the chunk's stale rows removed by one
DELETE: with bulk_create, psycopg spent more time quoting the JSON columns into UNNEST arrays than
the rules spent judging the firms, and the job took twice as long (275 s against 138 s at 500,000
enterprises, tests/bench/bench_nightly.py).  Elsewhere (SQLite, the demo) the ORM does the same.
Memory stays that of one chunk, whatever the number of enterprises.

`verdicts` gives one enterprise's verdicts now, unstored: the new application for the next
tier and, for each tier it holds, the re-review by the document its certificate was granted
under, beside the document in force when the two differ (a 63号 certificate after 2026-04-01).
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import Q

from enterprises.models import EligibilityProfile, Enterprise, EnterpriseYearFact
from enterprises.services.profile import PROFILE_FIELDS
from reference.models import Jurisdiction, Tier
from tiers.criteria import criteria
from tiers.models import Certification, EligibilityAssessment
from tiers.rules.eligibility import Choice, Facts, Result, YearFigures, evaluate
from tiers.rules.lifecycle import CertificationStatus
from zjtx.access import dangerously_unrestricted
from zjtx.pgcopy import copy_into_stage, copy_text

# Enterprises per chunk (one transaction each): large enough that the per-chunk round trips are few,
# small enough that a chunk's facts and results stay a few tens of MiB.
CHUNK = 5000
STAGE = "zjtx_eligibility_stage"
# The first rung has two tiers since 2026 (创新型 and 科技型中小企业); firms are assessed for this one.
PREFERRED_FIRST_RUNG = "innovative_sme"

YEAR_FIELDS = tuple(YearFigures.__dataclass_fields__)
UPDATE_FIELDS = [
    "rule_set", "provisional", "assessed_on", "passed", "near", "missing_data", "score", "score_max",
    "direct_qualification", "indicators_met", "indicators", "lacking", "unknown", "score_closers",
]  # fmt: skip


# --- which tier each enterprise is assessed for ---------------------------------------------


def next_tiers(day: dt.date) -> dict[tuple[int, int], Tier]:
    """(level, jurisdiction id) → the tier of that level an enterprise of the jurisdiction is assessed for.

    Only tiers in force on the day and with criteria encoded count; on the first rung
    innovative_sme is preferred over other tiers of level 1.
    """
    found = criteria()
    tiers = [t for t in Tier.objects.all() if t.in_force_on(day) and found.for_new_application(t.code, day)]
    chosen: dict[tuple[int, int], Tier] = {}
    for jurisdiction_id in Jurisdiction.objects.values_list("pk", flat=True):
        for tier in sorted(tiers, key=lambda t: (t.code != PREFERRED_FIRST_RUNG, t.code)):
            if tier.applies_to(jurisdiction_id):
                chosen.setdefault((tier.level, jurisdiction_id), tier)
    return chosen


# --- facts --------------------------------------------------------------------------------


def _known(value: Any) -> Any:
    """Choice fields store "not known" as an empty string; the rules want None."""
    return None if value == "" else value


def facts_for(enterprises: Iterable[dict[str, Any]], day: dt.date) -> dict[int, Facts]:
    """Facts of these enterprises (dicts with id, size_class and current_tier__level) on `day`: two queries.

    The years read are the three before the assessment year and that year (本年度: the development score).
    """
    rows = {e["id"]: e for e in enterprises}
    reference = day.year - 1
    profiles = {
        p.pop("enterprise_id"): {k: _known(v) for k, v in p.items()}
        for p in EligibilityProfile.objects.filter(enterprise_id__in=rows).values("enterprise_id", *PROFILE_FIELDS)
    }
    years: dict[int, dict[int, YearFigures]] = {eid: {} for eid in rows}
    for f in EnterpriseYearFact.objects.filter(
        enterprise_id__in=rows, year__gte=reference - 2, year__lte=day.year
    ).values("enterprise_id", "year", *YEAR_FIELDS):
        eid, year = f.pop("enterprise_id"), f.pop("year")
        years[eid][year] = YearFigures(**f)
    return {
        eid: Facts(
            assessed_on=day,
            years=years[eid],
            size_class=row["size_class"],
            held_level=row.get("current_tier__level") or 0,
            **profiles.get(eid, {}),
        )
        for eid, row in rows.items()
    }


# --- the nightly assessment -----------------------------------------------------------------


@dataclass
class AssessmentRun:
    assessed: int = 0
    eligible: int = 0
    near: int = 0
    missing_data: int = 0
    removed: int = 0
    provisional: bool = False
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "seconds": round(self.seconds, 2)}


def _chunks() -> Iterator[list[dict[str, Any]]]:
    last = 0
    base = dangerously_unrestricted(Enterprise.objects.all()).order_by("pk")
    while True:
        rows: Any = base.filter(pk__gt=last).values(
            "id", "size_class", "current_tier__level", "district__jurisdiction_id"
        )[:CHUNK]
        chunk: list[dict[str, Any]] = list(rows)
        if not chunk:
            return
        last = chunk[-1]["id"]
        yield chunk


def stored_values(result: Result, day: dt.date) -> dict[str, Any]:
    """The stored columns of a verdict (UPDATE_FIELDS), as the model and the COPY writer both write them."""
    return {
        "rule_set": result.key,
        "provisional": result.provisional,
        "assessed_on": day,
        "passed": result.passed,
        "near": result.near,
        "missing_data": result.missing_data,
        "score": result.score,
        "score_max": result.score_max,
        "direct_qualification": result.direct_qualification or "",
        "indicators_met": result.met_count,
        "indicators": [i.as_dict() for i in result.indicators],
        "lacking": list(result.lacking),
        "unknown": list(result.unknown),
        "score_closers": list(result.score_closers),
    }


def row_for(enterprise_id: int, tier: Tier, result: Result, day: dt.date) -> EligibilityAssessment:
    return EligibilityAssessment(enterprise_id=enterprise_id, tier=tier, **stored_values(result, day))


_JSON_FIELDS = frozenset({"indicators", "lacking", "unknown", "score_closers"})


def _copy_value(name: str, value: Any) -> str:
    if name in _JSON_FIELDS:
        # JSON text has no raw tab, newline or carriage return (it escapes them), so only its backslashes
        # need COPY's escaping: a replace, several times faster than copy_text's translate on long texts.
        return json.dumps(value, ensure_ascii=False).replace("\\", "\\\\")
    if isinstance(value, bool):
        return "t" if value else "f"
    return copy_text(value)


def _copy_line(enterprise_id: int, tier_id: int, result: Result, day: dt.date) -> str:
    values = stored_values(result, day)
    return f"{enterprise_id}\t{tier_id}\t" + "\t".join(_copy_value(f, values[f]) for f in UPDATE_FIELDS) + "\n"


def assess_all(day: dt.date, *, writer: str | None = None) -> AssessmentRun:
    """Assess every enterprise for the tier above its current one; idempotent for a day.

    `writer` is "copy" (PostgreSQL, the default there) or "orm" (elsewhere); tests run both."""
    started = time.monotonic()
    run = AssessmentRun()
    targets = next_tiers(day)
    write = WRITERS[writer or ("copy" if connection.vendor == "postgresql" else "orm")]
    for chunk in _chunks():
        facts = facts_for(chunk, day)
        verdicts: list[tuple[int, Tier, Result]] = []
        for e in chunk:
            tier = targets.get(((e["current_tier__level"] or 0) + 1, e["district__jurisdiction_id"]))
            if tier is None:
                continue  # at the top of the ladder, or no criteria encoded for the next rung
            choice = criteria().for_new_application(tier.code, day)
            assert choice is not None
            provisional = choice.provisional
            result = evaluate(choice.rule_set, facts[e["id"]], kind=choice.kind, provisional=provisional)
            verdicts.append((e["id"], tier, result))
            run.provisional = run.provisional or provisional
            run.eligible += result.passed
            run.near += result.near
            run.missing_data += result.missing_data
        del facts  # the chunk's facts are not needed while writing
        with transaction.atomic():
            run.removed += write(chunk[0]["id"], chunk[-1]["id"], verdicts, day)
        run.assessed += len(verdicts)
    run.seconds = time.monotonic() - started
    return run


def _write_orm(first: int, last: int, verdicts: list[tuple[int, Tier, Result]], day: dt.date) -> int:
    """Upsert the chunk's rows and delete its stale ones through the ORM (SQLite and other databases)."""
    rows = [row_for(eid, tier, result, day) for eid, tier, result in verdicts]
    EligibilityAssessment.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["enterprise", "tier"], update_fields=UPDATE_FIELDS
    )
    return _remove_stale(first, last, rows)


def _write_copy(first: int, last: int, verdicts: list[tuple[int, Tier, Result]], day: dt.date) -> int:
    """COPY the chunk's rows into a temporary table, upsert them in one statement, delete the chunk's stale rows."""
    table = EligibilityAssessment._meta.db_table
    columns = ["enterprise_id", "tier_id", *UPDATE_FIELDS]
    # The stage copies the table's column types.
    copy_into_stage(
        STAGE,
        f"AS SELECT {', '.join(columns)} FROM {table} WITH NO DATA",
        columns,
        "".join(_copy_line(eid, tier.pk, result, day) for eid, tier, result in verdicts),
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {table} ({", ".join(columns)})
            SELECT {", ".join(columns)} FROM {STAGE}
            ON CONFLICT (enterprise_id, tier_id) DO UPDATE SET
                {", ".join(f"{c} = EXCLUDED.{c}" for c in UPDATE_FIELDS)}
            """
        )
        cursor.execute(
            f"""
            DELETE FROM {table} AS t
            WHERE t.enterprise_id BETWEEN %(first)s AND %(last)s
              AND NOT EXISTS (SELECT 1 FROM {STAGE} s WHERE s.enterprise_id = t.enterprise_id
                                                       AND s.tier_id = t.tier_id)
            """,
            {"first": first, "last": last},
        )
        removed = cursor.rowcount
        cursor.execute(f"DROP TABLE {STAGE}")
    return int(removed)


WRITERS = {"copy": _write_copy, "orm": _write_orm}


def _remove_stale(first: int, last: int, kept: list[EligibilityAssessment]) -> int:
    """Delete the chunk's rows (enterprise ids first..last) for tiers its enterprises are no longer assessed for."""
    by_tier: dict[int, list[int]] = {}
    for row in kept:
        by_tier.setdefault(row.tier_id, []).append(row.enterprise_id)
    keep = Q(pk__in=[])
    for tier_id, ids in by_tier.items():
        keep |= Q(tier_id=tier_id, enterprise_id__in=ids)
    deleted, _ = (
        EligibilityAssessment.objects.filter(enterprise_id__gte=first, enterprise_id__lte=last).exclude(keep).delete()
    )
    return deleted


def _row(enterprise: Enterprise) -> dict[str, Any]:
    level = enterprise.current_tier.level if enterprise.current_tier else 0
    return {"id": enterprise.pk, "size_class": enterprise.size_class, "current_tier__level": level}


def _next_tier(enterprise: Enterprise, day: dt.date) -> tuple[Tier, Choice] | None:
    """The tier above the enterprise's own (as the nightly job picks it) and the document judging it on `day`."""
    level = (enterprise.current_tier.level if enterprise.current_tier else 0) + 1
    tier = next_tiers(day).get((level, enterprise.district.jurisdiction_id))
    if tier is None:
        return None
    choice = criteria().for_new_application(tier.code, day)
    assert choice is not None  # next_tiers keeps only tiers with criteria in force
    return tier, choice


def assess_enterprise(enterprise: Enterprise, day: dt.date) -> tuple[Tier, Result] | None:
    """The nightly verdict for one enterprise now, without storing it (for previews and tests)."""
    enterprise = Enterprise.objects.select_related("current_tier", "district").get(pk=enterprise.pk)
    found = _next_tier(enterprise, day)
    if found is None:
        return None
    tier, choice = found
    facts = facts_for([_row(enterprise)], day)[enterprise.pk]
    return tier, evaluate(choice.rule_set, facts, kind=choice.kind, provisional=choice.provisional)


@dataclass(frozen=True)
class Verdict:
    """One verdict on one enterprise: for which tier, as what kind of assessment, under which document and why."""

    tier: Tier
    choice: Choice
    result: Result
    purpose: str = "next_tier"  # "next_tier", "re_review", or "in_force" (a held tier under the document in force)
    certification: Certification | None = None  # the certificate a re-review is of

    def as_assessment(self, enterprise_id: int, day: dt.date) -> EligibilityAssessment:
        """An unsaved assessment row, so stored and live verdicts are worded by the same code."""
        return row_for(enterprise_id, self.tier, self.result, day)


def verdicts(enterprise: Enterprise, day: dt.date) -> list[Verdict]:
    """The enterprise's verdicts on `day`, unstored: the next tier's new application, and each held tier's re-review.

    While a held certificate was granted under another document than the one in force for new applications
    (a 63号 certificate re-reviewed by 63号 after 2026-04-01), its tier is also judged under the document in force,
    so the page shows the verdict under both.
    """
    enterprise = Enterprise.objects.select_related("current_tier", "district").get(pk=enterprise.pk)
    found = criteria()
    facts = facts_for([_row(enterprise)], day)[enterprise.pk]
    out: list[Verdict] = []
    upward = _next_tier(enterprise, day)
    if upward is not None:
        tier, choice = upward
        out.append(
            Verdict(tier, choice, evaluate(choice.rule_set, facts, kind=choice.kind, provisional=choice.provisional))
        )
    held = (
        Certification.objects.filter(
            enterprise=enterprise,
            status__in=sorted(CertificationStatus.HOLDING),
            valid_from__lte=day,
            valid_until__gt=day,
        )
        .select_related("tier")
        .order_by("-tier__level")
    )
    for cert in held:
        review = found.for_re_review(cert.tier.code, day, cert.valid_from)
        if review is None:
            continue
        result = evaluate(review.rule_set, facts, kind=review.kind, provisional=review.provisional)
        out.append(Verdict(cert.tier, review, result, "re_review", cert))
        now = found.for_new_application(cert.tier.code, day)
        if now is not None and now.rule_set.document.key != review.rule_set.document.key:
            result = evaluate(now.rule_set, facts, kind=now.kind, provisional=now.provisional)
            out.append(Verdict(cert.tier, now, result, "in_force", cert))
    return out
