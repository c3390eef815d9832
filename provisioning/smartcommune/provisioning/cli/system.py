"""The principal CLI operations act as: provider_admin of the platform itself, named in the audit as 'cli'."""

from __future__ import annotations

from smartcommune.tenants.principal import PROVIDER_REALM, Principal

SYSTEM = Principal(subject="cli", realm=PROVIDER_REALM, realm_roles=("provider_admin",), username="cli")
