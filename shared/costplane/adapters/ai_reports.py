"""The AI vendors' reports the hourly pull lands: two per organisation whose admin key is
configured, each fetched by its vendor's client (openai/usage_api, anthropic/usage_api)."""

from __future__ import annotations

import httpx

from costplane.adapters.anthropic.usage_api import AnthropicUsageApi
from costplane.adapters.openai.usage_api import OpenAiUsageApi
from costplane.adapters.report_pages import Retry
from costplane.billing.pull import Report
from costplane.config import AdminKeys


def vendor_reports(http: httpx.Client, keys: AdminKeys, retry: Retry) -> list[Report]:
    """openai-usage and openai-costs per OpenAI organisation, anthropic-usage and
    anthropic-cost per Anthropic organisation."""
    reports: list[Report] = []
    for organisation, key in sorted(keys.get("openai", {}).items()):
        openai = OpenAiUsageApi(http, key.get_secret_value(), retry)
        reports += [
            Report("openai-usage", organisation, openai.usage),
            Report("openai-costs", organisation, openai.costs),
        ]
    for organisation, key in sorted(keys.get("anthropic", {}).items()):
        anthropic = AnthropicUsageApi(http, key.get_secret_value(), retry)
        reports += [
            Report("anthropic-usage", organisation, anthropic.usage),
            Report("anthropic-cost", organisation, anthropic.cost),
        ]
    return reports
