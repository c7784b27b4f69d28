"""The criteria documents in force, and which one judges an assessment.

Which document applies follows from the kind of assessment, its basis date and, for a
re-review, the certificate's origin:

- a new application is judged by the document in force for new applications on the basis
  date (工信部企业〔2022〕63号 before 2026-04-01, 工信部企业〔2026〕2号 from that day);
- a re-review (复核) is judged by the document the certificate was granted under: the one in
  force for new applications of the tier on the day the certificate took effect (a 63号
  certificate is re-reviewed by 63号, as 工信厅企业函〔2026〕117号 does for the 2026 小巨人
  re-reviews), with that document's re-review indicators.

When no document of the tier is in force on the day but an earlier one is, the latest earlier
one applies *provisionally* and the verdict says so.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from . import criteria
from .model import AssessmentKind, Document, RuleSet


@dataclass(frozen=True)
class Choice:
    """The rule set an assessment is judged by, and why."""

    rule_set: RuleSet
    kind: AssessmentKind
    provisional: bool  # no document of the tier is in force on the day; the latest earlier one is applied
    reason: str  # "in_force", "certificate_origin", "no_successor", "before_any_document"


class Criteria:
    """Every rule set of a set of documents, by tier and period."""

    def __init__(self, rule_sets: Iterable[RuleSet]) -> None:
        self.rule_sets = tuple(sorted(rule_sets, key=lambda r: (r.tier, r.effective_from)))
        self._by_key = {r.key: r for r in self.rule_sets}
        if len(self._by_key) != len(self.rule_sets):
            raise criteria.CriteriaError("criteria", "two documents share a key")
        for tier in self.tiers():
            own = [r for r in self.rule_sets if r.tier == tier]
            for earlier, later in itertools.pairwise(own):
                if earlier.new_applications_until is None or earlier.new_applications_until > later.effective_from:
                    raise criteria.CriteriaError(
                        later.key, f"overlaps {earlier.key}: two documents judge new applications on the same day"
                    )

    @classmethod
    def from_documents(cls, raw_documents: Iterable[Mapping[str, Any]]) -> Criteria:
        """Rule sets of documents given as data (parsed YAML); a tier may adopt the annex of an earlier document."""
        parsed = [criteria.document(raw) for raw in raw_documents]
        parsed.sort(key=lambda d: d[0].effective_from)
        known: dict[str, RuleSet] = {}
        for doc, tiers in parsed:
            for spec in tiers:
                rs = criteria.rule_set(doc, spec, known)
                known[rs.key] = rs
        return cls(known.values())

    @classmethod
    def from_directory(cls, directory: Path) -> Criteria:
        """Every *.yaml document of a directory (fixtures/criteria/)."""
        files = sorted(directory.glob("*.yaml"))
        if not files:
            raise criteria.CriteriaError(str(directory), "no criteria documents")
        return cls.from_documents(yaml.safe_load(p.read_text(encoding="utf-8")) for p in files)

    # --- looking up -----------------------------------------------------------------------

    def rule_set(self, key: str) -> RuleSet | None:
        """The rule set stored with an assessment ("MIIT-2026-2/srdi_sme")."""
        return self._by_key.get(key)

    def documents(self) -> tuple[Document, ...]:
        return tuple({r.document.key: r.document for r in self.rule_sets}.values())

    def tiers(self) -> frozenset[str]:
        return frozenset(r.tier for r in self.rule_sets)

    def of_tier(self, tier: str) -> tuple[RuleSet, ...]:
        return tuple(r for r in self.rule_sets if r.tier == tier)

    # --- which document applies ----------------------------------------------------------------

    def for_new_application(self, tier: str, basis: date) -> Choice | None:
        own = self.of_tier(tier)
        in_force = next((r for r in own if r.new_applications_on(basis)), None)
        if in_force is not None:
            return Choice(in_force, AssessmentKind.NEW_APPLICATION, False, "in_force")
        started = [r for r in own if r.effective_from <= basis]
        if not started:
            return None
        return Choice(started[-1], AssessmentKind.NEW_APPLICATION, True, "no_successor")

    def for_re_review(self, tier: str, basis: date, granted_on: date) -> Choice | None:
        """The re-review of a certificate of the tier that took effect on `granted_on`, assessed on `basis`."""
        own = self.of_tier(tier)
        origin = next((r for r in own if r.new_applications_on(granted_on)), None)
        if origin is not None:
            return Choice(origin, AssessmentKind.RE_REVIEW, False, "certificate_origin")
        if own and granted_on < own[0].effective_from:
            # Granted before any encoded document: the earliest one is the nearest reading, provisionally.
            return Choice(own[0], AssessmentKind.RE_REVIEW, True, "before_any_document")
        found = self.for_new_application(tier, basis)
        return None if found is None else Choice(found.rule_set, AssessmentKind.RE_REVIEW, True, found.reason)

    def choose(self, tier: str, kind: AssessmentKind, basis: date, granted_on: date | None = None) -> Choice | None:
        if kind == AssessmentKind.RE_REVIEW:
            if granted_on is None:
                raise ValueError("a re-review needs the day the certificate took effect")
            return self.for_re_review(tier, basis, granted_on)
        return self.for_new_application(tier, basis)
