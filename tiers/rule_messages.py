"""Words for the tier lifecycle's actions, states and refused transitions, in the reader's language."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from tiers.models.lifecycle import ApplicationStatusChoices, CertificationStatusChoices
from zjtx import transition_messages
from zjtx.rules.transitions import TransitionError

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


def transition_message(exc: TransitionError) -> str:
    return transition_messages.transition_message(exc, action_label=action_label, status_label=status_label)
