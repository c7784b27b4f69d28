"""Many parallel HTTP requests on loopback racing the same transitions: invariants hold, no 5xx.

The real server (pytest-django's live_server: threaded WSGI, one database
connection per request) takes bursts of concurrent requests from a pool of 16
client threads, each request with its own token:
- tier applications: every application gets several racing recommend / decline
  requests; exactly one wins, the others are refused (400), one event per move;
- benefit approvals: racing approvals under a measure whose budget covers three
  awards; exactly three are approved, the sum never exceeds the budget, and no
  application is approved twice.
Bounded: a fixed number of requests, each with a 30 s timeout. The timings are
printed and quoted in the README's reliability section.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.db.models import Sum
from django.urls import reverse
from rest_framework.authtoken.models import Token

from programs.models import BenefitApplication, BenefitApplicationTransition, Measure
from programs.services.benefits import benefit_application_submit
from tiers.models import Application, ApplicationTransition
from tiers.services import lifecycle

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 16
APPLICATIONS = 25
RACERS_PER_APPLICATION = 8
BENEFITS = 20
APPROVERS_PER_BENEFIT = 4


def post(url: str, token: str, body: dict[str, Any]) -> tuple[int, dict[str, Any], float]:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json", "Accept-Language": "en"},
    )
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    elapsed = time.monotonic() - started
    try:
        payload = json.loads(raw)
    except ValueError:
        payload = {"raw": raw[:200].decode(errors="replace")}
    return status, payload, elapsed


def burst(calls: list[tuple[str, str, dict[str, Any]]]) -> tuple[list[tuple[int, dict[str, Any], float]], float]:
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        results = list(pool.map(lambda c: post(*c), calls))
    return results, time.monotonic() - started


def report(name: str, results: list[tuple[int, dict[str, Any], float]], wall: float, capsys: Any) -> None:
    latencies = sorted(r[2] for r in results)
    p95 = latencies[int(len(latencies) * 0.95) - 1]
    with capsys.disabled():
        print(
            f"\nstress {name}: {len(results)} requests, {THREADS} threads, {wall:.2f} s wall, "
            f"{len(results) / wall:.0f} req/s, p50 {latencies[len(latencies) // 2] * 1000:.0f} ms, "
            f"p95 {p95 * 1000:.0f} ms, max {latencies[-1] * 1000:.0f} ms, "
            f"statuses {dict(sorted(Counter(r[0] for r in results).items()))}"
        )


def test_racing_application_transitions_over_http(live_server, users, ref, make_enterprise, capsys):
    token = Token.objects.create(user=users.staff_a).key
    apps = [
        lifecycle.application_submit(
            actor=users.staff_a, enterprise=make_enterprise(), tier=ref.tiers["innovative_sme"], batch_year=2026
        )
        for _ in range(APPLICATIONS)
    ]
    calls = []
    for app in apps:
        url = live_server.url + reverse("application-transition", args=[app.pk])
        for i in range(RACERS_PER_APPLICATION):
            body = {"action": "recommend"} if i % 2 else {"action": "decline", "reason": "不符合条件"}
            calls.append((url, token, body))
    results, wall = burst(calls)
    report("application transitions", results, wall, capsys)

    assert all(status < 500 for status, _b, _t in results), [r for r in results if r[0] >= 500][:3]
    by_app = Counter()
    for (url, _token, _body), (status, payload, _t) in zip(calls, results, strict=True):
        if status == 200:
            by_app[url] += 1
        else:
            assert status == 400 and payload["code"] == "illegal_transition" and payload["detail"], payload
    assert len(by_app) == APPLICATIONS and set(by_app.values()) == {1}  # exactly one winner each
    for app in Application.objects.filter(pk__in=[a.pk for a in apps]):
        moves = ApplicationTransition.objects.filter(application=app).exclude(action="submit")
        assert moves.count() == 1 and app.status == moves.get().to_status


def test_racing_benefit_approvals_over_http(live_server, users, ref, make_enterprise, capsys):
    board = Measure.objects.get(policy__code="bj-2023-ten-actions", clause="六.1")  # up to 300,000 once
    board.budget = Decimal("1000000")
    board.save()
    benefits = []
    for _ in range(BENEFITS):
        # 六.1 is for firms on the regional market's SRDI board.
        firm = make_enterprise("110108", listing_status="regional_equity", listed_on=date(2024, 6, 1))
        lifecycle.certification_import(
            actor=users.superuser, enterprise=firm, tier=ref.tiers["srdi_sme"], valid_from=date(2024, 1, 1)
        )
        benefits.append(
            benefit_application_submit(
                actor=users.staff_bj, enterprise=firm, measure=board, inputs={}, basis_date=date(2025, 3, 1)
            )
        )
    token = Token.objects.create(user=users.official_bj).key
    calls = [
        (live_server.url + reverse("benefitapplication-transition", args=[b.pk]), token, {"action": "approve"})
        for b in benefits
        for _ in range(APPROVERS_PER_BENEFIT)
    ]
    results, wall = burst(calls)
    report("benefit approvals", results, wall, capsys)

    assert all(status < 500 for status, _b, _t in results), [r for r in results if r[0] >= 500][:3]
    refused = Counter(payload.get("code") for status, payload, _t in results if status != 200)
    assert set(refused) <= {"over_budget", "illegal_transition"}, refused
    approved = BenefitApplication.objects.filter(measure=board, status="approved")
    total = approved.aggregate(total=Sum("approved_amount"))["total"]
    assert approved.count() == 3 and total == Decimal("900000.00") <= board.budget
    assert sum(1 for status, _p, _t in results if status == 200) == 3
    approvals = BenefitApplicationTransition.objects.filter(application__measure=board, action="approve")
    assert approvals.count() == 3 and approvals.values("application").distinct().count() == 3
