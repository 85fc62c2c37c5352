"""Anthropic: the organisation admin APIs (usage and cost reports)."""
