"""The state store in DynamoDB: claims are exclusive until released or expired; decisions read
back."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest

from costplane.adapters.aws.dynamodb import TTL_ATTRIBUTE, DynamoDbRecords
from costplane.adapters.state_records import RecordStateStore
from costplane.domain.decisions import Decision, Outcome


class FakeClock:
    def __init__(self, now: datetime) -> None:
        self.current = now

    def now(self) -> datetime:
        return self.current


@pytest.fixture
def clock():
    return FakeClock(datetime(2026, 11, 27, 9, 30, tzinfo=UTC))


@pytest.fixture
def store(state_tables, clock):
    return dynamodb_state(*state_tables, clock)


def dynamodb_state(
    claims: str, decisions: str, clock: FakeClock, lookback_days: int = 7
) -> RecordStateStore:
    return RecordStateStore(
        DynamoDbRecords(claims, expiry_attr=TTL_ATTRIBUTE),
        DynamoDbRecords(decisions, lookback_days=lookback_days),
        clock,
    )


def decision(n: int, at: datetime) -> Decision:
    return Decision(
        decision_id=f"d{n}",
        policy="tagging",
        resource_id=f"i-{n:017x}",
        outcome=Outcome.VIOLATION,
        decided_at=at,
    )


def test_a_second_claim_of_the_same_key_fails(store):
    assert store.claim("aws:evt-1:i-1", 3600) is True
    assert store.claim("aws:evt-1:i-1", 3600) is False


def test_claims_of_different_keys_are_independent(store):
    assert store.claim("aws:evt-1:i-1", 3600) is True
    assert store.claim("aws:evt-1:i-2", 3600) is True


def test_a_released_claim_can_be_claimed_again(store):
    store.claim("aws:evt-1:i-1", 3600)

    store.release("aws:evt-1:i-1")

    assert store.claim("aws:evt-1:i-1", 3600) is True


def test_an_expired_claim_can_be_claimed_again(store, clock):
    store.claim("aws:evt-1:i-1", 60)
    clock.current += timedelta(seconds=59)
    assert store.claim("aws:evt-1:i-1", 60) is False

    clock.current += timedelta(seconds=2)

    assert store.claim("aws:evt-1:i-1", 60) is True


def test_a_claim_carries_its_expiry_as_the_ttl_attribute(store, clock, world, state_tables):
    store.claim("aws:evt-1:i-1", 600)

    item = world.client("dynamodb").get_item(
        TableName=state_tables[0], Key={"id": {"S": "aws:evt-1:i-1"}}
    )["Item"]
    assert int(item["expiration"]["N"]) == int(clock.now().timestamp()) + 600


def test_concurrent_claims_of_one_key_have_exactly_one_winner(store):
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda _: store.claim("aws:evt-1:i-1", 3600), range(8)))

    assert results.count(True) == 1


def test_appended_decisions_read_back_oldest_first_up_to_the_limit(store, clock):
    for n in range(5):
        store.append_decision(decision(n, clock.now() - timedelta(minutes=5 - n)))

    recent = store.recent_decisions(3)

    assert [d.decision_id for d in recent] == ["d2", "d3", "d4"]
    assert recent[-1] == decision(4, clock.now() - timedelta(minutes=1))


def test_recent_decisions_reach_back_over_earlier_days(store, clock):
    store.append_decision(decision(1, clock.now() - timedelta(days=2)))
    store.append_decision(decision(2, clock.now() - timedelta(days=1)))
    store.append_decision(decision(3, clock.now()))

    assert [d.decision_id for d in store.recent_decisions(10)] == ["d1", "d2", "d3"]


def test_recent_decisions_stop_at_the_lookback_window(state_tables, clock):
    claims, decisions = state_tables
    store = dynamodb_state(claims, decisions, clock, lookback_days=2)
    store.append_decision(decision(1, clock.now() - timedelta(days=2)))
    store.append_decision(decision(2, clock.now() - timedelta(days=1)))

    assert [d.decision_id for d in store.recent_decisions(10)] == ["d2"]


def test_a_decision_item_carries_its_day_partition_and_sortable_time(store, world, state_tables):
    at = datetime(2026, 11, 27, 23, 59, 59, 5, tzinfo=UTC)
    store.append_decision(decision(7, at))

    item = world.client("dynamodb").get_item(
        TableName=state_tables[1], Key={"decision_id": {"S": "d7"}}
    )["Item"]
    assert item["day"] == {"S": "2026-11-27"}
    assert item["decided_at"] == {"S": "2026-11-27T23:59:59.000005+00:00"}
    assert item["outcome"] == {"S": "violation"}
    assert Decision.model_validate_json(item["body"]["S"]) == decision(7, at)


def test_a_claim_key_beyond_dynamodbs_key_limit_is_claimed_once_and_released(store):
    key = "tagging:aws:evt-1:arn:aws:s3:::" + "b" * 3000
    assert store.claim(key, 3600) is True
    assert store.claim(key, 3600) is False
    store.release(key)
    assert store.claim(key, 3600) is True


def test_a_decision_larger_than_a_dynamodb_item_is_stored_summarised(store, clock):
    huge = decision(1, clock.now()).model_copy(
        update={"reason": "r" * 500_000, "tags": {f"k{i}": "v" * 200 for i in range(3000)}}
    )
    store.append_decision(huge)
    [stored] = store.recent_decisions(1)
    assert stored.decision_id == huge.decision_id
    assert stored.reason.endswith("bytes]")
    assert len(stored.reason) < 2_000
    assert len(stored.tags) == 50
