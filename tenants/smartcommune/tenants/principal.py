"""Who is calling: the facts of a validated token that authorization needs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

PROVIDER_REALM = "provider"
COMMUNE_REALM = "communes"


@dataclass(frozen=True)
class Principal:
    """A validated token, issuer-neutral (embedded issuer or Keycloak).

    `subject` is the token's `sub`; `organizations` are the Keycloak organization aliases (commune codes
    as strings); `realm_roles` come from `realm_access.roles` and matter for provider staff only:
    commune roles are casbin assignments, not token claims.
    """

    subject: str
    realm: str
    organizations: tuple[str, ...] = ()
    realm_roles: tuple[str, ...] = ()
    username: str | None = None
    claims: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def is_provider_staff(self) -> bool:
        return self.realm == PROVIDER_REALM

    @property
    def casbin_subject(self) -> str:
        return f"user:{self.subject}"

    def member_of(self, commune_code: int | str) -> bool:
        return str(commune_code) in self.organizations
