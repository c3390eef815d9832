"""IdentityAdmin on Keycloak's Admin REST API through python-keycloak.

One realm for all communes with one Keycloak Organization per commune (alias = commune code); provider
staff live in a separate realm that this adapter does not touch.
"""

from __future__ import annotations

from typing import Any

from keycloak import KeycloakAdmin, KeycloakOpenIDConnection
from keycloak.exceptions import KeycloakError

from smartcommune.tenants.errors import AppError
from smartcommune.tenants.principal import COMMUNE_REALM
from smartcommune.tenants.settings import Settings, get_settings

HTTP_CONFLICT = 409
ADMIN_REQUIRED_ACTIONS = ("UPDATE_PASSWORD", "VERIFY_EMAIL")


class IdentityProviderError(AppError):
    status = 502
    code = "identity_provider_error"


def _provider_error(action: str, error: KeycloakError) -> IdentityProviderError:
    return IdentityProviderError(
        f"Máy chủ định danh từ chối yêu cầu ({action}).",
        f"The identity provider refused the request ({action}).",
        status_code=error.response_code,
    )


def organization_name(commune_code: int, name: str) -> str:
    """Commune names repeat across provinces while organization names must be unique, hence the code.

    Keycloak's organization search matches names and domains, not aliases, so the code in the name is
    also what makes the lookup by alias possible.
    """
    return f"{name} ({commune_code})"


def split_vietnamese_name(display_name: str) -> tuple[str, str]:
    """`Nguyễn Văn An` → first name `Văn An`, last name `Nguyễn` (family name comes first)."""
    parts = display_name.split()
    if len(parts) < 2:
        return display_name.strip(), ""
    return " ".join(parts[1:]), parts[0]


class KeycloakIdentityAdmin:
    """Works on the realm the admin client's connection names (the communes realm)."""

    def __init__(self, admin: KeycloakAdmin) -> None:
        self.admin = admin

    @classmethod
    def from_settings(cls, settings: Settings | None = None, *, realm: str = COMMUNE_REALM) -> KeycloakIdentityAdmin:
        settings = settings or get_settings()
        connection = KeycloakOpenIDConnection(
            server_url=settings.keycloak_url,
            username=settings.keycloak_admin_user,
            password=settings.keycloak_admin_password,
            realm_name=realm,
            user_realm_name="master",
            client_id="admin-cli",
            verify=True,
            timeout=30,
        )
        return cls(KeycloakAdmin(connection=connection))

    def _connected(self) -> KeycloakAdmin:
        # python-keycloak sends the first call unauthenticated and only logs in on its 401; log in first.
        if self.admin.connection.token is None:
            self.admin.connection.get_token()
        return self.admin

    def find_organization(self, commune_code: int) -> dict[str, Any] | None:
        alias = str(commune_code)
        found = self._connected().get_organizations({"search": alias, "first": 0, "max": 100})
        return next((org for org in found if org.get("alias") == alias), None)

    def ensure_commune_organization(self, commune_code: int, name: str, domain: str | None) -> str:
        try:
            existing = self.find_organization(commune_code)
            if existing is not None:
                return str(existing["id"])
            payload: dict[str, Any] = {
                "name": organization_name(commune_code, name),
                "alias": str(commune_code),
                "enabled": True,
                "description": name,
                "attributes": {"commune_code": [str(commune_code)]},
                "domains": [{"name": domain, "verified": False}] if domain else [],
            }
            organization_id = self._connected().create_organization(payload)
            if organization_id is None:
                created = self.find_organization(commune_code)
                if created is None:
                    raise IdentityProviderError(
                        "Không tìm thấy tổ chức vừa tạo.", "The created organization cannot be found."
                    )
                organization_id = str(created["id"])
            return organization_id
        except KeycloakError as e:
            raise _provider_error("organization", e) from e

    def create_commune_admin(self, commune_code: int, username: str, email: str, display_name: str) -> str:
        first_name, last_name = split_vietnamese_name(display_name)
        payload: dict[str, Any] = {
            "username": username.strip().lower(),
            "email": email.strip().lower(),
            "firstName": first_name,
            "lastName": last_name,
            "enabled": True,
            "emailVerified": False,
            "requiredActions": list(ADMIN_REQUIRED_ACTIONS),
            "attributes": {"commune_code": [str(commune_code)]},
        }
        try:
            organization = self.find_organization(commune_code)
            if organization is None:
                raise IdentityProviderError(
                    "Xã chưa có tổ chức trên máy chủ định danh.",
                    "The commune has no organization at the identity provider yet.",
                    code="organization_missing",
                )
            admin = self._connected()
            user_id = admin.create_user(payload, exist_ok=True)
            try:
                admin.organization_user_add(user_id, str(organization["id"]))
            except KeycloakError as e:
                if e.response_code != HTTP_CONFLICT:  # 409: already a member
                    raise
            return user_id
        except KeycloakError as e:
            raise _provider_error("user", e) from e

    def issue_one_time_password(self, user_id: str) -> str:
        """A temporary credential: Keycloak adds UPDATE_PASSWORD and asks for a new password at next login."""
        from smartcommune.platform.identity.accounts import generate_one_time_password

        password = generate_one_time_password()
        try:
            self._connected().set_user_password(user_id, password, temporary=True)
        except KeycloakError as e:
            raise _provider_error("password", e) from e
        return password
