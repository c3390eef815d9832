"""The identity-admin port: what provisioning needs from an identity provider."""

from __future__ import annotations

from typing import Protocol


class IdentityAdmin(Protocol):
    def ensure_commune_organization(self, commune_code: int, name: str, domain: str | None) -> str:
        """The commune's organization (alias = commune code), created if missing; returns its id."""
        ...

    def create_commune_admin(self, commune_code: int, username: str, email: str, display_name: str) -> str:
        """The commune's first admin, created if missing and made an organization member; returns the user id.

        The admin sets a password and verifies the e-mail address on first login.
        """
        ...

    def issue_one_time_password(self, user_id: str) -> str:
        """A new one-time password for the account, which must choose its own at the next login; returns it.

        Embedded issuer: the account's `password_change_required` flag. Keycloak: a temporary credential
        (reset-password with temporary=true, i.e. the UPDATE_PASSWORD required action).
        """
        ...
