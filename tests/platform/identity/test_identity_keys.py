"""Key rotation of the embedded issuer: old tokens stay valid while the retired key is published."""

from __future__ import annotations

import uuid

import jwt
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from smartcommune.platform.identity.accounts import create_account, issue_token_for
from smartcommune.platform.identity.keys import active_signing_key, default_grace, published_jwks, rotate_keys
from smartcommune.platform.identity.tokens import reset_validators, validate_bearer
from smartcommune.tenants.context import TenantInfo
from smartcommune.tenants.control.models import SigningKey
from smartcommune.tenants.database import app_engine, owner_engine
from smartcommune.tenants.errors import Unauthenticated
from smartcommune.tenants.principal import COMMUNE_REALM

CERTS = "/auth/realms/communes/protocol/openid-connect/certs"


def _kid(token: str) -> str:
    return str(jwt.get_unverified_header(token)["kid"])


def test_rotation_keeps_old_tokens_valid_for_the_grace_period(
    client: TestClient, communes: tuple[TenantInfo, TenantInfo]
) -> None:
    account = create_account(
        app_engine(),
        realm=COMMUNE_REALM,
        username=f"rot.{uuid.uuid4().hex[:8]}",
        commune_code=communes[0].commune_code,
    )
    old_token = issue_token_for(account)
    old_kid = _kid(old_token)
    assert validate_bearer(old_token).subject == str(account)

    new_kid = rotate_keys()
    assert new_kid != old_kid
    assert active_signing_key().kid == new_kid

    new_token = issue_token_for(account)
    assert _kid(new_token) == new_kid
    # The validator has the old JWKS cached: the new kid is unknown to it until the one refetch.
    assert validate_bearer(new_token).subject == str(account)
    assert validate_bearer(old_token).subject == str(account)

    published = [k["kid"] for k in client.get(CERTS).json()["keys"]]
    assert published[0] == new_kid and old_kid in published

    with owner_engine().begin() as conn:  # the grace period ends
        conn.execute(
            update(SigningKey)
            .where(SigningKey.kid == old_kid)
            .values(retired_at=SigningKey.retired_at - default_grace())
        )
    assert old_kid not in [k["kid"] for k in published_jwks()["keys"]]
    reset_validators()
    with pytest.raises(Unauthenticated) as caught:
        validate_bearer(old_token)
    assert caught.value.code == "token_unknown_key"
    assert validate_bearer(new_token)


def test_a_second_rotation_retires_every_previous_key(communes: tuple[TenantInfo, TenantInfo]) -> None:
    first = rotate_keys()
    second = rotate_keys()
    kids = [k["kid"] for k in published_jwks()["keys"]]
    assert kids[:2] == [second, first]
    assert active_signing_key().kid == second
