"""Program administrators maintain subsidy rules: a new rule, a new rate or cap, a new end date."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from programs.models import Measure, SubsidyRule
from zjtx.access import Action, can_change_model, restrict
from zjtx.errors import DomainError


@transaction.atomic
def subsidy_rule_save(*, actor: Any, rule: SubsidyRule) -> SubsidyRule:
    """Validate (formula, period, no overlap with the measure's other rules) and save."""
    if not can_change_model(actor, SubsidyRule):
        raise DomainError(_("Only program administrators maintain subsidy rules."), code="forbidden_role")
    # The measure decides whose rule it is: a city's administrators keep rules of their own city's measures.
    if not restrict(Measure.objects.filter(pk=rule.measure_id), actor, Action.CHANGE).exists():
        raise DomainError(_("No such measure."), code="not_found", field="measure")
    rule.full_clean()
    rule.save()
    return rule
