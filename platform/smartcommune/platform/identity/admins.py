"""Pick the IdentityAdmin for this deployment: Keycloak when KEYCLOAK_URL is set, else embedded."""

from __future__ import annotations

from smartcommune.platform.identity.embedded_admin import EmbeddedIdentityAdmin
from smartcommune.platform.identity.keycloak_adapter import KeycloakIdentityAdmin
from smartcommune.platform.identity.ports import IdentityAdmin
from smartcommune.tenants.settings import Settings, get_settings


def get_identity_admin(settings: Settings | None = None) -> IdentityAdmin:
    settings = settings or get_settings()
    if settings.keycloak_url:
        return KeycloakIdentityAdmin.from_settings(settings)
    return EmbeddedIdentityAdmin()
