"""The token endpoint's grants: password (staff and officials) and phone + one-time code (residents)."""

from __future__ import annotations

from datetime import datetime

import structlog
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from smartcommune.platform.identity import throttle
from smartcommune.platform.identity.accounts import MIN_PASSWORD_LENGTH, find_by_username, get_account
from smartcommune.platform.identity.issuer import IssuedToken, sign_access_token
from smartcommune.platform.identity.otp import verify_otp
from smartcommune.platform.identity.passwords import hash_secret, needs_rehash, verify_secret
from smartcommune.tenants import audit
from smartcommune.tenants.control.models import IdentityAccount
from smartcommune.tenants.database import app_engine
from smartcommune.tenants.errors import AppError, InvalidInput, Unauthenticated
from smartcommune.tenants.principal import COMMUNE_REALM
from smartcommune.tenants.registry import get_commune, info_from_row
from smartcommune.tenants.session import tenant_transaction

log = structlog.get_logger(__name__)


def invalid_credentials() -> Unauthenticated:
    return Unauthenticated(
        "Tên đăng nhập hoặc mật khẩu không đúng.",
        "Invalid username or password.",
        code="invalid_credentials",
    )


class PasswordChangeRequired(AppError):
    """The right one-time password: no token until a new password is chosen (Keycloak: UPDATE_PASSWORD)."""

    status = 403
    code = "password_change_required"


def _weak_new_password(new_password: str, old_password: str) -> InvalidInput | None:
    if len(new_password) < MIN_PASSWORD_LENGTH:
        return InvalidInput(
            f"Mật khẩu mới cần ít nhất {MIN_PASSWORD_LENGTH} ký tự.",
            f"The new password needs at least {MIN_PASSWORD_LENGTH} characters.",
            code="weak_password",
            fields=["new_password"],
        )
    if new_password == old_password:
        return InvalidInput(
            "Mật khẩu mới phải khác mật khẩu dùng một lần.",
            "The new password must differ from the one-time password.",
            code="password_unchanged",
            fields=["new_password"],
        )
    return None


def password_grant(
    realm: str,
    username: str,
    password: str,
    *,
    client_id: str,
    new_password: str | None = None,
    engine: Engine | None = None,
    client_addr: str | None = None,
) -> IssuedToken:
    """Unknown user, wrong password and disabled account answer alike, after the same argon2 work; failures
    are throttled per account name and per client address (`throttle`).

    An account holding a one-time password gets no token: it answers `password_change_required` until the
    same call carries `new_password`, which replaces the one-time password and clears the flag.
    """
    engine = engine or app_engine()
    account_key = throttle.account_key(realm, username)
    address_key = throttle.address_key(client_addr)
    keys = [account_key] + ([address_key] if address_key else [])
    refused: AppError | None = None
    with Session(engine) as session:
        throttle.check(session, keys)
    with Session(engine, expire_on_commit=False) as session, session.begin():
        account = find_by_username(session, realm, username)
        stored = account.password_hash if account is not None else None
        ok = verify_secret(stored, password) and account is not None and account.enabled
        if ok:
            assert account is not None
            throttle.clear(session, account_key)
            if new_password is not None:
                refused = _weak_new_password(new_password, password)
                if refused is None:
                    account.password_hash = hash_secret(new_password)
                    account.password_change_required = False
            elif account.password_change_required:
                refused = PasswordChangeRequired(
                    "Cần đổi mật khẩu trước khi đăng nhập lần đầu.",
                    "A new password is required before the first login.",
                )
            elif stored is not None and needs_rehash(stored):
                account.password_hash = hash_secret(password)
        else:
            failures, locked_until = throttle.record_failure(session, account_key, throttle.ACCOUNT)
            if address_key:
                throttle.record_failure(session, address_key, throttle.ADDRESS)
    if not ok or account is None:
        _audit_failure(account, username, client_addr, failures, locked_until)
        raise invalid_credentials()
    if refused is not None:
        raise refused
    return sign_access_token(account, client_id=client_id, engine=engine)


def _audit_failure(
    account: IdentityAccount | None,
    username: str,
    client_addr: str | None,
    failures: int,
    locked_until: datetime | None,
) -> None:
    """A log line always; a row in the commune's audit log when the name is a commune account."""
    log.warning(
        "login_failed",
        username=username[:150],
        client=client_addr,
        failures=failures,
        locked_until=locked_until.isoformat() if locked_until else None,
        known=account is not None,
    )
    if account is None or account.commune_code is None:
        return
    try:
        tenant = info_from_row(get_commune(app_engine(), account.commune_code))
        locked = locked_until is not None and failures >= throttle.ACCOUNT.lock_after
        with tenant_transaction(tenant) as db:
            audit.record(
                db,
                actor=f"user:{account.id}",
                actor_kind="system",
                action="login_locked" if locked else "login_failed",
                object_type="account",
                object_id=str(account.id),
                after={
                    "failures": failures,
                    "locked_until": locked_until.isoformat() if locked_until else None,
                    "client": client_addr,
                },
            )
    except AppError:
        pass  # the commune is gone or suspended: the log line above stays


def otp_grant(commune_code: int, phone: str, code: str, *, client_id: str, engine: Engine | None = None) -> IssuedToken:
    account_id = verify_otp(commune_code, phone, code, engine=engine)
    with Session(engine or app_engine(), expire_on_commit=False) as session:
        account = get_account(session, account_id)
    if not account.enabled or account.realm != COMMUNE_REALM:
        raise Unauthenticated("Tài khoản đã bị khóa.", "The account is disabled.", code="account_disabled")
    return sign_access_token(account, client_id=client_id, engine=engine)
