"""Approvals racing under one measure: the budget and the per-enterprise cap are never overspent (row lock)."""

from datetime import date
from decimal import Decimal

import pytest
from django.db.models import Sum

from programs.models import BenefitApplication
from programs.services.benefits import benefit_application_submit, benefit_application_transition
from tests.programs.conftest import ON_BOARD
from tests.tiers.test_concurrency import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def approvals(users, apps):
    return [
        lambda pk=a.pk: benefit_application_transition(actor=users.official_bj, application_id=pk, action="approve")
        for a in apps
    ]


def approved_total(measure):
    rows = BenefitApplication.objects.filter(measure=measure, status="approved")
    return rows.count(), rows.aggregate(total=Sum("approved_amount"))["total"]


def test_racing_approvals_do_not_overspend_the_budget(users, certified, measure):
    board = measure("六.1")  # one-time award of at most 300,000
    board.budget = Decimal("1000000")
    board.save()
    apps = [
        benefit_application_submit(
            actor=users.staff_bj,
            enterprise=certified(**ON_BOARD),
            measure=board,
            inputs={},
            basis_date=date(2025, 3, 1),
        )
        for _ in range(8)
    ]
    outcomes = race(approvals(users, apps))
    assert outcomes.count("ok") == 3, outcomes
    assert all("overspend" in o for o in outcomes if o != "ok"), outcomes
    count, total = approved_total(board)
    assert (count, total) == (3, Decimal("900000.00"))
    assert total <= board.budget


def test_racing_approvals_for_one_enterprise_respect_its_cap(users, certified, measure):
    firm = certified()
    first_of_kind = measure("一.2")  # at most 30,000,000 per enterprise
    apps = [
        benefit_application_submit(
            actor=users.staff_bj,
            enterprise=firm,
            measure=first_of_kind,
            inputs={"award_amount": "8000000"},
            basis_date=date(2025, 3, 1),
        )
        for _ in range(6)
    ]
    outcomes = race(approvals(users, apps))
    assert outcomes.count("ok") == 4, outcomes  # 8 + 8 + 8 + the 6 million left
    _count, total = approved_total(first_of_kind)
    assert total == Decimal("30000000.00")
    assert (
        sorted(
            BenefitApplication.objects.filter(measure=first_of_kind, status="approved").values_list(
                "approved_amount", flat=True
            )
        )
        == [Decimal("6000000.00")] + [Decimal("8000000.00")] * 3
    )
