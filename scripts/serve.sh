#!/usr/bin/env bash
# Start the production processes of one node with honcho (deploy/Procfile): the web server (gunicorn),
# a Celery worker and Celery beat. nginx, pgbouncer, PostgreSQL and Redis run as system services
# (docs/operators/production.md). Run beat on one node only: `scripts/serve.sh web worker` elsewhere.
#   scripts/serve.sh [web] [worker] [beat]        (default: all three)
# Settings come from the environment or .env (see .env.example). Started as root, the processes run
# as ZJTX_RUN_USER (default zjtx, created by scripts/setup.sh production): never as root.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "${ZJTX_SKIP_SETUP:-0}" = 1 ] || scripts/setup.sh production
if [ -f .env ]; then set -a; . ./.env; set +a; fi

if [ "$(id -u)" = 0 ] && [ "${ZJTX_RUN_USER:-}" = root ]; then
  # Only for a checkout that the unprivileged user cannot read (e.g. under /root): say so loudly.
  echo "serve: WARNING: ZJTX_RUN_USER=root: the processes keep root's rights" >&2
  export ZJTX_RUN_USER="" CELERY_USER_ARGS=""
  state="${ZJTX_STATE_DIR:-/var/lib/zjtx}"
elif [ "$(id -u)" = 0 ]; then
  export ZJTX_RUN_USER="${ZJTX_RUN_USER:-zjtx}"
  id -u "$ZJTX_RUN_USER" >/dev/null 2>&1 || { echo "serve: no user $ZJTX_RUN_USER (scripts/setup.sh production creates zjtx)" >&2; exit 1; }
  if ! runuser -u "$ZJTX_RUN_USER" -- test -r manage.py -a -x .venv/bin/python; then
    echo "serve: $ZJTX_RUN_USER cannot read $(pwd) or run .venv/bin/python; install the code where it can" >&2
    exit 1
  fi
  export CELERY_USER_ARGS="--uid $ZJTX_RUN_USER --gid $ZJTX_RUN_USER"
  state="${ZJTX_STATE_DIR:-/var/lib/zjtx}"
else
  export ZJTX_RUN_USER="" CELERY_USER_ARGS=""
  state="${ZJTX_STATE_DIR:-${XDG_STATE_HOME:-$HOME/.local/state}/zjtx}"
fi
export ZJTX_STATE_DIR="$state"
export MEDIA_ROOT="${MEDIA_ROOT:-$state/media}"
export PROMETHEUS_MULTIPROC_DIR="$state/prometheus"
export CELERY_BEAT_SCHEDULE_FILENAME="${CELERY_BEAT_SCHEDULE_FILENAME:-$state/celerybeat-schedule}"
# The figures of an earlier run's processes would be merged into this one's.
rm -rf "$PROMETHEUS_MULTIPROC_DIR"
mkdir -p "$state" "$MEDIA_ROOT" "$PROMETHEUS_MULTIPROC_DIR"
if [ -n "$ZJTX_RUN_USER" ]; then chown -R "$ZJTX_RUN_USER:$ZJTX_RUN_USER" "$state" "$MEDIA_ROOT"; fi
chmod 755 "$state" "$MEDIA_ROOT"  # nginx reads the download cache under MEDIA_ROOT

processes=("$@")
[ "${#processes[@]}" -gt 0 ] || processes=(web worker beat)
for p in "${processes[@]}"; do
  if [ "$p" = web ]; then .venv/bin/python manage.py collectstatic --noinput -v0; fi
done
exec .venv/bin/honcho --procfile deploy/Procfile --app-root . --no-prefix start "${processes[@]}"
