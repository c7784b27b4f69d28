"""Words for stored eligibility findings, in the reader's language.

An assessment stores only what varies per enterprise (indicator code, value, points, met,
missing facts); names, thresholds and citations come from the rule set it was made with
(tiers/rules/eligibility), in Chinese or English, and fact codes ("revenue:2025")
are named by the model fields they come from.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from enterprises.models import EligibilityProfile, EnterpriseYearFact
from tiers.criteria import criteria, rule_set_by_key
from tiers.models import EligibilityAssessment
from tiers.rules.eligibility.evaluate import shortfalls
from tiers.rules.eligibility.model import Indicator, RuleSet


def _english() -> bool:
    return (get_language() or "").startswith("en")


def _pick(zh: str, en: str) -> str:
    return en if _english() and en else zh


def fact_label(code: str) -> str:
    """ "revenue:2025" → "operating revenue (yuan) 2025"; "niche_market_since" → its field label."""
    name, _sep, rest = code.partition(":")
    year, _sep, note = rest.partition(":")
    for model in (EnterpriseYearFact, EligibilityProfile):
        try:
            label = str(getattr(model._meta.get_field(name), "verbose_name", name))
            break
        except FieldDoesNotExist:
            continue
    else:
        # Facts that come from elsewhere than a field: the size class and the tier held are the enterprise's own.
        label = {"held_level": _("tier held (certified, valid)"), "size_class": _("size class")}.get(name, name)
    if note == "not_positive":
        return _("%(fact)s %(year)s is zero") % {"fact": label, "year": year}
    return f"{label} {year}".strip()


def _static(ind: Indicator | None, code: str) -> dict[str, Any]:
    if ind is None:
        return {"code": code, "name": code}
    return {
        "code": code,
        "name": _pick(ind.name, ind.name_en),
        "role": str(ind.role),
        "category": ind.category,
        "threshold": _pick(ind.threshold, ind.threshold_en),
        "max_points": None if ind.max_points is None else str(ind.max_points),
        "citation": ind.citation,
        "confirmed": ind.confirmed,
        "note": ind.note,
    }


def indicators(assessment: EligibilityAssessment) -> list[dict[str, Any]]:
    """Every indicator with its name, threshold, citation and what was found."""
    rule_set = rule_set_by_key(assessment.rule_set)
    rows = []
    for stored in assessment.indicators:
        code = stored["code"]
        row = _static(rule_set.indicator(code) if rule_set else None, code)
        row.update(
            value=stored.get("value"),
            points=stored.get("points"),
            met=stored.get("met"),
            missing_facts=[{"fact": f, "label": fact_label(f)} for f in stored.get("missing_facts", [])],
        )
        rows.append(row)
    return rows


def _score_entry(assessment: EligibilityAssessment, rule_set: RuleSet | None) -> dict[str, Any]:
    pass_mark = rule_set.pass_mark if rule_set else None
    entry: dict[str, Any] = {
        "code": "score",
        "name": _("Score"),
        "value": None if assessment.score is None else str(assessment.score),
        "threshold": "" if pass_mark is None else f"≥ {pass_mark}",
        "citation": rule_set.source if rule_set else "",
    }
    if assessment.score is not None and pass_mark is not None:
        entry["shortfall"] = str(max(pass_mark - assessment.score, 0))
    if rule_set is not None:
        # A score can reach the pass mark and still fail on a category minimum: name the category and the gap.
        known = {i["code"]: Decimal(i["points"]) for i in assessment.indicators if i.get("points") is not None}
        entry["categories"] = [
            {
                "code": short.code,
                "name": _pick(cat.name, cat.name_en),
                "points": str(short.points),
                "minimum": str(short.minimum),
                "short_by": str(short.short_by),
            }
            for short in shortfalls(rule_set, known)
            if (cat := rule_set.category(short.code)) is not None
        ]
        entry["closers"] = [
            {"code": c, "name": _pick(i.name, i.name_en), "max_points": str(i.max_points)}
            for c in assessment.score_closers
            if (i := rule_set.indicator(c)) is not None
        ]
    return entry


def gaps(assessment: EligibilityAssessment, codes: list[str]) -> list[dict[str, Any]]:
    """The named indicators (lacking or unknown) spelled out: found, needed, and the facts that are missing."""
    rule_set = rule_set_by_key(assessment.rule_set)
    found = {i["code"]: i for i in assessment.indicators}
    rows = []
    for code in codes:
        if code == "score":
            rows.append(_score_entry(assessment, rule_set))
            continue
        ind = rule_set.indicator(code) if rule_set else None
        stored = found.get(code, {})
        rows.append(
            {
                "code": code,
                "name": _pick(ind.name, ind.name_en) if ind else code,
                "value": stored.get("value"),
                "threshold": _pick(ind.threshold, ind.threshold_en) if ind else "",
                "citation": ind.citation if ind else "",
                "missing_facts": [{"fact": f, "label": fact_label(f)} for f in stored.get("missing_facts", [])],
            }
        )
    return rows


def pass_mark(assessment: EligibilityAssessment) -> str | None:
    rule_set = rule_set_by_key(assessment.rule_set)
    return None if rule_set is None or rule_set.pass_mark is None else str(rule_set.pass_mark)


def direct_qualification(assessment: EligibilityAssessment) -> dict[str, Any] | None:
    if not assessment.direct_qualification:
        return None
    rule_set = rule_set_by_key(assessment.rule_set)
    ind = rule_set.indicator(assessment.direct_qualification) if rule_set else None
    return _static(ind, assessment.direct_qualification)


def document(assessment: EligibilityAssessment) -> dict[str, Any]:
    """The criteria document a verdict was made under, as the verdict names it."""
    rule_set = rule_set_by_key(assessment.rule_set)
    if rule_set is None:
        return {"key": assessment.rule_set.partition("/")[0], "number": "", "title": "", "source": ""}
    doc = rule_set.document
    return {
        "key": doc.key,
        "number": doc.number,
        "title": _pick(doc.title, doc.title_en),
        "annex": rule_set.annex,
        "source": rule_set.source,
        "effective_from": doc.effective_from.isoformat(),
        "confirmed": doc.confirmed,
    }


def documents_in_force(day: Any) -> list[dict[str, Any]]:
    """The documents new applications are judged by on `day`, with the tiers each judges (for dashboards)."""
    found = criteria()
    by_doc: dict[str, dict[str, Any]] = {}
    for tier in sorted(found.tiers()):
        choice = found.for_new_application(tier, day)
        if choice is None:
            continue
        doc = choice.rule_set.document
        entry = by_doc.setdefault(
            doc.key,
            {"key": doc.key, "number": doc.number, "title": _pick(doc.title, doc.title_en),
             "effective_from": doc.effective_from, "confirmed": doc.confirmed, "tiers": []},
        )  # fmt: skip
        entry["tiers"].append(tier)
    return list(by_doc.values())
