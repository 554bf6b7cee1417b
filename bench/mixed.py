"""bench/run.py's --mixed mode: the named write pages at the same time, each through a wrk of
its own, and their figures (writes/s as prescriptions/s plus supply steps/s beside Circular
044's peak) as a table and for the JSON.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from bench.measure import run_writes, warm_write, write_command, write_result
from bench.output import number
from bench.pages import Page

# --mixed: the prescription issue and the supply steps a proveedor writes, at once.
DEFAULT_MIXED = "presc-issue,sum-program,ws-entrega"
PEAK_PRESCRIPTIONS_PER_S = 85  # Circular 044 of 2025: the national peak estimate


def measure_mixed(
    args: argparse.Namespace, port: int, pages: list[Page], cookies: list[str], workdir: Path
) -> dict:
    """The write pages at the same time, each through a wrk of its own (one thread, an
    equal share of the connections) for the duration: what one app server and one database
    sustain together. A kind whose targets run out stops there; the others go on."""
    share = max(1, args.connections // len(pages))
    print(
        f"==> mixed writes at once: {', '.join(p.label for p in pages)} "
        f"({share} connections each, {args.duration})",
        flush=True,
    )
    for page, cookie in zip(pages, cookies, strict=True):
        warm_write(port, page, cookie)
    commands = [
        write_command(args, port, page, cookie, workdir, threads=1, connections=share)
        for page, cookie in zip(pages, cookies, strict=True)
    ]
    results = [
        write_result(page, figures)
        for page, figures in zip(pages, run_writes(commands), strict=True)
    ]
    longest = max((r.wrk.get("duration_us") or 0) / 1e6 for r in results)
    kinds = []
    for result in results:
        seconds = (result.wrk.get("duration_us") or 0) / 1e6
        accepted = result.writes_ok or 0
        kinds.append(
            {
                "label": result.page.label,
                "kind": result.page.body,
                "accepted": accepted,
                "refused": result.writes_rejected or 0,
                "socket_errors": result.socket_errors,
                "requests": result.wrk.get("requests"),
                "seconds": round(seconds, 2),
                "writes_per_s": round(accepted / seconds, 1) if seconds else 0.0,
                "ran_out": result.wrk.get("ran_out", False),
                "targets": len(result.page.items),
                "p50_ms": result.latency_ms("p50"),
                "p99_ms": result.latency_ms("p99"),
                "first_refusal": result.wrk.get("sample"),
            }
        )
    prescriptions = sum(k["accepted"] for k in kinds if k["kind"] == "prescripcion")
    steps = sum(k["accepted"] for k in kinds if k["kind"] != "prescripcion")
    return {
        "connections_each": share,
        "seconds": round(longest, 2),
        "kinds": kinds,
        "writes_per_s": round((prescriptions + steps) / longest, 1),
        "prescriptions_per_s": round(prescriptions / longest, 1),
        "supply_steps_per_s": round(steps / longest, 1),
        "peak_prescriptions_per_s": PEAK_PRESCRIPTIONS_PER_S,
        "results": results,
    }


def print_mixed(mixed: dict) -> None:
    print(f"Mixed writes at once ({mixed['connections_each']} connections each):")
    header = ("label", "kind", "accepted", "refused", "seconds", "writes/s", "p50 ms", "p99 ms")
    rows = [
        (
            k["label"],
            k["kind"],
            f"{k['accepted']:,}",
            f"{k['refused']:,}",
            f"{k['seconds']:.1f}" + (" (ran out)" if k["ran_out"] else ""),
            f"{k['writes_per_s']:,.1f}",
            number(k["p50_ms"]),
            number(k["p99_ms"]),
        )
        for k in mixed["kinds"]
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, tuple("-" * w for w in widths), *rows]:
        print(
            "  ".join(
                c.ljust(w) if i < 2 else c.rjust(w)
                for i, (c, w) in enumerate(zip(row, widths, strict=True))
            )
        )
    print(
        f"together: {mixed['writes_per_s']:,.1f} writes/s over {mixed['seconds']:.1f} s = "
        f"{mixed['prescriptions_per_s']:,.1f} prescriptions/s + "
        f"{mixed['supply_steps_per_s']:,.1f} supply steps/s "
        f"(Circular 044's peak: {mixed['peak_prescriptions_per_s']} prescriptions/s)"
    )
    if any(k["ran_out"] for k in mixed["kinds"]):
        print("(ran out): that kind used up its targets and stopped there; the others went on")
        print("without it, so «together» mixes windows: prepare more (a volume load) for one.")
    print()
