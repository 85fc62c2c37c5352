"""Every entry point's services, built from one plane (`costplane.planes`): the functions on each
cloud, the CLI and the demo get their tag enforcer, policy runner, approvals and cost ingest here
and nowhere else. The services are wired, never decided: no business logic lives here.

Heavy parts are imported inside the builders that need them, so that the tag enforcer's cold
start does not pay for the policy engine, the lake or the chat clients.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from costplane.config import AdminKeys, AiPullSettings, IngestSettings, PlaneName, Settings
from costplane.domain.taxonomy import Mode, Taxonomy, under_ceiling
from costplane.planes import load_plane
from costplane.tagging.loader import load_taxonomy
from costplane.tagging.service import TagEnforcer

if TYPE_CHECKING:
    from costplane.adapters.lake.row_owners import RowOwners
    from costplane.adapters.state_records import ClaimSweep
    from costplane.ai.admission import AdmissionService
    from costplane.approvals.callbacks import ApprovalCallbacks
    from costplane.approvals.service import ApprovalService
    from costplane.billing.ingest import CostIngest
    from costplane.billing.lake.table import Lake
    from costplane.billing.pull import ObjectWriter, UsagePull
    from costplane.budgets.levers import BudgetLevers
    from costplane.budgets.service import BudgetService
    from costplane.domain.budgets import BudgetsFile
    from costplane.engine.resuming import ResumeService
    from costplane.planes.base import Plane, Runtime
    from costplane.policy.service import PolicyRunner, SpendFacts
    from costplane.tagging.sweep import MarkSweep

DATA = Path(__file__).parent / "data"
EXAMPLE_TAXONOMY = DATA / "taxonomy.example.yaml"
EXAMPLE_POLICIES = DATA / "policies.example.yaml"
EXAMPLE_BUDGETS = DATA / "budgets.example.yaml"
EXAMPLE_AI_BUDGETS = DATA / "budgets.ai.example.yaml"
LAKE_TTL = timedelta(minutes=15)
"""How long the event path reuses a read of the lake's actuals (it lags hours anyway)."""


def plane(settings: Settings | None = None, name: PlaneName = "local") -> Plane:
    """The plane `name` (or COSTPLANE_PLANE), built from `settings` (or the environment)."""
    return load_plane(name, settings or Settings())


def taxonomy(settings: Settings) -> Taxonomy:
    """The taxonomy file (or the bundled example), its mode under the deployment's ceiling."""
    loaded = load_taxonomy(settings.taxonomy or EXAMPLE_TAXONOMY)
    mode = under_ceiling(loaded.enforcement.mode, Mode(settings.mode))
    enforcement = loaded.enforcement.model_copy(update={"mode": mode})
    return loaded.model_copy(update={"enforcement": enforcement})


def row_owners(settings: Settings) -> RowOwners:
    """Owners of the lake's rows by the taxonomy's attribution (budgets, `ai spend`)."""
    from costplane.adapters.lake.row_owners import RowOwners
    from costplane.engine.attribution import Attribution

    return RowOwners(Attribution(taxonomy(settings)))


def budgets(settings: Settings) -> BudgetsFile:
    """The budgets file, its thresholds' parameters checked against the actions they name."""
    from costplane.budgets.loader import load_budgets
    from costplane.policy.thresholds import check_threshold_params

    path = settings.budgets or EXAMPLE_BUDGETS
    loaded = load_budgets(path)
    check_threshold_params(loaded.budgets, str(path))
    return loaded


def tag_enforcer(settings: Settings | None = None, plane: PlaneName = "local") -> TagEnforcer:
    """The tag enforcer of the plane `plane` (or COSTPLANE_PLANE)."""
    settings = settings or Settings()
    wired = load_plane(plane, settings)
    return tag_enforcer_on(wired.runtime, taxonomy(settings), source=wired.name)


def tag_enforcer_on(wired: Runtime, rules: Taxonomy, source: str = "local") -> TagEnforcer:
    """A tag enforcer over a runtime already built and a taxonomy."""
    return TagEnforcer(
        rules, wired.ports, wired.state, wired.notifier, wired.clock, wired.metrics, source=source
    )


def mark_sweep(settings: Settings | None = None, plane: PlaneName = "local") -> MarkSweep:
    """The mark sweep of the plane `plane`: its finder, its cursor, the plane's tag enforcer."""
    from costplane.config import SweepSettings
    from costplane.tagging.sweep import MarkSweep

    settings = settings or Settings()
    wired = load_plane(plane, settings)
    enforcer = tag_enforcer_on(wired.runtime, taxonomy(settings), source=wired.name)
    tag = enforcer.taxonomy.enforcement.mark_tag
    budget = SweepSettings().budget_seconds
    return MarkSweep(enforcer, wired.mark_finder(tag), wired.sweep_cursors(), budget)


def policy_runner(
    settings: Settings | None = None, plane: PlaneName = "local", spend: SpendFacts | None = None
) -> PolicyRunner:
    """The policies of the policy file and the budgets' thresholds, in one service.

    Without `spend`, budgets are tracked in the plane's budget stores, with actuals and prices
    from its lake when there is one.
    """
    from costplane.engine.attribution import Attribution
    from costplane.policy.engine import PolicyEngine, compile_policies
    from costplane.policy.loader import load_policy_document, load_policy_file
    from costplane.policy.service import PolicyRunner
    from costplane.policy.thresholds import threshold_policies

    settings = settings or Settings()
    wired = load_plane(plane, settings)
    loaded = budgets(settings)
    ceiling = Mode(settings.mode)
    policy_file = load_policy_file(settings.policies or EXAMPLE_POLICIES)
    policies = compile_policies(policy_file, ceiling)
    thresholds = threshold_policies(loaded.budgets, ceiling)
    if thresholds:
        document = {"version": 1, "policies": thresholds}
        policies += compile_policies(load_policy_document(document, "budget thresholds"))
    runtime = wired.runtime
    return PolicyRunner(
        PolicyEngine(policies),
        runtime.ports,
        runtime.state,
        runtime.notifier,
        runtime.clock,
        runtime.metrics,
        spend=spend or budget_service(wired, loaded),
        source=wired.name,
        approvals=approvals_on(wired),
        attribution=Attribution(taxonomy(settings)),
    )


def budget_service(
    wired: Plane, loaded: BudgetsFile, now: datetime | None = None, lake_ttl: timedelta = LAKE_TTL
) -> BudgetService:
    """The budgets of `loaded` over the plane's stores: prices learned from the plane's lake
    (else the shipped sheet alone), actuals and stored projections read from it when asked;
    rows without owner tags count in a team's budget by the taxonomy's attribution."""
    from costplane.adapters.lake.budget_actuals import lake_spend
    from costplane.adapters.lake.budget_prices import learned_prices
    from costplane.adapters.lake.forecast_table import stored_forecasts
    from costplane.budgets.prices import LearnedPrices, PriceBook, PriceTable, fallback_sheet
    from costplane.budgets.service import BudgetService

    clock = (lambda: now) if now else wired.runtime.clock.now
    lake = wired.lake()
    learned = LearnedPrices(partial(learned_prices, lake), clock) if lake else PriceTable("lake")
    owners = row_owners(wired.settings).tags
    source = partial(lake_spend, lake, loaded.budgets, owners=owners) if lake is not None else None
    forecasts = partial(stored_forecasts, lake, loaded.budgets) if lake is not None else None
    rates, signals, ledger = wired.budget_stores()
    prices = PriceBook(learned, fallback_sheet())
    return BudgetService(
        loaded.budgets, prices, rates, signals, source, ledger, lake_ttl, forecasts=forecasts
    )


def budget_levers(settings: Settings | None = None, plane: PlaneName = "local") -> BudgetLevers:
    """The budgets' thresholds acted on their AI targets when usage lands, through the plane's
    enforcers, under the deployment's mode ceiling; each check reads the lake afresh."""
    settings = settings or Settings()
    return budget_levers_on(load_plane(plane, settings), budgets(settings), Mode(settings.mode))


def budget_levers_on(wired: Plane, loaded: BudgetsFile, ceiling: Mode) -> BudgetLevers:
    """The levers of `loaded` on a plane already built (cost ingest shares its own). Each
    check opens the lake again, which the first landing may have created."""
    from costplane.budgets.levers import BudgetLevers

    runtime = wired.runtime
    return BudgetLevers(
        loaded.budgets,
        lambda now: budget_service(wired, loaded, now, timedelta(0)).status(now),
        runtime.ports,
        runtime.state,
        runtime.notifier,
        runtime.clock,
        dry_run=ceiling is Mode.DRY_RUN,
        approvals=approvals_on(wired),
        source=wired.name,
        owner=row_owners(wired.settings).of,
    )


def admission(settings: Settings | None = None, plane: PlaneName = "local") -> AdmissionService:
    """The AI admission check: the budgets file's budgets over the plane's admission ledger,
    priced by the bundled price book."""
    from costplane.adapters.admission_scopes import ScopedBudgets
    from costplane.adapters.local.plane import SystemClock
    from costplane.ai.admission import AdmissionService
    from costplane.config import AdmissionSettings
    from costplane.domain.ai import bundled_price_book

    settings = settings or Settings()
    wired = load_plane(plane, settings)
    ttl = timedelta(seconds=AdmissionSettings().ttl_seconds)
    scoped = ScopedBudgets(budgets(settings).budgets)
    clock = SystemClock()
    return AdmissionService(wired.admission_ledger(), scoped, bundled_price_book(), clock.now, ttl)


def approvals_on(wired: Plane) -> ApprovalService:
    """The service the policy runner opens approval requests with, on the plane's store."""
    from costplane.planes.chat import approval_service_on

    return approval_service_on(wired)


def approval_callbacks(
    settings: Settings | None = None, plane: PlaneName = "local"
) -> ApprovalCallbacks:
    """The callback endpoints of every configured channel, over one service."""
    from costplane.planes.chat import approval_callbacks_on

    return approval_callbacks_on(load_plane(plane, settings or Settings()))


def resume_service(settings: Settings | None = None, plane: PlaneName = "local") -> ResumeService:
    """Undo on request (the CLI, the resume route), over the plane's audit log and enforcers."""
    from costplane.planes.chat import resume_service_on

    return resume_service_on(load_plane(plane, settings or Settings()))


def claim_sweep(settings: Settings | None = None, plane: PlaneName = "local") -> ClaimSweep | None:
    """What deletes the plane's expired claims; None where its store expires them itself."""
    return load_plane(plane, settings or Settings()).claim_sweep()


def cost_ingest(settings: Settings | None = None, plane: PlaneName = "local") -> CostIngest:
    """Bill exports as the plane's object store announces them, into the plane's lake. Then,
    when a budget has AI targets, the thresholds the landed spend reached act on them (first:
    usage lands hourly and the lever is wanted at once); the budgets' period end projections
    are fitted on the lake and stored in it for the policy runners (the event path never
    fits); and thresholds on projected spend are checked again against them."""
    from costplane.adapters.lake.forecast_table import write_forecasts
    from costplane.adapters.local.plane import SystemClock
    from costplane.billing.ingest import CostIngest, load_exports
    from costplane.billing.ingest.exports import with_pulled
    from costplane.budgets.levers import targets_of

    settings = settings or Settings()
    wired = load_plane(plane, settings)
    ingest = IngestSettings()
    exports = with_pulled(load_exports(ingest.exports), AiPullSettings().pull_location)
    loaded, clock, owners = budgets(settings), SystemClock(), row_owners(settings).tags
    acting = any(targets_of(b) for b in loaded.budgets)
    levers = budget_levers_on(wired, loaded, Mode(settings.mode)) if acting else None

    def after(lake: Lake) -> None:
        if levers is not None:
            levers.check()
        write_forecasts(lake, loaded, clock.now(), owners)
        if levers is not None:
            levers.check()

    return CostIngest(exports, wired.object_store(), wired.open_lake, ingest.ingest_dir, after)


def ai_pull(settings: Settings | None = None, plane: PlaneName = "local") -> UsagePull:
    """The hourly pull of the AI vendors' usage and cost reports into the plane's bill store
    (COSTPLANE_AI_PULL_LOCATION), with the admin keys the plane reads from its secret store."""
    wired = load_plane(plane, settings or Settings())
    pulls = AiPullSettings()
    if pulls.pull_location is None:
        raise ValueError("COSTPLANE_AI_PULL_LOCATION is required to pull AI usage")
    keys = wired.ai_admin_keys(pulls)
    return _usage_pull(wired, keys, wired.object_writer(), pulls.pull_location, pulls)


def ai_pull_into(directory: Path, keys: AdminKeys, settings: Settings | None = None) -> UsagePull:
    """The same pull on this machine, into `directory` (<source>/org=<organisation>/<month>.json),
    with the keys given: what `costplane ingest` then reads."""
    from costplane.adapters.local.files import DirectoryWriter

    wired = load_plane("local", settings or Settings())
    location = f"{directory.resolve()}/"
    return _usage_pull(wired, keys, DirectoryWriter(), location, AiPullSettings())


def _usage_pull(
    wired: Plane, keys: AdminKeys, writer: ObjectWriter, location: str, pulls: AiPullSettings
) -> UsagePull:
    from costplane.adapters.ai_reports import vendor_reports
    from costplane.adapters.local.plane import SystemClock
    from costplane.adapters.report_pages import Retry
    from costplane.billing.pull import UsagePull

    reports = vendor_reports(wired.http, keys, Retry(budget_seconds=pulls.retry_budget_seconds))
    return UsagePull(reports, writer, location, SystemClock().now, pulls.grace_days)
