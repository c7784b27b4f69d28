"""Words for the tier lifecycle's actions, states and refused transitions, in the reader's language."""

from __future__ import annotations

from tiers.models.lifecycle import ACTION_LABELS, ApplicationStatusChoices, CertificationStatusChoices
from zjtx import transition_messages
from zjtx.rules.transitions import TransitionError


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


def status_label(status: str) -> str:
    for choices in (ApplicationStatusChoices, CertificationStatusChoices):
        if status in choices.values:
            return str(choices(status).label)
    return status


def transition_message(exc: TransitionError) -> str:
    return transition_messages.transition_message(exc, action_label=action_label, status_label=status_label)
