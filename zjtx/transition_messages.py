"""Words for a refused transition (zjtx.rules.transitions.TransitionError), in the reader's language.

Each lifecycle passes the labels of its own actions and states; kinds this module does not know
(a lifecycle's own rule errors) are left to the caller.
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext as _

from zjtx.rules.transitions import TransitionError

GENERIC_KINDS = frozenset({"unknown_action", "wrong_state", "wrong_role", "needs_reason"})


def transition_message(
    exc: TransitionError, *, action_label: Callable[[str], str], status_label: Callable[[str], str]
) -> str:
    """Word a TransitionError of the generic kinds; any other kind is described by its own text."""
    p = exc.params
    if exc.kind == "unknown_action":
        return _("Unknown action %(action)s; known actions: %(known)s.") % p
    if exc.kind == "wrong_state":
        allowed = "、".join(status_label(s) for s in p["allowed"].split(", "))
        return _("Cannot %(action)s an item that is %(current)s (%(code)s); only from: %(allowed)s.") % {
            "action": action_label(p["action"]),
            "current": status_label(p["current"]),
            "code": p["current"],
            "allowed": allowed,
        }
    if exc.kind == "wrong_role":
        return _("Your role may not %(action)s.") % {"action": action_label(p["action"])}
    if exc.kind == "needs_reason":
        return _("To %(action)s, give a reason.") % {"action": action_label(p["action"])}
    return str(exc)
