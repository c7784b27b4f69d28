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


def _grouped(value: Any) -> str:
    """Thousands separators, keeping the decimals a Decimal has (12345.50 → 12,345.50)."""
    from decimal import Decimal

    if isinstance(value, bool) or value is None or value == "":
        return "" if value in (None, "") else str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, Decimal | float):
        return f"{value:,f}" if isinstance(value, Decimal) else f"{value:,.2f}".rstrip("0").rstrip(".")
    try:
        return f"{int(value):,}"
    except (TypeError, ValueError):
        return str(value)


@register.filter
def num(value: Any) -> str:
    """{{ n|num }}: a number with thousands separators (1,234,567)."""
    return _grouped(value)


@register.filter
def firms(value: Any) -> str:
    """{{ n|firms }}: a count of enterprises with its unit (1,234 家)."""
    from django.utils.translation import ngettext

    if value is None or value == "":
        return "—"
    return ngettext("%(n)s enterprise", "%(n)s enterprises", int(value)) % {"n": _grouped(value)}


@register.filter
def with_unit(value: Any, unit: Any) -> str:
    """{{ n|with_unit:metric.unit }}: a number with thousands separators and its unit (25 个)."""
    if value is None or value == "":
        return "—"
    return f"{_grouped(value)} {unit}".strip() if unit else _grouped(value)


@register.filter
def yuan(value: Any) -> str:
    """{{ amount|yuan }}: money (stored in yuan) as people read it: 万元 in Chinese, yuan in English."""
    from decimal import Decimal

    from django.utils.translation import get_language
    from django.utils.translation import gettext as _

    if value is None or value == "":
        return "—"
    amount = Decimal(str(value))
    if (get_language() or "").startswith("zh"):
        wan = (amount / 10000).quantize(Decimal("0.01")).normalize()
        text = f"{wan:,f}" if wan == wan.to_integral() else f"{wan:,}"
        return _("%(amount)s 10k yuan") % {"amount": text.rstrip("0").rstrip(".") if "." in text else text}
    return _("%(amount)s yuan") % {
        "amount": _grouped(amount.quantize(Decimal("1")) if amount == amount.to_integral() else amount)
    }
