"""Teams callbacks: check the Bot Connector's token, then read the card action it vouches for.

The Bot Connector sends `Authorization: Bearer <JWT>`, RS256-signed with a key from the Bot
Framework JWKS. Per the Bot Framework authentication spec we require: the algorithm RS256 (never
`none` nor HS256, whose "key" would be public), a known key id, `iss` the Bot Framework,
`aud` our bot's app id, `exp`/`nbf` within a 5-minute clock skew, the activity's channel among
the key's endorsements, and the activity's `serviceUrl` equal to the token's `serviceurl` claim
(so that a reply cannot be steered to another host). The token does not sign the body, so the
body is read only after the token passed, and the approver check still applies. Pure: the keys
are handed in (`SigningKeys`), fetched and cached by an adapter.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import jwt
import orjson

from costplane.approvals.errors import malformed, unauthenticated
from costplane.approvals.messages import TEAMS_DATA_KEY
from costplane.approvals.model import Choice

BOT_FRAMEWORK_ISSUER = "https://api.botframework.com"
BOT_FRAMEWORK_JWKS_URL = "https://login.botframework.com/v1/.well-known/keys"
CLOCK_SKEW_SECONDS = 300
ALGORITHM = "RS256"
REQUIRED_CLAIMS = ["iss", "aud", "exp", "nbf", "serviceurl"]
# exp and nbf are checked against our clock (not PyJWT's), so that time is injectable;
# iat is not required by the Bot Framework and not checked.
_DECODE_OPTIONS: jwt.types.Options = {
    "verify_exp": False,
    "verify_nbf": False,
    "verify_iat": False,
    "require": REQUIRED_CLAIMS,
}
VERDICTS: dict[str, Choice] = {"approve": "approve", "deny": "deny", "resume": "resume"}

_TOKEN_ERRORS: tuple[tuple[type[jwt.InvalidTokenError], str], ...] = (
    (jwt.InvalidAudienceError, "wrong_audience"),
    (jwt.InvalidIssuerError, "wrong_issuer"),
    (jwt.MissingRequiredClaimError, "missing_claim"),
    (jwt.InvalidSignatureError, "bad_signature"),
    (jwt.InvalidAlgorithmError, "algorithm_not_allowed"),
    (jwt.DecodeError, "malformed_token"),
)


@dataclass(frozen=True, slots=True)
class SigningKey:
    """One JWKS key, parsed once, with the channels it may sign for (empty: any)."""

    jwk: jwt.PyJWK
    endorsements: frozenset[str]


class SigningKeys(Protocol):
    def key(self, kid: str) -> SigningKey | None: ...


class StaticKeys:
    """Keys from a JWKS document held in memory (tests, pinned keys)."""

    def __init__(self, document: Mapping[str, Any]) -> None:
        self._keys = signing_keys(document)

    def key(self, kid: str) -> SigningKey | None:
        return self._keys.get(kid)


def signing_keys(document: Mapping[str, Any]) -> dict[str, SigningKey]:
    """The RSA signing keys of a JWKS document by key id; keys of other kinds are skipped."""
    found: dict[str, SigningKey] = {}
    keys = document.get("keys")
    for entry in keys if isinstance(keys, list) else ():
        if not _is_rsa_signing_key(entry):
            continue
        try:
            jwk = jwt.PyJWK(entry, algorithm=ALGORITHM)
        except (jwt.PyJWKError, jwt.InvalidKeyError):
            continue
        endorsements = entry.get("endorsements")
        found[entry["kid"]] = SigningKey(jwk, frozenset(_strings(endorsements)))
    return found


@dataclass(frozen=True, slots=True)
class TeamsClick:
    """An approver pressed approve, deny or resume on a request's card; where to reply."""

    request_id: str
    verdict: Choice
    user: str
    service_url: str
    conversation_id: str | None
    activity_id: str | None


class TokenVerifier:
    """Verifies Bot Connector requests for one bot (`app_id`) against `keys`."""

    def __init__(
        self,
        app_id: str,
        keys: SigningKeys,
        *,
        issuer: str = BOT_FRAMEWORK_ISSUER,
        skew: int = CLOCK_SKEW_SECONDS,
    ) -> None:
        self.app_id = app_id
        self.keys = keys
        self.issuer = issuer
        self.skew = skew

    def verify(self, authorization: str | None, body: bytes, now: float) -> dict[str, Any]:
        """The activity in `body`, once the token vouches for it; raises CallbackRejected."""
        claims, key = self._claims(authorization, now)
        activity = _activity(body)
        if activity.get("serviceUrl") != claims["serviceurl"]:
            raise unauthenticated(
                "service_url_mismatch", "the activity's serviceUrl is not the token's serviceurl"
            )
        if key.endorsements and activity.get("channelId") not in key.endorsements:
            raise unauthenticated(
                "channel_not_endorsed", "the signing key is not endorsed for this channel"
            )
        return activity

    def _claims(self, authorization: str | None, now: float) -> tuple[dict[str, Any], SigningKey]:
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise unauthenticated("missing_token", "Authorization: Bearer <token> is required")
        try:
            header = jwt.get_unverified_header(token)
        except jwt.InvalidTokenError:
            raise unauthenticated("malformed_token", "the bearer token is not a JWT") from None
        if header.get("alg") != ALGORITHM:
            raise unauthenticated(
                "algorithm_not_allowed", f"alg {header.get('alg')!r}; only {ALGORITHM} is accepted"
            )
        kid = header.get("kid")
        key = self.keys.key(kid) if isinstance(kid, str) else None
        if key is None:
            raise unauthenticated("unknown_key", f"no signing key {kid!r} in the JWKS")
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key.jwk,
                algorithms=[ALGORITHM],
                audience=self.app_id,
                issuer=self.issuer,
                options=_DECODE_OPTIONS,
            )
        except jwt.InvalidTokenError as exc:
            code = next((c for kind, c in _TOKEN_ERRORS if isinstance(exc, kind)), "invalid_token")
            raise unauthenticated(code, f"the bearer token was refused: {exc}") from None
        self._check_lifetime(claims, now)
        return claims, key

    def _check_lifetime(self, claims: Mapping[str, Any], now: float) -> None:
        exp, nbf = claims["exp"], claims["nbf"]
        if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in (exp, nbf)):
            raise unauthenticated("bad_claim", "exp and nbf must be numbers")
        if now > exp + self.skew:
            raise unauthenticated("token_expired", "the bearer token has expired")
        if now < nbf - self.skew:
            raise unauthenticated("token_not_yet_valid", "the bearer token is not valid yet")


def parse_click(activity: Mapping[str, Any]) -> TeamsClick:
    """Read an `adaptiveCard/action` invoke from one of our cards' `Action.Execute` buttons."""
    if activity.get("type") != "invoke" or activity.get("name") != "adaptiveCard/action":
        raise malformed(
            "unsupported_activity",
            f"activity {activity.get('type')!r}/{activity.get('name')!r}",
        )
    action = _object(_object(activity.get("value")).get("action"))
    verb = action.get("verb")
    verdict = VERDICTS.get(verb) if isinstance(verb, str) else None
    if action.get("type") != "Action.Execute" or verdict is None:
        raise malformed("unknown_action", f"action {action.get('type')!r} verb {verb!r}")
    request_id = _object(action.get("data")).get(TEAMS_DATA_KEY)
    if not isinstance(request_id, str) or not request_id:
        raise malformed("missing_request_id", "the action carries no request id")
    user = _object(activity.get("from")).get("aadObjectId")
    if not isinstance(user, str):
        raise malformed("missing_user", "the activity names no from.aadObjectId")
    conversation = _object(activity.get("conversation")).get("id")
    reply_to = activity.get("replyToId")
    return TeamsClick(
        request_id=request_id,
        verdict=verdict,
        user=user,
        service_url=str(activity["serviceUrl"]),
        conversation_id=conversation if isinstance(conversation, str) else None,
        activity_id=reply_to if isinstance(reply_to, str) else None,
    )


def _activity(body: bytes) -> dict[str, Any]:
    try:
        activity = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise malformed("malformed_json", f"the activity is not JSON: {exc}") from None
    if not isinstance(activity, dict):
        raise malformed("malformed_json", "the activity is not a JSON object")
    return activity


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _is_rsa_signing_key(entry: Any) -> bool:
    return (
        isinstance(entry, dict)
        and entry.get("kty") == "RSA"
        and isinstance(entry.get("kid"), str)
        and entry.get("use", "sig") == "sig"
    )


def _strings(values: Any) -> Iterable[str]:
    return (v for v in values if isinstance(v, str)) if isinstance(values, list) else ()
