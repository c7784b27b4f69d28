"""Words for benefit applications: refused transitions and eligibility refusals, in the reader's language."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from enterprises.models import ListingStatus, SizeClass
from programs.models import Beneficiary, BenefitStatusChoices
from programs.models.benefits import BENEFIT_ACTIONS
from programs.rule_messages import yuan
from programs.rules.eligibility import FACTS, NUMBER, YEAR_FACTS, Refusal
from reference.models import Tier
from zjtx.rules.transitions import TransitionError
from zjtx.transition_messages import transition_message


def benefit_transition_message(exc: TransitionError) -> str:
    def action(name: str) -> str:
        return str(BENEFIT_ACTIONS.get(name, name))

    def status(code: str) -> str:
        return str(BenefitStatusChoices(code).label) if code in BenefitStatusChoices.values else code

    return transition_message(exc, action_label=action, status_label=status)


FACT_LABELS = {
    "listing_status": gettext_lazy("listing status"),
    "size_class": gettext_lazy("size class"),
    "revenue": gettext_lazy("operating revenue"),
    "rd_expense": gettext_lazy("R&D expense"),
    "equity_financing": gettext_lazy("equity financing"),
    "employees": gettext_lazy("employees"),
    "invention_patents": gettext_lazy("invention patents"),
    "class_i_ip": gettext_lazy("class I intellectual property"),
    "high_tech": gettext_lazy("high-tech enterprise"),
    "own_brand": gettext_lazy("own competitive brand"),
}
_CHOICES = {"listing_status": ListingStatus, "size_class": SizeClass}


def fact_label(name: str) -> str:
    """A fact's name for the reader; yearly figures say they are last year's."""
    label = str(FACT_LABELS.get(name, name))
    return _("%(fact)s (last year)") % {"fact": label} if name in YEAR_FACTS else label


def _fact_value(name: str, value: str) -> str:
    choices = _CHOICES.get(name)
    if choices is not None:
        return "、".join(str(choices(v).label) if v in choices.values else v for v in value.split(", "))
    if FACTS.get(name) == NUMBER:
        return yuan(value) if name in ("revenue", "rd_expense", "equity_financing") else value
    return str(_("yes")) if value in ("true", "True") else str(_("no")) if value in ("false", "False") else value


def missing_facts_message(missing: list[str] | tuple[str, ...]) -> str:
    return _("The registry does not record %(facts)s for the enterprise, so whether it qualifies cannot be told.") % {
        "facts": "、".join(fact_label(f) for f in missing)
    }


def tier_names_of(codes: list[str] | None = None) -> dict[str, str]:
    """Tier code → name in the reader's language (all tiers without `codes`): one query for a whole list."""
    tiers = Tier.objects.all() if codes is None else Tier.objects.filter(code__in=codes)
    return {t.code: t.display_name for t in tiers}


def match_reasons(
    reasons: list[dict[str, Any]], tier_names: dict[str, str] | None = None, day: date | None = None
) -> list[str]:
    """A stored match's reasons ({kind, params}) in the reader's language; `day` is the last matching's."""
    on = day.isoformat() if day else "—"
    return [refusal_message(Refusal(r["kind"], {"day": on, **r["params"]}), tier_names) for r in reasons]


def refusal_message(refusal: Refusal, tier_names: dict[str, str] | None = None) -> str:
    p = dict(refusal.params)
    if refusal.kind == "condition_not_met":
        words = {
            "in": _("The measure asks that %(fact)s be one of %(value)s; it is %(actual)s."),
            "at_least": _("The measure asks for %(fact)s of at least %(value)s; the enterprise has %(actual)s."),
            "at_most": _("The measure asks for %(fact)s of at most %(value)s; the enterprise has %(actual)s."),
            "is": _("The measure asks that %(fact)s be %(value)s; it is %(actual)s."),
        }
        return words.get(p["op"], words["in"]) % {
            "fact": fact_label(p["fact"]),
            "value": _fact_value(p["fact"], p["value"]),
            "actual": _fact_value(p["fact"], p["actual"]),
        }
    if refusal.kind == "one_time_used":
        return _("The award is one-time and the enterprise has already been granted it.")
    if refusal.kind == "enterprise_cap_used":
        used = _("The enterprise has used its whole limit of %(cap)s yuan under this measure (%(awarded)s awarded).")
        return used % {"cap": yuan(p["cap"]), "awarded": yuan(p["awarded"])}
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
        names = tier_names if tier_names is not None else tier_names_of(codes)
        p["tiers"] = "、".join(names.get(c, c) for c in codes)
        return _("On %(day)s the enterprise held none of the tiers this measure is for: %(tiers)s.") % p
    if refusal.kind == "industry_excluded":
        return _("The measure is for industry sections %(industries)s; the enterprise is in section %(industry)s.") % p
    return refusal.kind
