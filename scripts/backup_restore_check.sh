#!/usr/bin/env bash
# Back up the PostgreSQL database of DATABASE_URL and prove the backup restores: pg_dump (custom
# format) → a scratch database → pg_restore → the row count of every table compared with the source,
# counted in the very snapshot that pg_dump saved (so a live database may keep working meanwhile).
# The scratch database is dropped afterwards; the dump is kept when a file name is given.
#
#   DATABASE_URL=postgres://user:password@host:5432/zjtx scripts/backup_restore_check.sh [DUMP_FILE]
#
# Exit status 0: the restore holds every row; 1: a table differs (the differences are printed).
# Needs the PostgreSQL client programs (pg_dump, pg_restore, psql) of the server's major version or newer,
# and the right to create databases.  To restore a real backup:  createdb NEW &&
#   pg_restore --no-owner --exit-on-error --dbname=postgres://.../NEW DUMP_FILE
set -euo pipefail

url="${DATABASE_URL:?set DATABASE_URL=postgres://user:password@host:port/database}"
case "$url" in postgres://* | postgresql://*) ;; *) echo "DATABASE_URL is not a PostgreSQL URL" >&2; exit 2 ;; esac
base="${url%%\?*}"
query="${url#"$base"}"
source_db="${base##*/}"
scratch_db="${source_db}_restore_check_$$"
scratch_url="${base%/*}/${scratch_db}${query}"
admin_url="${base%/*}/postgres${query}"
work="$(mktemp -d)"
dump="${1:-$work/backup.dump}"
psql_() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }

cleanup() {
  [ -n "${SNAP_PID:-}" ] && kill "$SNAP_PID" 2>/dev/null || true
  psql_ "$admin_url" -c "DROP DATABASE IF EXISTS \"$scratch_db\"" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

# Exact row counts of every ordinary table, one "schema.table|count" line each, sorted.
COUNT_SQL="SELECT coalesce(string_agg(format('SELECT %L AS t, count(*) AS n FROM %I.%I',
  schemaname || '.' || tablename, schemaname, tablename), ' UNION ALL '), 'SELECT NULL, NULL WHERE false')
  || ' ORDER BY 1' FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema') \\gexec"

now() { date +%s.%N; }
started=$(now)

# 1. A transaction that holds a snapshot: pg_dump dumps exactly it, and the source rows are counted in it.
coproc SNAP { psql -X -q -A -t -v ON_ERROR_STOP=1 "$url"; }
SNAP_PID=$SNAP_PID
echo "BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT pg_export_snapshot();" >&"${SNAP[1]}"
read -r snapshot <&"${SNAP[0]}"
printf '%s\n\\echo __END__\n' "$COUNT_SQL" >&"${SNAP[1]}"
: >"$work/source.counts"
while read -r line <&"${SNAP[0]}"; do
  [ "$line" = "__END__" ] && break
  echo "$line" >>"$work/source.counts"
done

# 2. The backup.
pg_dump --format=custom --no-owner --snapshot="$snapshot" --file="$dump" "$url"
echo "COMMIT;" >&"${SNAP[1]}"
exec {SNAP[1]}>&-
wait "$SNAP_PID" 2>/dev/null || true
SNAP_PID=""
dumped=$(now)

# 3. The restore into a scratch database.
psql_ "$admin_url" -c "CREATE DATABASE \"$scratch_db\"" >/dev/null
pg_restore --no-owner --exit-on-error --dbname="$scratch_url" "$dump"
restored=$(now)

# 4. The comparison.
psql_ -A -t "$scratch_url" <<<"$COUNT_SQL" >"$work/restored.counts"
tables=$(wc -l <"$work/source.counts")
rows=$(awk -F'|' '{s += $2} END {print s + 0}' "$work/source.counts")
size=$(du -k "$dump" | cut -f1)
if ! diff -u "$work/source.counts" "$work/restored.counts" >"$work/diff"; then
  echo "backup-restore check FAILED: the restored database differs from the source" >&2
  cat "$work/diff" >&2
  exit 1
fi
awk -v t="$tables" -v r="$rows" -v k="$size" -v s="$started" -v d="$dumped" -v e="$restored" -v n="$(now)" \
  'BEGIN { printf "backup-restore check OK: %s tables, %s rows, dump %s KiB; dump %.1f s, restore %.1f s, total %.1f s\n",
           t, r, k, d - s, e - d, n - s }'
