"""Camera credentials at rest: Fernet (AES-128-CBC + HMAC-SHA256) under a key from settings.

`CREDENTIAL_KEY` in production (a secret manager). Embedded default: a key file generated under
`data_dir` at first use, mode 0600, never committed. Decrypted values exist only while connecting.
"""

from __future__ import annotations

import os
import threading
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken

from smartcommune.tenants.errors import AppError
from smartcommune.tenants.settings import get_settings

_lock = threading.Lock()


class CredentialKeyError(AppError):
    status = 500
    code = "credential_key_invalid"


@lru_cache
def _fernet() -> Fernet:
    settings = get_settings()
    key = settings.credential_key.strip()
    if not key:
        path = settings.data_dir / "secrets" / "credential.key"
        with _lock:
            if not path.exists():
                path.parent.mkdir(parents=True, exist_ok=True)
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fd, "wb") as f:
                    f.write(Fernet.generate_key())
            key = path.read_text().strip()
    return Fernet(key.encode())


def reset_key_cache() -> None:
    _fernet.cache_clear()


def encrypt(value: str | None) -> str | None:
    if value is None or value == "":
        return None
    return _fernet().encrypt(value.encode()).decode()


def decrypt(token: str | None) -> str | None:
    if not token:
        return None
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as e:
        raise CredentialKeyError(
            "Không giải mã được thông tin đăng nhập camera (sai khoá).",
            "Camera credentials cannot be decrypted (wrong key).",
        ) from e
