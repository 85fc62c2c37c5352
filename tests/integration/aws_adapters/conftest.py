"""Real resources in the moto server, and independent boto3 read-backs of their tags.

`World.make(resource_type)` creates one resource of that type tagged with `INITIAL_TAGS` and
returns its ResourceRef in the form the CloudTrail parser emits (ids for EC2, names for S3,
ARNs elsewhere), with a reader that fetches its tags through a different API than the adapter
uses, so the adapter is never checked against itself.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from costplane.adapters.aws import clients
from costplane.domain.events import Provider
from costplane.engine.ports import ResourceRef

ACCOUNT = "123456789012"  # moto's default account; the example taxonomy has defaults for it
REGION = "us-east-1"
AMI = "ami-12c6146b"  # one of moto's bundled images
INITIAL_TAGS = {"Team": "search", "Environment": "dev"}


def pairs(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in tags.items()]


def as_dict(tag_list: list[dict[str, str]]) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in tag_list}


@dataclass(frozen=True)
class Made:
    ref: ResourceRef
    read: Callable[[], dict[str, str]]


class World:
    """The moto account, driven with plain boto3 clients independent of the adapters."""

    account = ACCOUNT
    region = REGION
    initial_tags = INITIAL_TAGS

    def __init__(self, endpoint: str, cache: dict[str, Any]) -> None:
        self.endpoint = endpoint
        self._clients = cache

    def client(self, service: str) -> Any:
        if service not in self._clients:
            import boto3

            self._clients[service] = boto3.client(
                service, region_name=REGION, endpoint_url=self.endpoint
            )
        return self._clients[service]

    def reset(self) -> None:
        """Empty the account, for a next resource whose helpers reuse names (roles …)."""
        import urllib.request

        request = urllib.request.Request(f"{self.endpoint}/moto-api/reset", method="POST")
        urllib.request.urlopen(request).close()

    def ref(self, resource_type: str, resource_id: str) -> ResourceRef:
        return ResourceRef(
            provider=Provider.AWS,
            account=ACCOUNT,
            region=REGION,
            resource_id=resource_id,
            resource_type=resource_type,
        )

    def make(self, resource_type: str) -> Made:
        return _FACTORIES[resource_type](self)

    # EC2 ---------------------------------------------------------------------------------

    def run_instances(
        self, count: int = 1, tags: dict[str, str] | None = None, **extra: Any
    ) -> list[str]:
        spec = [{"ResourceType": "instance", "Tags": pairs(tags)}] if tags else []
        reservation = self.client("ec2").run_instances(
            ImageId=AMI, MinCount=count, MaxCount=count, TagSpecifications=spec, **extra
        )
        return [str(i["InstanceId"]) for i in reservation["Instances"]]

    def describe_instance(self, instance_id: str) -> dict[str, Any]:
        found = self.client("ec2").describe_instances(InstanceIds=[instance_id])
        instance: dict[str, Any] = found["Reservations"][0]["Instances"][0]
        return instance

    def instance_state(self, instance_id: str) -> str:
        return str(self.describe_instance(instance_id)["State"]["Name"])

    def ec2_tags(self, resource_id: str) -> dict[str, str]:
        filters = [{"Name": "resource-id", "Values": [resource_id]}]
        return as_dict(self.client("ec2").describe_tags(Filters=filters)["Tags"])

    def network(self) -> tuple[str, list[str]]:
        """A VPC with two subnets in two zones (load balancers and EKS want two)."""
        ec2 = self.client("ec2")
        vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        subnets = [
            ec2.create_subnet(
                VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"{REGION}{zone}"
            )["Subnet"]["SubnetId"]
            for i, zone in enumerate("ab")
        ]
        return vpc, subnets

    # Other services ------------------------------------------------------------------------

    def role(self, name: str, service: str) -> str:
        policy = (
            '{"Version":"2012-10-17","Statement":[{"Effect":"Allow",'
            f'"Principal":{{"Service":"{service}"}},"Action":"sts:AssumeRole"}}]}}'
        )
        created = self.client("iam").create_role(RoleName=name, AssumeRolePolicyDocument=policy)
        return str(created["Role"]["Arn"])

    def make_function(self, name: str, tags: dict[str, str]) -> str:
        code = io.BytesIO()
        with zipfile.ZipFile(code, "w") as archive:
            archive.writestr("app.py", "def handler(event, context):\n    return event\n")
        created = self.client("lambda").create_function(
            FunctionName=name,
            Runtime="python3.11",
            Role=self.role(f"{name}-role", "lambda.amazonaws.com"),
            Handler="app.handler",
            Code={"ZipFile": code.getvalue()},
            Tags=tags,
        )
        return str(created["FunctionArn"])

    def make_database(self, name: str = "orders") -> str:
        created = self.client("rds").create_db_instance(
            DBInstanceIdentifier=name,
            Engine="postgres",
            DBInstanceClass="db.t3.micro",
            AllocatedStorage=20,
            MasterUsername="admin",
            MasterUserPassword="not-a-secret-1",
            Tags=pairs(INITIAL_TAGS),
        )
        return str(created["DBInstance"]["DBInstanceArn"])

    def db_status(self, name: str) -> str:
        found = self.client("rds").describe_db_instances(DBInstanceIdentifier=name)
        return str(found["DBInstances"][0]["DBInstanceStatus"])

    def make_cluster(self, tags: dict[str, str]) -> tuple[str, list[str]]:
        _, subnets = self.network()
        cluster = self.client("eks").create_cluster(
            name="prod",
            roleArn=self.role("eks-cluster", "eks.amazonaws.com"),
            resourcesVpcConfig={"subnetIds": subnets},
            tags=tags,
        )["cluster"]
        return str(cluster["arn"]), subnets


def _instance(world: World) -> Made:
    [instance] = world.run_instances(tags=INITIAL_TAGS)
    return Made(world.ref("aws.ec2.instance", instance), lambda: world.ec2_tags(instance))


def _nat_gateway(world: World) -> Made:
    ec2 = world.client("ec2")
    _, subnets = world.network()
    gateway = ec2.create_nat_gateway(
        SubnetId=subnets[0],
        AllocationId=ec2.allocate_address(Domain="vpc")["AllocationId"],
        TagSpecifications=[{"ResourceType": "natgateway", "Tags": pairs(INITIAL_TAGS)}],
    )["NatGateway"]["NatGatewayId"]
    return Made(world.ref("aws.ec2.natgateway", gateway), lambda: world.ec2_tags(gateway))


def _volume(world: World) -> Made:
    ec2 = world.client("ec2")
    volume = ec2.create_volume(
        AvailabilityZone=f"{REGION}a",
        Size=1,
        TagSpecifications=[{"ResourceType": "volume", "Tags": pairs(INITIAL_TAGS)}],
    )["VolumeId"]

    def read() -> dict[str, str]:
        return as_dict(ec2.describe_volumes(VolumeIds=[volume])["Volumes"][0].get("Tags", []))

    return Made(world.ref("aws.ec2.volume", volume), read)


def _bucket(world: World) -> Made:
    s3 = world.client("s3")
    s3.create_bucket(Bucket="costplane-ledger")
    s3.put_bucket_tagging(Bucket="costplane-ledger", Tagging={"TagSet": pairs(INITIAL_TAGS)})

    def read() -> dict[str, str]:
        try:
            return as_dict(s3.get_bucket_tagging(Bucket="costplane-ledger")["TagSet"])
        except s3.exceptions.ClientError as exc:
            if exc.response["Error"]["Code"] != "NoSuchTagSet":
                raise
            return {}

    return Made(world.ref("aws.s3.bucket", "costplane-ledger"), read)


def _database(world: World) -> Made:
    arn = world.make_database()
    rds = world.client("rds")
    return Made(
        world.ref("aws.rds.db", arn),
        lambda: as_dict(rds.list_tags_for_resource(ResourceName=arn)["TagList"]),
    )


def _function(world: World) -> Made:
    arn = world.make_function("ingest", INITIAL_TAGS)
    functions = world.client("lambda")
    return Made(
        world.ref("aws.lambda.function", arn),
        lambda: dict(functions.get_function(FunctionName="ingest").get("Tags", {})),
    )


def _sagemaker(world: World, resource_type: str, arn: str) -> Made:
    sm = world.client("sagemaker")
    return Made(
        world.ref(resource_type, arn), lambda: as_dict(sm.list_tags(ResourceArn=arn)["Tags"])
    )


def _endpoint(world: World) -> Made:
    sm = world.client("sagemaker")
    sm.create_model(
        ModelName="ranker",
        ExecutionRoleArn=world.role("sagemaker-exec", "sagemaker.amazonaws.com"),
        PrimaryContainer={"Image": f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/ranker:1"},
    )
    sm.create_endpoint_config(
        EndpointConfigName="ranker-config",
        ProductionVariants=[
            {
                "VariantName": "main",
                "ModelName": "ranker",
                "InitialInstanceCount": 1,
                "InstanceType": "ml.t2.medium",
            }
        ],
    )
    arn = sm.create_endpoint(
        EndpointName="ranker", EndpointConfigName="ranker-config", Tags=pairs(INITIAL_TAGS)
    )["EndpointArn"]
    return _sagemaker(world, "aws.sagemaker.endpoint", arn)


def _training_job(world: World) -> Made:
    arn = world.client("sagemaker").create_training_job(
        TrainingJobName="ranker-train",
        AlgorithmSpecification={
            "TrainingImage": f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/train:1",
            "TrainingInputMode": "File",
        },
        RoleArn=world.role("sagemaker-train", "sagemaker.amazonaws.com"),
        OutputDataConfig={"S3OutputPath": "s3://costplane-models/out"},
        ResourceConfig={"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 5},
        StoppingCondition={"MaxRuntimeInSeconds": 600},
        Tags=pairs(INITIAL_TAGS),
    )["TrainingJobArn"]
    return _sagemaker(world, "aws.sagemaker.training-job", arn)


def _cluster(world: World) -> Made:
    arn, _ = world.make_cluster(INITIAL_TAGS)
    eks = world.client("eks")
    return Made(
        world.ref("aws.eks.cluster", arn),
        lambda: dict(eks.list_tags_for_resource(resourceArn=arn)["tags"]),
    )


def _nodegroup(world: World) -> Made:
    _, subnets = world.make_cluster({})
    eks = world.client("eks")
    arn = eks.create_nodegroup(
        clusterName="prod",
        nodegroupName="workers",
        subnets=subnets,
        nodeRole=world.role("eks-nodes", "ec2.amazonaws.com"),
        tags=INITIAL_TAGS,
    )["nodegroup"]["nodegroupArn"]
    # moto's ListTagsForResource knows clusters only; DescribeNodegroup carries the tags
    return Made(
        world.ref("aws.eks.nodegroup", arn),
        lambda: dict(
            eks.describe_nodegroup(clusterName="prod", nodegroupName="workers")["nodegroup"]["tags"]
        ),
    )


def _load_balancer(world: World) -> Made:
    elb = world.client("elbv2")
    _, subnets = world.network()
    arn = elb.create_load_balancer(Name="web", Subnets=subnets, Tags=pairs(INITIAL_TAGS))[
        "LoadBalancers"
    ][0]["LoadBalancerArn"]
    return Made(
        world.ref("aws.elbv2.loadbalancer", arn),
        lambda: as_dict(elb.describe_tags(ResourceArns=[arn])["TagDescriptions"][0]["Tags"]),
    )


_FACTORIES: dict[str, Callable[[World], Made]] = {
    "aws.ec2.instance": _instance,
    "aws.ec2.natgateway": _nat_gateway,
    "aws.ec2.volume": _volume,
    "aws.s3.bucket": _bucket,
    "aws.rds.db": _database,
    "aws.lambda.function": _function,
    "aws.sagemaker.endpoint": _endpoint,
    "aws.sagemaker.training-job": _training_job,
    "aws.eks.cluster": _cluster,
    "aws.eks.nodegroup": _nodegroup,
    "aws.elbv2.loadbalancer": _load_balancer,
}


@pytest.fixture(scope="module", autouse=True)
def _fresh_clients() -> Iterator[None]:
    """Adapter clients live for the process; bind each module's to the current server."""
    clients.reset()
    yield
    clients.reset()


@pytest.fixture(scope="session")
def _world_clients() -> dict[str, Any]:
    return {}


@pytest.fixture
def world(aws_env: str, _world_clients: dict[str, Any]) -> World:
    return World(aws_env, _world_clients)


# moto implements EKS TagResource/UntagResource for clusters only, not nodegroups.
UNTAGGABLE_IN_MOTO = {"aws.eks.nodegroup"}


@pytest.fixture(params=sorted(_FACTORIES))
def made(request: pytest.FixtureRequest, world: World) -> Made:
    """One real resource of each supported type, tagged with INITIAL_TAGS."""
    return world.make(request.param)


@pytest.fixture(params=sorted(set(_FACTORIES) - UNTAGGABLE_IN_MOTO))
def taggable(request: pytest.FixtureRequest, world: World) -> Made:
    """Like `made`, for the types whose tags moto lets us change."""
    return world.make(request.param)


@pytest.fixture
def state_tables(world: World) -> tuple[str, str]:
    """The claims and decisions tables, exactly as costplane.adapters.aws.dynamodb documents
    them."""
    db = world.client("dynamodb")
    db.create_table(
        TableName="costplane-claims",
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
    )
    db.update_time_to_live(
        TableName="costplane-claims",
        TimeToLiveSpecification={"Enabled": True, "AttributeName": "expiration"},
    )
    db.create_table(
        TableName="costplane-decisions",
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[
            {"AttributeName": "decision_id", "AttributeType": "S"},
            {"AttributeName": "day", "AttributeType": "S"},
            {"AttributeName": "decided_at", "AttributeType": "S"},
        ],
        KeySchema=[{"AttributeName": "decision_id", "KeyType": "HASH"}],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "by_day",
                "KeySchema": [
                    {"AttributeName": "day", "KeyType": "HASH"},
                    {"AttributeName": "decided_at", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
    )
    return "costplane-claims", "costplane-decisions"
