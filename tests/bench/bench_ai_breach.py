"""Breach → provider lever: seconds from the landing of the usage file whose last hourly bucket
crosses an AI budget to the lever's call (the enforcer's `suspend` on the local plane).

An organisation of PROJECTS OpenAI projects, each with a tokens budget that suspends it at
100% of actual; MODELS models and three token types per project and hour. The usage file is
the organisation's OpenAI usage pages (hourly buckets, `billing.ai_usage_pages`), ingested as
`costplane ingest` ingests them (`openai-usage`, priced by the book). The month to date up to
the hour before lands first (below every budget); then, timed, the month to date with that
one more hour lands (ingest: the pages normalised into the Iceberg lake, restating the
month), the budgets are measured again from the lake and the one crossed pulls its lever.
Baseline, in the same run: the same landing alone (the ingest, no budgets), so the figure
shows what measuring and acting add to the ingest that must happen anyway.

The vendors' own limits take effect later still, as issue 10 quotes them (not re-checked
against the vendors' pages here): OpenAI's project spend limits "enforcement is not
instantaneous"; Anthropic's spend and rate limits about an hour; Bedrock and Vertex AI have no
dollar cap at all (the lever is an IAM deny or an undeploy instead).
"""

from __future__ import annotations

import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson

from costplane import bootstrap
from costplane.adapters.local.plane import LocalEnforcer
from costplane.billing.ai_usage_pages import HourlyUsage, write_month_to_date
from costplane.billing.lake.table import open_lake
from costplane.config import Settings
from costplane.domain.ai import AiVendor
from costplane.domain.events import Provider
from costplane.engine.ports import ResourceRef
from tests.bench.report import Figure, console, show
from tests.support.ai_reports import land

PROJECTS = 40
MODELS = ("gpt-4o", "gpt-4o-mini")
TOKENS = (9_000, 4_000, 2_000)
"""Uncached input, cache reads and output per project, model and hour: three rows."""
HOURS = 24 * 19
"""The month to date when the crossing bucket lands: 19 days of hourly buckets."""
ROUNDS = 5
MONTH = datetime(2026, 11, 1, tzinfo=UTC)
CROSSING = "proj_00"
VENDOR_PROPAGATION = (
    ("OpenAI project spend limit", '"enforcement is not instantaneous"'),
    ("Anthropic spend and rate limits", "about 1 hour to take effect"),
    ("Bedrock, Vertex AI", "no dollar cap (an IAM deny / an undeploy instead)"),
)


USAGE = [
    HourlyUsage(
        AiVendor.OPENAI, "org-bench", f"proj_{p:02d}", model, *TOKENS, api_key=f"key_{p:02d}"
    )
    for p in range(PROJECTS)
    for model in MODELS
]


def month_to_date(root: Path, hours: int) -> Path:
    """The organisation's usage pages of the month's first `hours` hours, as pulled."""
    [path] = write_month_to_date(root, USAGE, MONTH, hours)
    return path


def _budgets(path: Path) -> Path:
    per_hour = len(MODELS) * sum(TOKENS)
    before = per_hour * (HOURS - 1)
    budgets = [
        {
            "name": f"tokens-{project:02d}",
            "unit": "tokens",
            "scope": {"provider": "openai", "account": f"proj_{project:02d}"},
            "amount": before + 1 if project == 0 else per_hour * HOURS * 2,
            "thresholds": [{"percent": 100, "action": "suspend", "basis": "actual"}],
        }
        for project in range(PROJECTS)
    ]
    path.write_bytes(orjson.dumps({"version": 1, "budgets": budgets}))
    return path


def _round(directory: Path, before: Path, crossing: Path) -> tuple[float, float, float]:
    """(landing → lever call, the landing alone, measuring and acting) in seconds."""
    directory.mkdir()
    settings = Settings(
        lake=directory / "lake",
        state=str(directory / "state.db"),
        budgets=_budgets(directory / "budgets.json"),
        mode="enforce",
        clock=MONTH + timedelta(hours=HOURS, minutes=5),
    )
    lake = open_lake(settings.lake)
    land(lake, before)
    levers = bootstrap.budget_levers(settings)
    assert levers.check() == [], "no budget may be crossed before the timed landing"
    enforcer = levers.ports[Provider.OPENAI].enforcer
    assert isinstance(enforcer, LocalEnforcer)
    called: list[float] = []
    suspend = enforcer.suspend

    def timed(ref: ResourceRef) -> dict[str, str]:
        called.append(time.perf_counter())
        return suspend(ref)

    setattr(enforcer, "suspend", timed)  # noqa: B010  the bound method, timed
    started = time.perf_counter()
    land(lake, crossing)
    landed = time.perf_counter()
    [decision] = levers.check()
    assert decision.resource_id == CROSSING
    assert len(called) == 1
    return called[0] - started, landed - started, called[0] - landed


def run() -> list[Figure]:
    with tempfile.TemporaryDirectory(prefix="bench-ai-breach-") as scratch:
        root = Path(scratch)
        before = month_to_date(root / "before", HOURS - 1)
        crossing = month_to_date(root / "crossing", HOURS)
        rounds = [_round(root / f"round-{i}", before, crossing) for i in range(ROUNDS)]
    lever, landing, acting = (statistics.median(column) for column in zip(*rounds, strict=True))
    worst = max(r[0] for r in rounds)
    rows = PROJECTS * len(MODELS) * len(TOKENS) * HOURS
    figures = [
        Figure("landing → lever call, median", lever, landing, "s", "≤ 60 s", "the landing alone"),
        Figure("landing → lever call, worst", worst, landing, "s", "≤ 60 s", "the landing alone"),
        Figure("measure + act after landing", acting, landing, "s", "-", "the landing alone"),
    ]
    show(
        f"AI budget breach → provider lever, local plane: {PROJECTS} budgets, month to date of "
        f"{rows:,} usage rows landed, {ROUNDS} rounds",
        figures,
    )
    console.print("Then the vendor's own propagation, as issue 10 quotes it:")
    for lever_name, propagation in VENDOR_PROPAGATION:
        console.print(f"  {lever_name}: {propagation}")
    return figures
