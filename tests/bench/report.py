"""Shared printing and statistics for the benchmarks: percentiles, ratios, one table per figure."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from rich.console import Console
from rich.table import Table

console = Console()


def percentile(samples: Sequence[float], q: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


@dataclass(frozen=True, slots=True)
class Figure:
    """One measured figure, its baseline from the same run, and the goal the issue names."""

    name: str
    ours: float
    baseline: float
    unit: str
    goal: str
    baseline_name: str

    @property
    def ratio(self) -> float:
        return self.ours / self.baseline if self.baseline else float("inf")


def summary(samples_ms: Sequence[float]) -> dict[str, float]:
    return {
        "p50": percentile(samples_ms, 50),
        "p99": percentile(samples_ms, 99),
        "mean": statistics.fmean(samples_ms),
    }


def show(title: str, figures: Sequence[Figure]) -> None:
    table = Table(title=title, title_justify="left", header_style="bold")
    for column in ("figure", "costplane", "baseline", "ratio", "goal", "baseline is"):
        table.add_column(column)
    for f in figures:
        table.add_row(
            f.name,
            f"{f.ours:.4g} {f.unit}",
            f"{f.baseline:.4g} {f.unit}",
            f"{f.ratio:.2f}x",
            f.goal,
            f.baseline_name,
        )
    console.print(table)
