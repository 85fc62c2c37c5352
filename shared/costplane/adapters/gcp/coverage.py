"""The GCP rows of the coverage table, from the registries: the Cloud Audit Log methods, the
Cloud Asset Inventory feed's governed asset types, and what `GcpEnforcer.supports` answers."""

from __future__ import annotations

import httpx

from costplane.adapters.coverage import ACTIONS, CoverageRow, add_unique
from costplane.adapters.gcp.asset_feed import GOVERNED
from costplane.adapters.gcp.auditlog_methods import METHODS
from costplane.adapters.gcp.enforcer import GcpEnforcer
from costplane.adapters.local.plane import SystemClock
from costplane.adapters.rest import RestClient, StaticToken
from costplane.domain.events import Operation

AUDIT_LOGS = "Cloud Audit Logs"
ASSET_FEED = "Cloud Asset Inventory"
_COLUMNS = {Operation.CREATE: "create", Operation.TAG: "tag", Operation.DELETE: "delete"}


def rows() -> list[CoverageRow]:
    # `supports` answers from the registries: this client is never called.
    with httpx.Client() as http:
        enforcer = GcpEnforcer(RestClient(http, StaticToken("")), SystemClock())
    found: dict[str, CoverageRow] = {}
    for method, spec in sorted(METHODS.items()):
        row = found.setdefault(spec.resource_type, CoverageRow("gcp", spec.resource_type))
        if column := _COLUMNS.get(spec.operation):  # a state change (deploy) has no column
            add_unique(getattr(row, column), method)
        add_unique(row.feeds, AUDIT_LOGS)
    for asset_type, governed in sorted(GOVERNED.items()):
        row = found.setdefault(governed.resource_type, CoverageRow("gcp", governed.resource_type))
        row.create.append(f"{ASSET_FEED} {asset_type} (new)")
        row.tag.append(f"{ASSET_FEED} {asset_type} (changed)")
        row.delete.append(f"{ASSET_FEED} {asset_type} (deleted)")
        row.feeds.append(ASSET_FEED)
    for row in found.values():
        row.actions = [k.value for k in ACTIONS if enforcer.supports(k, row.resource_type)]
    return sorted(found.values(), key=lambda row: row.resource_type)
