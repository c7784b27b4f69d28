"""Small template helpers shared by the pages."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    """{{ dict|get_item:key }}: a dict lookup with a variable key (empty list when absent)."""
    return mapping.get(key, []) if hasattr(mapping, "get") else []


@register.filter
def last_day(until: Any) -> Any:
    """Periods are stored half-open [from, until); people read the last day included."""
    import datetime as dt

    return until - dt.timedelta(days=1) if isinstance(until, dt.date) else until


@register.filter
def queue_notice(run: Any) -> str:
    """Why a queued run has not started yet, in words ('' when it is not waiting on the queue)."""
    from zjtx.outbox import waiting_notice

    return waiting_notice(run)
