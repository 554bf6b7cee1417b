"""Compare the pages of bench/run.py runs at two volumes: the cost ratio of issue 14 §7.

    .venv/bin/python bench/compare.py --base 1M=bench/results/A.json [1M=B.json …] \\
        --against 10M=bench/results/C.json [10M=D.json …]

Each page's cost in a run is the floor's req/s divided by the page's (its ratio to the floor,
inverted), so runs on a faster or slower day of the machine compare. A side with several
runs takes the mean of its costs. The cost ratio is the `--against` cost divided by the
`--base` cost: 1.00 when the page costs the same at both volumes, above it when it costs
more (the issue's goal for every page: ≤ 1.15).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

GOAL = 1.15


def costs(path: Path) -> dict[str, float]:
    """Page label → floor req/s ÷ page req/s, for each page of a run that was served."""
    run = json.loads(path.read_text(encoding="utf-8"))
    floor = run["floor_requests_per_s"]
    return {
        page["label"]: floor / page["requests_per_s"]
        for page in run["pages"]
        if page["requests_per_s"] and not page["label"].startswith("floor")
    }


def side(named: list[str]) -> tuple[str, dict[str, float]]:
    """(name, page → mean cost) of `NAME=file.json` arguments sharing one name."""
    names = {item.partition("=")[0] for item in named}
    if len(names) != 1 or any("=" not in item for item in named):
        raise SystemExit(f"give every run of a side as NAME=file.json with one NAME: {named}")
    runs = [costs(Path(item.partition("=")[2])) for item in named]
    labels = [label for label in runs[0] if all(label in run for run in runs)]
    return names.pop(), {label: statistics.fmean(run[label] for run in runs) for label in labels}


def compare(
    base: dict[str, float], against: dict[str, float]
) -> list[tuple[str, float, float, float]]:
    """(label, base cost, against cost, ratio) of each page measured on both sides."""
    return [
        (label, base[label], against[label], against[label] / base[label])
        for label in base
        if label in against
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", nargs="+", required=True, metavar="NAME=FILE")
    parser.add_argument("--against", nargs="+", required=True, metavar="NAME=FILE")
    args = parser.parse_args(argv)
    (base_name, base), (against_name, against) = side(args.base), side(args.against)
    rows = compare(base, against)
    width = max((len(label) for label, *_ in rows), default=5)
    print(f"{'page':<{width}}  {base_name + ' cost':>10}  {against_name + ' cost':>10}  ratio")
    for label, before, after, ratio in rows:
        flag = "" if ratio <= GOAL else f"  > {GOAL}"
        print(f"{label:<{width}}  {before:>10.2f}  {after:>10.2f}  {ratio:5.2f}{flag}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
