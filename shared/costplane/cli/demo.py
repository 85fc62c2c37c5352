"""`costplane demo`: the whole control plane on the embedded default, over bundled real samples.

One story in six screens, each fitting a 100-column terminal: events are decided (dry-run),
real bills land in the lake, a budget breach in the bills' own month escalates and is
approved in Slack, a month is allocated and forecast, an untagged instance is swept, and AI
usage landing hourly crosses AI budgets whose vendor levers the local plane pulls. Events are
decided with in-memory idempotency state so the demo can be run again; bills go into the local
lake (`.costplane/` or `--lake`), which stays for `costplane lake sql` after.
"""

from __future__ import annotations

import logging
import tempfile
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

import orjson
import typer
from rich.panel import Panel
from rich.text import Text

from costplane import bootstrap
from costplane.approvals.callbacks import ApprovalCallbacks, SlackEndpoint
from costplane.approvals.messages import slack_message
from costplane.approvals.model import ApprovalRequest
from costplane.approvals.service import ApprovalService
from costplane.approvals.slack_callback import signature
from costplane.billing.allocation.loader import EXAMPLE_RULES
from costplane.billing.focus.sources import get_normaliser
from costplane.billing.lake.query import sql
from costplane.billing.lake.writer import IngestReport, ingest
from costplane.budgets.service import BudgetService
from costplane.cli.allocate import allocate_command
from costplane.cli.budgets import render_status
from costplane.cli.demo_ai import demo_ai
from costplane.cli.events import decide_file
from costplane.cli.forecast import print_forecast
from costplane.cli.lake import LakeOption, lake_at
from costplane.cli.output import console, count, fail, money, say, sums_by_currency, table
from costplane.cli.samples import filled_copy
from costplane.config import Settings
from costplane.domain.decisions import ActionKind, Decision
from costplane.engine.pipeline import EventService

# Real bills bundled with the repository (tests/data/focus/SOURCES.md), one delivery each.
BILLS = (
    ("aws-cur", "aws/cur_legacy_anonymized_2023-11_days01-07.csv"),
    ("azure-ea", "azure/ea_amortized_cost_small.csv"),
    ("oci", "oci/oci_cost_report_2023-11-13_hours05-07.csv"),
    ("focus", "focus/focus_1.0_sample_1000rows_aws_azure_oci.csv"),
)
TOTALS = """
SELECT ProviderName AS provider, strftime(BillingPeriodStart, '%Y-%m') AS period,
       BillingCurrency AS currency, count(*) AS rows,
       sum(BilledCost) AS billed, sum(EffectiveCost) AS effective
FROM focus GROUP BY ALL ORDER BY provider, period
"""


def _event_files(events: Path) -> list[Path]:
    return sorted(p for p in events.glob("*/*.json") if p.parent.name in ("aws", "azure", "gcp"))


def _short(identifier: str) -> str:
    """The last segment of an ARN or a resource path: the part a person recognises."""
    return identifier.rsplit("/", 1)[-1].rsplit(":", 1)[-1] or identifier


def _owner(decision: Decision) -> str:
    label = decision.owner.label
    return _short(label) if label.startswith("arn:") else label


def render_decisions(decisions: list[Decision], title: str) -> None:
    """Resource decisions, compact: the columns a person reads first; the actions planned
    are counted below the table."""
    table(
        title,
        ["resource", "type", "owner", "outcome", "missing or invalid tags"],
        (
            (
                _short(d.resource_id or ""),
                d.resource_type,
                _owner(d),
                d.outcome.value,
                ", ".join([*d.missing_tags, *d.invalid_tags]),
            )
            for d in decisions
        ),
    )
    planned = Counter(a.kind.value for d in decisions for a in d.actions)
    say(
        "Planned, not done (dry-run): "
        + ", ".join(f"{kind} ({n})" for kind, n in planned.most_common())
        + ". A stop waits in a mark-for-op tag until the grace period ends."
    )


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
    console.rule(Text("1. Events: tag check, owner, planned actions (dry-run)", style="bold"))
    decided = [decide_file(enforcer, p) for p in files]
    resources = [d for found in decided for d in found if d.resource_id]
    render_decisions(resources, f"{len(resources)} resource changes in {len(files)} event files")
    others = Counter(
        found[0].outcome.value for found in decided if not any(d.resource_id for d in found)
    )
    say(
        f"{sum(others.values())} other files are not resource changes (budget alerts, "
        f"marketplace, monitoring): {', '.join(f'{n} {o}' for o, n in sorted(others.items()))}; "
        "`costplane events decide --json` gives each one's reason."
    )
    replay = next(p for p in files if any(d.resource_id for d in decide_file(enforcer, p)))
    say(f"Replayed {replay.name}: ", decide_file(enforcer, replay)[0].reason)
    say(f"Audit log: {len(enforcer.state.recent_decisions(10_000))} decisions, rejections too.")


def demo_lake(bills: Path, lake_dir: Path | None) -> None:
    """Ingest the bundled real bills into the local Iceberg lake and total them."""
    console.rule(Text("2. FOCUS lake: four real bills normalised into one Iceberg table", "bold"))
    lake = lake_at(lake_dir, create=True)
    reports = [ingest(lake, get_normaliser(source), [bills / name]) for source, name in BILLS]
    table(
        "Bills ingested",
        ["source", "file", "outcome", "rows", "periods", "EffectiveCost"],
        _bills(reports),
    )
    rows = sql(lake, TOTALS).to_pylist()
    table(
        "The lake: totals per provider and billing period",
        ["provider", "period", "rows", "BilledCost", "EffectiveCost"],
        (
            (
                r["provider"],
                r["period"],
                count(r["rows"]),
                money(r["billed"], r["currency"]),
                money(r["effective"], r["currency"]),
            )
            for r in rows
        ),
        totals=[
            ("total", "", count(int(n)), money(billed, currency), money(effective, currency))
            for currency, (n, billed, effective) in sums_by_currency(
                (r["currency"], (r["rows"], r["billed"], r["effective"])) for r in rows
            ).items()
        ],
    )


def _bills(reports: list[IngestReport]) -> list[tuple[Any, ...]]:
    rows = []
    for report in reports:
        [outcome] = report.files
        sums = sums_by_currency((t.billing_currency, (t.effective_cost,)) for t in report.totals)
        rows.append(
            (
                report.source,
                Path(outcome.path).name,
                outcome.status,
                count(report.rows),
                ", ".join(f"{t.billing_period_start:%Y-%m}" for t in report.totals) or "-",
                ", ".join(money(s, c).text for c, (s,) in sums.items()) or "-",
            )
        )
    return rows


# A Slack click on the approval request, as Slack would send it: the real block_actions payload
# (events/slack) with the request's own button, signed with the demo's signing secret.
DEMO_SIGNING_SECRET = b"costplane-demo-signing-secret"
SLACK_CLICK = "slack-interactivity-block-actions-button-payload.json"
APPROVER = "U024BE7LH"
AZURE_ALERT = "azure/azure-budget-alert-commonalertschema-actual-cost.json"
AZURE_WRITE = "azure/azure-eventgrid-resourcegroup-resourcewritesuccess.json"
DEMO_TIME = datetime(2024, 9, 20, 22, 0, tzinfo=UTC)
"""The plane's clock: in the FOCUS sample's month, so the budgets see the lake's actuals."""
CHARGEBACK_PERIOD = "2024-09"  # the FOCUS 1.0 sample's month: AWS, Microsoft and Oracle


def _alert_in_demo_month(events: Path) -> bytes:
    """Azure's real budget alert, re-dated from 2022-12 into the demo's month."""
    alert = orjson.loads((events / AZURE_ALERT).read_bytes())
    alert["data"]["essentials"]["firedDateTime"] = DEMO_TIME.isoformat()
    alert["data"]["alertContext"]["AlertData"]["BudgetStartDate"] = f"{DEMO_TIME:%Y-%m}-01"
    return orjson.dumps(alert)


def _slack_click(events: Path, request: ApprovalRequest) -> tuple[dict[str, str], bytes]:
    payload = orjson.loads((events / "slack" / SLACK_CLICK).read_bytes())
    [buttons] = [b for b in slack_message(request)["blocks"] if b["type"] == "actions"]
    approve = next(e for e in buttons["elements"] if e["action_id"] == "costplane-approve")
    payload["user"]["id"] = APPROVER
    payload["actions"] = [{**approve, "block_id": buttons["block_id"]}]
    body = urlencode({"payload": orjson.dumps(payload).decode()}).encode()
    stamp = str(int(DEMO_TIME.timestamp()))  # the plane's clock is pinned to the demo's time
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": signature(DEMO_SIGNING_SECRET, stamp, body),
    }
    return headers, body


def approval_card(request: ApprovalRequest) -> Panel:
    """The Slack message, as a person sees it: what, why, who decides, by when."""
    subject = request.subject
    body = Text.assemble(
        (f"{request.then.kind.value} {_short(subject.resource.resource_id)}", "bold"),
        f" ({subject.resource.resource_type}, owner {subject.owner})\n",
        f"{subject.reason}\n",
        f"approvers {', '.join(request.approvers)} · expires {request.expires:%Y-%m-%d %H:%M} "
        f"UTC, then {request.on_expiry} · ",
        ("[Approve]", "bold green"),
        " ",
        ("[Deny]", "bold red"),
    )
    return Panel(body, title=f"Slack: approval needed ({request.policy})", title_align="left")


def demo_budgets(events: Path, state_dir: Path, lake_dir: Path | None) -> None:
    """Azure's budget alert moves a budget past its thresholds; the next resource event in
    its scope is escalated and needs an approval, which a signed Slack click gives."""
    console.rule(Text("3. Budgets that act before the bill: breach, escalation, approval", "bold"))
    settings = Settings(
        lake=lake_dir or Settings().lake,
        state=str(state_dir / "state.db"),
        inventory=events / "inventory.json",
        clock=DEMO_TIME,
        mode="enforce",
    )
    logging.getLogger("costplane.chat").setLevel(logging.ERROR)  # the card below says it
    runner = bootstrap.policy_runner(settings)
    [signal] = runner.handle_payload(_alert_in_demo_month(events))
    say("Azure budget alert (real payload, re-dated to the bills' month): ", signal.reason)
    if isinstance(runner.spend, BudgetService):
        statuses = runner.spend.status(DEMO_TIME)
        render_status(statuses, DEMO_TIME)
        for s in statuses:
            if s.signal.actual is not None and s.lake_actual:
                say(
                    f"{s.budget.name}: {money(s.lake_actual, s.budget.currency).text} from the "
                    f"lake, {money(s.signal.actual, s.budget.currency).text} from Azure's "
                    "alert; the higher is the actual."
                )
    decisions = _budget_decisions(runner, events)
    approvals = runner.approvals
    if not isinstance(approvals, ApprovalService) or not approvals.pending():
        fail("the demo expected an approval request; none is pending")
    [request] = approvals.pending()
    say(f"A resource write in its scope: {_actions(decisions)}.")
    console.print(approval_card(request))
    callbacks = ApprovalCallbacks(approvals, SlackEndpoint(DEMO_SIGNING_SECRET))
    answer = callbacks.slack(*_slack_click(events, request))
    verdict = orjson.loads(answer.body)
    say(
        f"Signed Slack click by {APPROVER}: HTTP {answer.status}, {verdict.get('status')}; "
        f"{_actions(runner.state.recent_decisions(1))}."
    )


def _budget_decisions(runner: EventService, events: Path) -> list[Decision]:
    return [d for d in decide_file(runner, events / AZURE_WRITE) if d.policy.startswith("budget-")]


def _actions(decisions: list[Decision]) -> str:
    return (
        "; ".join(f"{a.kind.value} {a.status.value}" for d in decisions for a in d.actions)
        or "no action"
    )


def demo_chargeback(lake_dir: Path | None) -> None:
    """Allocate a period of the lake with the example rules; forecast spend per provider."""
    console.rule(Text("4. Allocation and forecasting: chargeback to the cent, projections", "bold"))
    allocate_command(rules=EXAMPLE_RULES, period=CHARGEBACK_PERIOD, lake=lake_dir)
    print_forecast(lake_at(lake_dir), "ProviderName", months=2)


RUN_INSTANCES = "aws/aws-cloudtrail-ec2-runinstances-iamuser-record.json"


def demo_marks(events: Path, state_dir: Path) -> None:
    """An untagged instance is marked when it is created; no event names it again, and a sweep
    after its due time stops it (the marks stay in the local plane's state file between)."""
    console.rule(Text("5. Scheduled enforcement: the mark sweep", "bold"))
    base = Settings(lake=state_dir, inventory=events / "inventory.json", mode="enforce")
    created = orjson.loads((events / RUN_INSTANCES).read_bytes())["eventTime"]
    at_creation = datetime.fromisoformat(created) + timedelta(minutes=1)
    enforcer = bootstrap.tag_enforcer(base.model_copy(update={"clock": at_creation}))
    [decision] = decide_file(enforcer, events / RUN_INSTANCES)
    mark = next(a for a in decision.actions if a.kind is ActionKind.MARK_FOR_OP)
    say(f"{at_creation:%Y-%m-%d %H:%M}Z {decision.resource_id}: {decision.reason}")
    say(f"  marked {mark.params['tag']}={mark.params['value']}")
    later = mark.params["at"] + timedelta(minutes=5)
    report = bootstrap.mark_sweep(base.model_copy(update={"clock": later})).sweep()
    for swept in report.decisions:
        done = ", ".join(f"{a.kind.value}:{a.status.value}" for a in swept.actions)
        say(f"{later:%Y-%m-%d %H:%M}Z sweep: {swept.resource_id}: {done}")


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
    with tempfile.TemporaryDirectory(prefix="costplane-demo-") as state:
        samples = filled_copy(events, Path(state) / "events")
        demo_events(samples)
        demo_lake(bills, lake)
        demo_budgets(samples, Path(state), lake)
    demo_chargeback(lake)
    with tempfile.TemporaryDirectory(prefix="costplane-demo-") as state:
        demo_marks(events, Path(state))
    with tempfile.TemporaryDirectory(prefix="costplane-demo-") as state:
        demo_ai(Path(state))
