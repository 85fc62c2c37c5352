"""The Cloud Asset Inventory feed in infra/gcp: the asset types the parser governs, published
to the topic the functions read (issue 16)."""

from __future__ import annotations

from costplane.adapters.gcp.asset_feed import GOVERNED as ASSET_TYPES
from tests.infra.test_terraform_gcp import local, resource


def test_the_asset_feed_watches_exactly_the_asset_types_the_parser_governs():
    assert set(local("governed_asset_types")) == set(ASSET_TYPES)
    for scope in ("project", "organization"):
        feed = resource(f"google_cloud_asset_{scope}_feed", "resources")
        assert feed["asset_types"] == "${local.governed_asset_types}"
        assert feed["content_type"] == "RESOURCE"
        destination = feed["feed_output_config"][0]["pubsub_destination"][0]["topic"]
        assert destination == "${google_pubsub_topic.audit_log.id}"


def test_the_asset_agent_may_publish_to_the_topic_the_functions_read():
    member = resource("google_pubsub_topic_iam_member", "asset_feed_publishes")

    assert member["topic"] == "${google_pubsub_topic.audit_log.name}"
    assert "gcp-sa-cloudasset" in local("asset_agent")
