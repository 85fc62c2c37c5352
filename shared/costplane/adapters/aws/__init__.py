"""AWS adapters: event parsers (no SDK) and boto3-backed ports."""
