"""Wire adapters into services. A cloud's adapters are imported only when that cloud is used.

Each cloud package exposes `costplane.adapters.<cloud>.events` (its envelope parsers, which
import no SDK) and `costplane.adapters.<cloud>.wiring.build_runtime(settings) -> Runtime`
(its ports, state store, notifier and metrics).
"""

from __future__ import annotations

import importlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from costplane.config import Settings
from costplane.domain.events import Provider
from costplane.domain.taxonomy import Mode, Taxonomy
from costplane.ports import Clock, Metrics, Notifier, ProviderPorts, StateStore
from costplane.tagging.loader import load_taxonomy
from costplane.tagging.service import TagEnforcer

if TYPE_CHECKING:
    from costplane.budgets.model import BudgetsFile
    from costplane.budgets.ports import ReservationLedger, RunRateStore, SignalStore
    from costplane.lake.table import Lake
    from costplane.policy.service import PolicyRunner, SpendFacts

EXAMPLE_TAXONOMY = Path(__file__).parents[1] / "data" / "taxonomy.example.yaml"
EXAMPLE_POLICIES = Path(__file__).parents[1] / "data" / "policies.example.yaml"
CLOUDS = ("aws", "azure", "gcp")
BUDGETS_TABLE_ENV = "COSTPLANE_BUDGETS_TABLE"
BudgetStores = tuple["RunRateStore", "SignalStore", "ReservationLedger"]


@dataclass(slots=True)
class Runtime:
    """What a plane provides: ports per provider, durable state, a notifier and metrics."""

    ports: dict[Provider, ProviderPorts]
    state: StateStore
    notifier: Notifier
    metrics: Metrics
    clock: Clock


def register_events(clouds: tuple[str, ...] = CLOUDS) -> None:
    """Import the envelope parsers of `clouds`; cheap, they import no SDK."""
    for cloud in clouds:
        importlib.import_module(f"costplane.adapters.{cloud}.events")


def clouds_of(plane: str) -> tuple[str, ...]:
    """The clouds whose payloads reach `plane`: a cloud's functions receive only its own
    events (and import only its parsers); the local plane replays any."""
    return (plane,) if plane in CLOUDS else CLOUDS


def register_budget_signals(clouds: tuple[str, ...] = CLOUDS) -> None:
    """Import the parsers of cloud budget notifications (AWS Budgets, Azure, GCP)."""
    for cloud in clouds:
        importlib.import_module(f"costplane.adapters.{cloud}.budget_signals")


def taxonomy(settings: Settings) -> Taxonomy:
    loaded = load_taxonomy(settings.taxonomy or EXAMPLE_TAXONOMY)
    if settings.mode is None:
        return loaded
    enforcement = loaded.enforcement.model_copy(update={"mode": Mode(settings.mode)})
    return loaded.model_copy(update={"enforcement": enforcement})


def local_runtime(settings: Settings) -> Runtime:
    """The embedded plane: tags from a seed inventory, actions recorded, state in SQLite."""
    from costplane.adapters.local.plane import (
        CounterMetrics,
        LocalEnforcer,
        LocalInventory,
        LogNotifier,
        PinnedClock,
        SystemClock,
    )
    from costplane.adapters.local.sqlite_state import SqliteStateStore

    inventory = (
        LocalInventory.from_file(settings.inventory) if settings.inventory else LocalInventory()
    )
    ports = ProviderPorts(inventory=inventory, enforcer=LocalEnforcer(inventory))
    return Runtime(
        ports=dict.fromkeys(Provider, ports),
        state=SqliteStateStore(settings.state_path),
        notifier=LogNotifier(),
        metrics=CounterMetrics(),
        clock=PinnedClock(settings.clock) if settings.clock else SystemClock(),
    )


def cloud_runtime(cloud: str, settings: Settings) -> Runtime:
    wiring = importlib.import_module(f"costplane.adapters.{cloud}.wiring")
    runtime: Runtime = wiring.build_runtime(settings)
    return runtime


def runtime(settings: Settings, plane: str) -> Runtime:
    """The adapters of `plane` (`local`, `aws`, `azure` or `gcp`), with the event parsers."""
    register_events(clouds_of(plane))
    return local_runtime(settings) if plane == "local" else cloud_runtime(plane, settings)


def tag_enforcer(settings: Settings | None = None, plane: str = "local") -> TagEnforcer:
    """The tag enforcer for `plane`."""
    settings = settings or Settings()
    return tag_enforcer_on(runtime(settings, plane), taxonomy(settings), source=plane)


def tag_enforcer_on(wired: Runtime, rules: Taxonomy, source: str = "local") -> TagEnforcer:
    """A tag enforcer over adapters already wired (a plane's runtime) and a taxonomy."""
    return TagEnforcer(
        rules, wired.ports, wired.state, wired.notifier, wired.clock, wired.metrics, source=source
    )


def policy_runner(
    settings: Settings | None = None, plane: str = "local", spend: SpendFacts | None = None
) -> PolicyRunner:
    """The policies of the policy file and the budgets' thresholds, in one service for `plane`.

    Imported here, not at the top: the tag enforcer's cold start does not pay for the engine.
    Without `spend`, budgets are tracked by `budget_spend`.
    """
    from costplane.bootstrap.approvals import approval_service
    from costplane.budgets.loader import EXAMPLE_BUDGETS, load_budgets
    from costplane.budgets.policies import threshold_policies
    from costplane.policy.engine import PolicyEngine, compile_policies
    from costplane.policy.loader import load_policy_document, load_policy_file
    from costplane.policy.service import PolicyRunner

    settings = settings or Settings()
    budgets = load_budgets(settings.budgets or EXAMPLE_BUDGETS)
    policies = compile_policies(load_policy_file(settings.policies or EXAMPLE_POLICIES))
    thresholds = threshold_policies(budgets.budgets, Mode(settings.mode or Mode.DRY_RUN))
    if thresholds:
        document = {"version": 1, "policies": thresholds}
        policies += compile_policies(load_policy_document(document, "budget thresholds"))
    register_budget_signals(clouds_of(plane))
    wired = runtime(settings, plane)
    return PolicyRunner(
        PolicyEngine(policies),
        wired.ports,
        wired.state,
        wired.notifier,
        wired.clock,
        wired.metrics,
        spend=spend or budget_spend(settings, plane, budgets, wired.clock),
        source=plane,
        approvals=approval_service(settings, plane, wired),
    )


def budget_spend(settings: Settings, plane: str, budgets: BudgetsFile, clock: Clock) -> SpendFacts:
    """Budgets in the plane's durable store, so every function instance shares them: DynamoDB
    on AWS (COSTPLANE_BUDGETS_TABLE), the state table on Azure (COSTPLANE_AZURE_STATE_ACCOUNT),
    Firestore on GCP (COSTPLANE_GCP_STATE_PROJECT); otherwise the embedded plane (`local_spend`)."""
    stores = durable_budget_stores(plane, clock)
    if stores is None:
        return local_spend(settings, budgets, clock)
    from costplane.budgets.local import lake_budget_service

    return lake_budget_service(budgets, budget_lake(settings), stores, clock.now())


def durable_budget_stores(plane: str, clock: Clock) -> BudgetStores | None:
    """The run rates, signals and reservation ledger of `plane`, None when it has no store."""
    stores = {"aws": _aws_budget_stores, "azure": _azure_budget_stores, "gcp": _gcp_budget_stores}
    return stores[plane](clock) if plane in stores else None


def _aws_budget_stores(clock: Clock) -> BudgetStores | None:
    table = os.environ.get(BUDGETS_TABLE_ENV)
    if not table:
        return None
    from costplane.adapters.aws.budget_state import DynamoDbBudgetState
    from costplane.adapters.aws.reservations import DynamoDbReservationLedger

    state = DynamoDbBudgetState(table)
    return state, state, DynamoDbReservationLedger(table)


def _azure_budget_stores(clock: Clock) -> BudgetStores | None:
    from costplane.adapters import rest
    from costplane.adapters.azure.budget_state import azure_budget_state
    from costplane.adapters.azure.http import STORAGE_AUDIENCE, token_provider
    from costplane.adapters.azure.settings import AzureSettings

    azure = AzureSettings()
    if azure.table_url is None:
        return None
    http = rest.shared_client()
    storage = rest.RestClient(http, token_provider(azure, http, STORAGE_AUDIENCE))
    state = azure_budget_state(storage, azure.table_url, clock)
    return state, state, state


def _gcp_budget_stores(clock: Clock) -> BudgetStores | None:
    from costplane.adapters import rest
    from costplane.adapters.gcp.budget_state import firestore_budget_state
    from costplane.adapters.gcp.http import token_provider
    from costplane.adapters.gcp.settings import GcpSettings

    gcp = GcpSettings()
    if gcp.state_project is None:
        return None
    http = rest.shared_client()
    state = firestore_budget_state(
        rest.RestClient(http, token_provider(gcp, http)),
        project=gcp.state_project,
        database=gcp.state_database,
        prefix=gcp.state_collection,
    )
    return state, state, state


def budget_lake(settings: Settings) -> Lake | None:
    """The lake prices and actuals come from: the catalog COSTPLANE_CATALOG_* configures (Glue,
    REST), else the local one under settings.lake when it exists; None when there is none."""
    from costplane.lake.settings import CatalogSettings
    from costplane.lake.table import open_lake

    catalog = CatalogSettings()
    local = catalog.type == "sql" and not catalog.uri
    if local and not (settings.lake / "catalog.db").exists():
        return None
    return open_lake(settings.lake, catalog)


def local_spend(settings: Settings, budgets: BudgetsFile, clock: Clock) -> SpendFacts:
    """Budgets on the embedded plane: actuals and prices from the local lake when there is one."""
    from costplane.budgets.local import local_budget_service
    from costplane.budgets.sqlite_store import SqliteBudgetStore

    store = SqliteBudgetStore(settings.state_path)
    return local_budget_service(budgets, budget_lake(settings), store, clock.now())
