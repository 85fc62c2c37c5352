"""The bill side of AI: reconciling usage with the vendors' cost reports."""
