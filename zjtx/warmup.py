"""Work a web worker would otherwise do on its first requests, done once in gunicorn's master before it
forks (deploy/gunicorn.conf.py, preload_app): the URLconf, both languages' catalogues, every template of the project.

A cold worker's first page took seconds on a loaded machine; forked from a warm master, every worker
(and every replacement after GUNICORN_MAX_REQUESTS) starts warm.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.template import engines
from django.template.utils import get_app_template_dirs
from django.urls import get_resolver
from django.utils import translation


def warm() -> int:
    """Loads what can be loaded without a request or the database; returns the number of templates."""
    get_resolver().url_patterns  # noqa: B018 - imports every view module and compiles the patterns
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            translation.gettext("Login")
    engine = engines["django"]
    base = Path(settings.BASE_DIR).resolve()
    ours = [Path(d).resolve() for d in get_app_template_dirs("templates")]
    folders = [Path(d) for d in engine.dirs] + [d for d in ours if d.is_relative_to(base) and ".venv" not in d.parts]
    count = 0
    for folder in folders:
        for path in folder.rglob("*.html"):
            engine.get_template(path.relative_to(folder).as_posix())
            count += 1
    return count
