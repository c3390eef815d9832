"""The token endpoint's grants: password (staff and officials) and phone + one-time code (residents)."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from smartcommune.platform.identity.accounts import MIN_PASSWORD_LENGTH, find_by_username, get_account
from smartcommune.platform.identity.issuer import IssuedToken, sign_access_token
from smartcommune.platform.identity.otp import verify_otp
from smartcommune.platform.identity.passwords import hash_secret, needs_rehash, verify_secret
from smartcommune.tenants.database import app_engine
from smartcommune.tenants.errors import AppError, InvalidInput, Unauthenticated
from smartcommune.tenants.principal import COMMUNE_REALM


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


def password_grant(
    realm: str,
    username: str,
    password: str,
    *,
    client_id: str,
    new_password: str | None = None,
    engine: Engine | None = None,
) -> IssuedToken:
    """Unknown user, wrong password and disabled account answer alike, after the same argon2 work.

    An account holding a one-time password gets no token: it answers `password_change_required` until the
    same call carries `new_password`, which replaces the one-time password and clears the flag.
    """
    with Session(engine or app_engine(), expire_on_commit=False) as session, session.begin():
        account = find_by_username(session, realm, username)
        stored = account.password_hash if account is not None else None
        if not verify_secret(stored, password) or account is None or not account.enabled:
            raise invalid_credentials()
        if new_password is not None:
            if len(new_password) < MIN_PASSWORD_LENGTH:
                raise InvalidInput(
                    f"Mật khẩu mới cần ít nhất {MIN_PASSWORD_LENGTH} ký tự.",
                    f"The new password needs at least {MIN_PASSWORD_LENGTH} characters.",
                    code="weak_password",
                    fields=["new_password"],
                )
            if new_password == password:
                raise InvalidInput(
                    "Mật khẩu mới phải khác mật khẩu dùng một lần.",
                    "The new password must differ from the one-time password.",
                    code="password_unchanged",
                    fields=["new_password"],
                )
            account.password_hash = hash_secret(new_password)
            account.password_change_required = False
        elif account.password_change_required:
            raise PasswordChangeRequired(
                "Cần đổi mật khẩu trước khi đăng nhập lần đầu.",
                "A new password is required before the first login.",
            )
        elif stored is not None and needs_rehash(stored):
            account.password_hash = hash_secret(password)
    return sign_access_token(account, client_id=client_id, engine=engine)


def otp_grant(commune_code: int, phone: str, code: str, *, client_id: str, engine: Engine | None = None) -> IssuedToken:
    account_id = verify_otp(commune_code, phone, code, engine=engine)
    with Session(engine or app_engine(), expire_on_commit=False) as session:
        account = get_account(session, account_id)
    if not account.enabled or account.realm != COMMUNE_REALM:
        raise Unauthenticated("Tài khoản đã bị khóa.", "The account is disabled.", code="account_disabled")
    return sign_access_token(account, client_id=client_id, engine=engine)
