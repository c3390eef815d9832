"""RS256 signing keys of the embedded issuer, kept in control.signing_keys.

The newest active key signs. A rotated-out key is retired, not deleted: it stays in the JWKS for a grace
period so tokens it signed remain verifiable until they expire.
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from sqlalchemy import Engine, or_, select, text, update
from sqlalchemy.orm import Session

from smartcommune.tenants.control.models import SigningKey
from smartcommune.tenants.database import app_engine
from smartcommune.tenants.settings import get_settings

_private_cache: dict[str, rsa.RSAPrivateKey] = {}
_cache_lock = threading.Lock()


@dataclass(frozen=True)
class ActiveKey:
    kid: str
    private_key: rsa.RSAPrivateKey


def default_grace() -> timedelta:
    """Long enough for every token the retired key signed to expire."""
    settings = get_settings()
    return timedelta(seconds=settings.token_ttl_s + settings.oidc_leeway_s)


def _thumbprint(jwk: dict[str, Any]) -> str:
    """RFC 7638 JWK thumbprint: a kid derived from the key itself."""
    canonical = json.dumps({k: jwk[k] for k in ("e", "kty", "n")}, separators=(",", ":"), sort_keys=True)
    digest = hashlib.sha256(canonical.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _new_key_row() -> tuple[SigningKey, rsa.RSAPrivateKey]:
    private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk: dict[str, Any] = RSAAlgorithm.to_jwk(private_key.public_key(), as_dict=True)
    kid = _thumbprint(jwk)
    jwk.update({"kid": kid, "use": "sig", "alg": "RS256"})
    pem = private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    return SigningKey(kid=kid, private_pem=pem, public_jwk=jwk), private_key


def _lock(session: Session) -> None:
    session.execute(text("SELECT pg_advisory_xact_lock(hashtext('smartcommune.signing_keys'))"))


def _load_private(kid: str, pem: str) -> rsa.RSAPrivateKey:
    with _cache_lock:
        cached = _private_cache.get(kid)
        if cached is None:
            loaded = serialization.load_pem_private_key(pem.encode(), password=None)
            if not isinstance(loaded, rsa.RSAPrivateKey):
                raise TypeError(f"signing key {kid} is not an RSA key")
            cached = _private_cache[kid] = loaded
        return cached


def _newest_active(session: Session) -> SigningKey | None:
    query = (
        select(SigningKey)
        .where(SigningKey.retired_at.is_(None))
        .order_by(SigningKey.created_at.desc(), SigningKey.kid)
        .limit(1)
    )
    return session.scalar(query)


def active_signing_key(engine: Engine | None = None) -> ActiveKey:
    """The key that signs now; the first call on an empty table creates one."""
    engine = engine or app_engine()
    with Session(engine) as session, session.begin():
        row = _newest_active(session)
        if row is None:
            _lock(session)
            row = _newest_active(session)
            if row is None:
                row, private_key = _new_key_row()
                session.add(row)
                session.flush()
                with _cache_lock:
                    _private_cache[row.kid] = private_key
        return ActiveKey(kid=row.kid, private_key=_load_private(row.kid, row.private_pem))


def rotate_keys(engine: Engine | None = None) -> str:
    """Create a new signing key and retire the others; returns the new kid."""
    engine = engine or app_engine()
    with Session(engine) as session, session.begin():
        _lock(session)
        row, private_key = _new_key_row()
        kid = row.kid
        session.execute(update(SigningKey).where(SigningKey.retired_at.is_(None)).values(retired_at=datetime.now(UTC)))
        session.add(row)
    with _cache_lock:
        _private_cache[kid] = private_key
    return kid


def published_jwks(engine: Engine | None = None, *, grace: timedelta | None = None) -> dict[str, Any]:
    """The JWKS document: active keys and keys retired less than `grace` ago, newest first."""
    engine = engine or app_engine()
    cutoff = datetime.now(UTC) - (grace if grace is not None else default_grace())
    query = (
        select(SigningKey.public_jwk)
        .where(or_(SigningKey.retired_at.is_(None), SigningKey.retired_at > cutoff))
        .order_by(SigningKey.created_at.desc(), SigningKey.kid)
    )
    with Session(engine) as session:
        return {"keys": [dict(jwk) for jwk in session.scalars(query)]}
