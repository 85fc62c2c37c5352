"""OpenAI: the Administration API (projects, rate limits, spend limits, keys) and its usage."""
