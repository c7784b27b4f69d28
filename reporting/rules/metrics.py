"""What the parameters of each metric kind must look like."""

from __future__ import annotations

import datetime as dt
from typing import Any


class MetricParamsError(ValueError):
    pass


def check_params(kind: str, params: Any) -> None:
    if not isinstance(params, dict):
        raise MetricParamsError("parameters must be an object")
    if kind == "tier_holders":
        tiers = params.get("tiers")
        if not isinstance(tiers, list) or not tiers or not all(isinstance(t, str) and t for t in tiers):
            raise MetricParamsError('tier_holders needs {"tiers": ["tier code", ...]}')
    elif kind == "new_listings":
        try:
            dt.date.fromisoformat(str(params.get("since", "")))
        except ValueError:
            raise MetricParamsError('new_listings needs {"since": "YYYY-MM-DD"}') from None
    elif kind == "manual":
        if params:
            raise MetricParamsError("manual metrics take no parameters")
    else:
        raise MetricParamsError(f"unknown metric kind {kind!r}")
