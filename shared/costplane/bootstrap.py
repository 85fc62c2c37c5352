"""Wire adapters into services. A cloud's adapters are imported only when that cloud is used.

Each cloud package exposes `costplane.adapters.<cloud>.wiring` with:
    register_events() -> None              importing its envelope parsers (no SDK import)
    build_runtime(settings) -> Runtime     its ports, state store and notifier
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path

from costplane.adapters.local.plane import (
    CounterMetrics,
    LocalEnforcer,
    LocalInventory,
    LogNotifier,
    SystemClock,
)
from costplane.adapters.local.sqlite_state import SqliteStateStore
from costplane.config import Settings
from costplane.domain.events import Provider
from costplane.domain.taxonomy import Mode, Taxonomy
from costplane.ports import Clock, Metrics, Notifier, ProviderPorts, StateStore
from costplane.tagging.loader import load_taxonomy
from costplane.tagging.service import TagEnforcer

EXAMPLE_TAXONOMY = Path(__file__).parent / "data" / "taxonomy.example.yaml"
CLOUDS = ("aws", "azure", "gcp")


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


def taxonomy(settings: Settings) -> Taxonomy:
    loaded = load_taxonomy(settings.taxonomy or EXAMPLE_TAXONOMY)
    if settings.mode is None:
        return loaded
    enforcement = loaded.enforcement.model_copy(update={"mode": Mode(settings.mode)})
    return loaded.model_copy(update={"enforcement": enforcement})


def local_runtime(settings: Settings) -> Runtime:
    """The embedded plane: tags from a seed inventory, actions recorded, state in SQLite."""
    inventory = (
        LocalInventory.from_file(settings.inventory) if settings.inventory else LocalInventory()
    )
    ports = ProviderPorts(inventory=inventory, enforcer=LocalEnforcer(inventory))
    return Runtime(
        ports=dict.fromkeys(Provider, ports),
        state=SqliteStateStore(settings.state_path),
        notifier=LogNotifier(),
        metrics=CounterMetrics(),
        clock=SystemClock(),
    )


def cloud_runtime(cloud: str, settings: Settings) -> Runtime:
    wiring = importlib.import_module(f"costplane.adapters.{cloud}.wiring")
    runtime: Runtime = wiring.build_runtime(settings)
    return runtime


def tag_enforcer(settings: Settings | None = None, plane: str = "local") -> TagEnforcer:
    """The tag enforcer for `plane` (`local`, `aws`, `azure` or `gcp`)."""
    settings = settings or Settings()
    register_events()
    runtime = local_runtime(settings) if plane == "local" else cloud_runtime(plane, settings)
    return TagEnforcer(
        taxonomy(settings),
        runtime.ports,
        runtime.state,
        runtime.notifier,
        runtime.clock,
        runtime.metrics,
        source=plane,
    )
