"""Built-in normalisers; importing this package registers each of them by source name."""

from costplane.billing.focus.sources import aws, azure, focus_files, gcp, oci

__all__ = ["aws", "azure", "focus_files", "gcp", "oci"]
