"""Eligibility over the API: assessments explained, a district's ranked candidates, the pipeline beside target gaps."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from reporting.models import Metric, Target
from reporting.services.snapshots import snapshot_day
from reporting.services.targets import target_split
from tiers.models import EligibilityAssessment
from tiers.services import eligibility


@pytest.fixture
def running_srdi(ref):
    """A running city target of SRDI SMEs (test figures): the 2022–2025 plan's are closed, out of the pipeline."""
    today = timezone.localdate()
    return Target.objects.create(
        metric=Metric.objects.get(code="srdi_smes"), jurisdiction=ref.jurisdictions["500000"], value=2500,
        start=today - dt.timedelta(days=30), deadline=today + dt.timedelta(days=400),
    )  # fmt: skip


@pytest.fixture
def assessed(eligibility_firms):
    eligibility.assess_all(timezone.localdate())
    return eligibility_firms


@pytest.fixture
def assessed_63(firms_63):
    eligibility.assess_all(firms_63.day)
    return firms_63


def test_a_districts_candidate_list_names_the_document_in_force_and_what_each_firm_misses(api, users, assessed):
    response = api(users.staff_a).get(reverse("candidates"), {"tier": "srdi_sme", "district": "500112"})
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [(r["rank"], r["status"]) for r in rows] == [(1, "eligible"), (2, "near"), (3, "near")]
    by_name = {r["enterprise"]["name"]: r for r in rows}
    assert rows[0]["enterprise"]["name"] == "渝北合格企业"
    assert {r["document"]["number"] for r in rows} == {"工信部企业〔2026〕2号"}
    assert rows[0]["document"]["confirmed"] is False
    (gap,) = by_name["渝北差细分市场年限企业"]["lacking"]
    assert gap["code"] == "niche_years" and gap["threshold"] == "≥ 3 years" and gap["value"] == "0"
    assert gap["citation"] == "工信部企业〔2026〕2号 附件1 (一)"
    (gap,) = by_name["渝北差分企业"]["lacking"]
    assert gap["code"] == "development_score" and gap["value"] == "45" and gap["threshold"] == "≥ 50"
    assert gap["citation"] == "工信部企业〔2026〕2号 附件1 (六)"


def test_a_districts_candidate_list_under_63_explains_what_each_firm_misses(api, users, assessed_63):
    response = api(users.staff_a).get(reverse("candidates"), {"tier": "srdi_sme", "district": "500112"})
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [(r["rank"], r["enterprise"]["name"], r["status"]) for r in rows] == [
        (1, "渝北合格企业", "eligible"),
        (2, "渝北差细分市场年限企业", "near"),  # score 64 ranks before 57
        (3, "渝北差分企业", "near"),
    ]
    eligible, by_condition, by_score = rows
    assert eligible["lacking"] == [] and eligible["unknown"] == []
    (gap,) = by_condition["lacking"]
    assert gap["code"] == "niche_years"
    assert gap["name"] == "Years in the niche market" and gap["threshold"] == "≥ 2 years"
    assert gap["value"] == "0" and gap["citation"] == "工信部企业〔2022〕63号 附件2 一(一)"
    (gap,) = by_score["lacking"]
    assert gap["code"] == "score" and gap["value"] == "57.00" and gap["threshold"] == "≥ 60"
    assert gap["shortfall"] == "3.00"
    closers = {c["code"] for c in gap["closers"]}
    assert {"local_feature", "digital_level", "quality"} <= closers


def test_candidates_with_missing_data_name_the_missing_facts(api, users, assessed_63):
    rows = api(users.staff_a).get(reverse("candidates"), {"tier": "srdi_sme", "with_missing_data": "true"}).json()
    missing = next(r for r in rows["results"] if r["status"] == "missing_data")
    niche = next(u for u in missing["unknown"] if u["code"] == "niche_years")
    assert niche["missing_facts"] == [{"fact": "niche_market_since", "label": "in its niche market since"}]


def test_candidate_list_is_chinese_by_default(api, users, assessed_63):
    rows = api(users.staff_a, language="zh-hans").get(reverse("candidates"), {"tier": "srdi_sme"}).json()["results"]
    assert rows[1]["lacking"][0]["name"] == "从事特定细分市场时间"
    assert rows[2]["lacking"][0]["name"] == "评价得分"


@pytest.mark.parametrize(
    "params, field",
    [
        ({"tier": "no_such_tier"}, "tier"),
        ({"district": "999999"}, "district"),
        ({"with_missing_data": "maybe"}, "with_missing_data"),
        ({"page": "abc"}, None),
    ],
)
def test_bad_candidate_parameters_are_4xx(api, users, assessed, params, field):
    response = api(users.staff_a).get(reverse("candidates"), params)
    assert 400 <= response.status_code < 500
    body = response.json()
    assert body["detail"]
    if field:
        assert field in body["errors"]


def test_assessment_detail_explains_every_indicator(api, users, assessed_63):
    row = EligibilityAssessment.objects.get(enterprise=assessed_63.near_score)
    body = api(users.staff_a).get(reverse("eligibilityassessment-detail", args=[row.pk])).json()
    assert body["status"] == "near" and body["pass_mark"] == "60" and body["score"] == "57.00"
    assert len(body["indicators"]) == 21
    digital = next(i for i in body["indicators"] if i["code"] == "digital_level")
    assert digital == {
        "code": "digital_level", "name": "Digitalisation level", "role": "scored", "category": "refinement",
        "threshold": "level 3 or higher: 5, level 2: 3, level 1: 0", "max_points": "5",
        "citation": "工信部企业〔2022〕63号 附件2 二(二)5",
        "confirmed": True, "note": "", "value": "1", "points": "0", "met": False, "missing_facts": [],
    }  # fmt: skip


def test_assessment_filters_and_summary(api, users, assessed):
    client = api(users.official)
    near = client.get(reverse("eligibilityassessment-list"), {"near": "true"}).json()
    assert near["count"] == 2
    assert client.get(reverse("eligibilityassessment-list"), {"near": "perhaps"}).status_code == 400
    summary = client.get(reverse("eligibilityassessment-summary"), {"tier": "srdi_sme"}).json()
    assert {(r["district"], r["eligible"], r["near"], r["missing_data"]) for r in summary} == {
        ("500112", 1, 2, 1),
        ("500105", 1, 0, 0),
    }
    staff = api(users.staff_b).get(reverse("eligibilityassessment-summary")).json()
    assert staff == [
        {"district": "500105", "tier": "srdi_sme", "assessed": 1, "eligible": 1, "near": 0, "missing_data": 0}
    ]


def test_list_query_counts_do_not_grow(
    api, users, assessed, eligibility_firms, make_enterprise, django_assert_max_num_queries
):
    client = api(users.staff_a)
    for url in (reverse("candidates"), reverse("eligibilityassessment-list")):
        with django_assert_max_num_queries(6) as small:
            assert client.get(url, {"with_missing_data": "true"}).status_code == 200
        for _ in range(5):
            make_enterprise("500112")
        eligibility.assess_all(timezone.localdate())
        with django_assert_max_num_queries(len(small.captured_queries)):
            assert client.get(url, {"with_missing_data": "true"}).status_code == 200


def test_pipeline_puts_candidates_beside_the_gap(api, users, assessed, running_srdi):
    city = running_srdi
    target_split(actor=users.progadmin, target_id=city.pk, shares={"500112": 2000, "500105": 500})
    snapshot_day(timezone.localdate())
    rows = api(users.staff_a).get(reverse("candidate-pipeline"), {"metric": "srdi_smes"}).json()
    assert len(rows) == 1
    (row,) = rows
    assert row["district"] == "500112" and row["target_scope"] == "district" and row["tiers"] == ["srdi_sme"]
    assert (row["target_value"], row["current"], row["gap"]) == (2000, 0, 2000)
    assert (row["eligible"], row["near"], row["candidates"], row["missing_data"]) == (1, 2, 3, 1)
    assert row["gap_after_candidates"] == 1997

    official = api(users.official).get(reverse("candidate-pipeline"), {"metric": "srdi_smes"}).json()
    places = {(r["target_scope"], r["district"]): (r["eligible"], r["near"]) for r in official}
    assert places[("district", "500112")] == (1, 2) and places[("district", "500105")] == (1, 0)
    assert places[("city", None)] == (2, 2)  # the city row adds up its districts


def test_pipeline_under_an_unsplit_city_target_shows_each_district(api, users, assessed, running_srdi):
    snapshot_day(timezone.localdate())
    rows = api(users.official).get(reverse("candidate-pipeline"), {"metric": "srdi_smes"}).json()
    yubei = next(r for r in rows if r["district"] == "500112")
    assert yubei["target_scope"] == "city" and yubei["gap"] is None and yubei["city_gap"] == 2500
    assert (yubei["eligible"], yubei["near"], yubei["gap_after_candidates"]) == (1, 2, 2497)
    assert len([r for r in rows if r["district"]]) == 38
    only = api(users.official).get(reverse("candidate-pipeline"), {"metric": "srdi_smes", "district": "500112"}).json()
    assert [(r["district"], r["target_scope"], r["near"]) for r in only] == [("500112", "city", 2)]
    assert api(users.official).get(reverse("candidate-pipeline"), {"deadline": "soon"}).status_code == 400


def test_district_staff_record_profile_facts(api, users, assessed):
    url = reverse("enterprise-profile", args=[assessed.missing.credit_code])
    client = api(users.staff_a)
    assert client.get(url).json()["niche_market_since"] is None
    response = client.patch(url, {"niche_market_since": "2015-03-01", "rd_institution": "provincial"}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["rd_institution"] == "provincial"
    bad = client.patch(url, {"digital_level": 9, "rd_institution": "galactic"}, format="json")
    assert bad.status_code == 400 and {"digital_level", "rd_institution"} <= set(bad.json()["errors"])
    assert api(users.official).patch(url, {"own_brand": True}, format="json").status_code == 403
    assert api(users.staff_b).get(url).status_code == 404
