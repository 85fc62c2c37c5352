"""Mutants of the real events in events/: what a fuzzer sends an event function.

Each mutant is one real payload (its documentation placeholders filled, so that the unmutated
payload reaches a decision) with one change at one place in it: truncated, a value of another
type, an extreme date, nesting ~990 levels deep, a huge string, invalid Unicode (a lone
surrogate, bytes that are not UTF-8) or an identity out of its provider's format (a path, a NUL
byte, a float account, a blank event id). `mutate` is a plain function of a seeded
`random.Random`, so the property tests (hypothesis draws the seed) and the bench
(`python -m tests.bench bench_mutants`) make the same mutants.
"""

from __future__ import annotations

import base64
import copy
import json
import os
import random
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

import orjson
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st

from tests.conftest import EVENTS
from tests.support.placeholders import filled

KINDS = (
    "truncate",
    "type_swap",
    "extreme_date",
    "deep_nesting",
    "huge_string",
    "invalid_unicode",
    "identity",
)
CLOUDS = ("aws", "azure", "gcp")
EXAMPLES = int(os.environ.get("COSTPLANE_MUTANTS", "40"))
"""Mutants per target: a few dozen in `make test`, as many as asked in the bench."""
DECISION, REJECTION, RETRIED, ESCAPED = "decision", "rejection", "retried", "escaped"
ACKNOWLEDGED = "acknowledged"
"""An SQS record the batch answer does not list: decided or rejected, and audited."""
COUNTING = "COSTPLANE_MUTANTS" in os.environ
"""The bench counts each mutant once: a failure is reported as found, not shrunk."""
TALLY: defaultdict[str, Counter[str]] = defaultdict(Counter)
"""What each target made of its mutants, read by the bench after the tests ran."""
DEPTH = 990
_DEEP = "__costplane_deep__"
_BAD_UTF8 = "__costplane_bad_utf8__"
_DATE = re.compile(r"^\d{4}-\d\d-\d\d")
_SWAPS: tuple[Any, ...] = (0, -1, 1.5, 1e308, 123456789012.0, True, None, [], {}, "", "x")
_DATES = (
    "9999-12-31T23:59:59Z",
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59-14:00",
    "1970-01-01T00:00:00Z",
    "2026-02-30T00:00:00Z",
    "10000-01-01T00:00:00Z",
)
_HUGE = (300_000, 2_000_000)
_UNICODE = ("\ud800", "a\udfffb", "\x00", "\ufffe", _BAD_UTF8)
_IDENTITY_KEYS = {
    "awsRegion",
    "region",
    "recipientAccountId",
    "account",
    "accountId",
    "eventID",
    "id",
    "instanceId",
    "natGatewayId",
    "bucketName",
    "subscriptionId",
    "resourceUri",
    "project_id",
    "zone",
    "insertId",
    "resourceName",
}
_IDENTITIES: tuple[Any, ...] = (
    "../../etc/passwd",
    "us-east-1\x00",
    " ",
    "x" * 100_000,
    123456789012.0,
    "{subscription-id}",
)


@dataclass(frozen=True)
class Seed:
    cloud: str
    name: str
    document: Any


@dataclass(frozen=True)
class Mutant:
    """One mutated payload: `document` as a bound trigger or Lambda hands it over (None when
    the mutant is raw bytes only: truncated, or not UTF-8), `raw` as an HTTP body carries it."""

    seed: str
    kind: str
    where: str
    document: Any
    raw: bytes


def seeds(cloud: str) -> list[Seed]:
    """The real payloads of `cloud` in events/, placeholders filled."""
    return [
        Seed(cloud, path.name, orjson.loads(filled(path.read_text())))
        for path in sorted((EVENTS / cloud).glob("*.json"))
    ]


def mutate(seed: Seed, kind: str, rng: random.Random) -> Mutant:
    """`seed` with one change of `kind` at a place `rng` picks."""
    document = copy.deepcopy(seed.document)
    if kind == "truncate":
        raw = orjson.dumps(document)
        cut = rng.randrange(len(raw))
        return Mutant(seed.name, kind, f"byte {cut}", None, raw[:cut])
    path = _pick(document, kind, rng)
    value = _value(kind, _at(document, path), rng)
    document = _set(document, path, value)
    where = "/".join(str(p) for p in path) or "(root)"
    raw = _raw(document)
    live = None if _BAD_UTF8 in json.dumps(document) else _live(document)
    return Mutant(seed.name, kind, where, live, raw)


def strategy(cloud: str | None = None) -> st.SearchStrategy[Mutant]:
    """Mutants of every cloud's seeds, or of `cloud`'s."""
    pool = [s for c in ([cloud] if cloud else CLOUDS) for s in seeds(c)]
    return st.builds(
        mutate, st.sampled_from(pool), st.sampled_from(KINDS), st.randoms(use_true_random=False)
    )


def fuzzing(share: int = 1) -> settings:
    """Bounded and reproducible: a fixed number of mutants, the same ones on every run; a test
    that takes `share` mutants per example runs that many times fewer examples."""
    return settings(
        max_examples=max(1, EXAMPLES // share),
        deadline=None,
        derandomize=True,
        database=None,
        phases=(Phase.generate,) if COUNTING else tuple(Phase),
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


def tally(target: str, outcomes: list[str]) -> None:
    """Count one mutant's outcomes at `target`, and say which ones break the contract."""
    TALLY[target]["mutants"] += 1
    TALLY[target].update(outcomes)
    assert outcomes, "a mutant yielded neither a decision nor a rejection"
    assert RETRIED not in outcomes, "a mutant was answered so that it is delivered again"
    assert ESCAPED not in outcomes, "an exception escaped the per-event boundary"


def outcome_of(decision: dict[str, Any]) -> str:
    """A decision's JSON: a rejection carries its stable code, a decision an outcome."""
    if decision.get("rejection"):
        return REJECTION
    return DECISION if decision.get("outcome") else ESCAPED


def answered(status: int, body: dict[str, Any]) -> list[str]:
    """An HTTP delivery's answer: 200 with decisions (or a subscription handshake answered),
    400 with the code of a body that is not JSON; another status is a redelivery."""
    if status == 400:
        return [REJECTION] if body.get("error") else [ESCAPED]
    if status != 200:
        return [RETRIED] if "decisions" in body else [ESCAPED]
    if "validationResponse" in body:
        return [DECISION]
    return [outcome_of(decision) for decision in body.get("decisions", [])]


def pubsub_push(inner: bytes, message_id: str = "5467216392981512") -> bytes:
    """`inner` as the data of a Pub/Sub push delivery."""
    message = {"data": base64.b64encode(inner).decode(), "messageId": message_id}
    return orjson.dumps({"message": message, "subscription": "projects/p/subscriptions/s"})


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(node, dict):
        for key, child in node.items():
            found.extend(_paths(child, (*prefix, key)))
    elif isinstance(node, list):
        for index, child in enumerate(node):
            found.extend(_paths(child, (*prefix, index)))
    return found


def _pick(document: Any, kind: str, rng: random.Random) -> tuple[Any, ...]:
    paths = _paths(document)
    preferred = {
        "extreme_date": [p for p in paths if _date(_at(document, p))],
        "identity": [p for p in paths if p and p[-1] in _IDENTITY_KEYS],
    }.get(kind) or paths
    return rng.choice(preferred)


def _date(value: Any) -> bool:
    return isinstance(value, str) and _DATE.match(value) is not None


def _value(kind: str, current: Any, rng: random.Random) -> Any:
    if kind == "type_swap":
        return rng.choice([v for v in _SWAPS if type(v) is not type(current)])
    if kind == "extreme_date":
        return rng.choice(_DATES)
    if kind == "deep_nesting":
        return _DEEP
    if kind == "huge_string":
        return "A" * rng.choice(_HUGE)
    if kind == "invalid_unicode":
        text = current if isinstance(current, str) else "x"
        return text + rng.choice(_UNICODE)
    return rng.choice(_IDENTITIES)


def _at(document: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        document = document[step]
    return document


def _set(document: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    _at(document, path[:-1])[path[-1]] = value
    return document


def _raw(document: Any) -> bytes:
    """JSON as a sender would write it: surrogates escaped, the deep value spelled out."""
    text = json.dumps(document)
    text = text.replace(json.dumps(_DEEP), "[" * DEPTH + "1" + "]" * DEPTH)
    raw = text.encode()
    return raw.replace(_BAD_UTF8.encode(), b"\xff\xfe")


def _live(document: Any) -> Any:
    """The document as a runtime hands it over: the deep value as nested lists."""
    if document == _DEEP:
        deep: Any = 1
        for _ in range(DEPTH):
            deep = [deep]
        return deep
    if isinstance(document, dict):
        return {key: _live(value) for key, value in document.items()}
    if isinstance(document, list):
        return [_live(value) for value in document]
    return document
