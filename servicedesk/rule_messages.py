"""Words for the service desk's actions, states and rule errors, in the reader's language."""

from __future__ import annotations

from django.utils.translation import gettext as _

from servicedesk.models import ACTION_LABELS, DemandStatusChoices
from zjtx import transition_messages
from zjtx.rules.transitions import TransitionError


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


def status_label(status: str) -> str:
    return str(DemandStatusChoices(status).label) if status in DemandStatusChoices.values else status


def transition_message(exc: TransitionError) -> str:
    """Word a refused demand transition or one of the service desk's own rule errors (servicedesk/rules)."""
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
    return transition_messages.transition_message(exc, action_label=action_label, status_label=status_label)
