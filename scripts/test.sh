#!/usr/bin/env bash
# Install everything (including the test tools and headless Chromium), then run lint, type checks
# and the whole test suite.  Uses DATABASE_URL / REDIS_URL when set; otherwise the local PostgreSQL
# and Redis when they answer on 127.0.0.1, else SQLite (service-backed tests are then skipped,
# unless ZJTX_REQUIRE_SERVICES=1, which turns a missing service into a failure).
# Extra arguments go to pytest, e.g.  scripts/test.sh tests/enterprises -k import
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh dev
py=.venv/bin/python

answers() { $py - "$1" "$2" <<'PY'
import socket, sys
try:
    socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=1).close()
except OSError:
    sys.exit(1)
PY
}
if [ -z "${DATABASE_URL:-}" ] && answers 127.0.0.1 5432; then
  export DATABASE_URL="postgres://postgres@127.0.0.1:5432/zjtx"
fi
if [ -z "${REDIS_URL:-}" ] && answers 127.0.0.1 6379; then
  export REDIS_URL="redis://127.0.0.1:6379/1"
fi
echo "test: DATABASE_URL=${DATABASE_URL:-(sqlite)} REDIS_URL=${REDIS_URL:-(none: tasks in-process)}"

$py -m ruff check .
$py -m ruff format --check .
$py -m mypy .
$py -m pytest "$@"
