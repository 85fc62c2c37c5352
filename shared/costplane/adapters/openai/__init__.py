"""OpenAI: the organisation admin APIs (usage, costs)."""
