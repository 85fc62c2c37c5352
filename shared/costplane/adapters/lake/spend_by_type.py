"""The lake's EffectiveCost per provider, service and costplane resource type, for the share
of the bill the Tagging OS governs.

Types come from ResourceId as budgets read them (`resource_types`). A row without a
ResourceId is typed by its service when the service bills one main resource type (S3 requests
fall on buckets even when an anonymised bill drops the bucket name), and `by_service` says
so; otherwise (tax, support, most fees) it has no type."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from costplane.adapters.lake.resource_types import STEM_SQL, type_of_stem
from costplane.billing.focus.services import provider_keys
from costplane.billing.lake.query import sql
from costplane.billing.lake.table import Lake

_SQL = f"""
    SELECT ProviderName AS provider_name, coalesce(ServiceName, '') AS service,
           {STEM_SQL} AS stem, sum(EffectiveCost) AS cost
    FROM focus
    GROUP BY ALL
"""


SERVICE_TYPES: dict[str, str] = {
    "Amazon Elastic Compute Cloud": "aws.ec2.instance",
    "Amazon Simple Storage Service": "aws.s3.bucket",
    "Amazon Relational Database Service": "aws.rds.db",
    "AWS Lambda": "aws.lambda.function",
    "Amazon DynamoDB": "aws.dynamodb.table",
    "AWS Key Management Service": "aws.kms.key",
    "Amazon Elastic File System": "aws.elasticfilesystem.file-system",
    "Amazon FSx": "aws.fsx.file-system",
    "Amazon ElastiCache": "aws.elasticache.cluster",
    "Amazon Redshift": "aws.redshift.cluster",
    "Amazon OpenSearch Service": "aws.es.domain",
    "Amazon Kinesis": "aws.kinesis.stream",
    "Amazon Managed Streaming for Apache Kafka": "aws.kafka.cluster",
    "Amazon Elastic MapReduce": "aws.elasticmapreduce.cluster",
    "Amazon CloudFront": "aws.cloudfront.distribution",
    "Elastic Load Balancing": "aws.elbv2.loadbalancer",
    "Amazon Elastic Container Service": "aws.ecs.service",
    "Amazon Elastic Kubernetes Service": "aws.eks.cluster",
    "Amazon SageMaker": "aws.sagemaker.endpoint",
    "Amazon Simple Queue Service": "aws.sqs.queue",
    "Amazon Simple Notification Service": "aws.sns.topic",
    "AWS Step Functions": "aws.states.stateMachine",
    "AWS Secrets Manager": "aws.secretsmanager.secret",
    "Amazon EC2 Container Registry (ECR)": "aws.ecr.repository",
    "AWS Glue": "aws.glue.job",
    "Amazon Athena": "aws.athena.workgroup",
    "AmazonCloudWatch": "aws.logs.log-group",
    "Amazon API Gateway": "aws.apigateway.restapis",
    "AWS Backup": "aws.backup.backup-vault",
    "Compute Engine": "gcp.compute.instance",
    "Cloud Storage": "gcp.storage.bucket",
    "Cloud SQL": "gcp.sql.instance",
    "BigQuery": "gcp.bigquery.dataset",
    "Kubernetes Engine": "gcp.container.cluster",
    "Cloud Pub/Sub": "gcp.pubsub.topic",
    "Cloud Spanner": "gcp.spanner.instance",
    "Cloud Run": "gcp.run.service",
    "Cloud Memorystore for Redis": "gcp.redis.instance",
    "Cloud Dataproc": "gcp.dataproc.cluster",
}
"""FOCUS ServiceName -> the resource type that carries its usage, for rows without ResourceId."""


@dataclass(frozen=True, slots=True)
class Spend:
    provider: str
    service: str
    resource_type: str | None
    cost: Decimal
    by_service: bool = False


def spend_by_type(lake: Lake) -> list[Spend]:
    """One row per (provider, service, type); the provider is aws/azure/gcp/oci or its name."""
    table = sql(lake, _SQL)
    providers = provider_keys(table["provider_name"].combine_chunks()).to_pylist()
    return [
        _spend(provider or str(row["provider_name"] or "").lower(), row)
        for provider, row in zip(providers, table.to_pylist(), strict=True)
    ]


def _spend(provider: str, row: dict[str, Any]) -> Spend:
    cost = Decimal(row["cost"] or 0)
    if row["stem"] is None and row["service"] in SERVICE_TYPES:
        return Spend(provider, row["service"], SERVICE_TYPES[row["service"]], cost, by_service=True)
    return Spend(provider, row["service"], type_of_stem(row["stem"]), cost)
