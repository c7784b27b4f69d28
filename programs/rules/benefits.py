"""States of a benefit application: submitted → approved or rejected; approved → paid.

District staff submit (the amount is quoted by the subsidy engine); municipal
officials approve (the amount is computed again against the budget and the
enterprise's caps), reject with a reason, and mark approved awards as paid.
"""

from __future__ import annotations

from zjtx.rules.transitions import OFFICIAL, Transition


class BenefitStatus:
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"
    PAID = "paid"

    # Money promised or paid: what counts against budgets and per-enterprise caps.
    COMMITTED = frozenset({APPROVED, PAID})
    FINAL = frozenset({REJECTED, PAID})


B = BenefitStatus
BENEFIT_TRANSITIONS: tuple[Transition, ...] = (
    Transition("approve", frozenset({B.SUBMITTED}), B.APPROVED, frozenset({OFFICIAL})),
    Transition("reject", frozenset({B.SUBMITTED}), B.REJECTED, frozenset({OFFICIAL}), needs_reason=True),
    Transition("pay", frozenset({B.APPROVED}), B.PAID, frozenset({OFFICIAL})),
)
