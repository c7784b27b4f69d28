"""The work queue (我的待办): what a user has to do today, contributed by the room that owns each kind of work.

The queue's page and the daily notifications belong to the service desk, but the work is spread over the
rooms: overdue demands and visits (servicedesk), certifications ending and applications waiting (tiers),
benefit applications (programs), failed imports (enterprises), districts off track (reporting).  Each room
registers its sources from its AppConfig.ready() with `contribute`, so imports still run downhill and a
room that adds a kind of work (e.g. policy matching) adds its source without touching the page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from zjtx.paginator import count_upto
from zjtx.roles import Role

# The header's badge and the queue's chips count up to this many and show "99+" beyond: they are computed on
# every page a district's staff open, and exact counts of a national district's overdue demands or firms
# without a specialist cost 80–180 ms a page (issue 16); nobody works through 99 items from the badge.
WORK_COUNT_CAP = 99

DISTRICT = frozenset({Role.DISTRICT_STAFF})
OFFICIAL = frozenset({Role.MUNICIPAL_OFFICIAL})


@dataclass(frozen=True)
class WorkItem:
    """One thing to do, with the link that does it."""

    key: str  # stable name of the item in this state, e.g. "demand:12:overdue:2026-11-20" (notifications)
    title: str  # what it is about, usually the enterprise's name
    detail: str  # why it is here, in words: "overdue by 12 days · land"
    url: str  # the page where the next action is taken
    action: str  # that action's label ("Move the demand")
    due_on: date | None = None  # the day that makes it urgent; the queue lists the earliest first
    post: bool = False  # the action is a one-click form (POST to `url`) rather than a link


@dataclass(frozen=True)
class WorkSource:
    """One kind of work: a count (cheap, for the header) and the most urgent items (for the page)."""

    order: int  # position on the page
    title: Any  # a (lazy) translated label of the kind of work
    roles: frozenset[str]  # who has this work; superusers see every source
    count: Callable[[Any, date], int]  # (user, today) → how many, up to WORK_COUNT_CAP + 1 (capped_count)
    items: Callable[[Any, date, int], list[WorkItem]]  # (user, today, limit) → the most urgent first
    list_url: Callable[[Any], str] | None = None  # the full list, when the page shows only the first items
    notify: bool = False  # whether new items are notified (site list, e-mail digest, group robot)
    extra: dict[str, Any] = field(default_factory=dict)


_SOURCES: dict[str, WorkSource] = {}


def contribute(key: str, source: WorkSource) -> None:
    """Add (or replace, by key) a kind of work."""
    _SOURCES[key] = source


def sources_for(user: Any) -> list[tuple[str, WorkSource]]:
    """The kinds of work of the user's role, in page order."""
    if not getattr(user, "is_authenticated", False):
        return []
    role = getattr(user, "role", "")
    chosen = [(k, s) for k, s in _SOURCES.items() if user.is_superuser or role in s.roles]
    return sorted(chosen, key=lambda pair: pair[1].order)


def capped_count(rows: Any) -> int:
    """How many `rows` (a queryset), counting no further than WORK_COUNT_CAP + 1 (shown as "99+")."""
    return count_upto(rows, WORK_COUNT_CAP + 1)


def shown_count(count: int) -> str:
    return f"{WORK_COUNT_CAP}+" if count > WORK_COUNT_CAP else str(count)


def has_queue(user: Any) -> bool:
    return bool(sources_for(user))
