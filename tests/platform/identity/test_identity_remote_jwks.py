"""A validator against a real HTTP JWKS endpoint (http.server on 127.0.0.1), as for Keycloak."""

from __future__ import annotations

import http.server
import json
import socket
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from smartcommune.platform.identity.accounts import create_account, issue_token_for
from smartcommune.platform.identity.jwks import CachingJWKClient, DiscoveringJWKClient
from smartcommune.platform.identity.keys import active_signing_key
from smartcommune.platform.identity.realms import embedded_issuer
from smartcommune.platform.identity.tokens import (
    IdentityUnavailable,
    TokenValidator,
    reset_validators,
    validate_bearer,
)
from smartcommune.tenants.context import TenantInfo
from smartcommune.tenants.database import app_engine
from smartcommune.tenants.errors import Unauthenticated
from smartcommune.tenants.principal import COMMUNE_REALM, PROVIDER_REALM
from smartcommune.tenants.settings import get_settings

AUDIENCE = "smartcommune"


@dataclass
class FakeKeycloak:
    """A real HTTP server publishing discovery and a JWKS, counting requests per path."""

    port: int = 0
    keys: dict[str, rsa.RSAPrivateKey] = field(default_factory=dict)
    published: set[str] = field(default_factory=set)
    requests: Counter[str] = field(default_factory=Counter)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def issuer(self) -> str:
        return f"{self.base}/realms/communes"

    @property
    def jwks_uri(self) -> str:
        return f"{self.issuer}/protocol/openid-connect/certs"

    def add_key(self, kid: str, *, publish: bool = True) -> None:
        self.keys[kid] = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        if publish:
            self.published.add(kid)

    def jwks(self) -> dict[str, Any]:
        keys = []
        for kid in sorted(self.published):
            jwk = RSAAlgorithm.to_jwk(self.keys[kid].public_key(), as_dict=True)
            keys.append({**jwk, "kid": kid, "use": "sig", "alg": "RS256"})
        return {"keys": keys}

    def token(self, kid: str, **claims: Any) -> str:
        now = int(time.time())
        body = {
            "iss": self.issuer,
            "aud": AUDIENCE,
            "sub": str(uuid.uuid4()),
            "iat": now,
            "exp": now + 300,
            "typ": "Bearer",
            "azp": "smartcommune-web",
            "preferred_username": "canbo",
            "realm_access": {"roles": ["offline_access"]},
            "organization": {"19597": {"id": str(uuid.uuid4())}},
            **claims,
        }
        return jwt.encode(body, self.keys[kid], algorithm="RS256", headers={"kid": kid})


@pytest.fixture
def keycloak() -> Iterator[FakeKeycloak]:
    fake = FakeKeycloak()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            fake.requests[self.path] += 1
            if self.path == "/realms/communes/.well-known/openid-configuration":
                body: dict[str, Any] = {"issuer": fake.issuer, "jwks_uri": fake.jwks_uri}
            elif self.path == "/realms/communes/protocol/openid-connect/certs":
                body = fake.jwks()
            else:
                self.send_error(404)
                return
            data = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    fake.add_key("kc-1")
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _validator(fake: FakeKeycloak, **client_kwargs: Any) -> TokenValidator:
    return TokenValidator(
        issuer=fake.issuer,
        audience=AUDIENCE,
        leeway_s=30,
        jwks_client=CachingJWKClient(fake.jwks_uri, **client_kwargs),
    )


def test_keys_are_cached_and_an_unknown_kid_refetches_exactly_once(keycloak: FakeKeycloak) -> None:
    validator = _validator(keycloak)
    for _ in range(5):
        principal = validator.validate(keycloak.token("kc-1"))
    assert keycloak.requests["/realms/communes/protocol/openid-connect/certs"] == 1
    assert principal.realm == COMMUNE_REALM
    assert principal.organizations == ("19597",)
    assert principal.realm_roles == ("offline_access",)

    keycloak.add_key("kc-unpublished", publish=False)
    with pytest.raises(Unauthenticated) as caught:
        validator.validate(keycloak.token("kc-unpublished"))
    assert caught.value.code == "token_unknown_key"
    assert keycloak.requests["/realms/communes/protocol/openid-connect/certs"] == 2

    # A burst of made-up kids costs nothing more within the refetch interval.
    for _ in range(3):
        with pytest.raises(Unauthenticated):
            validator.validate(keycloak.token("kc-unpublished"))
    assert keycloak.requests["/realms/communes/protocol/openid-connect/certs"] == 2


def test_a_key_rotated_in_at_the_issuer_is_picked_up_by_one_refetch(keycloak: FakeKeycloak) -> None:
    validator = _validator(keycloak, min_refetch_interval_s=0)
    validator.validate(keycloak.token("kc-1"))
    keycloak.add_key("kc-2")
    assert validator.validate(keycloak.token("kc-2"))
    assert keycloak.requests["/realms/communes/protocol/openid-connect/certs"] == 2
    assert validator.validate(keycloak.token("kc-1"))
    assert keycloak.requests["/realms/communes/protocol/openid-connect/certs"] == 2


def test_the_jwks_uri_comes_from_discovery(keycloak: FakeKeycloak) -> None:
    validator = TokenValidator(
        issuer=keycloak.issuer,
        audience=AUDIENCE,
        jwks_client=DiscoveringJWKClient(keycloak.issuer),
    )
    for _ in range(3):
        validator.validate(keycloak.token("kc-1"))
    assert keycloak.requests == Counter(
        {
            "/realms/communes/.well-known/openid-configuration": 1,
            "/realms/communes/protocol/openid-connect/certs": 1,
        }
    )


def test_remote_validator_rejects_other_issuers_and_audiences(keycloak: FakeKeycloak) -> None:
    validator = _validator(keycloak)
    for claims, code in (
        ({"aud": "account"}, "token_wrong_audience"),
        ({"iss": keycloak.base + "/realms/master"}, "token_wrong_issuer"),
        ({"exp": int(time.time()) - 3600}, "token_expired"),
    ):
        with pytest.raises(Unauthenticated) as caught:
            validator.validate(keycloak.token("kc-1", **claims))
        assert caught.value.code == code


def test_validate_bearer_picks_the_validator_by_issuer(
    keycloak: FakeKeycloak, communes: tuple[TenantInfo, TenantInfo], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Commune realm on an external issuer (Keycloak-like), provider staff on the embedded issuer."""
    monkeypatch.setenv("OIDC_ISSUER", keycloak.issuer)
    get_settings.cache_clear()
    reset_validators()
    try:
        principal = validate_bearer(keycloak.token("kc-1"))
        assert principal.realm == COMMUNE_REALM and principal.organizations == ("19597",)

        staff = create_account(
            app_engine(),
            realm=PROVIDER_REALM,
            username=f"ops.{uuid.uuid4().hex[:8]}",
            realm_roles=["provider_operator"],
        )
        staff_principal = validate_bearer(issue_token_for(staff))
        assert staff_principal.is_provider_staff and staff_principal.realm_roles == ("provider_operator",)

        # The embedded commune issuer is not trusted once an external one is configured.
        key = active_signing_key()
        now = int(time.time())
        embedded_commune = jwt.encode(
            {"iss": embedded_issuer(COMMUNE_REALM), "aud": AUDIENCE, "sub": "x", "iat": now, "exp": now + 60},
            key.private_key,
            algorithm="RS256",
            headers={"kid": key.kid},
        )
        with pytest.raises(Unauthenticated) as caught:
            validate_bearer(embedded_commune)
        assert caught.value.code == "token_wrong_issuer"
    finally:
        monkeypatch.delenv("OIDC_ISSUER")
        get_settings.cache_clear()
        reset_validators()


def test_an_unreachable_jwks_is_a_503_not_a_401(keycloak: FakeKeycloak) -> None:
    token = keycloak.token("kc-1")
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    validator = TokenValidator(
        issuer=keycloak.issuer,
        audience=AUDIENCE,
        jwks_client=CachingJWKClient(f"http://127.0.0.1:{port}/certs", timeout_s=2),
    )
    with pytest.raises(IdentityUnavailable) as caught:
        validator.validate(token)
    assert caught.value.status == 503
