"""State machines as explicit transition tables: the vocabulary shared by every lifecycle of the system.

A table is a tuple of `Transition` (action, source states, target state, roles that may take it,
whether a reason is required).  `check` returns the transition an actor may take or raises a
`TransitionError` whose `kind` and `params` let the caller word it for the reader
(zjtx.transition_messages).  Tiers, the service desk and the programs each keep their own tables.

Pure Python, no Django (tests/test_rules_are_pure.py).
"""

from __future__ import annotations

from dataclasses import dataclass


class TransitionError(ValueError):
    """An action the table does not allow: `kind` and `params` let the caller word it for the reader."""

    def __init__(self, kind: str, message: str, **params: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.params = params


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str
    roles: frozenset[str]
    needs_reason: bool = False


DISTRICT = "district_staff"
OFFICIAL = "municipal_official"
SYSTEM = "system"


def transition(action: str, sources: set[str], target: str, roles: set[str], needs_reason: bool = False) -> Transition:
    return Transition(action, frozenset(sources), target, frozenset(roles), needs_reason)


def find(table: tuple[Transition, ...], action: str) -> Transition:
    for t in table:
        if t.action == action:
            return t
    known = ", ".join(t.action for t in table)
    raise TransitionError(
        "unknown_action", f"unknown action {action!r}; known actions: {known}", action=action, known=known
    )


def check(
    table: tuple[Transition, ...], *, current: str, action: str, role: str, is_superuser: bool = False, reason: str = ""
) -> Transition:
    """Return the transition for `action` from `current`, or raise TransitionError saying why not."""
    t = find(table, action)
    if current not in t.sources:
        allowed = ", ".join(sorted(t.sources))
        raise TransitionError(
            "wrong_state",
            f"cannot {action} from state {current}; only from: {allowed}",
            action=action,
            current=current,
            allowed=allowed,
        )
    if not (role in t.roles or (is_superuser and t.roles - {SYSTEM})):
        raise TransitionError("wrong_role", f"role {role or 'none'} may not {action}", action=action, role=role)
    if t.needs_reason and not reason.strip():
        raise TransitionError("needs_reason", f"{action} needs a reason", action=action)
    return t


def allowed_actions(table: tuple[Transition, ...], *, current: str, role: str, is_superuser: bool = False) -> list[str]:
    return [
        t.action
        for t in table
        if current in t.sources and (role in t.roles or (is_superuser and bool(t.roles - {SYSTEM})))
    ]
