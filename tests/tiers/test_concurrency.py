"""Two people moving the same application at the same moment: exactly one wins (row lock)."""

import threading

import pytest
from django.db import close_old_connections, connection
from django.utils import translation

from tiers.models import Application, ApplicationTransition
from tiers.services import lifecycle
from zjtx.errors import DomainError

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def race(calls):
    """Run the callables in threads released together; return their outcomes ("ok" or the error message)."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def worker(i, fn):
        try:
            barrier.wait()
            with translation.override("en"):
                fn()
            outcomes[i] = "ok"
        except DomainError as exc:
            outcomes[i] = exc.message
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, fn)) for i, fn in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return outcomes


def test_two_concurrent_transitions_end_with_one_winner(users, ref, make_enterprise):
    for _round in range(5):
        app = lifecycle.application_submit(
            actor=users.staff_a, enterprise=make_enterprise(), tier=ref.tiers["innovative_sme"], batch_year=2026
        )
        app_id = app.pk
        outcomes = race([
            lambda app_id=app_id: lifecycle.application_transition(
                actor=users.staff_a, application_id=app_id, action="recommend"
            ),
            lambda app_id=app_id: lifecycle.application_transition(
                actor=users.staff_a, application_id=app_id, action="decline", reason="不符合条件"
            ),
        ])  # fmt: skip
        assert sorted(o == "ok" for o in outcomes) == [False, True], outcomes
        loser = next(o for o in outcomes if o != "ok")
        assert "Cannot" in loser
        app.refresh_from_db()
        moves = ApplicationTransition.objects.filter(application=app).exclude(action="submit")
        assert moves.count() == 1
        assert app.status == moves.get().to_status


def test_concurrent_duplicate_submissions_make_one_application(users, ref, make_enterprise):
    ent = make_enterprise()
    outcomes = race([
        lambda: lifecycle.application_submit(
            actor=users.staff_a, enterprise=ent, tier=ref.tiers["innovative_sme"], batch_year=2026
        )
        for _ in range(4)
    ])  # fmt: skip
    assert outcomes.count("ok") == 1, outcomes
    assert Application.objects.filter(enterprise=ent).count() == 1
