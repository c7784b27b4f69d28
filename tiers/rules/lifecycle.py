"""The tier lifecycle as explicit transition tables.

An application (申报) moves: submitted → recommended by the district →
under municipal review → public notice (公示) → certified, or is not
recommended / rejected / withdrawn on the way.  Certification creates a
certification (认定), which is active until it expires, is re-reviewed (复核)
and confirmed or revoked, or is revoked outright with a reason.

Each transition names the roles that may take it.  "system" is the nightly
job.  Superusers may take any transition a person may take.
"""

from __future__ import annotations

from datetime import date

from zjtx.rules.transitions import (
    DISTRICT,
    OFFICIAL,
    SYSTEM,
    Transition,
)
from zjtx.rules.transitions import transition as _t


class ApplicationStatus:
    SUBMITTED = "submitted"
    RECOMMENDED = "recommended"
    UNDER_REVIEW = "under_review"
    PUBLICISED = "publicised"
    CERTIFIED = "certified"
    NOT_RECOMMENDED = "not_recommended"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"

    OPEN = frozenset({SUBMITTED, RECOMMENDED, UNDER_REVIEW, PUBLICISED})
    FINAL = frozenset({CERTIFIED, NOT_RECOMMENDED, REJECTED, WITHDRAWN})


A = ApplicationStatus
APPLICATION_TRANSITIONS: tuple[Transition, ...] = (
    _t("recommend", {A.SUBMITTED}, A.RECOMMENDED, {DISTRICT}),
    _t("decline", {A.SUBMITTED}, A.NOT_RECOMMENDED, {DISTRICT}, needs_reason=True),
    _t("withdraw", {A.SUBMITTED, A.RECOMMENDED}, A.WITHDRAWN, {DISTRICT}, needs_reason=True),
    _t("start_review", {A.RECOMMENDED}, A.UNDER_REVIEW, {OFFICIAL}),
    _t("publicise", {A.UNDER_REVIEW}, A.PUBLICISED, {OFFICIAL}),
    _t("certify", {A.PUBLICISED}, A.CERTIFIED, {OFFICIAL}),
    _t("reject", {A.UNDER_REVIEW, A.PUBLICISED}, A.REJECTED, {OFFICIAL}, needs_reason=True),
)


class CertificationStatus:
    ACTIVE = "active"
    RE_REVIEW = "re_review"
    EXPIRED = "expired"
    REVOKED = "revoked"

    # States in which the enterprise holds the tier.
    HOLDING = frozenset({ACTIVE, RE_REVIEW})
    FINAL = frozenset({EXPIRED, REVOKED})


C = CertificationStatus
CERTIFICATION_TRANSITIONS: tuple[Transition, ...] = (
    _t("start_re_review", {C.ACTIVE}, C.RE_REVIEW, {OFFICIAL}),
    _t("confirm", {C.RE_REVIEW}, C.ACTIVE, {OFFICIAL}),
    _t("revoke", {C.ACTIVE, C.RE_REVIEW}, C.REVOKED, {OFFICIAL}, needs_reason=True),
    _t("expire", {C.ACTIVE, C.RE_REVIEW}, C.EXPIRED, {SYSTEM, OFFICIAL}),
)


def add_years(start: date, years: int) -> date:
    """Same day `years` later; 29 February becomes 28 February in a common year."""
    try:
        return start.replace(year=start.year + years)
    except ValueError:
        return start.replace(year=start.year + years, day=28)


def validity_period(valid_from: date, years: int) -> tuple[date, date]:
    """Half-open [from, until): a 3-year certification from 2023-07-01 ends before 2026-07-01."""
    if years <= 0:
        raise ValueError("validity must be at least one year")
    return valid_from, add_years(valid_from, years)


def renewed_until(current_until: date, years: int) -> date:
    """A confirmed re-review extends the certification by another validity period from its end."""
    return add_years(current_until, years)


def prerequisite_level(level: int) -> int | None:
    """Higher tiers presuppose the lower: level n needs a held tier of level n-1."""
    return level - 1 if level > 1 else None
