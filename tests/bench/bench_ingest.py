"""End to end ingest of a generated CUR 2.0 Parquet bill (5M rows) into the Iceberg FOCUS table.

`costplane ingest --source aws-cur2` runs in a process of its own: it checksums the file, reads
and normalises it batch by batch, writes the Iceberg data files and commits the restatement.
Baseline, in the same run and on the same file: a raw pyarrow copy (ParquetFile.iter_batches into
a ParquetWriter, same batch size), the physical floor of reading and writing those rows. Every
run is its own process, started from a small launcher so that its peak RSS (ru_maxrss) is its
own; wall time includes interpreter start and imports for both. Runs alternate; the figure
takes each side's fastest run and its highest peak RSS. COSTPLANE_BENCH_ROWS overrides the row
count for a quick run.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import orjson

from costplane.billing.focus.registry import DEFAULT_BATCH_ROWS
from tests.bench import gen_cur2
from tests.bench.report import Figure, show

ROWS = int(os.environ.get("COSTPLANE_BENCH_ROWS", "5000000"))
SEED = 7
RUNS = 3
CACHE = Path(tempfile.gettempdir()) / "costplane-bench"

_COPY = """
import sys
import pyarrow.parquet as pq
source = pq.ParquetFile(sys.argv[1])
with pq.ParquetWriter(sys.argv[2], source.schema_arrow) as writer:
    for batch in source.iter_batches(batch_size=int(sys.argv[3])):
        writer.write_batch(batch)
"""

_LAUNCH = """
import resource, subprocess, sys, time
started = time.perf_counter()
code = subprocess.call(sys.argv[2:])
seconds = time.perf_counter() - started
with open(sys.argv[1], "w") as out:
    out.write(f"{seconds} {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}")
sys.exit(code)
"""
"""Runs the command from a small fresh process: Linux carries a parent's peak RSS into its
child's ru_maxrss across fork and exec, so the bench's own memory must not be the parent."""


@dataclass(frozen=True, slots=True)
class Run:
    seconds: float
    peak_rss: int
    """Bytes."""
    stdout: bytes


def measure(command: list[str]) -> Run:
    """Run `command` to completion; its wall time and its own peak RSS."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("COSTPLANE_")}
    with tempfile.NamedTemporaryFile("r") as figures:
        done = subprocess.run(
            [sys.executable, "-c", _LAUNCH, figures.name, *command], capture_output=True, env=env
        )
        if done.returncode:
            message = done.stderr.decode(errors="replace")[-2000:]
            raise RuntimeError(f"{command[:4]} exited {done.returncode}: {message}")
        seconds, kilobytes = figures.read().split()
    return Run(float(seconds), int(kilobytes) * 1024, done.stdout)


def bill_file(rows: int = ROWS, seed: int = SEED) -> Path:
    """The generated bill, cached under the temp dir by rows, seed and generator version."""
    version = hashlib.sha256(Path(gen_cur2.__file__).read_bytes()).hexdigest()[:12]
    path = CACHE / f"cur2-{rows}-{seed}-{version}.parquet"
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial")
        gen_cur2.generate(partial, rows, seed)
        partial.replace(path)
    return path


def copy_file(bill: Path, work: Path) -> Run:
    target = work / "copy.parquet"
    run = measure([sys.executable, "-c", _COPY, str(bill), str(target), str(DEFAULT_BATCH_ROWS)])
    target.unlink()
    return run


def ingest_file(bill: Path, work: Path, attempt: int) -> Run:
    costplane = Path(sys.executable).with_name("costplane")
    lake = work / f"lake-{attempt}"
    command = [str(costplane), "ingest", "--source", "aws-cur2", "--lake", str(lake), "--json"]
    run = measure([*command, str(bill)])
    rows = sum(t["rows"] for t in orjson.loads(run.stdout)["totals"])
    if rows != ROWS:
        raise RuntimeError(f"costplane ingested {rows} rows of {ROWS}")
    return run


def run() -> list[Figure]:
    started = time.perf_counter()
    bill = bill_file()
    prepared = time.perf_counter() - started
    copies: list[Run] = []
    ingests: list[Run] = []
    with tempfile.TemporaryDirectory(prefix="costplane-bench-") as scratch:
        work = Path(scratch)
        for attempt in range(RUNS):
            copies.append(copy_file(bill, work))
            ingests.append(ingest_file(bill, work, attempt))
    ours_s = min(r.seconds for r in ingests)
    base_s = min(r.seconds for r in copies)
    ours_rss = max(r.peak_rss for r in ingests)
    base_rss = max(r.peak_rss for r in copies)
    baseline = "pyarrow read→write copy"
    figures = [
        Figure(
            "ingest throughput", ROWS / ours_s, ROWS / base_s, "rows/s", "≥ 50% of raw", baseline
        ),
        Figure("ingest peak RSS", ours_rss / 2**20, base_rss / 2**20, "MiB", "≤ 1 GiB", baseline),
    ]
    megabytes = bill.stat().st_size / 2**20
    show(
        f"Ingest of a generated CUR 2.0 bill into Iceberg: {ROWS:,} rows, "
        f"{len(gen_cur2.COLUMNS)} columns, {megabytes:.0f} MiB Parquet (best of {RUNS}; "
        f"ingest {ours_s:.1f} s, copy {base_s:.1f} s; bill ready in {prepared:.0f} s)",
        figures,
    )
    return figures
