"""Filter helpers shared by every app's API (django-filter)."""

from __future__ import annotations

from typing import Any

import django_filters as df


class CodeInFilter(df.BaseInFilter, df.CharFilter):
    """Comma-separated codes: ?district=500101,500103"""


def strict_boolean(label: Any) -> df.TypedChoiceFilter:
    """true/false/1/0, and a 400 for anything else (BooleanFilter silently ignores a typo)."""
    return df.TypedChoiceFilter(
        choices=[(v, v) for v in ("true", "false", "1", "0")], coerce=lambda v: v in ("true", "1"), label=label
    )
