"""Words for the subsidy engine (rule errors, trace steps, amounts and rates), in the reader's language."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from programs.rules import subsidy as engine
from programs.rules.eligibility import ConditionError


def yuan(value: str) -> str:
    """1000000.00 → 1,000,000.00 (as many decimals as the value has)."""
    try:
        return f"{Decimal(value):,f}"
    except (InvalidOperation, ValueError):
        return value


def rate(value: str) -> str:
    """0.20 → 20%, 0.002 → 2‰."""
    try:
        number = Decimal(value)
    except (InvalidOperation, ValueError):
        return value
    if number < Decimal("0.01"):
        return f"{(number * 1000).normalize():f}‰"
    return f"{(number * 100).normalize():f}%"


def rule_error_message(exc: engine.RuleError) -> str:
    p = dict(exc.params)
    if isinstance(exc, engine.RuleNotInForce):
        if p.get("effective_until"):
            return (
                _(
                    "Rule %(rule)s is in force from %(effective_from)s until %(effective_until)s (exclusive); "
                    "%(day)s is outside its period, so it gives no amount for that day."
                )
                % p
            )
        return (
            _("Rule %(rule)s is in force from %(effective_from)s; %(day)s is before that, so it gives no amount.") % p
        )
    if isinstance(exc, engine.RuleInputError):
        messages = {
            "not_a_number": _("%(input)s must be an amount in yuan."),
            "negative": _("%(input)s cannot be negative."),
            "too_precise": _("%(input)s has more than two decimals; amounts are in yuan to the fen."),
            "too_large": _("%(input)s is implausibly large."),
            "unknown_input": _("Unknown input %(input)s; this rule reads: %(expected)s."),
            "missing_input": _("The input %(input)s is required."),
        }
    else:
        if exc.kind == "bands_not_contiguous":
            p["next"] = str(int(p["band"]) + 1)
        messages = {
            "unknown_kind": _("Unknown kind of formula %(formula)s; known kinds: %(known)s."),
            "not_an_object": _("The parameters must be an object of names and values."),
            "missing_param": _("Missing parameter: %(param)s."),
            "unknown_param": _("Unknown parameter %(param)s; allowed: %(allowed)s."),
            "bad_flag": _("%(param)s must be true or false."),
            "not_a_number": _("%(param)s must be an amount in yuan."),
            "bad_money": _("%(param)s must be a positive amount in yuan with at most two decimals."),
            "bad_rate": _("%(param)s must be a rate above 0 and at most 1, e.g. 0.2 for 20%%."),
            "bad_input_name": _("%(param)s must name an input in lower_snake_case, not %(value)s."),
            "bad_bands": _("bands must be a non-empty list of objects with above, up_to and rate."),
            "empty_band": _("Band %(band)s is empty: its up_to must be above its above."),
            "bands_not_contiguous": _("Band %(next)s must start where band %(band)s ends."),
        }
    template = messages.get(exc.kind)
    return template % p if template else str(exc)


INPUT_LABELS = {
    "award_amount": gettext_lazy("Award determined (yuan)"),
    "contract_value": gettext_lazy("Contract value (yuan)"),
    "requested_amount": gettext_lazy("Amount requested (yuan)"),
    "annual_direct_financing": gettext_lazy("Direct financing of the year (yuan)"),
    "fees_payable": gettext_lazy("Fees payable after national reductions (yuan)"),
    "promotion_cost": gettext_lazy("Brand promotion cost (yuan)"),
    "actual_cost": gettext_lazy("Actual cost (yuan)"),
}


def input_label(name: str) -> str:
    """A rule input's label for forms; inputs added by administrators show their own name."""
    return str(INPUT_LABELS.get(name, name))


def condition_error_message(exc: ConditionError) -> str:
    """Why a measure's conditions on the enterprise's facts cannot be read."""
    messages = {
        "not_a_list": _("The conditions must be a list of objects with fact, op and value."),
        "unknown_key": _("Condition %(position)s: unknown key %(key)s (use fact, op and value)."),
        "unknown_fact": _("Condition %(position)s: unknown fact %(fact)s; known facts: %(known)s."),
        "bad_operator": _("Condition %(position)s: %(fact)s cannot be compared with %(op)s; use %(allowed)s."),
        "bad_value": _("Condition %(position)s: the value for %(fact)s is not of the fact's kind."),
    }
    template = messages.get(exc.kind)
    return template % exc.params if template else str(exc)


def _cap_text(step: dict[str, str], applied: str, within: str) -> str:
    return (applied if step.get("applied") == "yes" else within) % {
        "cap": yuan(step["cap"]),
        "before": yuan(step["before"]),
    }


def step_text(step: dict[str, str]) -> str:
    """One line of an explanation trace, in the reader's language."""
    kind = step.get("step")
    m = {k: yuan(v) if k in _MONEY else rate(v) if k == "rate" else v for k, v in step.items()}
    if kind == "rule":
        if step.get("effective_until"):
            return (
                _(
                    "Rule %(rule)s (%(clause)s), in force from %(effective_from)s until %(effective_until)s "
                    "(exclusive), applied to %(day)s."
                )
                % m
            )
        return _("Rule %(rule)s (%(clause)s), in force from %(effective_from)s, applied to %(day)s.") % m
    if kind == "share":
        return _("%(rate)s of %(input)s %(base)s = %(amount)s.") % m
    if kind == "cap":
        return _cap_text(
            step, _("Cap of %(cap)s applied (the formula gave %(before)s)."), _("Within the cap of %(cap)s.")
        )
    if kind == "total_cap":
        return _cap_text(
            step, _("Total cap of %(cap)s applied (the bands gave %(before)s)."), _("Within the total cap of %(cap)s.")
        )
    if kind == "maximum":
        return _("No amount requested in %(input)s: the maximum award, %(cap)s.") % m
    if kind == "requested":
        return _("Requested in %(input)s: %(requested)s.") % m
    if kind == "band":
        m["range"] = f"({m['above']}, {m['up_to']}]" if step.get("up_to") else f"({m['above']}, ∞)"
        text = _("Band %(band)s %(range)s at %(rate)s: the part of %(input)s in it, %(part)s, pays %(amount)s.") % m
        if step.get("contains_base") == "yes":
            text += " " + _("The amount %(base)s falls in this band.") % m
        return text
    if kind == "below_bands":
        return _("%(base)s is not above %(above)s: nothing is paid below the first band.") % m
    if kind == "one_time":
        if step.get("applied") == "yes":
            return _("One-time award: already granted %(awards)s time(s), so nothing more.") % m
        return _("One-time award: not granted before.")
    if kind == "enterprise_cap":
        if step.get("applied") == "yes":
            return (
                _("Per-enterprise cap of %(cap)s: %(awarded)s already awarded, %(remaining)s left; %(before)s is cut.")
                % m
            )
        return _("Per-enterprise cap of %(cap)s: %(awarded)s already awarded, %(remaining)s left; within it.") % m
    if kind == "rounding":
        return _("Rounded half up to the fen: %(before)s → %(after)s.") % m
    if kind == "applied_for":
        return _("Limited to the %(amount)s applied for.") % m
    if kind == "approved_less":
        return _("Approved %(amount)s, less than the rule allows.") % m
    if kind == "result":
        return _("Amount: %(amount)s yuan.") % m
    return ", ".join(f"{k}={v}" for k, v in step.items())


_MONEY = {"base", "amount", "cap", "before", "after", "part", "above", "up_to", "requested", "awarded", "remaining"}


def explained(trace: list[dict[str, str]] | tuple[dict[str, str], ...]) -> list[dict[str, str]]:
    """The trace with a `text` on every step."""
    return [{**step, "text": step_text(step)} for step in trace]
