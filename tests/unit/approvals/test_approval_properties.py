"""Properties of the callback endpoints: whatever a forger changes — a byte of the body, the
timestamp, the secret, the approver, a claim of the token, its algorithm — the callback is
refused with 401 or 403 and nothing acts (the store, the audit log, resume and replies are
unchanged)."""

from __future__ import annotations

import base64

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from costplane.approvals.slack_callback import REPLAY_WINDOW_SECONDS
from costplane.approvals.teams_callback import CLOCK_SKEW_SECONDS
from tests.support.tagging import NOW
from tests.unit.approvals.approvals_support import (
    APP_ID,
    KID,
    SERVICE_URL,
    SLACK_APPROVER,
    SLACK_SECRET,
    TEAMS_APPROVER,
    Harness,
    bot_token,
    claims,
    rsa_key,
    slack_body,
    slack_click,
    slack_headers,
    teams_headers,
    teams_invoke,
)

AT = int(NOW.timestamp())
APPROVERS = {SLACK_APPROVER, TEAMS_APPROVER}
SIGNED_BODY = slack_body(slack_click(Harness().seed()))
rsa_key()  # generated once, before any example runs

nothing_acts = settings(deadline=None, max_examples=150)


def slack_refusal(body: bytes, headers: dict[str, str]) -> int:
    """Send a Slack callback for a freshly seeded request; assert nothing acted; the status."""
    harness = Harness()
    harness.seed()
    before = harness.snapshot()
    status = harness.callbacks.slack(headers, body).status
    assert harness.snapshot() == before
    return status


def teams_refusal(activity: dict, token: str) -> int:
    harness = Harness()
    harness.seed(channel="teams")
    before = harness.snapshot()
    status = harness.callbacks.teams(teams_headers(token), orjson.dumps(activity)).status
    assert harness.snapshot() == before
    return status


def test_the_unchanged_callbacks_are_accepted_so_each_refusal_below_is_the_change():
    harness = Harness()
    slack_request = harness.seed()
    teams_request = harness.seed(request_id="req-2", channel="teams")
    body = slack_body(slack_click(slack_request))
    activity = orjson.dumps(teams_invoke(teams_request))

    assert body == SIGNED_BODY
    assert harness.callbacks.slack(slack_headers(body), body).status == 200
    assert harness.callbacks.teams(teams_headers(bot_token()), activity).status == 200


@st.composite
def mutations(draw: st.DrawFn, body: bytes) -> bytes:
    """`body` with one byte flipped, inserted or deleted, or cut short, or extended."""
    at = draw(st.integers(0, len(body) - 1))
    kind = draw(st.sampled_from(["flip", "insert", "delete", "truncate", "append"]))
    if kind == "flip":
        return body[:at] + bytes([body[at] ^ draw(st.integers(1, 255))]) + body[at + 1 :]
    if kind == "insert":
        return body[:at] + draw(st.binary(min_size=1, max_size=8)) + body[at:]
    if kind == "delete":
        return body[:at] + body[at + 1 :]
    if kind == "truncate":
        return body[:at]
    return body + draw(st.binary(min_size=1, max_size=64))


@nothing_acts
@given(mutations(SIGNED_BODY))
def test_any_change_to_a_signed_slack_body_is_refused(mutated):
    assert slack_refusal(mutated, slack_headers(SIGNED_BODY)) == 401


@nothing_acts
@given(
    st.one_of(
        st.integers(-(10**9), -REPLAY_WINDOW_SECONDS - 1),
        st.integers(REPLAY_WINDOW_SECONDS + 1, 10**9),
    )
)
def test_a_slack_timestamp_outside_the_window_is_refused_even_when_signed(skew):
    assert slack_refusal(SIGNED_BODY, slack_headers(SIGNED_BODY, AT + skew)) == 401


@nothing_acts
@given(st.binary(min_size=0, max_size=64).filter(lambda secret: secret != SLACK_SECRET))
def test_a_slack_signature_made_with_any_other_secret_is_refused(secret):
    assert slack_refusal(SIGNED_BODY, slack_headers(SIGNED_BODY, secret=secret)) == 401


@nothing_acts
@given(st.text(min_size=1, max_size=40).filter(lambda user: user not in APPROVERS))
def test_a_signed_slack_click_by_anyone_not_an_approver_is_forbidden(user):
    harness = Harness()
    body = slack_body(slack_click(harness.seed(), user=user))
    assert slack_refusal(body, slack_headers(body)) == 403


@nothing_acts
@given(st.text(min_size=1, max_size=40).filter(lambda user: user not in APPROVERS))
def test_a_signed_teams_press_by_anyone_not_an_approver_is_forbidden(user):
    activity = teams_invoke(Harness().seed(channel="teams"), user=user)
    assert teams_refusal(activity, bot_token()) == 403


TAMPERED_CLAIMS = st.one_of(
    st.tuples(st.just("aud"), st.text(max_size=40).filter(lambda v: v != APP_ID)),
    st.tuples(
        st.just("iss"), st.text(max_size=40).filter(lambda v: v != "https://api.botframework.com")
    ),
    st.tuples(st.just("serviceurl"), st.text(max_size=60).filter(lambda v: v != SERVICE_URL)),
    st.tuples(st.just("exp"), st.integers(0, AT - CLOCK_SKEW_SECONDS - 1)),
    st.tuples(st.just("nbf"), st.integers(AT + CLOCK_SKEW_SECONDS + 1, 2**40)),
)


@nothing_acts
@given(TAMPERED_CLAIMS)
def test_a_token_with_any_wrong_claim_is_refused_even_when_signed_by_a_trusted_key(claim):
    name, value = claim
    activity = teams_invoke(Harness().seed(channel="teams"))
    assert teams_refusal(activity, bot_token(claims(**{name: value}))) == 401


@nothing_acts
@given(TAMPERED_CLAIMS)
def test_a_token_whose_claims_were_edited_after_signing_is_refused(claim):
    name, value = claim
    header, _, signature = bot_token().split(".")
    edited = base64.urlsafe_b64encode(orjson.dumps(claims(**{name: value}))).rstrip(b"=")
    activity = teams_invoke(Harness().seed(channel="teams"))
    assert teams_refusal(activity, f"{header}.{edited.decode()}.{signature}") == 401


@nothing_acts
@given(
    st.one_of(
        st.sampled_from(["none", "None", "HS256", "HS384", "HS512", "RS384", "RS512", "PS256"]),
        st.text(max_size=10).filter(lambda alg: alg != "RS256"),
    )
)
def test_a_token_claiming_any_algorithm_but_rs256_is_refused(alg):
    header = {"alg": alg, "typ": "JWT", "kid": KID}
    _, payload, signature = bot_token().split(".")
    forged = base64.urlsafe_b64encode(orjson.dumps(header)).rstrip(b"=").decode()
    activity = teams_invoke(Harness().seed(channel="teams"))
    assert teams_refusal(activity, f"{forged}.{payload}.{signature}") == 401
