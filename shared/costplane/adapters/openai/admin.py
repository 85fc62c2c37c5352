"""The OpenAI Administration API calls the enforcer makes, checked against openai/openai-openapi.

Base `https://api.openai.com/v1`, `Authorization: Bearer <admin key>` on every call (an admin
key, `sk-admin-…`, not a project key). Paths, verbs and bodies as the spec gives them:

    GET    /organization/projects/{project_id}                         a project (status)
    POST   /organization/projects/{project_id}/archive                 archive (no unarchive)
    GET    /organization/projects/{project_id}/rate_limits             ?limit=100&after=<last_id>
    POST   /organization/projects/{project_id}/rate_limits/{id}        ProjectRateLimitUpdateRequest
    GET    /organization/projects/{project_id}/spend_limit             the hard spend limit
    POST   /organization/projects/{project_id}/spend_limit             create or replace it
    DELETE /organization/projects/{project_id}/spend_limit             remove it
    DELETE /organization/projects/{project_id}/api_keys/{key_id}       delete a key (final)
    DELETE /organization/projects/{project_id}/service_accounts/{id}   delete an account (final)

The spec does not say what GET spend_limit answers for a project with no limit; a 404 there is
read as "no limit" once the project itself was found.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx

from costplane.adapters.rest import Json
from costplane.adapters.vendor_api import VendorApi

BASE = "https://api.openai.com/v1"
PAGE_SIZE = "100"


def openai_api(http: httpx.Client, admin_key: str, base: str = BASE) -> VendorApi:
    return VendorApi("OpenAI", http, base, {"Authorization": f"Bearer {admin_key}"})


def _project(project_id: str) -> str:
    return f"/organization/projects/{project_id}"


class OpenAiAdmin:
    """Projects, their rate and spend limits, keys and service accounts."""

    def __init__(self, api: VendorApi) -> None:
        self.api = api

    def _call(self, method: str, path: str, resource: str, **kwargs: Any) -> Json:
        return self.api.call(method, path, resource=resource, **kwargs) or {}

    def project(self, project_id: str) -> Json:
        return self._call("GET", _project(project_id), project_id)

    def archive(self, project_id: str) -> Json:
        return self._call("POST", f"{_project(project_id)}/archive", project_id)

    def rate_limits(self, project_id: str) -> Iterator[Json]:
        """Every rate limit of the project, page after page (`after` is the last id seen)."""
        params = {"limit": PAGE_SIZE}
        while True:
            page = self._call(
                "GET", f"{_project(project_id)}/rate_limits", project_id, params=params
            )
            yield from (item for item in page.get("data") or () if isinstance(item, dict))
            if not page.get("has_more") or not page.get("last_id"):
                return
            params = {"limit": PAGE_SIZE, "after": str(page["last_id"])}

    def update_rate_limit(
        self, project_id: str, rate_limit_id: str, limits: dict[str, int]
    ) -> Json:
        path = f"{_project(project_id)}/rate_limits/{rate_limit_id}"
        return self._call("POST", path, project_id, body=limits)

    def spend_limit(self, project_id: str) -> Json | None:
        return self.api.call(
            "GET", f"{_project(project_id)}/spend_limit", resource=project_id, missing=True
        )

    def set_spend_limit(self, project_id: str, cents: int, currency: str, interval: str) -> Json:
        body = {"threshold_amount": cents, "currency": currency, "interval": interval}
        return self._call("POST", f"{_project(project_id)}/spend_limit", project_id, body=body)

    def delete_spend_limit(self, project_id: str) -> None:
        self.api.call(
            "DELETE", f"{_project(project_id)}/spend_limit", resource=project_id, missing=True
        )

    def delete_api_key(self, project_id: str, key_id: str) -> Json:
        return self._call("DELETE", f"{_project(project_id)}/api_keys/{key_id}", key_id)

    def delete_service_account(self, project_id: str, account_id: str) -> Json:
        path = f"{_project(project_id)}/service_accounts/{account_id}"
        return self._call("DELETE", path, account_id)
