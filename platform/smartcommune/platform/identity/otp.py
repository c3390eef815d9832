"""Phone number + one-time code login for residents.

Codes are 6 digits, stored only as argon2 hashes (a fast hash of a 6-digit code falls to brute force in
seconds), expire, work once, allow a few wrong tries, and each phone may ask for a few per hour.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import structlog
from sqlalchemy import Engine, delete, func, select, text, update
from sqlalchemy.orm import Session

from smartcommune.platform.identity.accounts import find_or_create_resident
from smartcommune.platform.identity.passwords import hash_secret, verify_secret
from smartcommune.platform.identity.phones import normalize_phone
from smartcommune.platform.identity.sms import SmsChannel, get_sms_channel
from smartcommune.tenants.control.models import AbuseAlarm, OtpChallenge, Tenant
from smartcommune.tenants.database import app_engine
from smartcommune.tenants.errors import AppError, CommuneSuspended, NotFound, RateLimited, Unauthenticated
from smartcommune.tenants.settings import get_settings

log = structlog.get_logger(__name__)
CODE_DIGITS = 6
RATE_WINDOW = timedelta(hours=1)


@dataclass(frozen=True)
class OtpSent:
    phone: str
    expires_in: int


def _check_commune(session: Session, commune_code: int) -> None:
    status = session.scalar(select(Tenant.status).where(Tenant.commune_code == commune_code))
    if status is None:
        raise NotFound("Không tìm thấy xã.", "Commune not found.", code="commune_not_found")
    if status != "active":
        raise CommuneSuspended(
            "Xã đang tạm ngừng hoạt động trên hệ thống.",
            "This commune is suspended.",
            code="commune_suspended",
        )


def _lock_phone(session: Session, phone: str) -> None:
    """Serialize requests and checks for one phone so the counters cannot be raced."""
    session.execute(text("SELECT pg_advisory_xact_lock(hashtext('smartcommune.otp:' || :p))"), {"p": phone})


def _message(code: str, ttl_s: int) -> str:
    # Unaccented Vietnamese on purpose: diacritics switch an SMS to UCS-2 and halve its length.
    minutes = max(1, ttl_s // 60)
    return f"Ma xac thuc Smart Commune: {code}. Het han sau {minutes} phut. Khong chia se ma nay cho ai."


def _pumping(session: Session, commune_code: int, client_addr: str | None, now: datetime) -> tuple[str, str] | None:
    """(kind, detail) when this client address or this commune has asked for too many codes this hour."""
    settings = get_settings()
    since = now - RATE_WINDOW
    if client_addr:
        by_address = session.scalar(
            select(func.count()).where(OtpChallenge.client_addr == client_addr, OtpChallenge.created_at > since)
        )
        if (by_address or 0) >= settings.otp_requests_per_address_per_hour:
            return "otp_per_address", f"{by_address} codes from {client_addr} in the last hour"
    by_commune = session.scalar(
        select(func.count()).where(OtpChallenge.commune_code == commune_code, OtpChallenge.created_at > since)
    )
    if (by_commune or 0) >= settings.otp_requests_per_commune_per_hour:
        return "otp_per_commune", f"{by_commune} codes for commune {commune_code} in the last hour"
    return None


def _raise_alarm(engine: Engine, kind: str, detail: str, commune_code: int, client_addr: str | None) -> None:
    """One alarm per (kind, commune, address) per hour for the provider (GET /api/provider/v1/fleet/abuse-alarms)."""
    now = datetime.now(UTC)
    with Session(engine) as session, session.begin():
        seen = session.scalar(
            select(func.count()).where(
                AbuseAlarm.kind == kind,
                AbuseAlarm.commune_code == commune_code,
                AbuseAlarm.client_addr.is_not_distinct_from(client_addr),
                AbuseAlarm.created_at > now - RATE_WINDOW,
            )
        )
        if seen:
            session.execute(
                update(AbuseAlarm)
                .where(
                    AbuseAlarm.kind == kind,
                    AbuseAlarm.commune_code == commune_code,
                    AbuseAlarm.client_addr.is_not_distinct_from(client_addr),
                    AbuseAlarm.created_at > now - RATE_WINDOW,
                )
                .values(count=AbuseAlarm.count + 1)
            )
        else:
            session.add(
                AbuseAlarm(kind=kind, commune_code=commune_code, client_addr=client_addr, detail=detail, count=1)
            )
    log.warning("otp_pumping", kind=kind, detail=detail, commune=commune_code, client=client_addr)


def request_otp(
    commune_code: int,
    phone: str,
    *,
    channel: SmsChannel | None = None,
    engine: Engine | None = None,
    client_addr: str | None = None,
) -> OtpSent:
    """Create a code for (commune, phone) and send it. Earlier open codes of that pair stop working.

    Limited per phone, per client address and per commune per hour (each code is an SMS the commune pays
    for); the address and commune limits raise a provider-visible abuse alarm."""
    settings = get_settings()
    phone = normalize_phone(phone)
    channel = channel or get_sms_channel()
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    now = datetime.now(UTC)
    engine = engine or app_engine()
    with Session(engine) as session:
        pumping = _pumping(session, commune_code, client_addr, now)
    if pumping is not None:
        _raise_alarm(engine, pumping[0], pumping[1], commune_code, client_addr)
        raise RateLimited(
            "Có quá nhiều yêu cầu mã đăng nhập. Vui lòng thử lại sau.",
            "Too many sign-in codes requested. Try again later.",
            code="otp_rate_limited",
            retry_after=int(RATE_WINDOW.total_seconds() // 4),
        )
    with Session(engine) as session, session.begin():
        _check_commune(session, commune_code)
        _lock_phone(session, phone)
        # Counted per phone across communes: the limit protects the phone's owner from SMS flooding.
        window = select(func.count(), func.min(OtpChallenge.created_at)).where(
            OtpChallenge.phone == phone, OtpChallenge.created_at > now - RATE_WINDOW
        )
        count, oldest = session.execute(window).one()
        if count >= settings.otp_requests_per_hour:
            retry_after = int(((oldest + RATE_WINDOW) - now).total_seconds()) + 1 if oldest else 3600
            raise RateLimited(
                "Bạn đã yêu cầu quá nhiều mã. Vui lòng thử lại sau.",
                "Too many codes requested for this phone number. Try again later.",
                code="otp_rate_limited",
                retry_after_s=max(retry_after, 1),
            )
        session.execute(
            update(OtpChallenge)
            .where(
                OtpChallenge.commune_code == commune_code,
                OtpChallenge.phone == phone,
                OtpChallenge.used_at.is_(None),
            )
            .values(used_at=now)
        )
        session.add(
            OtpChallenge(
                id=uuid.uuid4(),
                commune_code=commune_code,
                phone=phone,
                code_hash=hash_secret(code),
                attempts=0,
                expires_at=now + timedelta(seconds=settings.otp_ttl_s),
                client_addr=client_addr[:64] if client_addr else None,
            )
        )
    # Sent after commit: a code that reaches a phone always exists in the database.
    channel.send(phone, _message(code, settings.otp_ttl_s))
    return OtpSent(phone=phone, expires_in=settings.otp_ttl_s)


def _wrong_code(attempts_left: int) -> AppError:
    if attempts_left <= 0:
        return RateLimited(
            "Nhập sai quá nhiều lần. Hãy yêu cầu mã mới.",
            "Too many wrong codes. Request a new code.",
            code="otp_too_many_attempts",
        )
    return Unauthenticated(
        "Mã xác thực không đúng.", "The code is not correct.", code="otp_invalid", attempts_left=attempts_left
    )


def verify_otp(commune_code: int, phone: str, code: str, *, engine: Engine | None = None) -> uuid.UUID:
    """Consume a correct code and return the resident's account id (created on first login)."""
    settings = get_settings()
    phone = normalize_phone(phone)
    now = datetime.now(UTC)
    error: AppError | None = None
    account_id: uuid.UUID | None = None
    with Session(engine or app_engine()) as session, session.begin():
        _check_commune(session, commune_code)
        _lock_phone(session, phone)
        challenge = session.scalar(
            select(OtpChallenge)
            .where(OtpChallenge.commune_code == commune_code, OtpChallenge.phone == phone)
            .order_by(OtpChallenge.created_at.desc())
            .limit(1)
            .with_for_update()
        )
        if challenge is None or challenge.used_at is not None:
            error = Unauthenticated(
                "Mã xác thực không còn hiệu lực. Hãy yêu cầu mã mới.",
                "No valid code for this phone number. Request a new code.",
                code="otp_invalid",
            )
        elif challenge.expires_at <= now:
            error = Unauthenticated(
                "Mã xác thực đã hết hạn. Hãy yêu cầu mã mới.",
                "The code has expired. Request a new code.",
                code="otp_expired",
            )
        elif challenge.attempts >= settings.otp_max_attempts:
            error = _wrong_code(0)
        elif not (code.isdigit() and len(code) == CODE_DIGITS and verify_secret(challenge.code_hash, code)):
            challenge.attempts += 1
            error = _wrong_code(settings.otp_max_attempts - challenge.attempts)
        else:
            challenge.used_at = now
            account_id = find_or_create_resident(session, commune_code, phone).id
    # Raised after the block so a wrong try's attempt count is committed, not rolled back.
    if error is not None:
        raise error
    assert account_id is not None
    return account_id


def purge_otp_challenges(*, older_than: timedelta = timedelta(days=1), engine: Engine | None = None) -> int:
    """Delete challenges past any use, rate window included (a periodic task calls this)."""
    cutoff = datetime.now(UTC) - max(older_than, RATE_WINDOW)
    with Session(engine or app_engine()) as session, session.begin():
        result = session.execute(delete(OtpChallenge).where(OtpChallenge.created_at < cutoff))
        return int(getattr(result, "rowcount", 0) or 0)
