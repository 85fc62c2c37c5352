"""Budgets that act before the bill: scopes and amounts, actual-to-date from the FOCUS lake,
live run-rate priced per SKU, projection, cloud budget signals and atomic reservations."""
