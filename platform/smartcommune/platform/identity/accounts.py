"""Accounts of the embedded issuer (control.identity_accounts)."""

from __future__ import annotations

import re
import secrets
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from smartcommune.platform.identity.issuer import sign_access_token
from smartcommune.platform.identity.passwords import hash_secret
from smartcommune.platform.identity.phones import normalize_phone
from smartcommune.platform.identity.realms import DEFAULT_CLIENT_ID, REALMS
from smartcommune.tenants.control.models import IdentityAccount, Tenant
from smartcommune.tenants.database import app_engine
from smartcommune.tenants.errors import Conflict, InvalidInput, NotFound
from smartcommune.tenants.principal import COMMUNE_REALM, PROVIDER_REALM

_USERNAME = re.compile(r"[a-z0-9][a-z0-9._@+-]{1,119}")
MIN_PASSWORD_LENGTH = 8


def normalize_username(raw: str) -> str:
    """Keycloak keeps usernames lower-case; so do we, so `Admin` and `admin` are one account."""
    username = raw.strip().lower()
    if not _USERNAME.fullmatch(username):
        raise InvalidInput(
            "Tên đăng nhập chỉ gồm chữ thường không dấu, số và . _ @ + - (2–120 ký tự).",
            "A username has 2–120 characters: lower-case letters, digits and . _ @ + -.",
            code="invalid_username",
        )
    return username


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            f"Mật khẩu cần ít nhất {MIN_PASSWORD_LENGTH} ký tự.",
            f"A password needs at least {MIN_PASSWORD_LENGTH} characters.",
            code="weak_password",
        )


@contextmanager
def _unit(engine_or_session: Engine | Session) -> Iterator[Session]:
    """A caller's session gets a savepoint (the caller commits); an engine gets its own transaction."""
    if isinstance(engine_or_session, Session):
        with engine_or_session.begin_nested():
            yield engine_or_session
    else:
        with Session(engine_or_session, expire_on_commit=False) as session, session.begin():
            yield session


def commune_exists(session: Session, commune_code: int) -> bool:
    return session.scalar(select(Tenant.id).where(Tenant.commune_code == commune_code)) is not None


def _validated_scope(realm: str, commune_code: int | None, username: str | None, phone: str | None) -> None:
    if realm not in REALMS:
        raise InvalidInput("Realm không hợp lệ.", "Unknown realm.", code="invalid_realm", realm=realm)
    if realm == PROVIDER_REALM and (commune_code is not None or not username):
        raise InvalidInput(
            "Tài khoản nhà cung cấp cần tên đăng nhập và không thuộc xã nào.",
            "A provider account needs a username and belongs to no commune.",
            code="invalid_account",
        )
    if realm == COMMUNE_REALM and (commune_code is None or not (username or phone)):
        raise InvalidInput(
            "Tài khoản của xã cần mã xã và tên đăng nhập hoặc số điện thoại.",
            "A commune account needs a commune code and a username or phone number.",
            code="invalid_account",
        )


def create_account(
    engine_or_session: Engine | Session,
    *,
    realm: str,
    username: str | None = None,
    phone: str | None = None,
    password: str | None = None,
    commune_code: int | None = None,
    display_name: str = "",
    realm_roles: Iterable[str] = (),
    email: str | None = None,
) -> uuid.UUID:
    """Create an account of the embedded issuer. Raises Conflict `account_exists` on a duplicate."""
    _validated_scope(realm, commune_code, username, phone)
    username = normalize_username(username) if username else None
    phone = normalize_phone(phone) if phone else None
    if password is not None:
        _check_password(password)
    account = IdentityAccount(
        id=uuid.uuid4(),
        realm=realm,
        commune_code=commune_code,
        username=username,
        phone=phone,
        email=email.strip().lower() if email else None,
        display_name=display_name,
        password_hash=hash_secret(password) if password is not None else None,
        realm_roles=list(realm_roles),
        enabled=True,
    )
    try:
        with _unit(engine_or_session) as session:
            if commune_code is not None and not commune_exists(session, commune_code):
                raise NotFound("Không tìm thấy xã.", "Commune not found.", code="commune_not_found")
            session.add(account)
            session.flush()
    except IntegrityError as e:
        raise Conflict(
            "Tài khoản đã tồn tại.", "The account already exists.", code="account_exists", realm=realm
        ) from e
    return account.id


def get_account(session: Session, account_id: uuid.UUID) -> IdentityAccount:
    account = session.get(IdentityAccount, account_id)
    if account is None:
        raise NotFound("Không tìm thấy tài khoản.", "Account not found.", code="account_not_found")
    return account


def find_by_username(session: Session, realm: str, username: str) -> IdentityAccount | None:
    query = select(IdentityAccount).where(
        IdentityAccount.realm == realm, IdentityAccount.username == username.strip().lower()
    )
    return session.scalar(query)


def find_or_create_resident(session: Session, commune_code: int, phone: str) -> IdentityAccount:
    """The commune's account for a verified phone; created on first login (verification comes later)."""
    session.execute(
        insert(IdentityAccount)
        .values(
            id=uuid.uuid4(),
            realm=COMMUNE_REALM,
            commune_code=commune_code,
            phone=phone,
            display_name="",
            realm_roles=[],
            enabled=True,
        )
        .on_conflict_do_nothing(index_elements=["realm", "commune_code", "phone"])
    )
    account = session.scalar(
        select(IdentityAccount).where(
            IdentityAccount.realm == COMMUNE_REALM,
            IdentityAccount.commune_code == commune_code,
            IdentityAccount.phone == phone,
        )
    )
    assert account is not None
    return account


def set_password(account_id: uuid.UUID, password: str, *, engine: Engine | None = None) -> None:
    """A chosen password (CLI, demo): it replaces a one-time password, so no change is required at login."""
    _check_password(password)
    with Session(engine or app_engine()) as session, session.begin():
        account = get_account(session, account_id)
        account.password_hash = hash_secret(password)
        account.password_change_required = False


ONE_TIME_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read from a screen or an SMS


def generate_one_time_password(length: int = 12) -> str:
    """A one-time password for a handover: 12 characters of 31 (~59 bits), in groups of four."""
    raw = "".join(secrets.choice(ONE_TIME_ALPHABET) for _ in range(length))
    return "-".join(raw[i : i + 4] for i in range(0, length, 4))


def set_temporary_password(account_id: uuid.UUID, password: str, *, engine: Engine | None = None) -> None:
    """A password that works once: the next password login must choose a new one (embedded UPDATE_PASSWORD)."""
    _check_password(password)
    with Session(engine or app_engine()) as session, session.begin():
        account = get_account(session, account_id)
        account.password_hash = hash_secret(password)
        account.password_change_required = True


def issue_token_for(account_id: uuid.UUID, *, client_id: str = DEFAULT_CLIENT_ID, engine: Engine | None = None) -> str:
    """An access token from the embedded issuer for an account (tests, demo, CLI)."""
    with Session(engine or app_engine(), expire_on_commit=False) as session:
        account = get_account(session, account_id)
    return sign_access_token(account, client_id=client_id, engine=engine).access_token
