"""Contract tests of the Keycloak adapter: the exact Admin REST requests python-keycloak sends.

Keycloak cannot run on this machine. python-keycloak's synchronous client speaks through `requests`,
so the `responses` package intercepts each request; every test asserts method, path, query and body
against Keycloak's Admin REST API (organizations need Keycloak 26+). The last test talks to a real
Keycloak and runs only when KEYCLOAK_URL is set.
"""

from __future__ import annotations

import json
import os
import uuid
from urllib.parse import parse_qs, urlparse

import pytest
import responses
from keycloak import KeycloakAdmin, KeycloakOpenIDConnection
from responses import matchers

from smartcommune.platform.identity.keycloak_adapter import (
    IdentityProviderError,
    KeycloakIdentityAdmin,
    organization_name,
)
from smartcommune.platform.identity.ports import IdentityAdmin
from smartcommune.tenants.settings import Settings

KC = "http://keycloak.test"
ADMIN = f"{KC}/admin/realms/communes"
ORG_ID = "8c1f3f0e-4a0b-4b8e-9d0a-2f7c7a9b1d11"
USER_ID = "5b7e2c1a-9f1d-4c3e-8a2b-6d4e0f1a2b3c"


def _adapter() -> KeycloakIdentityAdmin:
    settings = Settings(keycloak_url=KC, keycloak_admin_user="admin", keycloak_admin_password="kc-secret")
    return KeycloakIdentityAdmin.from_settings(settings)


def _login(rsps: responses.RequestsMock) -> None:
    rsps.post(
        f"{KC}/realms/master/protocol/openid-connect/token",
        match=[
            matchers.urlencoded_params_matcher(
                {
                    "grant_type": "password",
                    "client_id": "admin-cli",
                    "username": "admin",
                    "password": "kc-secret",
                    "scope": "openid",
                }
            )
        ],
        json={"access_token": "admin-token", "expires_in": 60, "refresh_token": "r", "token_type": "Bearer"},
    )


def _search(rsps: responses.RequestsMock, result: list[dict[str, object]]) -> None:
    rsps.get(
        f"{ADMIN}/organizations",
        match=[matchers.query_param_matcher({"search": "19597", "first": "0", "max": "100"})],
        json=result,
    )


def _calls(rsps: responses.RequestsMock) -> list[tuple[str, str]]:
    return [(c.request.method or "", urlparse(str(c.request.url)).path) for c in rsps.calls]


def test_contract_create_organization_when_missing() -> None:
    admin: IdentityAdmin = _adapter()
    with responses.RequestsMock(assert_all_requests_are_fired=True) as rsps:
        _login(rsps)
        # Keycloak's search matches names and domains; a near match must not be taken for ours.
        _search(rsps, [{"id": "other", "alias": "195970", "name": "Xã Khác (195970)"}])
        rsps.post(
            f"{ADMIN}/organizations",
            match=[
                matchers.json_params_matcher(
                    {
                        "name": "Xã Cam Lộ (19597)",
                        "alias": "19597",
                        "enabled": True,
                        "description": "Xã Cam Lộ",
                        "attributes": {"commune_code": ["19597"]},
                        "domains": [{"name": "camlo.smartcommune.vn", "verified": False}],
                    }
                )
            ],
            status=201,
            headers={"Location": f"{ADMIN}/organizations/{ORG_ID}"},
        )
        assert admin.ensure_commune_organization(19597, "Xã Cam Lộ", "camlo.smartcommune.vn") == ORG_ID
        assert _calls(rsps) == [
            ("POST", "/realms/master/protocol/openid-connect/token"),
            ("GET", "/admin/realms/communes/organizations"),
            ("POST", "/admin/realms/communes/organizations"),
        ]
        for call in rsps.calls[1:]:
            assert call.request.headers["Authorization"] == "Bearer admin-token"
        assert rsps.calls[2].request.headers["Content-Type"] == "application/json"


def test_contract_existing_organization_is_found_by_alias_and_not_recreated() -> None:
    admin = _adapter()
    with responses.RequestsMock(assert_all_requests_are_fired=True) as rsps:
        _login(rsps)
        _search(rsps, [{"id": ORG_ID, "alias": "19597", "name": organization_name(19597, "Xã Cam Lộ")}])
        assert admin.ensure_commune_organization(19597, "Xã Cam Lộ", None) == ORG_ID
        assert [m for m, _ in _calls(rsps)] == ["POST", "GET"]  # the login, then one search, no create


def test_contract_organization_without_domain_sends_no_domains() -> None:
    admin = _adapter()
    with responses.RequestsMock() as rsps:
        _login(rsps)
        _search(rsps, [])
        rsps.post(f"{ADMIN}/organizations", status=201, headers={"Location": f"{ADMIN}/organizations/{ORG_ID}"})
        admin.ensure_commune_organization(19597, "Xã Cam Lộ", None)
        body = json.loads(rsps.calls[-1].request.body or b"{}")
        assert body["domains"] == [] and body["alias"] == "19597"


def test_contract_create_commune_admin_with_required_actions_and_membership() -> None:
    admin: IdentityAdmin = _adapter()
    with responses.RequestsMock(assert_all_requests_are_fired=True) as rsps:
        _login(rsps)
        _search(rsps, [{"id": ORG_ID, "alias": "19597"}])
        rsps.get(
            f"{ADMIN}/users",
            match=[matchers.query_param_matcher({"username": "quantri.camlo", "max": "1", "exact": "True"})],
            json=[],
        )
        rsps.post(
            f"{ADMIN}/users",
            match=[
                matchers.json_params_matcher(
                    {
                        "username": "quantri.camlo",
                        "email": "quantri@camlo.gov.vn",
                        "firstName": "Văn An",
                        "lastName": "Nguyễn",
                        "enabled": True,
                        "emailVerified": False,
                        "requiredActions": ["UPDATE_PASSWORD", "VERIFY_EMAIL"],
                        "attributes": {"commune_code": ["19597"]},
                    }
                )
            ],
            status=201,
            headers={"Location": f"{ADMIN}/users/{USER_ID}"},
        )
        rsps.post(f"{ADMIN}/organizations/{ORG_ID}/members", status=201)
        user_id = admin.create_commune_admin(19597, "QuanTri.CamLo", "QuanTri@CamLo.gov.vn", "Nguyễn Văn An")
        assert user_id == USER_ID
        assert _calls(rsps) == [
            ("POST", "/realms/master/protocol/openid-connect/token"),
            ("GET", "/admin/realms/communes/organizations"),
            ("GET", "/admin/realms/communes/users"),
            ("POST", "/admin/realms/communes/users"),
            ("POST", f"/admin/realms/communes/organizations/{ORG_ID}/members"),
        ]
        # Keycloak's add-member endpoint takes the bare user id as the body.
        assert rsps.calls[-1].request.body in (USER_ID, USER_ID.encode())


def test_contract_create_commune_admin_twice_is_idempotent() -> None:
    admin = _adapter()
    with responses.RequestsMock(assert_all_requests_are_fired=True) as rsps:
        _login(rsps)
        _search(rsps, [{"id": ORG_ID, "alias": "19597"}])
        rsps.get(f"{ADMIN}/users", json=[{"id": USER_ID, "username": "quantri.camlo"}])
        rsps.post(
            f"{ADMIN}/organizations/{ORG_ID}/members",
            status=409,
            json={"errorMessage": "User is already a member of the organization."},
        )
        user_id = admin.create_commune_admin(19597, "quantri.camlo", "quantri@camlo.gov.vn", "Nguyễn Văn An")
        assert user_id == USER_ID
        assert ("POST", "/admin/realms/communes/users") not in _calls(rsps)
        query = parse_qs(urlparse(str(rsps.calls[2].request.url)).query)
        assert query == {"username": ["quantri.camlo"], "max": ["1"], "exact": ["True"]}


def test_contract_admin_before_organization_is_a_clear_error() -> None:
    admin = _adapter()
    with responses.RequestsMock() as rsps:
        _login(rsps)
        _search(rsps, [])
        with pytest.raises(IdentityProviderError) as caught:
            admin.create_commune_admin(19597, "quantri.camlo", "quantri@camlo.gov.vn", "Nguyễn Văn An")
        assert caught.value.code == "organization_missing"


def test_contract_keycloak_refusal_becomes_an_app_error() -> None:
    admin = _adapter()
    with responses.RequestsMock() as rsps:
        _login(rsps)
        _search(rsps, [])
        rsps.post(f"{ADMIN}/organizations", status=400, json={"errorMessage": "Organizations are disabled"})
        with pytest.raises(IdentityProviderError) as caught:
            admin.ensure_commune_organization(19597, "Xã Cam Lộ", None)
        assert caught.value.status == 502 and caught.value.details["status_code"] == 400


@pytest.mark.keycloak
def test_contract_mock_keycloak_one_time_password_is_a_temporary_credential() -> None:
    """Against a mock Keycloak (the `responses` stand-in): the handover password is set with temporary=true,
    which is how Keycloak adds the UPDATE_PASSWORD required action (a new password at the first login)."""
    admin: IdentityAdmin = _adapter()
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock_keycloak:
        _login(mock_keycloak)
        put = mock_keycloak.put(f"{ADMIN}/users/{USER_ID}/reset-password", status=204)
        password = admin.issue_one_time_password(USER_ID)
    sent = json.loads(put.calls[0].request.body or b"{}")
    assert sent == {"type": "password", "temporary": True, "value": password}
    assert len(password.replace("-", "")) == 12


def test_contract_mock_keycloak_refused_password_is_an_app_error() -> None:
    admin = _adapter()
    with responses.RequestsMock() as mock_keycloak:
        _login(mock_keycloak)
        mock_keycloak.put(f"{ADMIN}/users/{USER_ID}/reset-password", status=400, json={"error": "invalidPassword"})
        with pytest.raises(IdentityProviderError) as caught:
            admin.issue_one_time_password(USER_ID)
    assert caught.value.code == "identity_provider_error"


@pytest.mark.skipif(not os.environ.get("KEYCLOAK_URL"), reason="needs a real Keycloak at KEYCLOAK_URL")
def test_against_a_real_keycloak() -> None:
    """Against a real Keycloak 26+: a throwaway realm with organizations, created and deleted here."""
    url = os.environ["KEYCLOAK_URL"]
    user = os.environ.get("KEYCLOAK_ADMIN_USER", "admin")
    password = os.environ.get("KEYCLOAK_ADMIN_PASSWORD", "admin")
    realm = f"sc-test-{uuid.uuid4().hex[:8]}"
    master = KeycloakAdmin(server_url=url, username=user, password=password, realm_name="master")
    master.create_realm({"realm": realm, "enabled": True, "organizationsEnabled": True})
    try:
        connection = KeycloakOpenIDConnection(
            server_url=url, username=user, password=password, realm_name=realm, user_realm_name="master"
        )
        adapter = KeycloakIdentityAdmin(KeycloakAdmin(connection=connection))
        org = adapter.ensure_commune_organization(19597, "Xã Cam Lộ", None)
        assert adapter.ensure_commune_organization(19597, "Xã Cam Lộ", None) == org
        first_admin = ("quantri.camlo", "quantri@camlo.example", "Nguyễn Văn An")
        user_id = adapter.create_commune_admin(19597, *first_admin)
        assert adapter.create_commune_admin(19597, *first_admin) == user_id
        members = adapter.admin.get_organization_members(org)
        assert [m["id"] for m in members] == [user_id]
        assert set(adapter.admin.get_user(user_id)["requiredActions"]) == {"UPDATE_PASSWORD", "VERIFY_EMAIL"}
    finally:
        master.delete_realm(realm)
