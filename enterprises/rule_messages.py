"""Words for the errors of the pure rule modules, in the reader's language.

The rules raise errors with a `kind` and parameters; this module turns them
into translated sentences, naming states and actions by their labels.
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from enterprises.models.lifecycle import ApplicationStatusChoices, CertificationStatusChoices
from enterprises.rules.credit_code import CreditCodeError
from enterprises.rules.lifecycle import TransitionError

ACTION_LABELS = {
    "submit": gettext_lazy("submit"),
    "recommend": gettext_lazy("recommend"),
    "decline": gettext_lazy("decline to recommend"),
    "withdraw": gettext_lazy("withdraw"),
    "start_review": gettext_lazy("start the municipal review"),
    "publicise": gettext_lazy("publish for public notice"),
    "certify": gettext_lazy("certify"),
    "reject": gettext_lazy("reject"),
    "start_re_review": gettext_lazy("start the re-review"),
    "confirm": gettext_lazy("confirm after re-review"),
    "revoke": gettext_lazy("revoke"),
    "expire": gettext_lazy("expire"),
    "import": gettext_lazy("import"),
}


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


def status_label(status: str) -> str:
    for choices in (ApplicationStatusChoices, CertificationStatusChoices):
        if status in choices.values:
            return str(choices(status).label)
    return status


def transition_message(
    exc: TransitionError,
    *,
    action_label: Callable[[str], str] = action_label,
    status_label: Callable[[str], str] = status_label,
) -> str:
    """Word a TransitionError; other state machines pass the labels of their own actions and states."""
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


def credit_code_message(exc: CreditCodeError) -> str:
    p = exc.params
    if exc.kind == "length":
        return _("must be 18 characters, got %(length)s") % p
    if exc.kind == "characters":
        return _("contains characters not used in credit codes: %(chars)s") % p
    if exc.kind == "division":
        return _("characters 3-8 must be the 6-digit division code")
    if exc.kind == "check":
        return _("check character is %(found)s, expected %(expected)s") % p
    return str(exc)
