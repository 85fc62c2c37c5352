"""Tagging OS: the taxonomy, key normalisation across clouds, checks and remediation."""
