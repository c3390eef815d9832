"""The validator refuses every token it must refuse, against the embedded issuer's real keys."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from smartcommune.platform.identity.keys import active_signing_key
from smartcommune.platform.identity.realms import embedded_issuer
from smartcommune.platform.identity.tokens import (
    TokenValidator,
    get_validators,
    organizations_from_claim,
    validate_bearer,
)
from smartcommune.tenants.context import TenantInfo
from smartcommune.tenants.errors import Unauthenticated
from smartcommune.tenants.principal import COMMUNE_REALM, PROVIDER_REALM
from smartcommune.tenants.settings import get_settings


def _claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": embedded_issuer(COMMUNE_REALM),
        "aud": get_settings().oidc_audience,
        "azp": "smartcommune-web",
        "sub": str(uuid.uuid4()),
        "iat": now,
        "exp": now + 300,
        "jti": str(uuid.uuid4()),
        "typ": "Bearer",
        "preferred_username": "+84912345678",
        "realm_access": {"roles": ["default-roles-communes"]},
        "organization": ["19597"],
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def _sign(claims: dict[str, Any], *, headers: dict[str, Any] | None = None) -> str:
    key = active_signing_key()
    return jwt.encode(claims, key.private_key, algorithm="RS256", headers={"kid": key.kid, **(headers or {})})


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _error(token: str) -> str:
    with pytest.raises(Unauthenticated) as caught:
        validate_bearer(token)
    assert caught.value.status == 401
    return caught.value.code


@pytest.fixture
def commune_validator(communes: tuple[TenantInfo, TenantInfo]) -> TokenValidator:
    return get_validators()[embedded_issuer(COMMUNE_REALM)]


@pytest.fixture
def fetches(commune_validator: TokenValidator, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[float]]:
    calls: list[float] = []
    original: Callable[[], Any] = commune_validator.jwks_client.fetch_data

    def counting() -> Any:
        calls.append(time.monotonic())
        return original()

    monkeypatch.setattr(commune_validator.jwks_client, "fetch_data", counting)
    yield calls


def test_a_good_token_is_accepted(commune_validator: TokenValidator) -> None:
    principal = validate_bearer(_sign(_claims()))
    assert principal.realm == COMMUNE_REALM
    assert principal.organizations == ("19597",)
    assert principal.realm_roles == ("default-roles-communes",)


def test_both_realms_have_a_validator_with_pinned_issuers(communes: tuple[TenantInfo, TenantInfo]) -> None:
    validators = get_validators()
    assert set(validators) == {embedded_issuer(COMMUNE_REALM), embedded_issuer(PROVIDER_REALM)}
    assert {v.realm for v in validators.values()} == {COMMUNE_REALM, PROVIDER_REALM}


def test_wrong_issuer(commune_validator: TokenValidator) -> None:
    assert _error(_sign(_claims(iss="https://evil.example/realms/communes"))) == "token_wrong_issuer"
    # A provider-realm token presented to the commune validator directly is caught by the pinned issuer.
    with pytest.raises(Unauthenticated) as caught:
        commune_validator.validate(_sign(_claims(iss=embedded_issuer(PROVIDER_REALM))))
    assert caught.value.code == "token_wrong_issuer"


def test_wrong_audience(commune_validator: TokenValidator) -> None:
    assert _error(_sign(_claims(aud="account"))) == "token_wrong_audience"
    assert _error(_sign(_claims(aud=None))) == "token_invalid"


def test_expired_but_within_leeway_passes(commune_validator: TokenValidator) -> None:
    leeway = get_settings().oidc_leeway_s
    now = int(time.time())
    assert validate_bearer(_sign(_claims(iat=now - 600, exp=now - leeway + 5)))
    assert _error(_sign(_claims(iat=now - 600, exp=now - leeway - 5))) == "token_expired"


def test_tampered_payload_fails_the_signature(commune_validator: TokenValidator) -> None:
    header, _, signature = _sign(_claims()).split(".")
    forged = _b64(json.dumps(_claims(organization=["16012"])).encode())
    assert _error(f"{header}.{forged}.{signature}") == "token_invalid"
    assert _error(_sign(_claims())[:-4] + "AAAA") == "token_invalid"


def test_alg_none_is_refused(commune_validator: TokenValidator) -> None:
    kid = active_signing_key().kid
    unsigned = jwt.encode(_claims(), key="", algorithm="none", headers={"kid": kid})
    assert _error(unsigned) == "token_invalid"
    assert _error(unsigned + "c2ln") == "token_invalid"


def test_hs256_signed_with_the_public_key_is_refused(commune_validator: TokenValidator) -> None:
    key = active_signing_key()
    public_pem = key.private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    signing_input = (
        _b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": key.kid}).encode())
        + "."
        + _b64(json.dumps(_claims()).encode())
    )
    mac = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()
    assert _error(f"{signing_input}.{_b64(mac)}") == "token_invalid"


def test_id_tokens_are_not_access_tokens(commune_validator: TokenValidator) -> None:
    assert _error(_sign(_claims(typ="ID"))) == "token_invalid"


def test_missing_claims_and_garbage(commune_validator: TokenValidator) -> None:
    assert _error(_sign(_claims(sub=None))) == "token_invalid"
    assert _error(_sign(_claims(exp=None))) == "token_invalid"
    assert _error("not-a-token") == "token_invalid"
    assert _error(_sign(_claims(), headers={"kid": ""})) == "token_invalid"


def test_unknown_kid_refetches_once_then_401(commune_validator: TokenValidator, fetches: list[float]) -> None:
    validate_bearer(_sign(_claims()))
    assert len(fetches) == 1
    validate_bearer(_sign(_claims()))
    assert len(fetches) == 1  # cached

    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    token = jwt.encode(_claims(), stranger, algorithm="RS256", headers={"kid": "ghost-key"})
    assert _error(token) == "token_unknown_key"
    assert len(fetches) == 2  # exactly one refetch
    assert _error(token) == "token_unknown_key"
    assert len(fetches) == 2  # refetches are rate limited

    # Same kid as a real key but another key's signature: the signature check catches it.
    forged = jwt.encode(_claims(), stranger, algorithm="RS256", headers={"kid": active_signing_key().kid})
    assert _error(forged) == "token_invalid"


@pytest.mark.parametrize(
    ("claim", "expected"),
    [
        (["19597"], ("19597",)),
        (["19597", "16012"], ("19597", "16012")),
        ({"19597": {"id": "c0ffee"}}, ("19597",)),
        ({"19597": {}, "16012": {"name": ["Xã Hậu Lộc"]}}, ("19597", "16012")),
        ("19597", ("19597",)),
        (None, ()),
        (42.0, ()),
    ],
)
def test_organization_claim_shapes(claim: Any, expected: tuple[str, ...]) -> None:
    assert organizations_from_claim(claim) == expected


def test_dict_shaped_organization_claim_in_a_real_token(commune_validator: TokenValidator) -> None:
    principal = validate_bearer(_sign(_claims(organization={"16012": {"id": str(uuid.uuid4())}})))
    assert principal.organizations == ("16012",)
    assert principal.member_of(16012) and not principal.member_of(19597)
