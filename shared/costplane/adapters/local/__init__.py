"""The embedded plane: SQLite state, an inventory learned from events, and a log notifier."""
