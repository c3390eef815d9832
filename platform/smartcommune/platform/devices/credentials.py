"""Per-device MQTT credentials: a random secret shown once, stored only as a hash the broker can verify.

The hash is Mosquitto's own password-file format, `$7$<iterations>$<salt b64>$<PBKDF2-SHA512 b64>`, so the
global index in `control.device_index` can be written out as a Mosquitto password file (or loaded into
the dynamic-security plugin / an auth hook of a clustered broker) without the platform keeping secrets.
Each identity may use only its own topics: `t/{commune_code}/d/{device_uid}/#` (one ACL line per device,
since Mosquitto's `%u` pattern cannot split a two-level identity).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

ITERATIONS = 1000
INGEST_READ_TOPICS = ("t/+/d/+/telemetry", "t/+/d/+/attr", "t/+/d/+/rpc/res/+")
INGEST_WRITE_TOPICS = ("t/+/d/+/rpc/req/+",)


def username_for(commune_code: int, device_uid: str) -> str:
    return f"{commune_code}.{device_uid}"


def topic_root(commune_code: int, device_uid: str) -> str:
    return f"t/{commune_code}/d/{device_uid}"


def new_secret() -> str:
    return secrets.token_urlsafe(24)


def hash_secret(secret: str, *, iterations: int = ITERATIONS, salt: bytes | None = None) -> str:
    salt = salt or secrets.token_bytes(12)
    digest = hashlib.pbkdf2_hmac("sha512", secret.encode(), salt, iterations)
    return f"$7${iterations}${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"


def verify_secret(secret: str, encoded: str) -> bool:
    try:
        _, kind, iterations, salt, digest = encoded.split("$")
    except ValueError:
        return False
    if kind != "7":
        return False
    expected = hashlib.pbkdf2_hmac("sha512", secret.encode(), base64.b64decode(salt), int(iterations))
    return hmac.compare_digest(expected, base64.b64decode(digest))


@dataclass(frozen=True)
class BrokerIdentity:
    username: str
    password_hash: str
    commune_code: int | None = None
    device_uid: str | None = None
    service: bool = False


def mosquitto_files(identities: Iterable[BrokerIdentity]) -> tuple[str, str]:
    """(password file, ACL file) for Mosquitto: devices get their own topic tree, services the ingest set."""
    passwd: list[str] = []
    acl: list[str] = []
    for ident in identities:
        passwd.append(f"{ident.username}:{ident.password_hash}")
        acl.append(f"user {ident.username}")
        if ident.service:
            acl.extend(f"topic read {t}" for t in INGEST_READ_TOPICS)
            acl.extend(f"topic write {t}" for t in INGEST_WRITE_TOPICS)
        else:
            assert ident.commune_code is not None and ident.device_uid is not None
            root = topic_root(ident.commune_code, ident.device_uid)
            acl.append(f"topic write {root}/telemetry")
            acl.append(f"topic write {root}/attr")
            acl.append(f"topic read {root}/rpc/req/+")
            acl.append(f"topic write {root}/rpc/res/+")
        acl.append("")
    return "\n".join(passwd) + "\n", "\n".join(acl) + "\n"
