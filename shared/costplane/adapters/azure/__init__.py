"""Azure adapters: Event Grid parsers (no SDK) and ARM-backed ports."""
