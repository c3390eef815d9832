"""Accounts of the embedded issuer and the embedded IdentityAdmin (real PostgreSQL)."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from smartcommune.platform.identity.accounts import create_account, issue_token_for, set_password
from smartcommune.platform.identity.admins import get_identity_admin
from smartcommune.platform.identity.embedded_admin import EmbeddedIdentityAdmin
from smartcommune.platform.identity.grants import password_grant
from smartcommune.platform.identity.ports import IdentityAdmin
from smartcommune.platform.identity.tokens import validate_bearer
from smartcommune.tenants.context import TenantInfo
from smartcommune.tenants.control.models import IdentityAccount
from smartcommune.tenants.database import app_engine
from smartcommune.tenants.errors import Conflict, InvalidInput, NotFound, Unauthenticated
from smartcommune.tenants.principal import COMMUNE_REALM, PROVIDER_REALM


def _name(prefix: str = "u") -> str:
    return f"{prefix}.{uuid.uuid4().hex[:8]}"


def test_duplicates_are_a_conflict(communes: tuple[TenantInfo, TenantInfo]) -> None:
    username = _name()
    create_account(app_engine(), realm=PROVIDER_REALM, username=username, password="mat-khau-1")
    with pytest.raises(Conflict) as caught:
        create_account(app_engine(), realm=PROVIDER_REALM, username=username.upper())
    assert caught.value.code == "account_exists" and caught.value.status == 409
    # The same username in the other realm is another account.
    create_account(app_engine(), realm=COMMUNE_REALM, username=username, commune_code=communes[0].commune_code)

    phone = "0987654321"
    for commune in communes:  # one phone may be a resident of two communes
        create_account(app_engine(), realm=COMMUNE_REALM, phone=phone, commune_code=commune.commune_code)
    with pytest.raises(Conflict):
        create_account(
            app_engine(), realm=COMMUNE_REALM, phone="+84 987 654 321", commune_code=communes[0].commune_code
        )


def test_a_callers_session_survives_a_duplicate(communes: tuple[TenantInfo, TenantInfo]) -> None:
    username = _name()
    with Session(app_engine()) as session, session.begin():
        first = create_account(session, realm=PROVIDER_REALM, username=username)
        with pytest.raises(Conflict):
            create_account(session, realm=PROVIDER_REALM, username=username)
        second = create_account(session, realm=PROVIDER_REALM, username=_name())
    with Session(app_engine()) as session:
        ids = set(session.scalars(select(IdentityAccount.id).where(IdentityAccount.id.in_([first, second]))))
    assert ids == {first, second}


def test_bad_account_input_is_refused(communes: tuple[TenantInfo, TenantInfo]) -> None:
    cases = [
        ({"realm": "master", "username": "a1"}, "invalid_realm"),
        ({"realm": PROVIDER_REALM, "username": "a1", "commune_code": 19597}, "invalid_account"),
        ({"realm": COMMUNE_REALM, "username": "a1"}, "invalid_account"),
        ({"realm": PROVIDER_REALM, "username": "có dấu"}, "invalid_username"),
        ({"realm": PROVIDER_REALM, "username": _name(), "password": "ngan"}, "weak_password"),
        ({"realm": COMMUNE_REALM, "phone": "12345", "commune_code": 19597}, "invalid_phone"),
    ]
    for kwargs, code in cases:
        with pytest.raises(InvalidInput) as caught:
            create_account(app_engine(), **kwargs)  # type: ignore[arg-type]
        assert caught.value.code == code, kwargs
    with pytest.raises(NotFound) as missing:
        create_account(app_engine(), realm=COMMUNE_REALM, username=_name(), commune_code=99999)
    assert missing.value.code == "commune_not_found"


def test_issue_token_for_and_set_password(communes: tuple[TenantInfo, TenantInfo]) -> None:
    username = _name("canbo")
    account = create_account(
        app_engine(),
        realm=COMMUNE_REALM,
        username=username,
        commune_code=communes[1].commune_code,
        display_name="Phạm Thị Dung",
    )
    principal = validate_bearer(issue_token_for(account, client_id="smartcommune-cli"))
    assert principal.subject == str(account) and principal.member_of(communes[1].commune_code)
    assert principal.claims["name"] == "Phạm Thị Dung" and principal.claims["azp"] == "smartcommune-cli"

    with pytest.raises(Unauthenticated):  # no password yet: password login impossible
        password_grant(COMMUNE_REALM, username, "bat-ky-mat-khau", client_id="web")
    set_password(account, "mat-khau-moi-1")
    token = password_grant(COMMUNE_REALM, username, "mat-khau-moi-1", client_id="web").access_token
    assert validate_bearer(token).subject == str(account)


def test_embedded_admin_is_idempotent(communes: tuple[TenantInfo, TenantInfo]) -> None:
    cam_lo, hau_loc = communes
    admin: IdentityAdmin = EmbeddedIdentityAdmin()
    org = admin.ensure_commune_organization(cam_lo.commune_code, cam_lo.name, None)
    assert org == str(cam_lo.id) == admin.ensure_commune_organization(cam_lo.commune_code, cam_lo.name, None)
    with pytest.raises(NotFound):
        admin.ensure_commune_organization(99999, "Xã Không Có", None)

    username = _name("quantri")
    first = admin.create_commune_admin(cam_lo.commune_code, username, "QuanTri@CamLo.gov.vn", "Hồ Văn Em")
    again = admin.create_commune_admin(cam_lo.commune_code, username, "quantri@camlo.gov.vn", "Hồ Văn Em")
    assert again == first
    with pytest.raises(Conflict):
        admin.create_commune_admin(hau_loc.commune_code, username, "x@haulo.gov.vn", "Người Khác")
    with Session(app_engine()) as session:
        account = session.get(IdentityAccount, uuid.UUID(first))
    assert account is not None
    assert account.commune_code == cam_lo.commune_code and account.email == "quantri@camlo.gov.vn"
    assert account.password_hash is None


def test_embedded_admin_is_the_default_without_keycloak(communes: tuple[TenantInfo, TenantInfo]) -> None:
    assert isinstance(get_identity_admin(), EmbeddedIdentityAdmin)
