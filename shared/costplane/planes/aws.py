"""The AWS plane: boto3 ports, DynamoDB state, budgets and approvals, SNS notifications,
CloudWatch EMF metrics, S3 bill exports. Its tables are required only here (AwsSettings)."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from costplane.adapters.aws.dynamodb import TTL_ATTRIBUTE, DynamoDbRecords
from costplane.adapters.aws.enforcer import AwsEnforcer
from costplane.adapters.aws.inventory import AwsInventory
from costplane.adapters.aws.notify import SnsNotifier
from costplane.adapters.local.plane import CounterMetrics, LogNotifier, SystemClock
from costplane.adapters.state_records import RecordStateStore
from costplane.config import AdminKeys, AiPullSettings, AwsSettings, SweepSettings, admin_keys_from
from costplane.domain.events import Provider
from costplane.engine.ports import Metrics, Notifier, ProviderPorts
from costplane.planes import envelopes
from costplane.planes.ai_vendors import ai_vendor_ports
from costplane.planes.base import Plane, Runtime

if TYPE_CHECKING:
    from costplane.adapters.records import Records
    from costplane.ai.ports import AdmissionLedger
    from costplane.approvals.ports import ApprovalStore
    from costplane.billing.ingest import ObjectStore
    from costplane.billing.pull import ObjectWriter
    from costplane.planes.base import BudgetStores
    from costplane.tagging.ports import MarkFinder


class AwsPlane(Plane):
    name = "aws"
    envelopes = (envelopes.aws,)

    @cached_property
    def aws(self) -> AwsSettings:
        return AwsSettings()

    def build_runtime(self) -> Runtime:
        aws = self.aws
        if aws.claims_table is None or aws.decisions_table is None:
            raise ValueError(
                "COSTPLANE_CLAIMS_TABLE and COSTPLANE_DECISIONS_TABLE are required on the AWS plane"
            )
        clock = SystemClock()
        notifier: Notifier = SnsNotifier(aws.topic_arn) if aws.topic_arn else LogNotifier()
        metrics: Metrics = CounterMetrics()
        if aws.emf_metrics:
            from costplane.adapters.aws.metrics import EmfMetrics

            metrics = EmfMetrics(aws.metrics_namespace)
        return Runtime(
            ports={
                Provider.AWS: ProviderPorts(inventory=AwsInventory(), enforcer=AwsEnforcer()),
                **ai_vendor_ports(self),
            },
            state=RecordStateStore(
                DynamoDbRecords(aws.claims_table, expiry_attr=TTL_ATTRIBUTE),
                DynamoDbRecords(aws.decisions_table),
                clock,
            ),
            notifier=notifier,
            metrics=metrics,
            clock=clock,
        )

    def mark_finder(self, tag: str) -> MarkFinder:
        from costplane.adapters.aws.marked import AwsMarkedResources

        return AwsMarkedResources(tag, SweepSettings().regions)

    def claim_records(self) -> Records:
        table = self.aws.claims_table
        if table is None:
            raise ValueError("COSTPLANE_CLAIMS_TABLE is required on the AWS plane")
        return DynamoDbRecords(table, expiry_attr=TTL_ATTRIBUTE)

    def admission_ledger(self) -> AdmissionLedger:
        table = self.aws.admission_table
        if not table:  # a file per Lambda instance would let each instance spend the budget
            raise ValueError("COSTPLANE_ADMISSION_TABLE is required for admission on the AWS plane")
        from costplane.adapters.aws.admission_ledger import DynamoDbAdmissionLedger

        return DynamoDbAdmissionLedger(table)

    def budget_stores(self) -> BudgetStores:
        table = self.aws.budgets_table
        if not table:
            return self.sqlite_budget_stores()
        from costplane.adapters.budget_records import RecordBudgetState

        state = RecordBudgetState(DynamoDbRecords(table, kinds=True))
        return state, state, state

    def approval_store(self) -> ApprovalStore:
        from costplane.adapters.approval_records import RecordApprovalStore

        table = self.chat.approvals_table
        if table is None:
            raise ValueError("COSTPLANE_APPROVALS_TABLE is required on the AWS plane")
        return RecordApprovalStore(DynamoDbRecords(table))

    def object_store(self) -> ObjectStore:
        from costplane.adapters.aws.objects import S3Objects

        return S3Objects()

    def object_writer(self) -> ObjectWriter:
        from costplane.adapters.aws.pulls import S3Writer

        return S3Writer()

    def ai_admin_keys(self, pulls: AiPullSettings) -> AdminKeys:
        """Read from Secrets Manager on each run (COSTPLANE_AI_ADMIN_KEYS_SECRET), so a rotated
        key is used at once and none sits in the function's configuration."""
        if pulls.admin_keys_secret is None:
            return super().ai_admin_keys(pulls)
        from costplane.adapters.aws.pulls import secret_string

        return admin_keys_from(secret_string(pulls.admin_keys_secret))
