"""The lake's EffectiveCost per provider, service and costplane resource type, for the share
of the bill the Tagging OS governs.

Types come from ResourceId as budgets read them (`resource_types`). A row without a
ResourceId is typed by its service when the service bills one main resource type (S3 requests
fall on buckets even when an anonymised bill drops the bucket name), and `by_service` says
so; otherwise it has no type.

Charges that belong to no resource are named apart (`charge`), as FinOps practitioners read
FOCUS: ChargeCategory Tax, Credit and Adjustment; commitment purchases (Purchase rows with a
CommitmentDiscountId) and unused commitment; support plans (ServiceSubcategory Support); and,
without a ResourceId, other purchases (marketplace and subscription fees) and corrections
(ChargeClass Correction). No tag can govern them, so the governed share leaves them out."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from costplane.adapters.lake.resource_types import STEM_SQL, type_of_stem
from costplane.billing.focus.services import provider_keys
from costplane.billing.lake.query import sql
from costplane.billing.lake.table import Lake

NOT_RESOURCE_SQL = """
CASE
  WHEN ChargeCategory IN ('Tax', 'Credit', 'Adjustment') THEN ChargeCategory
  WHEN ChargeCategory = 'Purchase' AND CommitmentDiscountId IS NOT NULL
    THEN 'Commitment purchase'
  WHEN CommitmentDiscountStatus = 'Unused' THEN 'Unused commitment'
  WHEN ServiceSubcategory = 'Support' THEN 'Support'
  WHEN ResourceId IS NULL AND ChargeCategory = 'Purchase' THEN 'Purchase without a resource'
  WHEN ResourceId IS NULL AND ChargeClass = 'Correction' THEN 'Correction without a resource'
END
"""
"""Why a row is not resource spend, or NULL when it is."""

_SQL = f"""
    SELECT ProviderName AS provider_name, coalesce(BillingCurrency, '') AS currency,
           coalesce(ServiceName, '') AS service, {STEM_SQL} AS stem,
           {NOT_RESOURCE_SQL} AS charge, sum(EffectiveCost) AS cost
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
    currency: str
    service: str
    resource_type: str | None
    cost: Decimal
    charge: str | None = None
    """Set when the charge belongs to no resource: why (Tax, Support, Commitment purchase…)."""
    by_service: bool = False


def spend_by_type(lake: Lake) -> list[Spend]:
    """One row per (provider, currency, service, type, charge); the provider is
    aws/azure/gcp/oci or its name."""
    table = sql(lake, _SQL)
    providers = provider_keys(table["provider_name"].combine_chunks()).to_pylist()
    return [
        _spend(provider or str(row["provider_name"] or "").lower(), row)
        for provider, row in zip(providers, table.to_pylist(), strict=True)
    ]


def _spend(provider: str, row: dict[str, Any]) -> Spend:
    cost = Decimal(row["cost"] or 0)
    by_service = row["stem"] is None and row["service"] in SERVICE_TYPES
    kind = SERVICE_TYPES[row["service"]] if by_service else type_of_stem(row["stem"])
    return Spend(provider, row["currency"], row["service"], kind, cost, row["charge"], by_service)
