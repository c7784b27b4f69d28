"""Progress towards a target: percentage, gap, pace needed, projection from the recent trend, off-track flag.

Conventions:
- A month is 365.25 / 12 days; pace is "per month" in that sense.
- The projection extends the least-squares line through the snapshots of the
  last `window_days` (default 90) to the deadline.  With fewer than two
  snapshots in the window there is no trend, and the projection assumes the
  value stays where it is.
- Off track: before the deadline, when the projection falls short of the
  target; on the deadline day, when the target is not reached.
- A target is met when the current value reaches it; met targets are never off track.
- Closed: the day after its deadline a target is closed.  Its progress is
  frozen at the deadline (the caller passes the value at the deadline), and a
  closed target is never off track: it has a final result, met or missed
  (`final_result`), not a pace to keep.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

DAYS_PER_MONTH = Decimal("365.25") / Decimal(12)


@dataclass(frozen=True)
class Progress:
    target: int
    current: int
    percent: Decimal
    gap: int
    days_left: int
    pace_needed_per_month: Decimal | None
    trend_per_month: Decimal | None
    projected_at_deadline: Decimal
    met: bool
    off_track: bool
    closed: bool = False


@dataclass(frozen=True)
class FinalResult:
    """A closed target's result: the value at the deadline against the target, and what happened since.

    `difference` is the value at the deadline minus the target: zero or more when met (by how much it was
    exceeded), negative when missed (by how much it fell short).  `share_of_city` is a district's part of
    the city-wide value at the deadline, in percent (None for the city itself or when unknown).
    """

    target: int
    at_deadline: int
    met: bool
    difference: int
    percent: Decimal
    today: int | None
    change_since_deadline: int | None
    share_of_city: Decimal | None

    @property
    def shortfall(self) -> int:
        """By how much a missed target fell short (0 when met)."""
        return max(-self.difference, 0)


def _q(value: Decimal, places: str = "0.1") -> Decimal:
    return value.quantize(Decimal(places), rounding=ROUND_HALF_UP)


def trend_per_day(points: Sequence[tuple[dt.date, int]]) -> Decimal | None:
    """Slope of the least-squares line through (day, value) points, in units per day."""
    if len(points) < 2:
        return None
    origin = points[0][0]
    xs = [Decimal((d - origin).days) for d, _v in points]
    ys = [Decimal(v) for _d, v in points]
    n = Decimal(len(points))
    mean_x, mean_y = sum(xs) / n, sum(ys) / n
    var = sum((x - mean_x) ** 2 for x in xs)
    if var == 0:
        return None
    return sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / var


def progress(
    *,
    target: int,
    current: int,
    today: dt.date,
    deadline: dt.date,
    history: Sequence[tuple[dt.date, int]] = (),
    window_days: int = 90,
) -> Progress:
    """Progress on `today`; after the deadline, frozen on the deadline (`current` is then the value at the deadline)."""
    if target <= 0:
        raise ValueError("target must be positive")
    closed = today > deadline
    on = min(today, deadline)
    gap = max(target - current, 0)
    met = gap == 0
    days_left = max((deadline - on).days, 0)
    recent = sorted((d, v) for d, v in history if on - dt.timedelta(days=window_days) <= d <= on)
    slope = trend_per_day(recent)
    projected = Decimal(current) + (slope or Decimal(0)) * Decimal(days_left)
    pace = None
    if days_left > 0:
        pace = _q(Decimal(gap) / (Decimal(days_left) / DAYS_PER_MONTH))
    off_track = not met and not closed and (days_left == 0 or projected < target)
    return Progress(
        target=target,
        current=current,
        percent=_q(Decimal(current) * 100 / Decimal(target)),
        gap=gap,
        days_left=days_left,
        pace_needed_per_month=pace,
        trend_per_month=_q(slope * DAYS_PER_MONTH) if slope is not None else None,
        projected_at_deadline=_q(projected, "1"),
        met=met,
        off_track=off_track,
        closed=closed,
    )


def final_result(
    *, target: int, at_deadline: int, today: int | None = None, city_at_deadline: int | None = None
) -> FinalResult:
    """The final result of a closed target (see FinalResult); `city_at_deadline` only for a district's target."""
    if target <= 0:
        raise ValueError("target must be positive")
    share = None
    if city_at_deadline:
        share = _q(Decimal(at_deadline) * 100 / Decimal(city_at_deadline))
    return FinalResult(
        target=target,
        at_deadline=at_deadline,
        met=at_deadline >= target,
        difference=at_deadline - target,
        percent=_q(Decimal(at_deadline) * 100 / Decimal(target)),
        today=today,
        change_since_deadline=None if today is None else today - at_deadline,
        share_of_city=share,
    )


def ranking(rows: Sequence[tuple[str, Decimal, int]]) -> list[tuple[int, str]]:
    """Rank (place, percent, current) rows by completion, then by current value; equal rows share a rank."""
    ordered = sorted(rows, key=lambda r: (-r[1], -r[2], r[0]))
    ranks: list[tuple[int, str]] = []
    previous: tuple[Decimal, int] | None = None
    rank = 0
    for position, (place, percent, current) in enumerate(ordered, start=1):
        if (percent, current) != previous:
            rank = position
            previous = (percent, current)
        ranks.append((rank, place))
    return ranks


def split_proportionally(total: int, weights: dict[str, int]) -> dict[str, int]:
    """Split `total` into whole shares proportional to `weights` (largest remainder), summing exactly to `total`.

    With all weights zero the total is split evenly.
    """
    if total < 0:
        raise ValueError("total cannot be negative")
    if not weights:
        raise ValueError("nothing to split into")
    keys = sorted(weights)
    w = {k: max(weights[k], 0) for k in keys}
    if sum(w.values()) == 0:
        w = dict.fromkeys(keys, 1)
    whole = sum(w.values())
    exact = {k: Decimal(total) * w[k] / whole for k in keys}
    shares = {k: int(exact[k]) for k in keys}
    short = total - sum(shares.values())
    for k in sorted(keys, key=lambda k: (-(exact[k] - shares[k]), k))[:short]:
        shares[k] += 1
    return shares
