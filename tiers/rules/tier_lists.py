"""What one row of a published tier list (名单) would change: pure rules, no Django.

A list is imported for one tier and one kind, chosen at upload: certification
(new or renewal), re-review passed (复核通过), re-review failed (复核未通过) or
revocation (撤销).  For one row — an enterprise and the list's dates — and
the enterprise's recorded certifications, `plan_row` says the outcome:

- new:        a certification of the tier to create (the enterprise never held it, or its
              last one has ended before the new period starts);
- renewal:    a certification to create that follows one still held, which ends the day the
              new one starts;
- extension:  a passed re-review: the held certification runs to the new end;
- ending:     a failed re-review or a revocation: the held certification ends on the day;
- recorded:   the registry already says what the row says (importing a list twice changes nothing);
- exception:  a new certification whose enterprise did not hold the level below on the day: written
              only when the official accepts the exceptions, and then recorded as one;
- conflict:   the row contradicts the registry (dates that overlap a later certification, another
              tier of the same level held, nothing to re-review or revoke); never written.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from tiers.rules.lifecycle import CertificationStatus, add_years, prerequisite_level


class ListKind(StrEnum):
    CERTIFICATION = "certification"
    RE_REVIEW_PASSED = "re_review_passed"
    RE_REVIEW_FAILED = "re_review_failed"
    REVOCATION = "revocation"


class Outcome(StrEnum):
    NEW = "new"
    RENEWAL = "renewal"
    EXTENSION = "extension"
    ENDING = "ending"
    RECORDED = "recorded"
    EXCEPTION = "exception"
    CONFLICT = "conflict"


WRITTEN = frozenset({Outcome.NEW, Outcome.RENEWAL, Outcome.EXTENSION, Outcome.ENDING})


@dataclass(frozen=True)
class Held:
    """One recorded certification of the enterprise."""

    id: int
    tier_id: int
    level: int
    status: str
    valid_from: dt.date
    valid_until: dt.date  # exclusive
    ended_on: dt.date | None = None

    def held_on(self, day: dt.date) -> bool:
        if self.valid_from > day or self.valid_until <= day:
            return False
        return self.status in CertificationStatus.HOLDING or (self.ended_on is not None and self.ended_on > day)


@dataclass(frozen=True)
class ListedTier:
    id: int
    level: int
    validity_years: int


@dataclass(frozen=True)
class Plan:
    outcome: Outcome
    reason: str = ""  # kind of conflict or exception, worded by the caller
    certification_id: int | None = None  # the recorded certification the row moves or matches
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None


def period(start: dt.date, until: dt.date | None, validity_years: int) -> tuple[dt.date, dt.date]:
    """The half-open period of a listed certification: until the list's date, else the tier's validity."""
    return start, until if until is not None else add_years(start, validity_years)


def plan_row(
    kind: ListKind,
    tier: ListedTier,
    held: list[Held],
    *,
    day: dt.date,
    until: dt.date | None = None,
) -> Plan:
    """The outcome of one row dated `day` (认定日期, or the start of the 有效期, or 公示日期) whose list may give
    the period's end `until` (exclusive)."""
    same = sorted((h for h in held if h.tier_id == tier.id), key=lambda h: h.valid_from)
    if kind == ListKind.CERTIFICATION:
        return _certification(tier, held, same, _running(same, day), day, until)
    # A re-review or a revocation concerns the certification running on its day, also one the nightly job has
    # since expired at the end of its period (a re-review passed before the end keeps it going).
    current = _running(same, day)
    if current is None:
        revoked = any(h.status == CertificationStatus.REVOKED and h.ended_on == day for h in same)
        extended = any(h.valid_from <= day and h.valid_until > add_years(day, tier.validity_years) for h in same)
        if (kind == ListKind.RE_REVIEW_PASSED and extended) or (kind != ListKind.RE_REVIEW_PASSED and revoked):
            return Plan(Outcome.RECORDED)
        return Plan(Outcome.CONFLICT, "nothing_held")
    if kind == ListKind.RE_REVIEW_PASSED:
        # The re-review dated `day` extends the period running that day by one validity.  Once extended, the
        # period reaches beyond a validity from `day`: the same list again is recorded, not extended twice.
        if until is not None:
            new_until, done = until, current.valid_until >= until
        else:
            new_until = add_years(current.valid_until, tier.validity_years)
            done = current.valid_until > add_years(day, tier.validity_years)
        if done:
            return Plan(Outcome.RECORDED, certification_id=current.id)
        return Plan(
            Outcome.EXTENSION, certification_id=current.id, valid_from=current.valid_from, valid_until=new_until
        )
    return Plan(Outcome.ENDING, certification_id=current.id, valid_from=current.valid_from, valid_until=day)


def _running(same: list[Held], day: dt.date) -> Held | None:
    return next((h for h in reversed(same) if h.status != CertificationStatus.REVOKED and h.held_on(day)), None)


def _certification(
    tier: ListedTier, held: list[Held], same: list[Held], current: Held | None, day: dt.date, until: dt.date | None
) -> Plan:
    start, end = period(day, until, tier.validity_years)
    if end <= start:
        return Plan(Outcome.CONFLICT, "empty_period")
    for h in same:
        if h.valid_from == start:
            return Plan(Outcome.RECORDED, certification_id=h.id, valid_from=h.valid_from, valid_until=h.valid_until)
    later = [h for h in same if h.valid_from > start]
    if later:
        return Plan(Outcome.CONFLICT, "overlaps_later", certification_id=later[0].id)
    rival = next((h for h in held if h.level == tier.level and h.tier_id != tier.id and h.held_on(start)), None)
    if rival is not None:
        return Plan(Outcome.CONFLICT, "other_tier_held", certification_id=rival.id)
    needed = prerequisite_level(tier.level)
    if needed is not None and not any(h.level >= needed and h.tier_id != tier.id and h.held_on(start) for h in held):
        outcome = Plan(Outcome.EXCEPTION, "prerequisite_missing", valid_from=start, valid_until=end)
    else:
        outcome = Plan(Outcome.NEW, valid_from=start, valid_until=end)
    if current is not None:
        # Still held (or under re-review): the listed certification follows it, and it ends that day.
        return Plan(
            Outcome.RENEWAL if outcome.outcome == Outcome.NEW else Outcome.EXCEPTION,
            outcome.reason,
            certification_id=current.id,
            valid_from=start,
            valid_until=end,
        )
    return outcome
