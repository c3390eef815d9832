"""Realm names and issuer URLs, Keycloak-shaped: `{base}/realms/{realm}`."""

from __future__ import annotations

from smartcommune.tenants.errors import NotFound
from smartcommune.tenants.principal import COMMUNE_REALM, PROVIDER_REALM
from smartcommune.tenants.settings import Settings, get_settings

REALMS: tuple[str, ...] = (PROVIDER_REALM, COMMUNE_REALM)
EMBEDDED_PREFIX = "/auth/realms"
DEFAULT_CLIENT_ID = "smartcommune-web"


def check_realm(realm: str) -> str:
    if realm not in REALMS:
        raise NotFound("Không tìm thấy realm.", "Realm not found.", code="realm_not_found", realm=realm)
    return realm


def embedded_issuer(realm: str, settings: Settings | None = None) -> str:
    settings = settings or get_settings()
    return f"{settings.public_url.rstrip('/')}{EMBEDDED_PREFIX}/{realm}"


def configured_issuer(realm: str, settings: Settings | None = None) -> str:
    """The issuer a realm's tokens must carry: the configured one, else the embedded issuer."""
    settings = settings or get_settings()
    configured = settings.oidc_staff_issuer if realm == PROVIDER_REALM else settings.oidc_issuer
    return configured.rstrip("/") or embedded_issuer(realm, settings)


def is_embedded(realm: str, settings: Settings | None = None) -> bool:
    settings = settings or get_settings()
    return configured_issuer(realm, settings) == embedded_issuer(realm, settings)


def realm_from_issuer(issuer: str) -> str:
    """`https://kc.example/realms/communes` → `communes` (Keycloak's issuer layout)."""
    head, sep, tail = issuer.rstrip("/").rpartition("/realms/")
    return tail if sep and head and "/" not in tail else issuer
