"""The one summary table every benchmark ends with: figure | value | reference | ratio | goal | met.

Benchmarks collect `Row`s and call `print_summary(rows)`; `save(rows, path)` writes them as JSON so that
runs on data sets of different sizes (or different benchmarks: bench_scale.py, bench_nightly.py) can be
put side by side:

    .venv/bin/python tests/bench/summary.py 50k=/tmp/s50k.json 150k=/tmp/s150k.json 500k=/tmp/s500k.json

prints one table with a value column per file (the goal and whether it was met are the last file's), and
`--markdown` prints it as the Markdown table docs/performance/README.md reproduces.  Rows of different
benchmarks on the same data set go one after the other into one table with `--concat`:

    .venv/bin/python tests/bench/summary.py --concat /tmp/scale.json /tmp/nightly.json
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path


@dataclass
class Row:
    """One figure. `met` is None for a figure without a goal; `load` is the 1-minute load average when it
    was measured (the machine is shared: read the ratio against the same-run reference first)."""

    figure: str
    value: str
    reference: str = ""
    ratio: str = ""
    goal: str = ""
    met: bool | None = None
    load: float = field(default_factory=lambda: round(os.getloadavg()[0], 2))


def met_text(met: bool | None) -> str:
    return "" if met is None else ("yes" if met else "NO")


def print_summary(rows: Sequence[Row], title: str = "summary", out=None) -> None:  # type: ignore[no-untyped-def]
    """Print the table as fixed-width text, then the goals met and missed."""
    out = out or sys.stdout
    headers = ("figure", "value", "reference", "ratio", "goal", "met", "load")
    table = [(r.figure, r.value, r.reference, r.ratio, r.goal, met_text(r.met), f"{r.load:.1f}") for r in rows]
    widths = [max([len(h), *(len(row[i]) for row in table)]) for i, h in enumerate(headers)]
    print(f"\n{title}", file=out)
    line = " | ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))
    print(line, file=out)
    print("-+-".join("-" * w for w in widths), file=out)
    for row in table:
        print(" | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)), file=out)
    goals = [r for r in rows if r.met is not None]
    missed = [r for r in goals if not r.met]
    print(f"\ngoals: {len(goals) - len(missed)} met, {len(missed)} missed", file=out)
    for r in missed:
        print(f"  missed: {r.figure}: {r.value} (goal {r.goal})", file=out)


def save(rows: Iterable[Row], path: str | Path) -> None:
    Path(path).write_text(json.dumps([asdict(r) for r in rows], ensure_ascii=False, indent=1), encoding="utf-8")


def load(path: str | Path) -> list[Row]:
    return [Row(**item) for item in json.loads(Path(path).read_text(encoding="utf-8"))]


def side_by_side(runs: Sequence[tuple[str, list[Row]]], markdown: bool = False) -> str:
    """One row per figure (in the order of the last run), a value column per run."""
    last = runs[-1][1]
    by_run = [{r.figure: r for r in rows} for _label, rows in runs]
    headers = ["figure", *(f"value {label}" for label, _rows in runs), "reference", "ratio", "goal", "met", "load"]
    table = []
    for r in last:
        values = [by.get(r.figure).value if by.get(r.figure) else "" for by in by_run]  # type: ignore[union-attr]
        table.append([r.figure, *values, r.reference, r.ratio, r.goal, met_text(r.met), f"{r.load:.1f}"])
    if markdown:
        lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
        lines += ["| " + " | ".join(c.replace("|", "\\|") for c in row) + " |" for row in table]
        return "\n".join(lines)
    widths = [max([len(h), *(len(row[i]) for row in table)]) for i, h in enumerate(headers)]
    lines = [" | ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))]
    lines.append("-+-".join("-" * w for w in widths))
    lines += [" | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in table]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("runs", nargs="+", help="LABEL=path.json (saved by a benchmark's --summary-json)")
    parser.add_argument("--markdown", action="store_true")
    parser.add_argument("--concat", action="store_true", help="one table of all the files' rows, in order")
    args = parser.parse_args(argv)
    if args.concat:
        rows = [row for item in args.runs for row in load(item.rpartition("=")[2])]
        if args.markdown:
            print(side_by_side([("", rows)], markdown=True))
        else:
            print_summary(rows)
        return
    runs = []
    for item in args.runs:
        label, _sep, path = item.rpartition("=")
        runs.append((label or Path(path).stem, load(path)))
    print(side_by_side(runs, markdown=args.markdown))


if __name__ == "__main__":
    main()
