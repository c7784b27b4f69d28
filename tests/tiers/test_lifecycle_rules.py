"""The transition tables and validity periods, as pure functions."""

from datetime import date

import pytest

from tiers.rules import lifecycle as r
from tiers.rules.lifecycle import ApplicationStatus as A
from tiers.rules.lifecycle import CertificationStatus as C
from zjtx.rules import transitions as tr


def test_happy_path_of_an_application():
    state = A.SUBMITTED
    for action, role in [
        ("recommend", r.DISTRICT),
        ("start_review", r.OFFICIAL),
        ("publicise", r.OFFICIAL),
        ("certify", r.OFFICIAL),
    ]:
        state = tr.check(r.APPLICATION_TRANSITIONS, current=state, action=action, role=role).target
    assert state == A.CERTIFIED


@pytest.mark.parametrize(
    ("current", "action", "role", "message"),
    [
        (A.SUBMITTED, "certify", r.OFFICIAL, "cannot certify from state submitted"),
        (A.SUBMITTED, "recommend", r.OFFICIAL, "may not recommend"),
        (A.RECOMMENDED, "start_review", r.DISTRICT, "may not start_review"),
        (A.CERTIFIED, "reject", r.OFFICIAL, "cannot reject from state certified"),
        (A.SUBMITTED, "decline", r.DISTRICT, "needs a reason"),
        (A.SUBMITTED, "fly", r.DISTRICT, "unknown action"),
    ],
)
def test_illegal_moves_are_refused_with_a_reason(current, action, role, message):
    with pytest.raises(tr.TransitionError, match=message):
        tr.check(r.APPLICATION_TRANSITIONS, current=current, action=action, role=role)


def test_superuser_may_take_human_steps_but_not_system_only_ones():
    assert tr.check(r.APPLICATION_TRANSITIONS, current=A.SUBMITTED, action="recommend", role="", is_superuser=True)
    assert "expire" in tr.allowed_actions(r.CERTIFICATION_TRANSITIONS, current=C.ACTIVE, role=r.SYSTEM)
    assert tr.allowed_actions(r.CERTIFICATION_TRANSITIONS, current=C.ACTIVE, role=r.DISTRICT) == []


def test_final_states_have_no_way_out():
    for state in A.FINAL:
        assert tr.allowed_actions(r.APPLICATION_TRANSITIONS, current=state, role=r.OFFICIAL, is_superuser=True) == []
    for state in C.FINAL:
        assert tr.allowed_actions(r.CERTIFICATION_TRANSITIONS, current=state, role=r.OFFICIAL, is_superuser=True) == []


def test_every_target_is_a_known_state():
    app_states = A.OPEN | A.FINAL
    assert all(t.target in app_states and t.sources <= app_states for t in r.APPLICATION_TRANSITIONS)
    cert_states = C.HOLDING | C.FINAL
    assert all(t.target in cert_states and t.sources <= cert_states for t in r.CERTIFICATION_TRANSITIONS)


def test_validity_is_half_open_three_years():
    assert r.validity_period(date(2023, 7, 1), 3) == (date(2023, 7, 1), date(2026, 7, 1))


def test_leap_day_start_ends_on_28_february():
    assert r.validity_period(date(2024, 2, 29), 3)[1] == date(2027, 2, 28)


def test_confirmed_re_review_extends_from_the_old_end():
    assert r.renewed_until(date(2026, 7, 1), 3) == date(2029, 7, 1)


def test_zero_year_validity_is_refused():
    with pytest.raises(ValueError):
        r.validity_period(date(2024, 1, 1), 0)


def test_prerequisite_levels():
    assert r.prerequisite_level(1) is None
    assert r.prerequisite_level(2) == 1
    assert r.prerequisite_level(3) == 2
