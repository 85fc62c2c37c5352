"""GcpEnforcer suspends Compute instances and throttles GKE node pools, and resumes both.

Exact request sequences are checked with a Script; repeated and resumed actions, and GKE's
one-operation-at-a-time rule, with the stateful FakeGke.
"""

from __future__ import annotations

import pytest

from costplane.adapters.gcp.capacity import OperationFailed, OperationPending
from costplane.adapters.gcp.enforcer import GcpEnforcer
from costplane.adapters.rest import RestClient, StaticToken
from costplane.domain.decisions import ActionKind
from costplane.engine.undo import NotReversible
from tests.integration.azure_adapters.http_script import TOKEN, Exchange, Script, http
from tests.integration.gcp_adapters.fake_google import FakeInstance
from tests.integration.gcp_adapters.gcp_support import (
    CLUSTER,
    COMPUTE,
    CONTAINER,
    INSTANCE,
    PROJECT,
    compute_operation,
    ref,
)
from tests.integration.gcp_capacity.fake_gke import FakeGke
from tests.support.tagging import FixedClock

FP = "42WmSpB8rSM="
SUSPENDED = "costplane-suspended"
THROTTLED = "costplane-throttled-default-pool"
POOL_ID = f"{CLUSTER}/nodePools/default-pool"
POOL_URL = f"{CONTAINER}/nodePools/default-pool"
OPERATIONS = (
    f"https://container.googleapis.com/v1/projects/{PROJECT}/locations/us-central1/operations"
)
POOL = ref(POOL_ID, "gcp.container.nodepool")
MIGS = [
    f"https://www.googleapis.com/compute/v1/projects/{PROJECT}/zones/us-central1-{zone}"
    f"/instanceGroupManagers/gke-standard-cluster-1-default-pool-{zone}-grp"
    for zone in "ab"
]
AUTOSCALING = {"enabled": True, "minNodeCount": 1, "maxNodeCount": 5, "locationPolicy": "BALANCED"}


def enforcer(handler: Script | FakeGke, sleeps: list[float] | None = None) -> GcpEnforcer:
    client = RestClient(http(handler), StaticToken(TOKEN))
    return GcpEnforcer(client, FixedClock(), sleep=(sleeps if sleeps is not None else []).append)


# Compute instances ---------------------------------------------------------------------------


def status(value: str) -> Exchange:
    return Exchange("GET", f"{COMPUTE}?fields=status", reply={"status": value})


def labels(values: dict[str, str], fingerprint: str = FP) -> Exchange:
    reply = {"labels": values, "labelFingerprint": fingerprint}
    return Exchange("GET", f"{COMPUTE}?fields=labels%2ClabelFingerprint", reply=reply)


def set_labels(values: dict[str, str]) -> Exchange:
    body = {"labels": values, "labelFingerprint": FP}
    return Exchange("POST", f"{COMPUTE}/setLabels", body=body, reply=compute_operation("setLabels"))


def test_suspend_labels_the_instance_with_its_status_then_stops_it() -> None:
    script = Script(
        labels({"team": "payments"}),
        status("RUNNING"),
        labels({"team": "payments"}),
        set_labels({"team": "payments", SUSPENDED: "status-running"}),
        status("RUNNING"),
        Exchange("POST", f"{COMPUTE}/stop", reply=compute_operation("stop")),
    )

    assert enforcer(script).suspend(ref()) == {"status": "running"}
    assert script.done


def test_a_second_suspend_returns_the_label_and_does_not_stop_again() -> None:
    script = Script(labels({SUSPENDED: "status-running"}), status("TERMINATED"))

    assert enforcer(script).suspend(ref()) == {"status": "running"}
    assert script.done


def test_resume_starts_the_instance_then_removes_the_label() -> None:
    script = Script(
        status("TERMINATED"),
        Exchange("POST", f"{COMPUTE}/start", reply=compute_operation("start")),
        labels({"team": "payments", SUSPENDED: "status-running"}),
        set_labels({"team": "payments"}),
    )

    enforcer(script).resume(ref(), ActionKind.SUSPEND, {"status": "running"})

    assert script.done


def test_suspend_and_resume_bring_a_running_instance_back() -> None:
    fake = FakeGke(TOKEN)
    vm = fake.instances[INSTANCE] = FakeInstance(labels={"team": "payments"})
    gcp = enforcer(fake)

    undo = gcp.suspend(ref())
    assert (vm.status, gcp.suspend(ref())) == ("TERMINATED", undo)
    gcp.resume(ref(), ActionKind.SUSPEND, {})

    assert (vm.status, vm.labels, fake.problems) == ("RUNNING", {"team": "payments"}, [])


def test_an_instance_stopped_before_the_suspend_stays_stopped() -> None:
    fake = FakeGke(TOKEN)
    vm = fake.instances[INSTANCE] = FakeInstance(status="TERMINATED")
    gcp = enforcer(fake)

    undo = gcp.suspend(ref())
    gcp.resume(ref(), ActionKind.SUSPEND, undo)

    assert (undo, vm.status, vm.labels, fake.problems) == (
        {"status": "terminated"},
        "TERMINATED",
        {},
        [],
    )


# GKE node pools ------------------------------------------------------------------------------


def cluster_labels(values: dict[str, str]) -> Exchange:
    reply = {"resourceLabels": values, "labelFingerprint": FP}
    return Exchange("GET", f"{CONTAINER}?fields=resourceLabels%2ClabelFingerprint", reply=reply)


def operation(name: str, state: str = "RUNNING", **extra: object) -> dict[str, object]:
    return {"name": name, "status": state, **extra}


def poll(name: str, state: str = "DONE", **extra: object) -> Exchange:
    return Exchange("GET", f"{OPERATIONS}/{name}", reply=operation(name, state, **extra))


def node_pool(autoscaling: dict[str, object]) -> Exchange:
    reply = {"name": "default-pool", "instanceGroupUrls": MIGS, "autoscaling": autoscaling}
    return Exchange("GET", POOL_URL, reply=reply)


def target_sizes(*sizes: int) -> list[Exchange]:
    return [
        Exchange("GET", f"{mig}?fields=targetSize", reply={"targetSize": size})
        for mig, size in zip(MIGS, sizes, strict=True)
    ]


def post(verb: str, body: object, name: str) -> Exchange:
    return Exchange("POST", f"{POOL_URL}:{verb}", body=body, reply=operation(name))


def test_throttle_records_the_pool_then_disables_autoscaling_then_sizes_it_to_zero() -> None:
    record = "nodes-3_autoscaling-on_min-1_max-5_policy-balanced"
    script = Script(
        cluster_labels({"team": "platform"}),
        node_pool(AUTOSCALING),
        *target_sizes(3, 2),
        cluster_labels({"team": "platform"}),
        Exchange(
            "POST",
            f"{CONTAINER}:setResourceLabels",
            body={
                "resourceLabels": {"team": "platform", THROTTLED: record},
                "labelFingerprint": FP,
            },
            reply=operation("operation-1"),
        ),
        poll("operation-1"),
        node_pool(AUTOSCALING),
        post("setAutoscaling", {"autoscaling": {"enabled": False}}, "operation-2"),
        poll("operation-2"),
        *target_sizes(3, 2),
        post("setSize", {"nodeCount": 0}, "operation-3"),
        poll("operation-3"),
    )

    undo = enforcer(script).throttle(POOL)

    assert undo == {
        "nodes": "3",
        "autoscaling": "on",
        "min": "1",
        "max": "5",
        "policy": "balanced",
    }
    assert script.done


def test_resume_sizes_the_pool_back_then_restores_autoscaling_then_drops_the_label() -> None:
    record = "nodes-3_autoscaling-on_min-1_max-5_policy-balanced"
    script = Script(
        post("setSize", {"nodeCount": 3}, "operation-4"),
        poll("operation-4"),
        post("setAutoscaling", {"autoscaling": AUTOSCALING}, "operation-5"),
        poll("operation-5"),
        cluster_labels({"team": "platform", THROTTLED: record}),
        Exchange(
            "POST",
            f"{CONTAINER}:setResourceLabels",
            body={"resourceLabels": {"team": "platform"}, "labelFingerprint": FP},
            reply=operation("operation-6", "DONE"),
        ),
    )

    enforcer(script).resume(
        POOL,
        ActionKind.THROTTLE,
        {"nodes": "3", "autoscaling": "on", "min": "1", "max": "5", "policy": "balanced"},
    )

    assert script.done


def test_a_pool_without_autoscaling_is_only_sized_to_zero_and_back() -> None:
    fake = FakeGke(TOKEN)
    fake.add_pool(CLUSTER, "default-pool", nodes=2)
    gcp = enforcer(fake)

    undo = gcp.throttle(POOL)
    emptied = fake.pool_sizes(CLUSTER, "default-pool")
    gcp.resume(POOL, ActionKind.THROTTLE, undo)

    assert (undo, emptied, fake.problems) == ({"nodes": "2"}, [0, 0], [])
    assert fake.pool_sizes(CLUSTER, "default-pool") == [2, 2]
    assert fake.clusters[CLUSTER].labels == {}


def test_a_second_throttle_keeps_the_recorded_size_and_changes_nothing() -> None:
    fake = FakeGke(TOKEN)
    pool = fake.add_pool(CLUSTER, "default-pool", nodes=3, **AUTOSCALING)
    gcp = enforcer(fake)
    first = gcp.throttle(POOL)
    changes = len(fake.operations)

    assert gcp.throttle(POOL) == first
    assert (len(fake.operations), pool.autoscaling) == (changes, {})
    assert fake.pool_sizes(CLUSTER, "default-pool") == [0, 0]


def test_resume_without_the_audit_log_restores_size_and_autoscaling_from_the_label() -> None:
    fake = FakeGke(TOKEN)
    pool = fake.add_pool(CLUSTER, "default-pool", nodes=3, **AUTOSCALING)
    gcp = enforcer(fake)
    gcp.throttle(POOL)

    gcp.resume(POOL, ActionKind.THROTTLE, {})

    assert (pool.autoscaling, fake.pool_sizes(CLUSTER, "default-pool")) == (AUTOSCALING, [3, 3])
    assert (fake.clusters[CLUSTER].labels, fake.problems) == ({}, [])


def test_each_change_waits_for_the_clusters_running_operation() -> None:
    fake = FakeGke(TOKEN, polls_to_done=3)
    fake.add_pool(CLUSTER, "default-pool", nodes=3, **AUTOSCALING)
    sleeps: list[float] = []

    enforcer(fake, sleeps).throttle(POOL)

    assert fake.problems == []
    assert sleeps == [2.0] * 9  # three polls for each of three operations


def test_a_failed_operation_fails_the_throttle() -> None:
    script = Script(
        cluster_labels({THROTTLED: "nodes-3"}),
        node_pool(AUTOSCALING),
        post("setAutoscaling", {"autoscaling": {"enabled": False}}, "operation-7"),
        poll("operation-7", error={"code": 9, "message": "node pool is being upgraded"}),
    )

    with pytest.raises(OperationFailed, match=r"operation-7 failed: .*being upgraded"):
        enforcer(script).throttle(POOL)


def test_an_operation_that_outlasts_the_wait_leaves_the_throttle_to_a_retry() -> None:
    script = Script(
        cluster_labels({THROTTLED: "nodes-3"}),
        node_pool(AUTOSCALING),
        post("setAutoscaling", {"autoscaling": {"enabled": False}}, "operation-8"),
        *[poll("operation-8", "RUNNING") for _ in range(45)],
    )
    sleeps: list[float] = []

    with pytest.raises(OperationPending, match="operation-8 still RUNNING after 45 polls"):
        enforcer(script, sleeps).throttle(POOL)
    assert sum(sleeps) == 90.0


@pytest.mark.parametrize(
    ("act", "target"),
    [("decommission", ref()), ("throttle", ref()), ("suspend", POOL)],
)
def test_actions_without_a_gcp_meaning_are_refused_before_any_request(
    act: str, target: object
) -> None:
    with pytest.raises(NotReversible, match=f"cannot {act}"):
        getattr(enforcer(Script()), act)(target)


@pytest.mark.parametrize(
    ("kind", "resource_type", "supported"),
    [
        (ActionKind.SUSPEND, "gcp.compute.instance", True),
        (ActionKind.THROTTLE, "gcp.container.nodepool", True),
        (ActionKind.THROTTLE, "gcp.container.cluster", False),
        (ActionKind.DECOMMISSION, "gcp.compute.instance", False),
        (ActionKind.TAG, "gcp.container.nodepool", False),
        (ActionKind.REQUEST_APPROVAL, "gcp.compute.instance", True),
    ],
)
def test_supports_suspend_for_instances_and_throttle_for_node_pools(
    kind: ActionKind, resource_type: str, supported: bool
) -> None:
    assert enforcer(Script()).supports(kind, resource_type) is supported
