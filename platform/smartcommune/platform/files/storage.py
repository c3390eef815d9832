"""Where file bytes live: a local folder by default (S3-compatible object storage in production)."""

from __future__ import annotations

import os
import uuid
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from smartcommune.tenants.settings import get_settings


class FileStore(Protocol):
    def put(self, schema: str, file_id: uuid.UUID, data: bytes) -> None: ...
    def get(self, schema: str, file_id: uuid.UUID) -> bytes: ...


class LocalFileStore:
    """One folder per commune schema; written to a temp name then renamed, so readers never see half a file."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, schema: str, file_id: uuid.UUID) -> Path:
        return self.root / schema / file_id.hex[:2] / file_id.hex

    def put(self, schema: str, file_id: uuid.UUID, data: bytes) -> None:
        path = self._path(schema, file_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".part")
        tmp.write_bytes(data)
        os.replace(tmp, path)

    def get(self, schema: str, file_id: uuid.UUID) -> bytes:
        return self._path(schema, file_id).read_bytes()


@lru_cache
def get_file_store() -> FileStore:
    return LocalFileStore(get_settings().data_dir / "files")
