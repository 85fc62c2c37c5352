"""One ServiceCategory (and ServiceSubcategory) per ServiceName, from the mapping tables.

FOCUS 1.2 requires each ServiceName to map to exactly one ServiceCategory; deciding the
category from the name alone (never from the row) guarantees it across batches and files.
"""

from __future__ import annotations

from functools import cache

import pyarrow as pa
import pyarrow.compute as pc

from costplane.billing.focus.mappings import table
from costplane.billing.focus.units import map_distinct

OTHER = "Other"

_PROVIDER_NAMES = {
    "aws": "aws",
    "amazon web services": "aws",
    "amazon": "aws",
    "microsoft": "azure",
    "azure": "azure",
    "microsoft azure": "azure",
    "google": "gcp",
    "google cloud": "gcp",
    "google cloud platform": "gcp",
    "gcp": "gcp",
    "oracle": "oci",
    "oci": "oci",
    "oracle cloud infrastructure": "oci",
}


@cache
def _by_name() -> pa.Table:
    """provider-key + name -> category, subcategory (first entry wins for a repeated name)."""
    keys: list[str] = []
    categories: list[str] = []
    subcategories: list[str] = []
    seen: set[str] = set()
    sources = {
        "aws": "aws_services.csv",
        "azure": "azure_services.csv",
        "gcp": "gcp_services.csv",
        "oci": "oci_services.csv",
    }
    for provider, name in sources.items():
        rows = table(name).select(["service_name", "service_category", "service_subcategory"])
        for service, category, subcategory in zip(
            *(c.to_pylist() for c in rows.columns), strict=True
        ):
            key = f"{provider}\x1f{service}"
            if key not in seen:
                seen.add(key)
                keys.append(key)
                categories.append(category)
                subcategories.append(subcategory)
    return pa.table({"key": keys, "category": categories, "subcategory": subcategories})


def provider_keys(provider_names: pa.Array) -> pa.Array:
    """The mapping-table family (aws/azure/gcp/oci) of each ProviderName, null if none."""
    return map_distinct(provider_names, lambda name: _PROVIDER_NAMES.get(name.lower()))


def categorise(
    providers: pa.Array,
    service_names: pa.Array,
    stated: tuple[pa.Array | None, pa.Array | None] = (None, None),
) -> tuple[pa.Array, pa.Array]:
    """(ServiceCategory, ServiceSubcategory) per row: the table's pair for the provider's
    ServiceName; else the pair the source `stated`; else "Other". A missing subcategory
    becomes "Other (<category>)", a pair the spec allows for every category."""
    names = _by_name()
    distinct_providers = pc.unique(providers)
    if len(distinct_providers) == 1:
        encoded = pc.dictionary_encode(service_names)
        prefix = pc.binary_join_element_wise(distinct_providers[0], encoded.dictionary, "\x1f")
        keys, positions = prefix, encoded.indices
    else:
        encoded = pc.dictionary_encode(
            pc.binary_join_element_wise(providers, service_names, "\x1f")
        )
        keys, positions = encoded.dictionary, encoded.indices
    index = pc.index_in(keys, value_set=names["key"].combine_chunks())
    category = names["category"].combine_chunks().take(index).take(positions)
    subcategory = names["subcategory"].combine_chunks().take(index).take(positions)
    stated_category, stated_subcategory = stated
    if stated_category is not None:
        unmapped = pc.is_null(category)
        category = pc.coalesce(category, stated_category)
        if stated_subcategory is not None:
            subcategory = pc.coalesce(
                subcategory, pc.if_else(unmapped, stated_subcategory, pa.scalar(None, pa.string()))
            )
    category = pc.fill_null(category, OTHER)
    other = pc.binary_join_element_wise("Other (", category, ")", "")
    return category, pc.coalesce(subcategory, other)
