"""Policy matching (政策找企业): every enterprise against every measure in force, nightly, with the one check.

The measures matched on a day are those in force that day with a subsidy rule in force (what a
benefit application can be made under).  The job walks the enterprises in ranges of ids
(`CHUNK`), reads their facts with the same reader a single application uses
(programs.selectors.applicants_between: four queries a range), and judges them with the same
check (programs.services.eligibility).  Enterprises whose facts are the same (region, tiers
held, industry, the few facts the conditions read) get the same verdict, so each distinct
applicant is judged once per measure; enterprises with earlier awards under a measure are judged
on their own.  Pairs refused for the region are not stored (a Beijing measure is never a
Chongqing firm's; they would be most of the table and tell staff nothing).

Writes are set-based, one transaction per range: on PostgreSQL the range's rows are COPYed into
a temporary table and merged by one INSERT … ON CONFLICT that rewrites only the rows whose
verdict, reasons, facts missing, rule, inputs or amount changed, and one DELETE of the range's
rows no longer produced; elsewhere (SQLite, the demo) the ORM does the same diff.  So a rerun
for the same day writes nothing, and `since` keeps the day a verdict began.  The job acts for
nobody: it reads the tables directly.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cached_property
from typing import Any

from django.db import connection, transaction
from django.db.models import Q

from enterprises.models import Enterprise
from programs import selectors
from programs.models import BenefitMatch, Measure
from programs.rules import eligibility
from programs.rules import subsidy as engine
from programs.services.eligibility import MatchTarget, estimate, judge, target_for
from reference.services.jobs import job_run
from zjtx.access import dangerously_unrestricted
from zjtx.pgcopy import copy_into_stage, copy_text

JOB = selectors.MATCH_JOB
CHUNK = 20_000
STAGE = "zjtx_benefit_match_stage"
COLUMNS = ["enterprise_id", "measure_id", "verdict", "reasons", "missing", "rule_id", "inputs", "amount"]
COMPARED = ["verdict", "reasons", "missing", "rule_id", "inputs", "amount"]


@dataclass(frozen=True)
class Outcome:
    """A pair's result as stored, without the enterprise."""

    verdict: str
    reasons: str  # JSON
    missing: str  # JSON
    rule_id: int | None
    inputs: str  # JSON
    amount: Decimal | None

    @cached_property
    def copy_text(self) -> str:
        """The row's columns after the keys, as COPY text (built once for all the enterprises sharing it)."""
        values = (self.verdict, self.reasons, self.missing, self.rule_id, self.inputs, self.amount)
        return "\t".join(copy_text(v) for v in values)


@dataclass
class MatchRun:
    day: str = ""
    measures: int = 0
    enterprises: int = 0
    pairs: int = 0
    qualifies: int = 0
    does_not: int = 0
    cannot_tell: int = 0
    created: int = 0
    updated: int = 0
    removed: int = 0
    distinct_applicants: int = 0
    seconds: float = 0.0
    read_seconds: float = 0.0  # the enterprises' facts
    judge_seconds: float = 0.0  # the check, in Python
    write_seconds: float = 0.0  # COPY and merge (or the ORM's diff)
    by_measure: dict[str, int] = field(default_factory=dict)

    def count(self, measure_id: int, result: Outcome, n: int) -> None:
        self.pairs += n
        setattr(self, result.verdict, getattr(self, result.verdict) + n)
        if result.verdict == eligibility.QUALIFIES:
            self.by_measure[str(measure_id)] = self.by_measure.get(str(measure_id), 0) + n

    def as_dict(self) -> dict[str, Any]:
        rounded = {k: round(v, 2) for k, v in self.__dict__.items() if k.endswith("seconds")}
        return {**self.__dict__, **rounded}


def targets_for(day: date) -> list[MatchTarget]:
    """The measures matched on `day`: in force, with a subsidy rule in force."""
    measures = (
        Measure.objects.filter(subsidy_rules__effective_from__lte=day)
        .filter(Q(subsidy_rules__effective_until__isnull=True) | Q(subsidy_rules__effective_until__gt=day))
        .distinct()
        .select_related("policy__jurisdiction")
        .prefetch_related("tiers", "industries", "policy__tiers")
        .order_by("pk")
    )
    found = []
    for measure in measures:
        target = target_for(measure, day)
        if eligibility.in_period(day, target.scope.effective_from, target.scope.effective_until):
            found.append(target)
    return found


def outcome(
    target: MatchTarget, verdict: eligibility.Verdict, amount: Decimal | None, inputs: dict[str, str]
) -> Outcome:
    return Outcome(
        verdict=verdict.status,
        reasons=json.dumps([_undated(r) for r in verdict.refusals], ensure_ascii=False, sort_keys=True),
        missing=json.dumps(list(verdict.missing)),
        rule_id=target.rule.pk if target.rule else None,
        inputs=json.dumps(inputs, sort_keys=True),
        amount=amount,
    )


def _undated(refusal: eligibility.Refusal) -> dict[str, Any]:
    """A refusal as stored: without the day it was found on (that is the run's), so an unchanged verdict is
    not rewritten every night; pages fill in the day of the last run."""
    found = refusal.as_dict()
    found["params"].pop("day", None)
    return found


def evaluate(
    target: MatchTarget, applicant: eligibility.Applicant, day: date, history: engine.History | None
) -> Outcome | None:
    """The stored outcome of one applicant under one measure; None when the region refuses it (not stored)."""
    verdict = judge(target, applicant, day, history)
    if any(r.kind == "wrong_region" for r in verdict.refusals):
        return None
    if verdict.qualifies:
        amount, inputs = estimate(target, applicant, day, history)
        return outcome(target, verdict, amount, inputs)
    return outcome(target, verdict, None, {})


def _ranges() -> Iterator[tuple[int, int]]:
    """Ranges of enterprise ids of about CHUNK enterprises each (one index-only query per range)."""
    ids = dangerously_unrestricted(Enterprise.objects.all()).order_by("pk").values_list("pk", flat=True)
    last = 0
    while True:
        ends = list(ids.filter(pk__gt=last)[CHUNK - 1 : CHUNK])
        if ends:
            yield last + 1, ends[0]
            last = ends[0]
            continue
        rest = ids.filter(pk__gt=last).order_by("-pk").first()
        if rest is not None:
            yield last + 1, rest
        return


def _outcomes(
    targets: list[MatchTarget],
    applicants: dict[int, eligibility.Applicant],
    histories: dict[tuple[int, int], engine.History],
    day: date,
    run: MatchRun,
) -> list[tuple[int, int, Outcome]]:
    """(enterprise, measure, outcome) of the range; each distinct applicant judged once per measure, and
    again alone for each enterprise with earlier awards under the measure."""
    groups: dict[eligibility.Applicant, list[int]] = defaultdict(list)
    for enterprise_id, applicant in applicants.items():
        groups[applicant].append(enterprise_id)
    run.distinct_applicants += len(groups)
    awarded: dict[int, set[int]] = defaultdict(set)
    for enterprise_id, measure_id in histories:
        if enterprise_id in applicants:
            awarded[measure_id].add(enterprise_id)
    rows: list[tuple[int, int, Outcome]] = []
    for target in targets:
        measure_id, alone = target.measure_id, awarded.get(target.measure_id, set())
        for applicant, enterprise_ids in groups.items():
            shared = evaluate(target, applicant, day, None)
            for enterprise_id in alone.intersection(enterprise_ids):
                result = evaluate(target, applicant, day, histories[(enterprise_id, measure_id)])
                if result is not None:
                    rows.append((enterprise_id, measure_id, result))
                    run.count(measure_id, result, 1)
            if shared is None:
                continue
            many = [e for e in enterprise_ids if e not in alone] if alone else enterprise_ids
            rows.extend((e, measure_id, shared) for e in many)
            run.count(measure_id, shared, len(many))
    return rows


def match_all(day: date, *, progress: Callable[[MatchRun], None] | None = None, writer: str | None = None) -> MatchRun:
    """Match every enterprise against the measures in force on `day`; idempotent for a day.

    `writer` is "copy" (PostgreSQL, the default there) or "orm" (elsewhere); tests run both."""
    started = time.monotonic()
    run = MatchRun(day=day.isoformat())
    targets = targets_for(day)
    run.measures = len(targets)
    facts = frozenset().union(*(t.facts for t in targets)) if targets else frozenset()
    histories = selectors.award_histories(measure_ids=[t.measure_id for t in targets])
    write = WRITERS[writer or ("copy" if connection.vendor == "postgresql" else "orm")]
    for first, last in _ranges():
        clock = time.monotonic()
        applicants = selectors.applicants_between(first, last, day, facts)
        run.enterprises += len(applicants)
        run.read_seconds += time.monotonic() - clock
        clock = time.monotonic()
        rows = _outcomes(targets, applicants, histories, day, run)
        run.judge_seconds += time.monotonic() - clock
        clock = time.monotonic()
        with transaction.atomic():
            created, updated, removed = write(first, last, rows, day)
        run.write_seconds += time.monotonic() - clock
        run.created += created
        run.updated += updated
        run.removed += removed
        if progress is not None:
            progress(run)
    # Measures no longer matched (ended, or their rule did): their rows go.
    stale = BenefitMatch.objects.exclude(measure_id__in=[t.measure_id for t in targets])
    run.removed += stale.delete()[0]
    if connection.vendor == "postgresql" and run.created + run.updated + run.removed > run.pairs // 10:
        # After a large change the planner's statistics are stale (they drive the pages' plans); autovacuum
        # would get there later.
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {BenefitMatch._meta.db_table}")
    run.seconds = time.monotonic() - started
    return run


def benefit_matching_run(day: date) -> dict[str, Any]:
    """The nightly job: match for `day`, recorded in JobRun (job programs.match_benefits, key the day)."""
    with job_run(JOB, day.isoformat()) as record:
        record.result = match_all(day).as_dict()
    return record.result


# --- writing a range ------------------------------------------------------------------------


def _write_copy(first: int, last: int, rows: list[tuple[int, int, Outcome]], day: date) -> tuple[int, int, int]:
    """COPY the range's rows into a temporary table, merge the changed ones, delete the ones gone."""
    table = BenefitMatch._meta.db_table
    copy_into_stage(
        STAGE,
        "(enterprise_id bigint, measure_id bigint, verdict varchar(12), reasons jsonb, missing jsonb,"
        " rule_id bigint, inputs jsonb, amount numeric(16, 2))",
        COLUMNS,
        "".join(f"{e}\t{m}\t{o.copy_text}\n" for e, m, o in rows),
    )
    stored = ", ".join(f"t.{c}" for c in COMPARED)
    staged = ", ".join(f"s.{c}" for c in COMPARED)
    with connection.cursor() as cursor:
        # The comparison is one hash join of the range's stored rows with the staged ones; only rows that
        # are new or differ reach the INSERT … ON CONFLICT.
        cursor.execute(
            f"""
            WITH changed AS (
                SELECT s.* FROM {STAGE} s
                LEFT JOIN {table} t ON t.enterprise_id = s.enterprise_id AND t.measure_id = s.measure_id
                                   AND t.enterprise_id BETWEEN %(first)s AND %(last)s
                WHERE t.id IS NULL OR ROW({stored}) IS DISTINCT FROM ROW({staged})
            ), written AS (
                INSERT INTO {table} AS t ({", ".join(COLUMNS)}, since)
                SELECT {", ".join(COLUMNS)}, %(day)s FROM changed
                ON CONFLICT (enterprise_id, measure_id) DO UPDATE SET
                    {", ".join(f"{c} = EXCLUDED.{c}" for c in COMPARED)},
                    since = CASE WHEN t.verdict = EXCLUDED.verdict THEN t.since ELSE EXCLUDED.since END
                RETURNING (xmax = 0) AS created
            )
            SELECT count(*) FILTER (WHERE created), count(*) FILTER (WHERE NOT created) FROM written
            """,
            {"day": day, "first": first, "last": last},
        )
        created, updated = cursor.fetchone()
        cursor.execute(
            f"""
            DELETE FROM {table} AS t
            WHERE t.enterprise_id BETWEEN %(first)s AND %(last)s
              AND NOT EXISTS (SELECT 1 FROM {STAGE} s WHERE s.enterprise_id = t.enterprise_id
                                                       AND s.measure_id = t.measure_id)
            """,
            {"first": first, "last": last},
        )
        removed = cursor.rowcount
        cursor.execute(f"DROP TABLE {STAGE}")
    return int(created), int(updated), int(removed)


def _stored(match: BenefitMatch) -> Outcome:
    return Outcome(
        verdict=match.verdict,
        reasons=json.dumps(match.reasons, ensure_ascii=False, sort_keys=True),
        missing=json.dumps(match.missing),
        rule_id=match.rule_id,
        inputs=json.dumps(match.inputs, sort_keys=True),
        amount=match.amount,
    )


def _write_orm(first: int, last: int, rows: list[tuple[int, int, Outcome]], day: date) -> tuple[int, int, int]:
    """The same diff through the ORM (SQLite and other databases without COPY)."""
    stored = {
        (m.enterprise_id, m.measure_id): m
        for m in BenefitMatch.objects.filter(enterprise_id__gte=first, enterprise_id__lte=last)
    }
    new: list[BenefitMatch] = []
    changed: list[BenefitMatch] = []
    for enterprise_id, measure_id, result in rows:
        match = stored.pop((enterprise_id, measure_id), None)
        if match is None:
            new.append(BenefitMatch(enterprise_id=enterprise_id, measure_id=measure_id, since=day))
            _apply(new[-1], result)
        elif _stored(match) != result:
            if match.verdict != result.verdict:
                match.since = day
            _apply(match, result)
            changed.append(match)
    BenefitMatch.objects.bulk_create(new, batch_size=500)
    BenefitMatch.objects.bulk_update(changed, [*COMPARED, "since"], batch_size=500)
    removed = BenefitMatch.objects.filter(pk__in=[m.pk for m in stored.values()]).delete()[0] if stored else 0
    return len(new), len(changed), removed


def _apply(match: BenefitMatch, result: Outcome) -> None:
    match.verdict = result.verdict
    match.reasons = json.loads(result.reasons)
    match.missing = json.loads(result.missing)
    match.rule_id = result.rule_id
    match.inputs = json.loads(result.inputs)
    match.amount = result.amount


WRITERS: dict[str, Callable[[int, int, list[tuple[int, int, Outcome]], date], tuple[int, int, int]]] = {
    "copy": _write_copy,
    "orm": _write_orm,
}
