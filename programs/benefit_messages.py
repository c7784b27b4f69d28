"""Words for benefit applications: refused transitions and eligibility refusals, in the reader's language."""

from __future__ import annotations

from django.utils.translation import gettext as _

from programs.models import Beneficiary, BenefitStatusChoices
from programs.models.benefits import BENEFIT_ACTIONS
from programs.rules.eligibility import Refusal
from reference.models import Tier
from zjtx.rules.transitions import TransitionError
from zjtx.transition_messages import transition_message


def benefit_transition_message(exc: TransitionError) -> str:
    def action(name: str) -> str:
        return str(BENEFIT_ACTIONS.get(name, name))

    def status(code: str) -> str:
        return str(BenefitStatusChoices(code).label) if code in BenefitStatusChoices.values else code

    return transition_message(exc, action_label=action, status_label=status)


def refusal_message(refusal: Refusal) -> str:
    p = dict(refusal.params)
    if refusal.kind == "not_for_enterprises":
        label = Beneficiary(p["beneficiary"]).label if p["beneficiary"] in Beneficiary.values else p["beneficiary"]
        return _("The money of this measure goes to %(who)s, not to enterprises.") % {"who": label}
    if refusal.kind == "wrong_region":
        return _("The enterprise is in region %(region)s; the policy applies in %(expected)s.") % p
    if refusal.kind == "outside_period":
        if p["effective_until"]:
            return (
                _("%(day)s is outside the measure's period, %(effective_from)s to %(effective_until)s (exclusive).") % p
            )
        return _("%(day)s is before the measure's period, which starts on %(effective_from)s.") % p
    if refusal.kind == "tier_not_held":
        codes = p["tiers"].split(", ")
        names = {t.code: t.display_name for t in Tier.objects.filter(code__in=codes)}
        p["tiers"] = "、".join(names.get(c, c) for c in codes)
        return _("On %(day)s the enterprise held none of the tiers this measure is for: %(tiers)s.") % p
    if refusal.kind == "industry_excluded":
        return _("The measure is for industry sections %(industries)s; the enterprise is in section %(industry)s.") % p
    return refusal.kind
