"""Sections of a page contributed by the rooms above the one that owns the page.

The enterprise page (enterprises) shows the tier history, the service-desk file and the benefits, which
live in tiers, servicedesk and programs; the policies overview (programs) shows the targets, which live
in reporting.  The owning app renders whatever sections are contributed; the rooms above contribute
theirs from their AppConfig.ready().  So imports still run downhill, and a new room adds its section
without touching the page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

ENTERPRISE_PAGE = "enterprise"  # context(user, enterprise)
POLICIES_PAGE = "policies"  # context(user, None)


@dataclass(frozen=True)
class PageSection:
    order: int  # position on the page, top to bottom
    template: str  # rendered with the page's context plus the section's own
    context: Callable[[Any, Any], dict[str, Any]]  # (user, the page's object) → the section's variables


_SECTIONS: dict[str, dict[str, PageSection]] = {}


def contribute(page: str, key: str, section: PageSection) -> None:
    """Add (or replace, by key) a section of a page."""
    _SECTIONS.setdefault(page, {})[key] = section


def page_sections(page: str, user: Any, obj: Any = None) -> dict[str, Any]:
    """The page's `section_templates` in order, and the variables of every section (each names its own)."""
    context: dict[str, Any] = {}
    templates: list[str] = []
    for section in sorted(_SECTIONS.get(page, {}).values(), key=lambda s: s.order):
        templates.append(section.template)
        context.update(section.context(user, obj))
    return {**context, "section_templates": templates}
