"""Compare the pages of bench/run.py runs at two volumes: the cost ratio of issue 14 §7.

    .venv/bin/python bench/compare.py --base 1M=bench/results/A.json [1M=B.json …] \\
        --against 10M=bench/results/C.json [10M=D.json …]

Each page's cost in a run is the floor's req/s divided by the page's (its ratio to the floor,
inverted), so runs on a faster or slower day of the machine compare. A side with several
runs takes the mean of its costs. The cost ratio is the `--against` cost divided by the
`--base` cost: 1.00 when the page costs the same at both volumes, above it when it costs
more (the issue's goal for every page: ≤ 1.15).

A page whose response carries a known number of rows (`records` in the run: the XFecha
service's day) also gets its ratio per row, the cost ratio divided by the ratio of rows: a
day ten times fuller at 10M costs ten times more to send, and per row it is flat.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

GOAL = 1.15


def costs(path: Path) -> dict[str, tuple[float, int | None]]:
    """Page label → (floor req/s ÷ page req/s, rows a response carries or None), for each
    page of a run that was served."""
    run = json.loads(path.read_text(encoding="utf-8"))
    floor = run["floor_requests_per_s"]
    return {
        page["label"]: (floor / page["requests_per_s"], page.get("records"))
        for page in run["pages"]
        if page["requests_per_s"] and not page["label"].startswith("floor")
    }


def side(named: list[str]) -> tuple[str, dict[str, tuple[float, float | None]]]:
    """(name, page → (mean cost, mean rows or None)) of `NAME=file.json` arguments sharing
    one name."""
    names = {item.partition("=")[0] for item in named}
    if len(names) != 1 or any("=" not in item for item in named):
        raise SystemExit(f"give every run of a side as NAME=file.json with one NAME: {named}")
    runs = [costs(Path(item.partition("=")[2])) for item in named]
    labels = [label for label in runs[0] if all(label in run for run in runs)]
    pages = {}
    for label in labels:
        measured = [run[label] for run in runs]
        records = [rows for _cost, rows in measured]
        pages[label] = (
            statistics.fmean(cost for cost, _rows in measured),
            None if None in records else statistics.fmean(records),
        )
    return names.pop(), pages


def compare(base: dict, against: dict) -> list[tuple[str, float, float, float, float | None]]:
    """(label, base cost, against cost, ratio, ratio per row or None) of each page measured
    on both sides."""
    rows = []
    for label, (before, base_rows) in base.items():
        if label not in against:
            continue
        after, against_rows = against[label]
        ratio = after / before
        per_row = ratio * base_rows / against_rows if base_rows and against_rows else None
        rows.append((label, before, after, ratio, per_row))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", nargs="+", required=True, metavar="NAME=FILE")
    parser.add_argument("--against", nargs="+", required=True, metavar="NAME=FILE")
    args = parser.parse_args(argv)
    (base_name, base), (against_name, against) = side(args.base), side(args.against)
    rows = compare(base, against)
    width = max((len(label) for label, *_ in rows), default=5)
    print(f"{'page':<{width}}  {base_name + ' cost':>10}  {against_name + ' cost':>10}  ratio")
    for label, before, after, ratio, per_row in rows:
        flag = "" if ratio <= GOAL else f"  > {GOAL}"
        if per_row is not None:
            flag += f"  (per row {per_row:.2f})"
        print(f"{label:<{width}}  {before:>10.2f}  {after:>10.2f}  {ratio:5.2f}{flag}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
