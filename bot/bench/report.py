"""Plain aligned tables for the bench commands (readable in a terminal and a CI log)."""

from __future__ import annotations

import statistics
from collections.abc import Sequence

COLUMNS = ("precision", "coverage", "escalation_recall", "wrong", "department", "complexity")


def pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:5.1f}%"


def latency(timings: Sequence[float]) -> str:
    if not timings:
        return "-"
    ordered = sorted(timings)
    p99 = ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]
    return f"median {1000 * statistics.median(ordered):.2f} ms, p99 {1000 * p99:.2f} ms"


def row(label: str, fig: dict) -> str:
    cells = [str(fig[c]) if c == "wrong" else pct(fig[c]) for c in COLUMNS]
    return f"  {label:<22}" + "".join(f"{c:>12}" for c in cells)


def print_report(rows: Sequence[tuple]) -> None:
    header = f"  {'':<22}" + "".join(f"{c[:11]:>12}" for c in COLUMNS)
    for name, fig, kinds, note, timings in rows:
        print(f"\n{name}  [{note}]  latency {latency(timings)}")
        print(header)
        print(row("all", fig))
        for kind, kf in kinds.items():
            print(row(kind, kf))
