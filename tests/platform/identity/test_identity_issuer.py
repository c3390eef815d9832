"""The embedded issuer over HTTP: discovery, JWKS, password login, mapped to a Principal."""

from __future__ import annotations

import uuid

import jwt
import pytest
from fastapi.testclient import TestClient

from smartcommune.platform.identity.accounts import create_account
from smartcommune.platform.identity.realms import embedded_issuer
from smartcommune.platform.identity.tokens import validate_bearer
from smartcommune.tenants.context import TenantInfo
from smartcommune.tenants.database import app_engine
from smartcommune.tenants.principal import COMMUNE_REALM, PROVIDER_REALM
from smartcommune.tenants.settings import get_settings

TOKEN_PATH = "/auth/realms/{realm}/protocol/openid-connect/token"


def _unique(prefix: str) -> str:
    return f"{prefix}.{uuid.uuid4().hex[:8]}"


@pytest.mark.parametrize("realm", [PROVIDER_REALM, COMMUNE_REALM])
def test_discovery_names_the_issuer_and_its_endpoints(client: TestClient, realm: str) -> None:
    response = client.get(f"/auth/realms/{realm}/.well-known/openid-configuration")
    assert response.status_code == 200
    doc = response.json()
    issuer = embedded_issuer(realm)
    assert doc["issuer"] == issuer == f"{get_settings().public_url}/auth/realms/{realm}"
    assert doc["jwks_uri"] == f"{issuer}/protocol/openid-connect/certs"
    assert doc["token_endpoint"] == f"{issuer}/protocol/openid-connect/token"
    assert doc["id_token_signing_alg_values_supported"] == ["RS256"]
    assert "password" in doc["grant_types_supported"]
    assert ("otp_endpoint" in doc) == (realm == COMMUNE_REALM)


def test_jwks_publishes_rsa_public_keys_only(client: TestClient) -> None:
    response = client.get("/auth/realms/communes/protocol/openid-connect/certs")
    assert response.status_code == 200
    assert "max-age" in response.headers["cache-control"]
    keys = response.json()["keys"]
    assert keys
    assert keys == client.get("/auth/realms/provider/protocol/openid-connect/certs").json()["keys"]
    for key in keys:
        assert key["kty"] == "RSA" and key["alg"] == "RS256" and key["use"] == "sig"
        assert key["kid"] and key["n"] and key["e"] == "AQAB"
        assert not {"d", "p", "q", "dp", "dq", "qi"} & key.keys()
        assert len(jwt.utils.base64url_decode(key["n"])) * 8 == 2048


def test_unknown_realm_is_404(client: TestClient) -> None:
    response = client.get("/auth/realms/master/.well-known/openid-configuration")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "realm_not_found"


def test_staff_password_login_yields_a_provider_principal(client: TestClient) -> None:
    username = _unique("nhanvien")
    create_account(
        app_engine(),
        realm=PROVIDER_REALM,
        username=username,
        password="mat-khau-an-toan",
        display_name="Trần Thị Bình",
        realm_roles=["provider_admin"],
    )
    response = client.post(
        TOKEN_PATH.format(realm=PROVIDER_REALM),
        data={"grant_type": "password", "username": username.upper(), "password": "mat-khau-an-toan"},
    )
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == get_settings().token_ttl_s

    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert claims["iss"] == embedded_issuer(PROVIDER_REALM)
    assert claims["aud"] == get_settings().oidc_audience
    assert claims["azp"] == "smartcommune-web" and claims["typ"] == "Bearer"
    assert {"sub", "exp", "iat", "jti"} <= claims.keys()
    assert "organization" not in claims

    principal = validate_bearer(body["access_token"])
    assert principal.realm == PROVIDER_REALM and principal.is_provider_staff
    assert principal.realm_roles == ("provider_admin",)
    assert principal.username == username
    assert principal.organizations == ()


def test_official_password_login_carries_the_commune_organization(
    client: TestClient, communes: tuple[TenantInfo, TenantInfo]
) -> None:
    cam_lo, hau_loc = communes
    for commune in communes:
        username = _unique(f"canbo{commune.commune_code}")
        account_id = create_account(
            app_engine(),
            realm=COMMUNE_REALM,
            username=username,
            password="mat-khau-can-bo",
            commune_code=commune.commune_code,
            display_name="Lê Văn Cường",
        )
        response = client.post(
            TOKEN_PATH.format(realm=COMMUNE_REALM),
            data={
                "grant_type": "password",
                "username": username,
                "password": "mat-khau-can-bo",
                "client_id": "smartcommune-admin",
            },
        )
        assert response.status_code == 200, response.text
        token = response.json()["access_token"]
        principal = validate_bearer(token)
        assert principal.subject == str(account_id)
        assert principal.realm == COMMUNE_REALM and not principal.is_provider_staff
        assert principal.organizations == (commune.domain,)
        assert principal.claims["azp"] == "smartcommune-admin"
        other = hau_loc if commune is cam_lo else cam_lo
        assert not principal.member_of(other.commune_code)


def test_a_commune_account_cannot_log_in_to_the_provider_realm(
    client: TestClient, communes: tuple[TenantInfo, TenantInfo]
) -> None:
    username = _unique("canbo")
    create_account(
        app_engine(),
        realm=COMMUNE_REALM,
        username=username,
        password="mat-khau-can-bo",
        commune_code=communes[0].commune_code,
    )
    response = client.post(
        TOKEN_PATH.format(realm=PROVIDER_REALM),
        data={"grant_type": "password", "username": username, "password": "mat-khau-can-bo"},
    )
    assert response.status_code == 401


def test_wrong_password_and_unknown_user_answer_identically(client: TestClient) -> None:
    username = _unique("nhanvien")
    create_account(app_engine(), realm=PROVIDER_REALM, username=username, password="dung-mat-khau")
    wrong = client.post(
        TOKEN_PATH.format(realm=PROVIDER_REALM),
        data={"grant_type": "password", "username": username, "password": "sai-mat-khau"},
    )
    unknown = client.post(
        TOKEN_PATH.format(realm=PROVIDER_REALM),
        data={"grant_type": "password", "username": _unique("khong-co"), "password": "sai-mat-khau"},
    )
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    error = wrong.json()["error"]
    assert error["code"] == "invalid_credentials"
    assert error["message"].startswith("Tên đăng nhập") and error["message_en"]


def test_bad_token_requests_are_clear_4xx(client: TestClient) -> None:
    path = TOKEN_PATH.format(realm=COMMUNE_REALM)
    missing = client.post(path, data={"grant_type": "password", "username": "a"})
    assert missing.status_code == 422 and missing.json()["error"]["code"] == "invalid_request"
    assert missing.json()["error"]["details"]["fields"] == ["password"]
    unsupported = client.post(path, data={"grant_type": "client_credentials"})
    assert unsupported.json()["error"]["code"] == "unsupported_grant_type"
    otp_on_staff = client.post(
        TOKEN_PATH.format(realm=PROVIDER_REALM),
        data={"grant_type": "urn:smartcommune:params:oauth:grant-type:phone-otp", "phone": "0912345678"},
    )
    assert otp_on_staff.json()["error"]["code"] == "unsupported_grant_type"
