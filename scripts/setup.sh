#!/usr/bin/env bash
# Install everything the project needs on a fresh machine: system packages (apt), a virtualenv in
# .venv with the pinned Python packages, and the compiled translations. Safe to run again: each
# step is skipped when already done.  Usage: scripts/setup.sh [runtime|dev]
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-runtime}"

# --- system packages ----------------------------------------------------------------------
need=()
command -v msgfmt >/dev/null 2>&1 || need+=(gettext)
# A CJK font for the Chinese text of PDF reports.
[ -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || need+=(fonts-wqy-microhei)
if [ "$mode" = dev ]; then
  command -v chromium >/dev/null 2>&1 || need+=(chromium)
  command -v chromedriver >/dev/null 2>&1 || need+=(chromium-driver)
  command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
  # The backup-restore check (pg_dump, pg_restore, psql) and the Redis-restart test (a private redis-server).
  command -v pg_dump >/dev/null 2>&1 || need+=(postgresql-client)
  command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
  # The importer's tests write real workbooks and CSV files with LibreOffice (numbers as a spreadsheet stores them).
  command -v soffice >/dev/null 2>&1 || need+=(libreoffice-calc-nogui)
fi
if [ "${#need[@]}" -gt 0 ]; then
  echo "setup: installing system packages: ${need[*]}"
  if [ "$(id -u)" = 0 ]; then sudo=""; elif command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
    echo "setup: need root (or sudo) to install ${need[*]}" >&2; exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get -o DPkg::Lock::Timeout=600 update -q >/dev/null || true
  $sudo apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends "${need[@]}" >/dev/null
fi

# --- Python -------------------------------------------------------------------------------
python="${PYTHON:-}"
if [ -z "$python" ]; then
  for candidate in python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1; then python="$candidate"; break; fi
  done
fi
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv with $("$python" --version)"
  "$python" -m venv .venv
fi
requirements=requirements.txt
[ "$mode" = dev ] && requirements=requirements-dev.txt
stamp=".venv/.installed-$mode-$(cat requirements.txt "$requirements" | sha256sum | cut -c1-16)"
if [ ! -e "$stamp" ]; then
  echo "setup: installing Python packages from $requirements"
  .venv/bin/python -m pip install -q --disable-pip-version-check -r "$requirements"
  touch "$stamp"
fi

# --- translations -------------------------------------------------------------------------
mkdir -p var
.venv/bin/python manage.py compilemessages --ignore=.venv --ignore=var -v0
