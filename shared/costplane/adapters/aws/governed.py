"""The AWS resource types that carry spend and that costplane governs: one row per type.

The generic feeds (AWS Config configuration items, `aws.tag` Tag Change on Resource events)
name a resource by its AWS Config type or by its ARN; this table turns either into the
costplane type and id the CloudTrail extractors emit for the same resource, so that a
resource is one resource whichever route reported it. Ids follow the CloudTrail convention
(`costplane.adapters.aws.events`): the EC2 id for EC2, the name for S3 buckets, else the ARN.

A type outside this table is not governed: a feed message about it is skipped, naming it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class IdForm(StrEnum):
    """Which part of a configuration item is the costplane resource id."""

    ID = "id"
    NAME = "name"
    ARN = "arn"


@dataclass(frozen=True, slots=True)
class AwsType:
    resource_type: str
    config_type: str | None
    id_form: IdForm = IdForm.ARN


_ID, _NAME = IdForm.ID, IdForm.NAME

GOVERNED: tuple[AwsType, ...] = (
    AwsType("aws.ec2.instance", "AWS::EC2::Instance", _ID),
    AwsType("aws.ec2.volume", "AWS::EC2::Volume", _ID),
    AwsType("aws.ec2.snapshot", None, _ID),
    AwsType("aws.ec2.natgateway", "AWS::EC2::NatGateway", _ID),
    AwsType("aws.ec2.elastic-ip", "AWS::EC2::EIP", _ID),
    AwsType("aws.ec2.vpc-endpoint", "AWS::EC2::VPCEndpoint", _ID),
    AwsType("aws.ec2.transit-gateway", "AWS::EC2::TransitGateway", _ID),
    AwsType("aws.s3.bucket", "AWS::S3::Bucket", _NAME),
    AwsType("aws.rds.db", "AWS::RDS::DBInstance"),
    AwsType("aws.rds.cluster", "AWS::RDS::DBCluster"),
    AwsType("aws.lambda.function", "AWS::Lambda::Function"),
    AwsType("aws.dynamodb.table", "AWS::DynamoDB::Table"),
    AwsType("aws.elbv2.loadbalancer", "AWS::ElasticLoadBalancingV2::LoadBalancer"),
    AwsType("aws.elb.loadbalancer", "AWS::ElasticLoadBalancing::LoadBalancer"),
    AwsType("aws.elasticache.cluster", "AWS::ElastiCache::CacheCluster"),
    AwsType("aws.elasticache.replicationgroup", "AWS::ElastiCache::ReplicationGroup"),
    AwsType("aws.redshift.cluster", "AWS::Redshift::Cluster"),
    AwsType("aws.es.domain", "AWS::OpenSearch::Domain"),
    AwsType("aws.elasticfilesystem.file-system", "AWS::EFS::FileSystem"),
    AwsType("aws.fsx.file-system", "AWS::FSx::FileSystem"),
    AwsType("aws.ecs.service", "AWS::ECS::Service"),
    AwsType("aws.ecs.cluster", "AWS::ECS::Cluster"),
    AwsType("aws.kinesis.stream", "AWS::Kinesis::Stream"),
    AwsType("aws.kafka.cluster", "AWS::MSK::Cluster"),
    AwsType("aws.elasticmapreduce.cluster", "AWS::EMR::Cluster"),
    AwsType("aws.kms.key", "AWS::KMS::Key"),
    AwsType("aws.cloudfront.distribution", "AWS::CloudFront::Distribution"),
    AwsType("aws.eks.cluster", "AWS::EKS::Cluster"),
    AwsType("aws.eks.nodegroup", None),
    AwsType("aws.sagemaker.endpoint", "AWS::SageMaker::Endpoint"),
    AwsType("aws.sagemaker.notebook-instance", "AWS::SageMaker::NotebookInstance"),
    AwsType("aws.sagemaker.training-job", None),
    AwsType("aws.bedrock.application-inference-profile", None),
    AwsType("aws.bedrock.provisioned-model", None),
    AwsType("aws.sqs.queue", "AWS::SQS::Queue"),
    AwsType("aws.sns.topic", "AWS::SNS::Topic"),
    AwsType("aws.states.stateMachine", "AWS::StepFunctions::StateMachine"),
    AwsType("aws.secretsmanager.secret", "AWS::SecretsManager::Secret"),
    AwsType("aws.ecr.repository", "AWS::ECR::Repository"),
    AwsType("aws.glue.job", "AWS::Glue::Job"),
    AwsType("aws.athena.workgroup", "AWS::Athena::WorkGroup"),
    AwsType("aws.logs.log-group", "AWS::Logs::LogGroup"),
    AwsType("aws.apigateway.restapis", "AWS::ApiGateway::RestApi"),
    AwsType("aws.backup.backup-vault", "AWS::Backup::BackupVault"),
)

BY_TYPE: dict[str, AwsType] = {t.resource_type: t for t in GOVERNED}
BY_CONFIG_TYPE: dict[str, AwsType] = {t.config_type: t for t in GOVERNED if t.config_type}
# Elasticsearch domains predate OpenSearch and keep their own Config type.
BY_CONFIG_TYPE["AWS::Elasticsearch::Domain"] = BY_TYPE["aws.es.domain"]

ARN_ADDRESSED = frozenset(t.resource_type for t in GOVERNED if t.id_form is IdForm.ARN)
"""Types whose costplane id is an ARN: the Resource Groups Tagging API can tag any of them."""


def is_governed(resource_type: str) -> bool:
    return resource_type in BY_TYPE
