"""Quote a subsidy: the amount a measure's rule gives for some inputs on a day, with its explanation.

Reads only.  With an enterprise, its earlier awards under the measure count
against the rule's caps and its eligibility is reported alongside.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from enterprises.models import Enterprise
from programs import selectors
from programs.benefit_messages import missing_facts_message, refusal_message
from programs.models import Measure, SubsidyRule
from programs.rule_messages import explained, rule_error_message
from programs.rules import subsidy as engine
from programs.services.eligibility import eligibility_of
from zjtx.access import Action, can
from zjtx.errors import DomainError, NotFound


@dataclass
class SubsidyQuote:
    measure: Measure
    rule: SubsidyRule
    on: date
    amount: Decimal
    trace: list[dict[str, str]]
    history: engine.History = field(default_factory=engine.History)
    enterprise: Enterprise | None = None
    refusals: list[str] = field(default_factory=list)


def rule_domain_error(exc: engine.RuleError) -> DomainError:
    """An engine error as a 400 for the reader: which field, what is wrong."""
    if isinstance(exc, engine.RuleNotInForce):
        where = "on"
    elif isinstance(exc, engine.RuleInputError):
        where = "inputs"
    else:
        where = "params"
    return DomainError(rule_error_message(exc), code=exc.kind, field=where)


def rule_for_day(measure: Measure, on: date) -> SubsidyRule:
    """The measure's rule in force on the day, or a DomainError that says why there is none."""
    rule = selectors.rule_in_force(measure, on)
    if rule is not None:
        return rule
    periods = [
        f"{r.code} [{r.effective_from}, {r.effective_until or '…'})"
        for r in SubsidyRule.objects.filter(measure=measure).order_by("effective_from")
    ]
    if not periods:
        raise DomainError(
            _("Measure %(clause)s sets no amount that can be computed: it has no subsidy rule.")
            % {"clause": measure.clause},
            code="no_rule",
        )
    raise DomainError(
        _("No rule of measure %(clause)s is in force on %(day)s; its rules cover: %(periods)s.")
        % {"clause": measure.clause, "day": on, "periods": "; ".join(periods)},
        code="not_in_force",
        field="on",
    )


def compute(rule: SubsidyRule, inputs: dict[str, Any], *, on: date, history: engine.History) -> engine.Quote:
    try:
        return engine.compute(rule.as_rule(), inputs, on=on, history=history)
    except engine.RuleError as exc:
        raise rule_domain_error(exc) from exc


def quote_subsidy(
    *,
    actor: Any,
    inputs: dict[str, Any],
    on: date,
    measure: Measure | None = None,
    rule: SubsidyRule | None = None,
    enterprise: Enterprise | None = None,
) -> SubsidyQuote:
    """Quote under `rule`, or under the rule of `measure` in force on `on`."""
    if rule is None:
        if measure is None:
            raise ValueError("quote_subsidy needs a measure or a rule")
        rule = rule_for_day(measure, on)
    measure = rule.measure
    history = engine.History()
    refusals: list[str] = []
    if enterprise is not None:
        if not can(actor, Action.VIEW, enterprise):
            raise NotFound(_("No such enterprise."))
        history = selectors.award_history(enterprise.pk, measure.pk)
        verdict = eligibility_of(enterprise, measure, on)
        refusals = [refusal_message(r) for r in verdict.refusals]
        if verdict.missing:
            refusals.append(missing_facts_message(verdict.missing))
    quote = compute(rule, inputs, on=on, history=history)
    return SubsidyQuote(
        measure=measure,
        rule=rule,
        on=on,
        amount=quote.amount,
        trace=explained(quote.trace),
        history=history,
        enterprise=enterprise,
        refusals=refusals,
    )
