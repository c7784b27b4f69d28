"""Check the move of models into reference/, tiers/ and servicedesk/ on a real data set (issue 21).

Point DATABASE_URL at a database built and filled by the code *before* the move (e.g. the national
data set made by that version's generator), then run this with the code after it:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/zjtx_upgrade .venv/bin/python tests/bench/check_upgrade.py

It counts and hashes every row of every moved table (and of the tables that point at them), runs
`migrate`, and compares: the same rows, the same content-type ids under their new app labels.
Exit status 1 on any difference.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zjtx.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from tests.bench.upgrade import content_types, fingerprints  # noqa: E402


def main() -> int:
    started = time.perf_counter()
    before = fingerprints()
    types_before = content_types()
    hashed = time.perf_counter() - started
    print(f"before: {sum(n for n, _ in before.values()):,} rows in {len(before)} tables hashed in {hashed:.1f} s")
    started = time.perf_counter()
    call_command("migrate", verbosity=1)
    migrated = time.perf_counter() - started
    after = fingerprints()
    types_after = content_types()
    print(f"migrate took {migrated:.1f} s")
    print(f"{'table':48} {'rows before':>12} {'rows after':>12}  same md5")
    failed = False
    for table, (count, digest) in before.items():
        count_after, digest_after = after[table]
        same = digest == digest_after and count == count_after
        failed |= not same
        print(f"{table:48} {count:12,} {count_after:12,}  {'yes' if same else 'NO'}")
    ids_same = {m: pk for m, (pk, _) in types_before.items()} == {m: pk for m, (pk, _) in types_after.items()}
    labels = sorted({label for _, label in types_after.values()})
    print(f"content types: ids kept {'yes' if ids_same else 'NO'}; now under {', '.join(labels)}")
    failed |= not ids_same or "enterprises" in labels
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
