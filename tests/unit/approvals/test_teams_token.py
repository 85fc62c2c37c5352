"""Bot Connector tokens: RS256 against the configured JWKS, the Bot Framework issuer, our app
id as audience, exp/nbf within five minutes of skew, the key endorsed for the channel, and the
activity's serviceUrl equal to the token's serviceurl claim."""

from __future__ import annotations

import base64
import hashlib
import hmac

import orjson
import pytest
from cryptography.hazmat.primitives import serialization

from costplane.approvals.errors import CallbackRejected
from costplane.approvals.teams_callback import (
    StaticKeys,
    TeamsClick,
    TokenVerifier,
    parse_click,
    signing_keys,
)
from tests.support.tagging import NOW
from tests.unit.approvals.approvals_support import (
    APP_ID,
    KID,
    SERVICE_URL,
    TEAMS_APPROVER,
    bot_token,
    claims,
    event,
    jwks,
    other_rsa_key,
    pending_request,
    rsa_key,
    teams_invoke,
)

INVOKE = orjson.dumps(teams_invoke(pending_request("req-9")))
AT = NOW.timestamp()


def verifier(document=None) -> TokenVerifier:
    return TokenVerifier(APP_ID, StaticKeys(document or jwks()))


def refusal(token: str | None, body: bytes = INVOKE, now: float = AT, **kwargs) -> CallbackRejected:
    header = None if token is None else f"Bearer {token}"
    with pytest.raises(CallbackRejected) as caught:
        verifier(**kwargs).verify(header, body, now)
    assert caught.value.status == 401
    return caught.value


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def unsigned(header: dict, payload: dict) -> str:
    """A JWT assembled by hand, as a forger would, with an empty signature."""
    return f"{b64(orjson.dumps(header))}.{b64(orjson.dumps(payload))}."


def test_a_token_signed_with_a_trusted_key_vouches_for_the_activity():
    activity = verifier().verify(f"Bearer {bot_token()}", INVOKE, AT)
    assert activity["serviceUrl"] == SERVICE_URL


def test_the_scheme_is_case_insensitive():
    verifier().verify(f"bearer {bot_token()}", INVOKE, AT)


@pytest.mark.parametrize("header", [None, "", "Basic dXNlcjpwYXNz", "Bearer", "Bearer "])
def test_a_request_without_a_bearer_token_is_refused(header):
    with pytest.raises(CallbackRejected) as caught:
        verifier().verify(header, INVOKE, AT)
    assert (caught.value.status, caught.value.code) == (401, "missing_token")


def test_an_unsigned_token_alg_none_is_refused():
    token = unsigned({"alg": "none", "typ": "JWT", "kid": KID}, claims())
    assert refusal(token).code == "algorithm_not_allowed"


def test_an_hs256_token_keyed_with_the_public_key_is_refused():
    """The key-confusion attack: HMAC keyed with the (public) RSA key."""
    public_pem = (
        rsa_key()
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    signing_input = unsigned({"alg": "HS256", "typ": "JWT", "kid": KID}, claims())[:-1]
    mac = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()
    assert refusal(f"{signing_input}.{b64(mac)}").code == "algorithm_not_allowed"


def test_a_header_claiming_rs256_over_an_empty_signature_is_refused():
    token = unsigned({"alg": "RS256", "typ": "JWT", "kid": KID}, claims())
    assert refusal(token).code == "bad_signature"


def test_a_token_signed_by_another_key_under_our_key_id_is_refused():
    assert refusal(bot_token(key=other_rsa_key())).code == "bad_signature"


def test_a_token_whose_claims_were_edited_after_signing_is_refused():
    header, _, signature = bot_token().split(".")
    edited = base64.urlsafe_b64encode(orjson.dumps(claims(aud="another-bot"))).rstrip(b"=")
    assert refusal(f"{header}.{edited.decode()}.{signature}").code == "bad_signature"


def test_a_key_id_missing_from_the_jwks_is_refused():
    assert refusal(bot_token(kid="rotated-out")).code == "unknown_key"


def test_a_token_for_another_bot_is_refused():
    assert refusal(bot_token(claims(aud="another-bot"))).code == "wrong_audience"


def test_a_token_from_another_issuer_is_refused():
    token = bot_token(claims(iss="https://sts.windows.net/72f988bf/"))
    assert refusal(token).code == "wrong_issuer"


@pytest.mark.parametrize("claim", ["exp", "nbf", "serviceurl", "iss", "aud"])
def test_a_token_missing_a_required_claim_is_refused(claim):
    payload = claims()
    del payload[claim]
    assert refusal(bot_token(payload)).code == "missing_claim"


def test_a_token_expired_within_the_clock_skew_is_accepted():
    token = bot_token(claims(exp=int(AT) - 299))
    verifier().verify(f"Bearer {token}", INVOKE, AT)


def test_a_token_expired_beyond_the_clock_skew_is_refused():
    assert refusal(bot_token(claims(exp=int(AT) - 301))).code == "token_expired"


def test_a_token_not_valid_yet_beyond_the_clock_skew_is_refused():
    token = bot_token(claims(nbf=int(AT) + 301))
    assert refusal(token).code == "token_not_yet_valid"


def test_a_token_with_a_non_numeric_expiry_is_refused():
    assert refusal(bot_token(claims(exp="tomorrow"))).code == "bad_claim"


def test_an_activity_whose_service_url_is_not_the_tokens_is_refused():
    activity = teams_invoke(pending_request())
    activity["serviceUrl"] = "https://attacker.example/"
    assert refusal(bot_token(), body=orjson.dumps(activity)).code == "service_url_mismatch"


def test_a_key_not_endorsed_for_the_activitys_channel_is_refused():
    refused = refusal(bot_token(), document=jwks(endorsements=("skype",)))
    assert refused.code == "channel_not_endorsed"


def test_a_key_without_endorsements_signs_for_any_channel():
    document = jwks()
    del document["keys"][0]["endorsements"]
    verifier(document).verify(f"Bearer {bot_token()}", INVOKE, AT)


def test_garbage_instead_of_a_jwt_is_refused():
    assert refusal("not.a.jwt").code == "malformed_token"


def test_a_verified_token_over_a_body_that_is_not_json_is_malformed():
    with pytest.raises(CallbackRejected) as caught:
        verifier().verify(f"Bearer {bot_token()}", b"{not json", AT)
    assert (caught.value.status, caught.value.code) == (400, "malformed_json")


def test_jwks_entries_that_are_not_rsa_signing_keys_are_skipped():
    document = jwks()
    document["keys"] += [
        {"kty": "EC", "kid": "ec", "crv": "P-256", "x": "AA", "y": "AA"},
        {**document["keys"][0], "kid": "enc", "use": "enc"},
        {"kty": "RSA", "kid": "broken", "n": "!!", "e": "AQAB"},
        "not a key",
    ]
    assert set(signing_keys(document)) == {KID}


def test_a_press_of_our_cards_button_names_the_request_verdict_and_user():
    activity = teams_invoke(pending_request("req-9"), "deny")

    assert parse_click(activity) == TeamsClick(
        request_id="req-9",
        verdict="deny",
        user=TEAMS_APPROVER,
        service_url=SERVICE_URL,
        conversation_id=activity["conversation"]["id"],
        activity_id="1767765488332",
    )


def test_the_real_invokes_own_action_is_not_one_of_ours():
    activity = event("teams/teams-invoke-adaptivecard-action-execute-activity.json")
    with pytest.raises(CallbackRejected) as caught:
        parse_click(activity)
    assert (caught.value.status, caught.value.code) == (400, "unknown_action")


def test_an_activity_that_is_not_a_card_action_is_unsupported():
    activity = {**teams_invoke(pending_request()), "type": "message"}
    with pytest.raises(CallbackRejected) as caught:
        parse_click(activity)
    assert caught.value.code == "unsupported_activity"


def test_a_card_action_without_a_request_id_is_malformed():
    activity = teams_invoke(pending_request())
    activity["value"]["action"]["data"] = {"feedback": "test invokes"}
    with pytest.raises(CallbackRejected) as caught:
        parse_click(activity)
    assert caught.value.code == "missing_request_id"
