"""`make bench`: every benchmark, each printed beside its baseline from the same run."""

from __future__ import annotations

import importlib
import sys

BENCHMARKS = (
    "bench_decisions",
    "bench_policies",
    "bench_approvals",
    "bench_aws_lambda",
    "bench_ingest",
    "bench_ai_ingest",
    "bench_allocation",
    "bench_forecast",
    "bench_coverage",
    "bench_mutants",
    "bench_mark_sweep",
    "bench_lake_faults",
    "bench_ai_breach",
    "bench_admission",
)


def main(names: list[str]) -> None:
    for name in names or BENCHMARKS:
        importlib.import_module(f"tests.bench.{name}").run()


if __name__ == "__main__":
    main(sys.argv[1:])
