"""Progress figures as pure functions: percent, gap, pace, trend projection, off-track, ranking, splits."""

import datetime as dt
from decimal import Decimal

import pytest

from reporting.rules.metrics import MetricParamsError, check_params
from reporting.rules.progress import final_result, progress, ranking, split_proportionally, trend_per_day

TODAY = dt.date(2025, 6, 30)
DEADLINE = dt.date(2025, 12, 31)


def test_percent_gap_and_pace_needed():
    p = progress(target=2500, current=2000, today=TODAY, deadline=DEADLINE)
    assert p.percent == Decimal("80.0")
    assert p.gap == 500
    assert p.days_left == 184
    # 500 left over 184 days = 184 / 30.4375 = 6.045 months → 82.7 a month
    assert p.pace_needed_per_month == Decimal("82.7")


def test_projection_follows_the_recent_trend():
    history = [(TODAY - dt.timedelta(days=d), 2000 - d) for d in (60, 30, 0)]  # +1 a day
    p = progress(target=2500, current=2000, today=TODAY, deadline=DEADLINE, history=history)
    assert trend_per_day(sorted(history)) == Decimal(1)
    assert p.trend_per_month == Decimal("30.4")
    assert p.projected_at_deadline == Decimal(2184)
    assert p.off_track is True


def test_on_track_when_trend_reaches_the_target():
    history = [(TODAY - dt.timedelta(days=d), 2000 - 3 * d) for d in (60, 30, 0)]  # +3 a day
    p = progress(target=2500, current=2000, today=TODAY, deadline=DEADLINE, history=history)
    assert p.projected_at_deadline == Decimal(2552)
    assert p.off_track is False and p.met is False


def test_points_outside_the_window_are_ignored():
    history = [(TODAY - dt.timedelta(days=200), 0), (TODAY, 2000)]
    p = progress(target=2500, current=2000, today=TODAY, deadline=DEADLINE, history=history)
    assert p.trend_per_month is None
    assert p.projected_at_deadline == Decimal(2000)


def test_met_target_is_never_off_track_and_missed_on_the_deadline_day_is():
    assert progress(target=300, current=301, today=TODAY, deadline=DEADLINE).off_track is False
    last_day = progress(target=300, current=299, today=DEADLINE, deadline=DEADLINE)
    assert last_day.off_track is True and last_day.days_left == 0 and last_day.pace_needed_per_month is None
    assert last_day.closed is False


def test_a_closed_target_is_frozen_at_its_deadline_and_never_off_track():
    # The day after the deadline: the caller gives the value at the deadline; the trend is the one that led to it.
    history = [(DEADLINE - dt.timedelta(days=d), 299 - d) for d in (60, 30, 0)] + [(dt.date(2026, 6, 1), 400)]
    p = progress(target=300, current=299, today=dt.date(2026, 11, 26), deadline=DEADLINE, history=history)
    assert p.closed is True and p.off_track is False and p.met is False
    assert (p.percent, p.gap, p.days_left, p.pace_needed_per_month) == (Decimal("99.7"), 1, 0, None)
    assert p.trend_per_month == Decimal("30.4") and p.projected_at_deadline == Decimal(299)
    assert progress(target=300, current=300, today=dt.date(2030, 1, 1), deadline=DEADLINE).met is True


def test_final_result_says_by_how_much_and_what_happened_since():
    missed = final_result(target=2000, at_deadline=1850, today=1900, city_at_deadline=2500)
    assert (missed.met, missed.difference, missed.percent) == (False, -150, Decimal("92.5"))
    assert (missed.today, missed.change_since_deadline, missed.share_of_city) == (1900, 50, Decimal("74.0"))
    met = final_result(target=25, at_deadline=31, today=29)
    assert (met.met, met.difference, met.change_since_deadline, met.share_of_city) == (True, 6, -2, None)
    exactly = final_result(target=10, at_deadline=10, city_at_deadline=0)
    assert exactly.met is True and exactly.difference == 0 and exactly.today is None
    assert exactly.change_since_deadline is None and exactly.share_of_city is None
    with pytest.raises(ValueError):
        final_result(target=0, at_deadline=1)


def test_target_must_be_positive():
    with pytest.raises(ValueError):
        progress(target=0, current=1, today=TODAY, deadline=DEADLINE)


def test_ranking_by_completion_with_shared_ranks():
    rows = [("a", Decimal("50.0"), 5), ("b", Decimal("80.0"), 8), ("c", Decimal("50.0"), 5), ("d", Decimal("50.0"), 7)]
    assert ranking(rows) == [(1, "b"), (2, "d"), (3, "a"), (3, "c")]


@pytest.mark.parametrize(
    ("total", "weights"),
    [(2500, {"a": 3, "b": 3, "c": 3}), (25, {"a": 0, "b": 0}), (300, {"a": 10, "b": 1, "c": 0}), (7, {"x": 1})],
)
def test_split_adds_up_exactly(total, weights):
    shares = split_proportionally(total, weights)
    assert sum(shares.values()) == total and set(shares) == set(weights)


def test_split_is_proportional_with_largest_remainders():
    assert split_proportionally(10, {"a": 1, "b": 1, "c": 1}) == {"a": 4, "b": 3, "c": 3}
    assert split_proportionally(100, {"a": 3, "b": 1}) == {"a": 75, "b": 25}


@pytest.mark.parametrize(
    ("kind", "params", "ok"),
    [
        ("tier_holders", {"tiers": ["srdi_sme"]}, True),
        ("tier_holders", {"tiers": []}, False),
        ("tier_holders", {}, False),
        ("new_listings", {"since": "2022-01-01"}, True),
        ("new_listings", {"since": "soon"}, False),
        ("manual", {}, True),
        ("manual", {"x": 1}, False),
        ("magic", {}, False),
        ("manual", [], False),
    ],
)
def test_metric_parameters(kind, params, ok):
    if ok:
        check_params(kind, params)
    else:
        with pytest.raises(MetricParamsError):
            check_params(kind, params)
