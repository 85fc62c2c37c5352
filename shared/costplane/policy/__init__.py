"""Policy Engine: policies as code, evaluated together against every event."""
