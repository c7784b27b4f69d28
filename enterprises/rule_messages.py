"""Words for the errors of the pure rule modules, in the reader's language.

The rules raise errors with a `kind` and parameters; this module turns them
into translated sentences, naming states and actions by their labels.
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from enterprises.models.lifecycle import ApplicationStatusChoices, CertificationStatusChoices
from enterprises.models.servicedesk import DemandStatusChoices
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
    "raise": gettext_lazy("raise"),
    "assign": gettext_lazy("assign"),
    "start": gettext_lazy("start work on"),
    "resolve": gettext_lazy("resolve"),
    "close": gettext_lazy("close"),
    "reopen": gettext_lazy("reopen"),
}


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


def status_label(status: str) -> str:
    for choices in (ApplicationStatusChoices, CertificationStatusChoices, DemandStatusChoices):
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
    return servicedesk_message(exc)


def servicedesk_message(exc: TransitionError) -> str:
    """Words for the service desk's own rule errors (enterprises/rules/servicedesk.py)."""
    messages = {
        "needs_unit": _("To route a demand, name the responsible unit."),
        "needs_satisfaction": _(
            "To close a demand, give the enterprise's satisfaction: satisfied, basically_satisfied or unsatisfied."
        ),
        "satisfaction_only_on_close": _("The enterprise's satisfaction is given only when closing a demand."),
        "due_before_raised": _("The due date cannot be before the day the demand was raised."),
        "raised_in_future": _("A demand cannot be recorded as raised on a day still to come."),
        "visit_in_future": _("A visit cannot be logged before the day it takes place."),
        "follow_up_before_visit": _("The follow-up date cannot be before the visit."),
    }
    if exc.kind in messages:
        return str(messages[exc.kind])
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
