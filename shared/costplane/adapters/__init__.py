"""Adapters: the only modules that talk to clouds. Each cloud's package imports its SDK lazily."""
