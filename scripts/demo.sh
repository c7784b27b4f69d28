#!/usr/bin/env bash
# Install everything, then run the main job: migrate, load the reference data and a small demo
# data set, and serve the site. Without DATABASE_URL/REDIS_URL it runs on SQLite (var/demo.sqlite3)
# with Celery tasks executed in-process.  HOST and PORT choose where it listens (127.0.0.1:8000).
# The demo runs with DEBUG off, as a deployment does: errors show the site's Chinese 404/403/500 pages, not
# Django's debug page.  `DEBUG=1 scripts/demo.sh` turns it on for development.  With DEBUG off Django
# serves no static files by itself; `runserver --insecure` serves them for the demo (nginx does in production).
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBUG="${DEBUG:-0}"
scripts/setup.sh runtime
py=.venv/bin/python
$py manage.py migrate --noinput -v0
$py manage.py load_reference_data
$py manage.py load_demo_data
addr="${HOST:-127.0.0.1}:${PORT:-8000}"
export ALLOWED_HOSTS="${ALLOWED_HOSTS:-localhost,127.0.0.1,[::1],${HOST:-127.0.0.1}}"
echo
echo "Open http://$addr/ and log in with one of the demo users above."
echo "API: http://$addr/api/v1/docs/   Admin: http://$addr/admin/"
exec $py manage.py runserver --insecure "$addr"
