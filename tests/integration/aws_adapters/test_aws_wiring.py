"""build_runtime wires the AWS plane from COSTPLANE_* variables; EMF metrics reach stdout."""

from __future__ import annotations

import orjson
import pytest
from aws_lambda_powertools import Metrics

from costplane.adapters.aws.dynamodb import DynamoDbRecords
from costplane.adapters.aws.enforcer import AwsEnforcer
from costplane.adapters.aws.inventory import AwsInventory
from costplane.adapters.aws.metrics import EmfMetrics
from costplane.adapters.aws.notify import SnsNotifier
from costplane.adapters.local.plane import CounterMetrics, LogNotifier
from costplane.adapters.state_records import RecordStateStore
from costplane.config import Settings
from costplane.domain.events import Provider
from costplane.planes import load_plane


@pytest.fixture
def tables_env(state_tables, monkeypatch):
    claims, decisions = state_tables
    monkeypatch.setenv("COSTPLANE_CLAIMS_TABLE", claims)
    monkeypatch.setenv("COSTPLANE_DECISIONS_TABLE", decisions)
    monkeypatch.delenv("COSTPLANE_TOPIC_ARN", raising=False)
    monkeypatch.delenv("AWS_LAMBDA_FUNCTION_NAME", raising=False)
    return state_tables


def test_the_aws_runtime_has_boto3_ports_for_aws_only(tables_env):
    runtime = load_plane("aws", Settings()).runtime

    assert set(runtime.ports) == {Provider.AWS}
    assert isinstance(runtime.ports[Provider.AWS].inventory, AwsInventory)
    assert isinstance(runtime.ports[Provider.AWS].enforcer, AwsEnforcer)


def test_the_aws_runtime_keeps_state_in_the_configured_tables(tables_env):
    runtime = load_plane("aws", Settings()).runtime

    assert isinstance(runtime.state, RecordStateStore)
    claims, decisions = runtime.state.claims, runtime.state.log
    assert isinstance(claims, DynamoDbRecords)
    assert isinstance(decisions, DynamoDbRecords)
    assert (claims.table, decisions.table) == tables_env
    assert runtime.state.claim("aws:evt-1:i-1", 60) is True


def test_the_aws_runtime_publishes_to_the_configured_topic(tables_env, monkeypatch):
    monkeypatch.setenv("COSTPLANE_TOPIC_ARN", "arn:aws:sns:us-east-1:123456789012:decisions")

    notifier = load_plane("aws", Settings()).runtime.notifier

    assert isinstance(notifier, SnsNotifier)
    assert notifier.topic_arn == "arn:aws:sns:us-east-1:123456789012:decisions"


def test_without_a_topic_the_aws_runtime_logs_notifications(tables_env):
    assert isinstance(load_plane("aws", Settings()).runtime.notifier, LogNotifier)


def test_metrics_are_counted_in_memory_outside_lambda_and_as_emf_inside(tables_env, monkeypatch):
    assert isinstance(load_plane("aws", Settings()).runtime.metrics, CounterMetrics)

    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "tag_enforcer")

    assert isinstance(load_plane("aws", Settings()).runtime.metrics, EmfMetrics)


def test_the_aws_runtime_refuses_to_start_without_its_tables(monkeypatch):
    monkeypatch.delenv("COSTPLANE_CLAIMS_TABLE", raising=False)
    monkeypatch.delenv("COSTPLANE_DECISIONS_TABLE", raising=False)

    with pytest.raises(ValueError, match="COSTPLANE_CLAIMS_TABLE"):
        _ = load_plane("aws", Settings()).runtime


def test_emf_counts_are_flushed_by_any_powertools_metrics_of_the_namespace(capsys):
    EmfMetrics("costplane").count("decision_violation")
    EmfMetrics("costplane").count("decision_violation", 2)

    Metrics(namespace="costplane").flush_metrics()

    emf = orjson.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert emf["decision_violation"] == [1.0, 2.0]
    [directive] = emf["_aws"]["CloudWatchMetrics"]
    assert directive["Namespace"] == "costplane"
    assert directive["Metrics"] == [{"Name": "decision_violation", "Unit": "Count"}]
