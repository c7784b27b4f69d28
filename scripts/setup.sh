#!/usr/bin/env bash
# Install everything the project needs on a fresh machine: system packages (apt), a virtualenv in
# .venv with the pinned Python packages, and the compiled translations. Safe to run again: each
# step is skipped when already done.  Usage: scripts/setup.sh [runtime|production|dev]
#   runtime: what the demo needs; production: + nginx, pgbouncer and the system user zjtx that
#   scripts/serve.sh runs the processes as; dev: + the test tools (the tests start nginx and pgbouncer).
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-runtime}"

# --- system packages ----------------------------------------------------------------------
need=()
command -v msgfmt >/dev/null 2>&1 || need+=(gettext)
# A CJK font for the Chinese text of PDF reports.
[ -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || need+=(fonts-wqy-microhei)
if [ "$mode" = production ] || [ "$mode" = dev ]; then
  command -v nginx >/dev/null 2>&1 || need+=(nginx-light)
  command -v pgbouncer >/dev/null 2>&1 || need+=(pgbouncer)
  command -v openssl >/dev/null 2>&1 || need+=(openssl)
fi
if [ "$mode" = dev ]; then
  # The production-stack benchmark's load generator.
  command -v wrk >/dev/null 2>&1 || need+=(wrk)
  command -v chromium >/dev/null 2>&1 || need+=(chromium)
  command -v chromedriver >/dev/null 2>&1 || need+=(chromium-driver)
  command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
  # The backup-restore check (pg_dump, pg_restore, psql) and the Redis-restart test (a private redis-server).
  command -v pg_dump >/dev/null 2>&1 || need+=(postgresql-client)
  command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
  # The PostgreSQL-restart test runs a private cluster (initdb, pg_ctl) on a free port.
  compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || need+=(postgresql)
  # The importer's tests write real workbooks and CSV files with LibreOffice (numbers as a spreadsheet stores them).
  command -v soffice >/dev/null 2>&1 || need+=(libreoffice-calc-nogui)
fi
if [ "${#need[@]}" -gt 0 ]; then
  echo "setup: installing system packages: ${need[*]}"
  if [ "$(id -u)" = 0 ]; then sudo=""; elif command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
    echo "setup: need root (or sudo) to install ${need[*]}" >&2; exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  if [[ " ${need[*]} " == *" postgresql "* ]] && [ ! -e /etc/postgresql-common/createcluster.conf ]; then
    # Only the server's programs are wanted: no cluster of its own started on the machine's port 5432.
    $sudo mkdir -p /etc/postgresql-common
    echo "create_main_cluster = false" | $sudo tee /etc/postgresql-common/createcluster.conf >/dev/null
  fi
  $sudo apt-get -o DPkg::Lock::Timeout=600 update -q >/dev/null || true
  $sudo apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends "${need[@]}" >/dev/null
fi

# The unprivileged user the production processes run as (scripts/serve.sh, the production-stack tests).
if { [ "$mode" = production ] || [ "$mode" = dev ]; } && [ "$(id -u)" = 0 ] && ! id -u zjtx >/dev/null 2>&1; then
  useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin zjtx
fi

# --- Python -------------------------------------------------------------------------------
python="${PYTHON:-}"
unprivileged=""
if [ "$mode" != runtime ] && [ "$(id -u)" = 0 ] && id -u zjtx >/dev/null 2>&1; then unprivileged=zjtx; fi
if [ -z "$python" ] && [ -n "$unprivileged" ] && [ -x /usr/bin/python3.11 ]; then
  # The production processes run as zjtx, who must be able to run .venv's interpreter: Debian's, not
  # one under root's home (pyenv).
  python=/usr/bin/python3.11
fi
if [ -z "$python" ]; then
  for candidate in python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1; then python="$candidate"; break; fi
  done
fi
if [ -n "$unprivileged" ] && [ -x .venv/bin/python ] && ! runuser -u "$unprivileged" -- .venv/bin/python -c "" 2>/dev/null; then
  echo "setup: $unprivileged cannot run .venv's interpreter; recreating .venv with $python"
  rm -rf .venv
fi
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv with $("$python" --version)"
  "$python" -m venv .venv
fi
requirements=requirements.txt
[ "$mode" = dev ] && requirements=requirements-dev.txt
[ "$mode" = production ] && mode=runtime  # the same Python packages
stamp=".venv/.installed-$mode-$(cat requirements.txt "$requirements" | sha256sum | cut -c1-16)"
if [ ! -e "$stamp" ]; then
  echo "setup: installing Python packages from $requirements"
  .venv/bin/python -m pip install -q --disable-pip-version-check -r "$requirements"
  touch "$stamp"
fi

# --- translations -------------------------------------------------------------------------
mkdir -p var
.venv/bin/python manage.py compilemessages --ignore=.venv --ignore=var -v0
