"""FOCUS: the column model (from the spec), one normaliser per bill source, and their registry."""
