"""IdentityAdmin on the embedded issuer's own tables."""

from __future__ import annotations

import uuid

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from smartcommune.platform.identity.accounts import (
    create_account,
    generate_one_time_password,
    normalize_username,
    set_temporary_password,
)
from smartcommune.tenants.control.models import IdentityAccount, Tenant
from smartcommune.tenants.database import app_engine
from smartcommune.tenants.errors import Conflict, NotFound
from smartcommune.tenants.principal import COMMUNE_REALM


class EmbeddedIdentityAdmin:
    """The commune's tenant row is its organization; membership is the account's commune code.

    A new admin gets a one-time password (`issue_one_time_password`, handed over by the provider) and must
    choose a new one at the first login, the embedded form of Keycloak's UPDATE_PASSWORD action.
    """

    def __init__(self, engine: Engine | None = None) -> None:
        self._engine = engine

    @property
    def engine(self) -> Engine:
        return self._engine or app_engine()

    def ensure_commune_organization(self, commune_code: int, name: str, domain: str | None) -> str:
        with Session(self.engine) as session:
            tenant_id = session.scalar(select(Tenant.id).where(Tenant.commune_code == commune_code))
        if tenant_id is None:
            raise NotFound("Không tìm thấy xã.", "Commune not found.", code="commune_not_found")
        return str(tenant_id)

    def create_commune_admin(self, commune_code: int, username: str, email: str, display_name: str) -> str:
        username = normalize_username(username)
        with Session(self.engine) as session:
            existing = session.scalar(
                select(IdentityAccount).where(
                    IdentityAccount.realm == COMMUNE_REALM, IdentityAccount.username == username
                )
            )
        if existing is not None:
            if existing.commune_code != commune_code:
                raise Conflict(
                    "Tên đăng nhập đã được dùng ở xã khác.",
                    "The username is taken in another commune.",
                    code="account_exists",
                )
            return str(existing.id)
        account_id = create_account(
            self.engine,
            realm=COMMUNE_REALM,
            username=username,
            email=email,
            commune_code=commune_code,
            display_name=display_name,
        )
        return str(account_id)

    def issue_one_time_password(self, user_id: str) -> str:
        password = generate_one_time_password()
        set_temporary_password(uuid.UUID(user_id), password, engine=self.engine)
        return password
