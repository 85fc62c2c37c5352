"""costplane: a FinOps control plane that governs cloud spend while it happens."""

__version__ = "0.1.0"
