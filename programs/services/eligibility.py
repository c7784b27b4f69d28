"""The one eligibility check of the programs: a benefit application, a quote and the nightly matching all ask here.

A `MatchTarget` is a measure as the check needs it on a day (its scope, the rule in force
and that rule's limits); `judge` gives the verdict of the pure rules for an applicant and its
earlier awards; `estimate` computes the amount where the rule's inputs are known from the
enterprise's facts.  `eligibility_of` puts them together for one enterprise, with the same
readers (programs.selectors.applicants_between, award_histories) the matching job uses for
thousands at a time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from enterprises.models import Enterprise
from programs import selectors
from programs.models import Measure, SubsidyRule
from programs.rules import eligibility
from programs.rules import subsidy as engine


@dataclass(frozen=True)
class MatchTarget:
    measure_id: int
    scope: eligibility.Scope
    rule: SubsidyRule | None
    limits: eligibility.Limits
    inputs: tuple[str, ...] = ()  # what the rule reads
    required: tuple[str, ...] = ()  # what it cannot do without

    @property
    def facts(self) -> frozenset[str]:
        """The registry facts the check and the estimate read."""
        return self.scope.facts | frozenset(name for name in self.inputs if name in eligibility.FACTS)


def target_for(measure: Measure, day: date) -> MatchTarget:
    """The measure as the check sees it on `day` (its rule in force, if any, sets the limits)."""
    rule = selectors.rule_in_force(measure, day)
    if rule is None:
        return MatchTarget(measure.pk, selectors.measure_scope(measure), None, eligibility.NO_LIMITS)
    formula = engine.parse(rule.kind, rule.params)
    return MatchTarget(
        measure_id=measure.pk,
        scope=selectors.measure_scope(measure),
        rule=rule,
        limits=eligibility.Limits.of(rule.as_rule()),
        inputs=formula.inputs,
        required=formula.required_inputs,
    )


def judge(
    target: MatchTarget, applicant: eligibility.Applicant, day: date, history: engine.History | None = None
) -> eligibility.Verdict:
    return eligibility.verdict(applicant, target.scope, day, limits=target.limits, history=history)


def estimate(
    target: MatchTarget, applicant: eligibility.Applicant, day: date, history: engine.History | None = None
) -> tuple[Decimal | None, dict[str, str]]:
    """The amount the rule gives from the enterprise's known facts (None when an input it needs is unknown),
    with those inputs (they prefill an application)."""
    if target.rule is None:
        return None, {}
    inputs = eligibility.known_inputs(target.inputs, applicant)
    if any(name not in inputs for name in target.required):
        return None, inputs
    try:
        quote = engine.compute(target.rule.as_rule(), inputs, on=day, history=history)
    except engine.RuleError:
        return None, inputs  # a fact the rule refuses as an input (e.g. negative): no estimate
    return quote.amount, inputs


def eligibility_of(enterprise: Enterprise, measure: Measure, day: date) -> eligibility.Verdict:
    """Whether the enterprise may benefit under the measure on `day` (the caller checked that it may look)."""
    target = target_for(measure, day)
    applicant = selectors.applicants_between(enterprise.pk, enterprise.pk, day, target.facts)[enterprise.pk]
    return judge(target, applicant, day, selectors.award_history(enterprise.pk, measure.pk))
