"""GCP adapters: audit-log parsers (no SDK) and REST-backed ports."""
