"""Where file bytes live: a local folder by default, S3-compatible object storage in production.

`FILES_URL` chooses: empty or `file:///path` → a folder (the embedded default of `make run`);
`s3://bucket/prefix` → an S3 bucket (AWS, MinIO, Ceph RGW, the Vietnamese clouds' S3 services; point
`S3_ENDPOINT_URL` at them). Keys are `{prefix}/{schema}/{file_id}` in both, so one commune's files are
one prefix (export, restore and move copy a prefix).
"""

from __future__ import annotations

import io
import os
import uuid
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit

from smartcommune.tenants.errors import NotFound
from smartcommune.tenants.settings import Settings, get_settings

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client  # pragma: no cover
else:
    S3Client = Any

CHUNK_BYTES = 256 * 1024


class FileMissing(NotFound):
    """The row exists but the bytes do not (lost or not yet copied): the same 404 a client sees for no row."""

    def __init__(self, key: str) -> None:
        super().__init__("Không tìm thấy tệp.", "File not found.", code="file_not_found")
        self.key = key


Data = bytes | IO[bytes]


class FileStore(Protocol):
    def put(self, schema: str, file_id: uuid.UUID, data: Data, *, content_type: str = ...) -> None: ...
    def get(self, schema: str, file_id: uuid.UUID) -> bytes: ...
    def stream(self, schema: str, file_id: uuid.UUID, *, start: int = 0, end: int | None = None) -> Iterator[bytes]: ...
    def size(self, schema: str, file_id: uuid.UUID) -> int | None: ...
    def delete(self, schema: str, file_id: uuid.UUID) -> None: ...
    def keys(self, schema: str | None = None) -> Iterator[tuple[str, uuid.UUID]]: ...
    @property
    def url(self) -> str: ...


def _as_stream(data: Data) -> IO[bytes]:
    return io.BytesIO(data) if isinstance(data, bytes | bytearray | memoryview) else data


class LocalFileStore:
    """One folder per commune schema; written to a temp name then renamed, so readers never see half a file."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @property
    def url(self) -> str:
        return self.root.resolve().as_uri()

    def _path(self, schema: str, file_id: uuid.UUID) -> Path:
        return self.root / schema / file_id.hex[:2] / file_id.hex

    def put(self, schema: str, file_id: uuid.UUID, data: Data, *, content_type: str = "") -> None:
        path = self._path(schema, file_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{uuid.uuid4().hex[:8]}.part")
        source = _as_stream(data)
        with tmp.open("wb") as out:
            while chunk := source.read(CHUNK_BYTES):
                out.write(chunk)
        os.replace(tmp, path)

    def get(self, schema: str, file_id: uuid.UUID) -> bytes:
        return b"".join(self.stream(schema, file_id))

    def stream(self, schema: str, file_id: uuid.UUID, *, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        path = self._path(schema, file_id)
        try:
            handle = path.open("rb")
        except FileNotFoundError:
            raise FileMissing(f"{schema}/{file_id}") from None
        return self._chunks(handle, start, end)

    @staticmethod
    def _chunks(handle: IO[bytes], start: int, end: int | None) -> Iterator[bytes]:
        with handle:
            handle.seek(start)
            left = None if end is None else end - start + 1
            while left is None or left > 0:
                chunk = handle.read(CHUNK_BYTES if left is None else min(CHUNK_BYTES, left))
                if not chunk:
                    return
                if left is not None:
                    left -= len(chunk)
                yield chunk

    def size(self, schema: str, file_id: uuid.UUID) -> int | None:
        try:
            return self._path(schema, file_id).stat().st_size
        except FileNotFoundError:
            return None

    def delete(self, schema: str, file_id: uuid.UUID) -> None:
        self._path(schema, file_id).unlink(missing_ok=True)

    def keys(self, schema: str | None = None) -> Iterator[tuple[str, uuid.UUID]]:
        roots = [self.root / schema] if schema else sorted(p for p in self.root.glob("*") if p.is_dir())
        for schema_dir in roots:
            for path in sorted(schema_dir.glob("??/*")):
                try:
                    yield schema_dir.name, uuid.UUID(hex=path.name)
                except ValueError:
                    continue  # a `.part` left by a crash mid-write


class S3FileStore:
    """Objects `{prefix}/{schema}/{file_id}` with content type, length and checksum; multipart above a threshold.

    Uploads stream from a file object (boto3's transfer manager splits anything over the threshold into
    parts, so a large document is never whole in memory); downloads are chunked reads of the body,
    ranged when asked. Server-side encryption is requested when configured (`S3_SSE=AES256` or `aws:kms`).
    """

    def __init__(self, client: S3Client, bucket: str, prefix: str, settings: Settings) -> None:
        from boto3.s3.transfer import TransferConfig

        self.client = client
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self._sse = settings.s3_sse
        self._kms_key_id = settings.s3_kms_key_id
        threshold = settings.s3_multipart_threshold_mb * 1024 * 1024
        self._transfer = TransferConfig(multipart_threshold=threshold, multipart_chunksize=threshold, use_threads=False)

    @property
    def url(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}" if self.prefix else f"s3://{self.bucket}"

    def key(self, schema: str, file_id: uuid.UUID) -> str:
        return f"{self.prefix}/{schema}/{file_id}" if self.prefix else f"{schema}/{file_id}"

    def _extra(self, content_type: str) -> dict[str, str]:
        extra = {"ContentType": content_type or "application/octet-stream"}
        if self._sse:
            extra["ServerSideEncryption"] = self._sse
            if self._sse == "aws:kms" and self._kms_key_id:
                extra["SSEKMSKeyId"] = self._kms_key_id
        return extra

    def put(self, schema: str, file_id: uuid.UUID, data: Data, *, content_type: str = "") -> None:
        self.client.upload_fileobj(
            _as_stream(data),
            self.bucket,
            self.key(schema, file_id),
            ExtraArgs=self._extra(content_type),
            Config=self._transfer,
        )

    def get(self, schema: str, file_id: uuid.UUID) -> bytes:
        return b"".join(self.stream(schema, file_id))

    def stream(self, schema: str, file_id: uuid.UUID, *, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        from botocore.exceptions import ClientError

        args: dict[str, str] = {"Bucket": self.bucket, "Key": self.key(schema, file_id)}
        if start or end is not None:
            args["Range"] = f"bytes={start}-{'' if end is None else end}"
        try:
            body = self.client.get_object(**args)["Body"]  # type: ignore[arg-type]
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in {"NoSuchKey", "404", "NotFound"}:
                raise FileMissing(args["Key"]) from None
            raise
        return self._chunks(body)

    @staticmethod
    def _chunks(body: Any) -> Iterator[bytes]:
        try:
            yield from body.iter_chunks(CHUNK_BYTES)
        finally:
            body.close()

    def size(self, schema: str, file_id: uuid.UUID) -> int | None:
        from botocore.exceptions import ClientError

        try:
            head = self.client.head_object(Bucket=self.bucket, Key=self.key(schema, file_id))
        except ClientError:
            return None
        return int(head["ContentLength"])

    def delete(self, schema: str, file_id: uuid.UUID) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self.key(schema, file_id))

    def keys(self, schema: str | None = None) -> Iterator[tuple[str, uuid.UUID]]:
        base = f"{self.prefix}/" if self.prefix else ""
        listing = base + (f"{schema}/" if schema else "")
        for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=listing):
            for item in page.get("Contents", []):
                schema_name, _, name = item["Key"][len(base) :].partition("/")
                try:
                    yield schema_name, uuid.UUID(name)
                except ValueError:
                    continue

    def presigned_url(self, schema: str, file_id: uuid.UUID, *, expires_s: int, filename: str) -> str:
        from urllib.parse import quote

        return str(
            self.client.generate_presigned_url(
                "get_object",
                Params={
                    "Bucket": self.bucket,
                    "Key": self.key(schema, file_id),
                    "ResponseContentDisposition": f"inline; filename*=UTF-8''{quote(filename)}",
                },
                ExpiresIn=expires_s,
            )
        )


def s3_client(settings: Settings) -> S3Client:
    import boto3
    from botocore.config import Config

    # Credentials come from boto3's own chain (IRSA web identity in the cluster, AWS_* in the environment).
    return boto3.client(
        "s3",
        endpoint_url=settings.s3_endpoint_url or None,
        region_name=settings.s3_region or None,
        config=Config(
            retries={"max_attempts": 4, "mode": "standard"},
            connect_timeout=5,
            read_timeout=30,
            s3={"addressing_style": "path" if settings.s3_endpoint_url else "auto"},
        ),
    )


def file_store_for(url: str, settings: Settings) -> FileStore:
    """The store a `FILES_URL` names; the one place a URL becomes a backend (the CLI's `--to` uses it too)."""
    if not url:
        return LocalFileStore(settings.data_dir / "files")
    parts = urlsplit(url)
    if parts.scheme == "file":
        return LocalFileStore(Path(parts.path))
    if parts.scheme == "s3" and parts.netloc:
        return S3FileStore(s3_client(settings), parts.netloc, parts.path, settings)
    raise ValueError(f"FILES_URL must be file:///path or s3://bucket/prefix, not {url!r}")


def check_file_store_settings(settings: Settings) -> None:
    """Production refuses a local folder unless it is declared a shared volume (all replicas see one disk)."""
    file_store_for(settings.files_url, settings)  # a malformed URL fails at start-up, not at the first upload
    local = not settings.files_url.startswith("s3://")
    if settings.environment == "production" and local and not settings.files_shared_volume:
        raise RuntimeError(
            "ENVIRONMENT=production needs object storage for files (FILES_URL=s3://bucket/prefix) or a shared "
            "volume declared with FILES_SHARED_VOLUME=true: a local folder is lost on restart and invisible "
            "to the other replicas."
        )


@lru_cache
def get_file_store() -> FileStore:
    settings = get_settings()
    return file_store_for(settings.files_url, settings)
