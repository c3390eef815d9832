"""The embedded issuer: access tokens with Keycloak's claim shape, and the discovery document."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Any

import jwt
from sqlalchemy import Engine

from smartcommune.platform.identity.keys import active_signing_key
from smartcommune.platform.identity.realms import DEFAULT_CLIENT_ID, embedded_issuer
from smartcommune.tenants.control.models import IdentityAccount
from smartcommune.tenants.principal import COMMUNE_REALM
from smartcommune.tenants.settings import get_settings

OTP_GRANT_TYPE = "urn:smartcommune:params:oauth:grant-type:phone-otp"
PASSWORD_GRANT_TYPE = "password"  # noqa: S105 (a grant name)


@dataclass(frozen=True)
class IssuedToken:
    access_token: str
    expires_in: int
    token_type: str = "Bearer"  # noqa: S105
    scope: str = "openid profile"

    def as_response(self) -> dict[str, Any]:
        return {
            "access_token": self.access_token,
            "token_type": self.token_type,
            "expires_in": self.expires_in,
            "scope": self.scope,
        }


def access_token_claims(account: IdentityAccount, *, client_id: str, issued_at: int) -> dict[str, Any]:
    settings = get_settings()
    claims: dict[str, Any] = {
        "iss": embedded_issuer(account.realm, settings),
        "aud": settings.oidc_audience,
        "azp": client_id,
        "sub": str(account.id),
        "iat": issued_at,
        "exp": issued_at + settings.token_ttl_s,
        "jti": str(uuid.uuid4()),
        "typ": "Bearer",
        "scope": "openid profile",
        "preferred_username": account.username or account.phone or str(account.id),
        "realm_access": {"roles": list(account.realm_roles or [])},
    }
    if account.realm == COMMUNE_REALM and account.commune_code is not None:
        claims["organization"] = [str(account.commune_code)]
    if account.display_name:
        claims["name"] = account.display_name
    if account.email:
        claims["email"] = account.email
    if account.phone:
        claims["phone_number"] = account.phone
    return claims


def sign_access_token(
    account: IdentityAccount, *, client_id: str = DEFAULT_CLIENT_ID, engine: Engine | None = None
) -> IssuedToken:
    key = active_signing_key(engine)
    claims = access_token_claims(account, client_id=client_id, issued_at=int(time.time()))
    token = jwt.encode(claims, key.private_key, algorithm="RS256", headers={"kid": key.kid, "typ": "JWT"})
    return IssuedToken(access_token=token, expires_in=get_settings().token_ttl_s)


def discovery_document(realm: str) -> dict[str, Any]:
    issuer = embedded_issuer(realm)
    grants = [PASSWORD_GRANT_TYPE, *([OTP_GRANT_TYPE] if realm == COMMUNE_REALM else [])]
    document: dict[str, Any] = {
        "issuer": issuer,
        "token_endpoint": f"{issuer}/protocol/openid-connect/token",
        "jwks_uri": f"{issuer}/protocol/openid-connect/certs",
        "grant_types_supported": grants,
        "response_types_supported": ["token"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "token_endpoint_auth_methods_supported": ["none"],
        "scopes_supported": ["openid", "profile", "organization"],
        "claims_supported": [
            "iss",
            "aud",
            "azp",
            "sub",
            "exp",
            "iat",
            "jti",
            "typ",
            "preferred_username",
            "name",
            "email",
            "phone_number",
            "realm_access",
            "organization",
        ],
    }
    if realm == COMMUNE_REALM:
        document["otp_endpoint"] = f"{issuer}/otp"
    return document
