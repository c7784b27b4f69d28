#!/usr/bin/env bash
# Install everything, then run the main job: migrate, load the reference data and a small demo
# data set, and serve the site. Without DATABASE_URL/REDIS_URL it runs on SQLite (var/demo.sqlite3)
# with Celery tasks executed in-process.  HOST and PORT choose where it listens (127.0.0.1:8000).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh runtime
py=.venv/bin/python
$py manage.py migrate --noinput -v0
$py manage.py load_reference_data
$py manage.py load_demo_data
$py manage.py load_servicedesk_demo
addr="${HOST:-127.0.0.1}:${PORT:-8000}"
echo
echo "Open http://$addr/ and log in with one of the demo users above."
echo "API: http://$addr/api/v1/docs/   Admin: http://$addr/admin/"
exec $py manage.py runserver "$addr"
