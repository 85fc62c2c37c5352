"""End to end ingest of a generated month of OpenAI completions usage (1M results) into the
Iceberg FOCUS table.

The file is what a pull lands: a JSON array of Usage API pages, one page per daily bucket,
each result grouped by project, user, API key, model, batch and service tier (the
OpenAPI spec's UsageCompletionsResult, every split filled in). `costplane ingest --source
openai-usage` runs in a process of its own: it streams the pages, turns each block of
results into Arrow columns, splits them into non-overlapping token parts, prices them from
the price book, writes the data files and commits the restatement. Baseline, in the same run
and on the same file: a raw read, orjson decoding the whole file and pyarrow building a
table of each page's results (`pa.Table.from_pylist`), the floor of reading that JSON into
Arrow. Both run from the launcher of bench_ingest (own peak RSS, wall time with start-up);
runs alternate, each side's fastest run and highest peak RSS count.
COSTPLANE_BENCH_AI_RESULTS overrides the result count for a quick run.
"""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import orjson

from tests.bench.bench_ingest import CACHE, Run, measure
from tests.bench.report import Figure, show
from tests.support import ai_reports

RESULTS = int(os.environ.get("COSTPLANE_BENCH_AI_RESULTS", "1000000"))
DAYS = 31
RUNS = 2
SEED = 11
MODELS = ("gpt-4o-mini", "gpt-4o-2024-08-06", "gpt-4o", "o3-mini", "gpt-4.1")

_RAW_READ = """
import sys
from itertools import chain
import orjson
import pyarrow as pa
rows = 0
with open(sys.argv[1], "rb") as stream:
    pages = orjson.loads(stream.read())
for page in pages:
    results = list(chain.from_iterable(b["results"] for b in page["data"]))
    rows += pa.Table.from_pylist(results).num_rows
print(rows)
"""


def generate(path: Path, results: int, seed: int) -> None:
    """A month of daily buckets, one page each, `results` results in all."""
    rng = np.random.default_rng(seed)
    per_day = np.full(DAYS, results // DAYS)
    per_day[: results % DAYS] += 1
    with path.open("wb") as out:
        out.write(b"[")
        for day, count in enumerate(per_day, start=1):
            uncached = rng.integers(0, 50_000, count)
            cached = rng.integers(0, 20_000, count)
            output = rng.integers(1, 8_000, count)
            models = rng.integers(0, len(MODELS), count)
            page_results = [
                ai_reports.completions(
                    MODELS[m],
                    project=f"proj_{i % 97}",
                    uncached_text=int(u),
                    cached_text=int(c),
                    output_text=int(o),
                    batch=bool(i % 5 == 0),
                    user_id=f"user_{i % 1013}",
                    api_key_id=f"key_{i % 4099}",
                )
                for i, (u, c, o, m) in enumerate(zip(uncached, cached, output, models, strict=True))
            ]
            bucket = ai_reports.openai_bucket(f"2025-08-{day:02d}", page_results)
            out.write((b"," if day > 1 else b"") + orjson.dumps(ai_reports.openai_page([bucket])))
        out.write(b"]")


def usage_file(results: int = RESULTS, seed: int = SEED) -> Path:
    """The generated file, cached under the temp dir by size, seed and generator version."""
    code = Path(__file__).read_bytes() + Path(ai_reports.__file__).read_bytes()
    version = hashlib.sha256(code).hexdigest()[:12]
    path = CACHE / "org=org-bench" / f"openai-usage-{results}-{seed}-{version}.json"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial")
        generate(partial, results, seed)
        partial.replace(path)
    return path


def raw_read(usage: Path) -> Run:
    run = measure([sys.executable, "-c", _RAW_READ, str(usage)])
    if int(run.stdout) != RESULTS:
        raise RuntimeError(f"the raw read saw {int(run.stdout)} results of {RESULTS}")
    return run


def ingest_file(usage: Path, work: Path, attempt: int) -> tuple[Run, int]:
    costplane = Path(sys.executable).with_name("costplane")
    lake = work / f"lake-{attempt}"
    command = [str(costplane), "ingest", "--source", "openai-usage", "--lake", str(lake)]
    run = measure([*command, "--json", str(usage)])
    report = orjson.loads(run.stdout)
    usage_rows = report["usage"]
    if usage_rows["priced"] + usage_rows["unpriced"] < RESULTS:
        raise RuntimeError(f"costplane wrote fewer rows than results: {usage_rows}")
    return run, sum(t["rows"] for t in report["totals"])


def run() -> list[Figure]:
    started = time.perf_counter()
    usage = usage_file()
    prepared = time.perf_counter() - started
    reads: list[Run] = []
    ingests: list[Run] = []
    rows = 0
    with tempfile.TemporaryDirectory(prefix="costplane-bench-ai-") as scratch:
        work = Path(scratch)
        for attempt in range(RUNS):
            reads.append(raw_read(usage))
            ingested, rows = ingest_file(usage, work, attempt)
            ingests.append(ingested)
    ours_s = min(r.seconds for r in ingests)
    base_s = min(r.seconds for r in reads)
    ours_rss = max(r.peak_rss for r in ingests)
    base_rss = max(r.peak_rss for r in reads)
    baseline = "orjson + pyarrow read of the JSON"
    figures = [
        Figure(
            "AI usage ingest throughput",
            RESULTS / ours_s,
            RESULTS / base_s,
            "results/s",
            "≥ 25% of raw read",
            baseline,
        ),
        Figure(
            "AI usage ingest peak RSS",
            ours_rss / 2**20,
            base_rss / 2**20,
            "MiB",
            "≤ 1 GiB, below the raw read",
            baseline,
        ),
    ]
    megabytes = usage.stat().st_size / 2**20
    show(
        f"Ingest of a generated month of OpenAI completions usage: {RESULTS:,} results,"
        f" {rows:,} FOCUS rows, {megabytes:.0f} MiB JSON (best of {RUNS}; ingest"
        f" {ours_s:.1f} s, raw read {base_s:.1f} s; file ready in {prepared:.0f} s)",
        figures,
    )
    return figures
