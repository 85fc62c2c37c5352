"""`costplane demo`: the whole control plane on the embedded default, over bundled real samples.

Events are decided with in-memory idempotency state so the demo can be run again; bills go
into the local lake (`.costplane/` or `--lake`), which stays for `costplane lake sql` after.
"""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated
from urllib.parse import urlencode

import orjson
import typer

from costplane import bootstrap
from costplane.approvals.callbacks import ApprovalCallbacks, SlackEndpoint
from costplane.approvals.messages import slack_message
from costplane.approvals.model import ApprovalRequest
from costplane.approvals.service import ApprovalService
from costplane.approvals.slack_callback import signature
from costplane.billing.allocation.loader import EXAMPLE_RULES
from costplane.billing.focus.sources import get_normaliser
from costplane.billing.lake.query import sql
from costplane.billing.lake.writer import ingest
from costplane.budgets.service import BudgetService
from costplane.cli.allocate import allocate_command
from costplane.cli.budgets import render_status
from costplane.cli.events import decide_file, render
from costplane.cli.forecast import print_forecast
from costplane.cli.ingest import render as render_ingest
from costplane.cli.lake import LakeOption, lake_at
from costplane.cli.output import console, fail, table
from costplane.config import Settings
from costplane.domain.decisions import ActionKind

# Real bills bundled with the repository (tests/data/focus/SOURCES.md), one delivery each.
BILLS = (
    ("aws-cur", "aws/cur_legacy_anonymized_2023-11_days01-07.csv"),
    ("azure-ea", "azure/ea_amortized_cost_small.csv"),
    ("oci", "oci/oci_cost_report_2023-11-13_hours05-07.csv"),
    ("focus", "focus/focus_1.0_sample_1000rows_aws_azure_oci.csv"),
)
TOTALS = """
SELECT ProviderName AS provider, strftime(BillingPeriodStart, '%Y-%m') AS period,
       BillingCurrency AS currency, x_SourceName AS source, count(*) AS rows,
       sum(BilledCost) AS billed, sum(EffectiveCost) AS effective
FROM focus GROUP BY ALL ORDER BY provider, period, source
"""


def _event_files(events: Path) -> list[Path]:
    return sorted(p for p in events.glob("*/*.json") if p.parent.name in ("aws", "azure", "gcp"))


def demo_events(events: Path) -> None:
    """Replay every bundled provider event, then one of them again to show it acts once."""
    files = _event_files(events)
    if not files:
        fail(f"no event payloads under {events}/{{aws,azure,gcp}}; run from the repository root")
    inventory = events / "inventory.json"
    settings = Settings(
        inventory=inventory if inventory.exists() else None, mode="dry-run", state=":memory:"
    )
    enforcer = bootstrap.tag_enforcer(settings)
    console.rule("[bold]1. Event path: tag check, attribution and enforcement (dry-run)")
    pairs = [(str(p), d) for p in files for d in decide_file(enforcer, p)]
    render(pairs, as_json=False)
    replay = next(p for p, d in pairs if d.resource_id)
    [again] = decide_file(enforcer, Path(replay))
    console.print(f"Replayed [bold]{Path(replay).name}[/]: {again.outcome.value} — {again.reason}")
    audit = enforcer.state.recent_decisions(10_000)
    console.print(f"Audit log: {len(audit)} decisions, rejections included.\n")


def demo_lake(bills: Path, lake_dir: Path | None) -> None:
    """Ingest the bundled real bills into the local Iceberg lake and total them."""
    console.rule("[bold]2. FOCUS lake: real bills normalised into Iceberg")
    lake = lake_at(lake_dir, create=True)
    for source, name in BILLS:
        render_ingest(ingest(lake, get_normaliser(source), [bills / name]))
    result = sql(lake, TOTALS)
    table(
        "Lake totals per provider and billing period",
        result.column_names,
        (row.values() for row in result.to_pylist()),
    )


# A Slack click on the approval request, as Slack would send it: the real block_actions payload
# (events/slack) with the request's own button, signed with the demo's signing secret.
DEMO_SIGNING_SECRET = b"costplane-demo-signing-secret"
SLACK_CLICK = "slack-interactivity-block-actions-button-payload.json"
APPROVER = "U024BE7LH"
AZURE_ALERT = "azure/azure-budget-alert-commonalertschema-actual-cost.json"
AZURE_WRITE = "azure/azure-eventgrid-resourcegroup-resourcewritesuccess.json"
ALERT_TIME = datetime(2022, 12, 7, 22, 0, tzinfo=UTC)
CHARGEBACK_PERIOD = "2024-09"  # the FOCUS 1.0 sample's month: AWS, Microsoft and Oracle


def _slack_click(events: Path, request: ApprovalRequest) -> tuple[dict[str, str], bytes]:
    payload = orjson.loads((events / "slack" / SLACK_CLICK).read_bytes())
    [buttons] = [b for b in slack_message(request)["blocks"] if b["type"] == "actions"]
    approve = next(e for e in buttons["elements"] if e["action_id"] == "costplane-approve")
    payload["user"]["id"] = APPROVER
    payload["actions"] = [{**approve, "block_id": buttons["block_id"]}]
    body = urlencode({"payload": orjson.dumps(payload).decode()}).encode()
    stamp = str(int(ALERT_TIME.timestamp()))  # the plane's clock is pinned to the alert
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": signature(DEMO_SIGNING_SECRET, stamp, body),
    }
    return headers, body


def demo_budgets(events: Path, state_dir: Path) -> None:
    """Azure's budget alert (real) moves a budget past its thresholds; the next resource event
    in its scope is escalated and needs an approval, which a signed Slack click gives."""
    console.rule("[bold]3. Budgets that act before the bill: breach, escalation, approval")
    settings = Settings(
        lake=state_dir, inventory=events / "inventory.json", clock=ALERT_TIME, mode="enforce"
    )
    runner = bootstrap.policy_runner(settings)
    [signal] = decide_file(runner, events / AZURE_ALERT)
    console.print(f"Azure budget alert: {signal.reason}")
    if isinstance(runner.spend, BudgetService):
        render_status(runner.spend.status(ALERT_TIME), ALERT_TIME)
    pairs = [(AZURE_WRITE, d) for d in decide_file(runner, events / AZURE_WRITE)]
    render([(f, d) for f, d in pairs if d.policy.startswith("budget-")], as_json=False)
    approvals = runner.approvals
    if not isinstance(approvals, ApprovalService) or not approvals.pending():
        fail("the demo expected an approval request; none is pending")
    [request] = approvals.pending()
    callbacks = ApprovalCallbacks(approvals, SlackEndpoint(DEMO_SIGNING_SECRET))
    answer = callbacks.slack(*_slack_click(events, request))
    console.print(f"Signed Slack click by {APPROVER}: HTTP {answer.status} {answer.body.decode()}")
    resumed = runner.state.recent_decisions(2)
    render([(AZURE_WRITE, d) for d in resumed], as_json=False)


def demo_chargeback(lake_dir: Path | None) -> None:
    """Allocate a period of the lake with the example rules; forecast spend per provider."""
    console.rule("[bold]4. Allocation and forecasting: chargeback to the cent, projections")
    allocate_command(rules=EXAMPLE_RULES, period=CHARGEBACK_PERIOD, lake=lake_dir)
    print_forecast(lake_at(lake_dir), "ProviderName", months=3)


RUN_INSTANCES = "aws/aws-cloudtrail-ec2-runinstances-iamuser-record.json"


def demo_marks(events: Path, state_dir: Path) -> None:
    """An untagged instance is marked when it is created; no event names it again, and a sweep
    after its due time stops it (the marks stay in the local plane's state file between)."""
    console.rule("[bold]5. Scheduled enforcement: the mark sweep")
    base = Settings(lake=state_dir, inventory=events / "inventory.json", mode="enforce")
    created = orjson.loads((events / RUN_INSTANCES).read_bytes())["eventTime"]
    at_creation = datetime.fromisoformat(created) + timedelta(minutes=1)
    enforcer = bootstrap.tag_enforcer(base.model_copy(update={"clock": at_creation}))
    [decision] = decide_file(enforcer, events / RUN_INSTANCES)
    mark = next(a for a in decision.actions if a.kind is ActionKind.MARK_FOR_OP)
    console.print(f"{at_creation:%Y-%m-%d %H:%M}Z {decision.resource_id}: {decision.reason}")
    console.print(f"  marked {mark.params['tag']}={mark.params['value']}")
    later = mark.params["at"] + timedelta(minutes=5)
    report = bootstrap.mark_sweep(base.model_copy(update={"clock": later})).sweep()
    for swept in report.decisions:
        done = ", ".join(f"{a.kind.value}:{a.status.value}" for a in swept.actions)
        console.print(f"{later:%Y-%m-%d %H:%M}Z sweep: {swept.resource_id}: {done}")


def demo_command(
    events: Annotated[Path, typer.Option(help="Directory of bundled event payloads.")] = Path(
        "events"
    ),
    bills: Annotated[Path, typer.Option(help="Directory of bundled bills.")] = Path(
        "tests/data/focus"
    ),
    lake: LakeOption = None,
) -> None:
    """Run the control plane locally over the bundled real samples and print what it did."""
    demo_events(events)
    demo_lake(bills, lake)
    with tempfile.TemporaryDirectory(prefix="costplane-demo-") as state:
        demo_budgets(events, Path(state))
    demo_chargeback(lake)
    with tempfile.TemporaryDirectory(prefix="costplane-demo-") as state:
        demo_marks(events, Path(state))
