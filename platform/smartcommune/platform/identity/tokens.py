"""Bearer token validation for any OIDC issuer: RS256 only, issuer and audience pinned."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

import jwt
from jwt import PyJWKClient
from jwt.exceptions import PyJWKClientConnectionError, PyJWKClientError, PyJWKError, PyJWKSetError

from smartcommune.platform.identity.jwks import CachingJWKClient, DiscoveringJWKClient, LocalJWKClient
from smartcommune.platform.identity.realms import REALMS, configured_issuer, is_embedded, realm_from_issuer
from smartcommune.tenants.errors import AppError, Unauthenticated
from smartcommune.tenants.principal import Principal
from smartcommune.tenants.settings import Settings, get_settings

ALGORITHMS = ("RS256",)
# Embedded JWKS reads are one indexed query, so an unknown kid may trigger a re-read more often.
EMBEDDED_MIN_REFETCH_INTERVAL_S = 1.0


class IdentityUnavailable(AppError):
    status = 503
    code = "identity_unavailable"


def _reject(code: str, message_vi: str, message_en: str) -> Unauthenticated:
    return Unauthenticated(message_vi, message_en, code=code)


def _invalid(reason: str) -> Unauthenticated:
    return Unauthenticated("Mã truy cập không hợp lệ.", f"Invalid access token: {reason}.", code="token_invalid")


def organizations_from_claim(value: Any) -> tuple[str, ...]:
    """Keycloak's `organization` claim: a list of aliases, or a dict keyed by alias (with attributes)."""
    if isinstance(value, str):
        return (value,)
    if isinstance(value, Mapping):
        return tuple(str(alias) for alias in value)
    if isinstance(value, list | tuple):
        return tuple(str(alias) for alias in value if isinstance(alias, str | int))
    return ()


def _realm_roles(claims: Mapping[str, Any]) -> tuple[str, ...]:
    access = claims.get("realm_access")
    roles = access.get("roles") if isinstance(access, Mapping) else None
    return tuple(r for r in roles if isinstance(r, str)) if isinstance(roles, list) else ()


class TokenValidator:
    """Validates tokens of one issuer against its JWKS and maps them to a Principal."""

    def __init__(
        self,
        *,
        issuer: str,
        audience: str,
        jwks_client: PyJWKClient,
        leeway_s: float = 30,
        realm: str | None = None,
    ) -> None:
        self.issuer = issuer
        self.audience = audience
        self.jwks_client = jwks_client
        self.leeway_s = leeway_s
        self.realm = realm or realm_from_issuer(issuer)

    def validate(self, token: str) -> Principal:
        claims = self.decode(token)
        username = claims.get("preferred_username")
        return Principal(
            subject=str(claims["sub"]),
            realm=self.realm,
            organizations=organizations_from_claim(claims.get("organization")),
            realm_roles=_realm_roles(claims),
            username=username if isinstance(username, str) else None,
            claims=claims,
        )

    def decode(self, token: str) -> dict[str, Any]:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as e:
            raise _invalid("malformed") from e
        # Checked before any key lookup: `none` and HMAC tokens never reach the verifier.
        if header.get("alg") not in ALGORITHMS:
            raise _invalid("algorithm not allowed")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise _invalid("no key id")
        key = self._signing_key(kid)
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key=key,
                algorithms=list(ALGORITHMS),
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.leeway_s,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            )
        except jwt.ExpiredSignatureError as e:
            raise _reject("token_expired", "Phiên đăng nhập đã hết hạn.", "The access token has expired.") from e
        except jwt.InvalidIssuerError as e:
            raise _reject(
                "token_wrong_issuer", "Mã truy cập do nơi khác cấp.", "The token comes from another issuer."
            ) from e
        except jwt.InvalidAudienceError as e:
            raise _reject(
                "token_wrong_audience",
                "Mã truy cập không dành cho ứng dụng này.",
                "The token is meant for another audience.",
            ) from e
        except jwt.PyJWTError as e:
            raise _invalid(type(e).__name__) from e
        # Keycloak marks access tokens `Bearer`; ID and refresh tokens of the same realm must not pass.
        if claims.get("typ", "Bearer") != "Bearer":
            raise _invalid("not an access token")
        return claims

    def _signing_key(self, kid: str) -> Any:
        try:
            jwk = self.jwks_client.get_signing_key(kid)
        except PyJWKClientConnectionError as e:
            raise IdentityUnavailable(
                "Không kết nối được máy chủ xác thực.", "The identity provider cannot be reached."
            ) from e
        except (PyJWKClientError, PyJWKSetError, PyJWKError) as e:
            raise _reject(
                "token_unknown_key",
                "Mã truy cập được ký bằng khóa không xác định.",
                "The token is signed with an unknown key.",
            ) from e
        if jwk.key_type != "RSA":
            raise _invalid("key is not RSA")
        return jwk.key


def validator_for_realm(realm: str, settings: Settings | None = None) -> TokenValidator:
    settings = settings or get_settings()
    issuer = configured_issuer(realm, settings)
    client: CachingJWKClient
    if is_embedded(realm, settings):
        client = LocalJWKClient(
            f"{issuer}/protocol/openid-connect/certs", min_refetch_interval_s=EMBEDDED_MIN_REFETCH_INTERVAL_S
        )
    else:
        client = DiscoveringJWKClient(issuer)
    return TokenValidator(
        issuer=issuer,
        audience=settings.oidc_audience,
        jwks_client=client,
        leeway_s=settings.oidc_leeway_s,
        realm=realm,
    )


_validators: dict[str, TokenValidator] | None = None
_validators_lock = threading.Lock()


def get_validators() -> dict[str, TokenValidator]:
    """One validator per configured issuer (commune realm and provider staff realm), keyed by issuer."""
    global _validators
    with _validators_lock:
        if _validators is None:
            built = (validator_for_realm(realm) for realm in REALMS)
            _validators = {v.issuer: v for v in built}
        return _validators


def reset_validators() -> None:
    """Forget cached validators and their key caches (settings changed, tests)."""
    global _validators
    with _validators_lock:
        _validators = None


def validate_bearer(token: str) -> Principal:
    """Validate a bearer token with the validator of the issuer it names (re-checked once verified)."""
    try:
        unverified = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError as e:
        raise _invalid("malformed") from e
    issuer = unverified.get("iss")
    validator = get_validators().get(issuer.rstrip("/")) if isinstance(issuer, str) else None
    if validator is None:
        raise _reject("token_wrong_issuer", "Mã truy cập do nơi khác cấp.", "The token comes from another issuer.")
    return validator.validate(token)
