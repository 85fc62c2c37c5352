"""The Anthropic Admin API calls the enforcer makes, as platform.claude.com documents them.

Base `https://api.anthropic.com/v1`; every call carries `x-api-key: <admin key>` (an admin key,
`sk-ant-admin…`) and `anthropic-version: 2023-06-01`:

    GET   /organizations/api_keys/{api_key_id}                       a key (status)
    POST  /organizations/api_keys/{api_key_id}                       {"status": "active" |
                                                                      "inactive" | "archived"}
    GET   /organizations/api_keys                                    ?workspace_id&status&limit
                                                                      &after_id (first/last_id,
                                                                      has_more)
    GET   /organizations/workspaces/{workspace_id}                   a workspace
    POST  /organizations/workspaces/{workspace_id}/archive           archive it
    GET   /organizations/workspaces/{workspace_id}/rate_limits       ?include_inherited=true;
                                                                      one page unless `limit`,
                                                                      else `page=<next_page>`
    POST  /organizations/workspaces/{workspace_id}/rate_limits/{id}  {"limits": [{"type",
                                                                      "value"}]}: an integer sets
                                                                      the override, null clears it

Workspace rate-limit changes take effect within about an hour (Anthropic's words). Workspace
spend limits are settable through the API only in an early-access preview (POST
/organizations/spend_limits): not used.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx

from costplane.adapters.rest import Json
from costplane.adapters.vendor_api import VendorApi

BASE = "https://api.anthropic.com/v1"
VERSION = "2023-06-01"
PAGE_SIZE = "1000"


def anthropic_api(http: httpx.Client, admin_key: str, base: str = BASE) -> VendorApi:
    return VendorApi(
        "Anthropic", http, base, {"x-api-key": admin_key, "anthropic-version": VERSION}
    )


class AnthropicAdmin:
    """API keys, workspaces and workspace rate limits."""

    def __init__(self, api: VendorApi) -> None:
        self.api = api

    def _call(self, method: str, path: str, resource: str, **kwargs: Any) -> Json:
        return self.api.call(method, path, resource=resource, **kwargs) or {}

    def api_key(self, key_id: str) -> Json:
        return self._call("GET", f"/organizations/api_keys/{key_id}", key_id)

    def set_key_status(self, key_id: str, status: str) -> Json:
        path = f"/organizations/api_keys/{key_id}"
        return self._call("POST", path, key_id, body={"status": status})

    def active_keys(self, workspace_id: str) -> Iterator[Json]:
        """The workspace's active keys, page after page (`after_id` is the last id seen)."""
        query = {"workspace_id": workspace_id, "status": "active", "limit": PAGE_SIZE}
        params = query
        while True:
            page = self._call("GET", "/organizations/api_keys", workspace_id, params=params)
            yield from (item for item in page.get("data") or () if isinstance(item, dict))
            if not page.get("has_more") or not page.get("last_id"):
                return
            params = {**query, "after_id": str(page["last_id"])}

    def workspace(self, workspace_id: str) -> Json:
        return self._call("GET", f"/organizations/workspaces/{workspace_id}", workspace_id)

    def archive_workspace(self, workspace_id: str) -> Json:
        path = f"/organizations/workspaces/{workspace_id}/archive"
        return self._call("POST", path, workspace_id)

    def rate_limits(self, workspace_id: str) -> Iterator[Json]:
        """Every group's limits, its own overrides and what it inherits, marked by `source`."""
        path = f"/organizations/workspaces/{workspace_id}/rate_limits"
        params = {"include_inherited": "true"}
        while True:
            page = self._call("GET", path, workspace_id, params=params)
            yield from (item for item in page.get("data") or () if isinstance(item, dict))
            if not page.get("next_page"):
                return
            params = {"include_inherited": "true", "page": str(page["next_page"])}

    def set_rate_limits(
        self, workspace_id: str, rate_limit_id: str, limits: dict[str, int | None]
    ) -> Json:
        path = f"/organizations/workspaces/{workspace_id}/rate_limits/{rate_limit_id}"
        body = {"limits": [{"type": kind, "value": value} for kind, value in limits.items()]}
        return self._call("POST", path, workspace_id, body=body)
