"""The nightly eligibility assessment: the tier above the current one, stored verdicts, idempotency, counts."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from django.conf import settings
from django.utils import timezone

from enterprises.models import EligibilityProfile
from tiers.models import EligibilityAssessment
from tiers.selectors import assessment_counts
from tiers.services import eligibility, lifecycle

WRITERS = [
    pytest.param("copy", marks=pytest.mark.skipif(not settings.USES_POSTGRES, reason="COPY needs PostgreSQL")),
    "orm",
]


def verdicts():
    return {
        a.enterprise.name: (a.tier.code, a.status)
        for a in EligibilityAssessment.objects.select_related("enterprise", "tier")
    }


@pytest.mark.parametrize("writer", WRITERS)
def test_each_enterprise_is_assessed_for_the_tier_above_its_own(eligibility_firms, writer):
    today = timezone.localdate()
    run = eligibility.assess_all(today, writer=writer)
    assert run.assessed == 7  # the little giant has no tier above it
    assert verdicts() == {
        "渝北合格企业": ("srdi_sme", "eligible"),
        "渝北差细分市场年限企业": ("srdi_sme", "near"),
        "渝北差分企业": ("srdi_sme", "near"),
        "渝北缺数据企业": ("srdi_sme", "missing_data"),
        "渝北差距大企业": ("srdi_sme", "not_eligible"),
        "渝北无梯度企业": ("innovative_sme", "eligible"),
        "江北合格企业": ("srdi_sme", "eligible"),
    }
    assert (run.eligible, run.near, run.missing_data) == (3, 2, 1)


def test_stored_result_names_the_document_in_force_and_explains_every_indicator(eligibility_firms):
    today = timezone.localdate()
    eligibility.assess_all(today)
    row = EligibilityAssessment.objects.get(enterprise=eligibility_firms.near_condition)
    assert row.rule_set == "MIIT-2026-2/srdi_sme" and row.provisional is False  # new applications from 2026-04-01
    assert row.lacking == ["niche_years"] and row.unknown == []
    assert row.score is None  # 2号 has no score: only conditions
    niche = next(i for i in row.indicators if i["code"] == "niche_years")
    assert niche == {"code": "niche_years", "value": "0", "met": False, "points": None, "missing_facts": []}
    missing = EligibilityAssessment.objects.get(enterprise=eligibility_firms.missing)
    assert {"niche_years", "development_score"} <= set(missing.unknown)
    niche = next(i for i in missing.indicators if i["code"] == "niche_years")
    reference = today.year - 1
    assert niche["met"] is None and niche["missing_facts"] == [f"niche_years:{reference}", "niche_market_since"]


def test_before_2026_04_01_the_2022_document_judges(firms_63):
    eligibility.assess_all(firms_63.day)
    row = EligibilityAssessment.objects.get(enterprise=firms_63.near_condition)
    assert row.rule_set == "MIIT-2022-63/srdi_sme" and row.provisional is False
    assert row.lacking == ["niche_years"] and row.score == 64
    missing = EligibilityAssessment.objects.get(enterprise=firms_63.missing)
    assert "niche_years" in missing.unknown and "score" in missing.unknown
    niche = next(i for i in missing.indicators if i["code"] == "niche_years")
    assert niche["met"] is None and niche["missing_facts"] == ["niche_market_since"]
    assert EligibilityAssessment.objects.get(enterprise=firms_63.near_score).lacking == ["score"]


@pytest.mark.parametrize("writer", WRITERS)
def test_rerun_for_the_same_day_leaves_one_row_per_enterprise_and_tier(
    eligibility_firms, django_assert_max_num_queries, writer
):
    today = timezone.localdate()
    eligibility.assess_all(today, writer=writer)
    before = {(a.pk, a.enterprise_id, a.tier_id, a.score, a.passed) for a in EligibilityAssessment.objects.all()}
    with django_assert_max_num_queries(20):
        eligibility.assess_all(today, writer=writer)
    after = {(a.pk, a.enterprise_id, a.tier_id, a.score, a.passed) for a in EligibilityAssessment.objects.all()}
    assert after == before


@pytest.mark.parametrize("writer", WRITERS)
def test_moving_up_a_tier_replaces_the_assessment(eligibility_firms, users, ref, writer):
    today = timezone.localdate()
    eligibility.assess_all(today, writer=writer)
    firm = eligibility_firms.eligible
    lifecycle.certification_import(
        actor=users.superuser, enterprise=firm, tier=ref.tiers["srdi_sme"], valid_from=today - dt.timedelta(days=1)
    )
    run = eligibility.assess_all(today, writer=writer)
    assert run.removed == 1
    assert list(EligibilityAssessment.objects.filter(enterprise=firm).values_list("tier__code", flat=True)) == [
        "little_giant"
    ]


@pytest.mark.skipif(not settings.USES_POSTGRES, reason="COPY needs PostgreSQL")
def test_the_copy_and_orm_writers_store_the_same_rows(firms_63):
    def stored() -> list[tuple[object, ...]]:
        return sorted(
            (a.enterprise_id, a.tier_id, *(getattr(a, f) for f in eligibility.UPDATE_FIELDS))
            for a in EligibilityAssessment.objects.all()
        )

    rows = {}
    for writer in ("copy", "orm"):
        EligibilityAssessment.objects.all().delete()
        for day in (firms_63.day, timezone.localdate()):  # both documents: scores, directs, every JSON column
            eligibility.assess_all(day, writer=writer)
        rows[writer] = stored()
    assert rows["copy"] == rows["orm"] and rows["copy"]


@pytest.mark.skipif(not settings.USES_POSTGRES, reason="COPY needs PostgreSQL")
def test_the_copy_writer_keeps_quotes_backslashes_and_control_characters(eligibility_firms):
    firm = eligibility_firms.near_score
    tier, result = eligibility.assess_enterprise(firm, timezone.localdate())
    text = 'a "quoted" back\\slash\ttab\nline 中文'
    first = dataclasses.replace(result.indicators[0], value=text)
    result = dataclasses.replace(result, indicators=(first, *result.indicators[1:]))
    eligibility._write_copy(firm.pk, firm.pk, [(firm.pk, tier, result)], timezone.localdate())
    assert EligibilityAssessment.objects.get(enterprise=firm).indicators[0]["value"] == text


def test_new_facts_change_the_verdict_on_the_next_run(eligibility_firms):
    today = timezone.localdate()
    eligibility.assess_all(today)
    EligibilityProfile.objects.filter(enterprise=eligibility_firms.near_condition).update(
        niche_market_since=dt.date(2010, 1, 1)
    )  # ≥ 3 years in the niche at the end of last year
    eligibility.assess_all(today)
    assert EligibilityAssessment.objects.get(enterprise=eligibility_firms.near_condition).passed


def test_counts_per_district_are_one_group_by(eligibility_firms, django_assert_num_queries):
    eligibility.assess_all(timezone.localdate())
    with django_assert_num_queries(1):
        counts = assessment_counts(EligibilityAssessment.objects.all())
    by_place = {
        (c["district"], c["tier_code"]): (c["eligible"], c["near"], c["missing_data"], c["assessed"]) for c in counts
    }
    assert by_place == {
        ("500112", "srdi_sme"): (1, 2, 1, 5),
        ("500112", "innovative_sme"): (1, 0, 0, 1),
        ("500105", "srdi_sme"): (1, 0, 0, 1),
    }


def test_assessing_one_enterprise_without_storing(eligibility_firms):
    tier, result = eligibility.assess_enterprise(eligibility_firms.near_score, timezone.localdate())
    # under 2号 the firm lacks this year's development score of 50 (it has 45)
    assert tier.code == "srdi_sme" and result.near and result.lacking == ("development_score",)
    assert result.rule_set == "MIIT-2026-2"
    assert EligibilityAssessment.objects.count() == 0


@pytest.mark.parametrize("day", ["2022-07-31"])
def test_no_criteria_before_the_2022_text(eligibility_firms, day):
    assert eligibility.assess_all(dt.date.fromisoformat(day)).assessed == 0


def test_the_job_is_in_the_nightly_schedule():
    from zjtx.celery import app

    entry = app.conf.beat_schedule["assess-eligibility"]
    assert entry["task"] == "enterprises.assess_eligibility"
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({1}, {30})
