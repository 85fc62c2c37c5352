"""Anthropic: the Admin API (workspaces, rate limits, API keys) and its usage and cost reports."""
