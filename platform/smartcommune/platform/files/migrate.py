"""Copy every stored file from one store to another (local disk → S3), verified and resumable.

Each object is streamed across, then read back from the target and compared by SHA-256; an object already
in the target with the same bytes is skipped, so an interrupted run simply starts again.
"""

from __future__ import annotations

import hashlib
import tempfile
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from smartcommune.platform.files.storage import FileMissing, FileStore


@dataclass
class MigrationResult:
    copied: int = 0
    skipped: int = 0
    failed: list[str] = field(default_factory=list)
    bytes_copied: int = 0


def _sha256(chunks: Iterable[bytes]) -> str:
    digest = hashlib.sha256()
    for chunk in chunks:
        digest.update(chunk)
    return digest.hexdigest()


def _target_sha(target: FileStore, schema: str, file_id: uuid.UUID) -> str | None:
    try:
        return _sha256(target.stream(schema, file_id))
    except FileMissing:
        return None


def migrate_files(
    source: FileStore,
    target: FileStore,
    *,
    schema: str | None = None,
    on_file: Callable[[str, uuid.UUID, str], None] | None = None,
) -> MigrationResult:
    result = MigrationResult()
    for schema_name, file_id in source.keys(schema):
        key = f"{schema_name}/{file_id}"
        size = source.size(schema_name, file_id)
        if size is None:
            continue
        source_sha = _sha256(source.stream(schema_name, file_id))
        if target.size(schema_name, file_id) == size and _target_sha(target, schema_name, file_id) == source_sha:
            result.skipped += 1
            if on_file:
                on_file(schema_name, file_id, "skipped")
            continue
        # Spooled through a temporary file: the copy streams, whatever the file's size.
        with tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024) as spool:
            for chunk in source.stream(schema_name, file_id):
                spool.write(chunk)
            spool.seek(0)
            target.put(schema_name, file_id, spool)
        if _target_sha(target, schema_name, file_id) != source_sha:
            result.failed.append(key)
            if on_file:
                on_file(schema_name, file_id, "failed")
            continue
        result.copied += 1
        result.bytes_copied += size
        if on_file:
            on_file(schema_name, file_id, "copied")
    return result
