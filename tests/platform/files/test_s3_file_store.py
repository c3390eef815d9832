"""The S3 backend of the file store against a real S3-protocol server (moto's server mode) on 127.0.0.1,
through boto3 over HTTP: put, get, ranged and streamed get, delete, a missing object, multipart, encryption,
presigned downloads, a second replica process, a restart, and the production start-up refusal."""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator

import boto3
import httpx
import pytest
from PIL import Image
from testsupport.s3server import CREDENTIALS, S3Server, s3_server

from smartcommune.platform.files import storage
from smartcommune.platform.files.http import file_response
from smartcommune.platform.files.service import PHOTO, read_file, store_upload
from smartcommune.platform.files.storage import (
    FileMissing,
    LocalFileStore,
    S3FileStore,
    check_file_store_settings,
    file_store_for,
)
from smartcommune.tenants.context import TenantInfo
from smartcommune.tenants.errors import NotFound
from smartcommune.tenants.session import tenant_transaction
from smartcommune.tenants.settings import Settings, get_settings

BUCKET = "smartcommune-files"


@pytest.fixture(scope="module")
def s3() -> Iterator[S3Server]:
    saved = {k: os.environ.get(k) for k in CREDENTIALS}
    os.environ.update(CREDENTIALS)
    try:
        with s3_server() as server:
            boto3.client("s3", endpoint_url=server.endpoint_url).create_bucket(
                Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "ap-southeast-1"}
            )
            yield server
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _settings(s3: S3Server, prefix: str = "fleet", **extra: object) -> Settings:
    return Settings(files_url=f"s3://{BUCKET}/{prefix}", s3_endpoint_url=s3.endpoint_url, **extra)  # type: ignore[arg-type]


def _store(s3: S3Server, prefix: str = "fleet", **extra: object) -> S3FileStore:
    store = file_store_for(f"s3://{BUCKET}/{prefix}", _settings(s3, prefix, **extra))
    assert isinstance(store, S3FileStore)
    return store


def test_put_get_range_stream_delete_and_missing(s3: S3Server) -> None:
    store = _store(s3)
    file_id = uuid.uuid4()
    data = bytes(range(256)) * 4096  # 1 MiB, every byte value
    store.put("commune_a", file_id, data, content_type="application/pdf")

    raw = boto3.client("s3", endpoint_url=s3.endpoint_url)
    head = raw.head_object(Bucket=BUCKET, Key=f"fleet/commune_a/{file_id}")
    assert head["ContentType"] == "application/pdf" and head["ContentLength"] == len(data)

    assert store.get("commune_a", file_id) == data
    chunks = list(store.stream("commune_a", file_id))
    assert len(chunks) > 1 and b"".join(chunks) == data  # streamed in pieces, not one read
    assert b"".join(store.stream("commune_a", file_id, start=1000, end=1999)) == data[1000:2000]
    assert store.size("commune_a", file_id) == len(data)
    assert ("commune_a", file_id) in set(store.keys("commune_a"))

    # Another commune's prefix does not hold it: keys are per schema.
    with pytest.raises(FileMissing):
        store.get("commune_b", file_id)
    store.delete("commune_a", file_id)
    with pytest.raises(NotFound):
        store.get("commune_a", file_id)
    assert store.size("commune_a", file_id) is None


def test_large_upload_goes_in_parts_from_a_stream(s3: S3Server) -> None:
    store = _store(s3, s3_multipart_threshold_mb=5)
    file_id = uuid.uuid4()
    payload = os.urandom(12 * 1024 * 1024)
    store.put("commune_a", file_id, io.BytesIO(payload), content_type="application/pdf")
    head = boto3.client("s3", endpoint_url=s3.endpoint_url).head_object(Bucket=BUCKET, Key=f"fleet/commune_a/{file_id}")
    assert head["ETag"].strip('"').endswith("-3")  # three 5 MiB parts: a multipart upload, not one PUT
    assert hashlib.sha256(store.get("commune_a", file_id)).digest() == hashlib.sha256(payload).digest()


def test_server_side_encryption_is_requested_when_configured(s3: S3Server) -> None:
    store = _store(s3, s3_sse="AES256")
    file_id = uuid.uuid4()
    store.put("commune_a", file_id, b"%PDF-1.4 secret", content_type="application/pdf")
    head = boto3.client("s3", endpoint_url=s3.endpoint_url).head_object(Bucket=BUCKET, Key=f"fleet/commune_a/{file_id}")
    assert head["ServerSideEncryption"] == "AES256"


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 24), (10, 120, 200)).save(out, format="JPEG")
    return out.getvalue()


@pytest.fixture
def platform_on_s3(s3: S3Server, monkeypatch: pytest.MonkeyPatch) -> Iterator[S3Server]:
    monkeypatch.setenv("FILES_URL", f"s3://{BUCKET}/platform")
    monkeypatch.setenv("S3_ENDPOINT_URL", s3.endpoint_url)
    get_settings.cache_clear()
    storage.get_file_store.cache_clear()
    yield s3
    get_settings.cache_clear()
    storage.get_file_store.cache_clear()


REPLICA = """
import hashlib, sys, uuid
from smartcommune.platform.files.storage import get_file_store
data = get_file_store().get(sys.argv[1], uuid.UUID(sys.argv[2]))
print(hashlib.sha256(data).hexdigest())
"""


def test_an_upload_lands_in_the_bucket_and_every_replica_reads_it(
    platform_on_s3: S3Server, communes: tuple[TenantInfo, TenantInfo]
) -> None:
    a, b = communes
    with tenant_transaction(a) as db:
        row = store_upload(db, a, filename="ổ gà.jpg", data=_jpeg(), purpose="report_photo", actor="t", rules=PHOTO)
        file_id, sha = row.id, row.sha256
    key = f"platform/{a.schema_name}/{file_id}"
    head = boto3.client("s3", endpoint_url=platform_on_s3.endpoint_url).head_object(Bucket=BUCKET, Key=key)
    assert head["ContentType"] == "image/jpeg"

    # A second replica: another process, its own client, the same configuration.
    env = {**os.environ, **CREDENTIALS}
    out = subprocess.run(
        [sys.executable, "-c", REPLICA, a.schema_name, str(file_id)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == sha

    # A restart of this process: a fresh store object still finds the bytes; the API streams them.
    storage.get_file_store.cache_clear()
    with tenant_transaction(a) as db:
        stored, body = read_file(db, a, file_id)
        response = file_response(stored, body)
    assert response.headers["content-length"] == str(stored.size_bytes)
    assert hashlib.sha256(body.read()).hexdigest() == sha
    with pytest.raises(NotFound), tenant_transaction(b) as db:
        read_file(db, b, file_id)  # the other commune's row lookup answers 404


def test_presigned_download_after_authorization(
    platform_on_s3: S3Server, communes: tuple[TenantInfo, TenantInfo], monkeypatch: pytest.MonkeyPatch
) -> None:
    a, _ = communes
    monkeypatch.setenv("FILES_DOWNLOAD", "presign")
    get_settings.cache_clear()
    with tenant_transaction(a) as db:
        row = store_upload(db, a, filename="logo.jpg", data=_jpeg(), purpose="logo", actor="t", rules=PHOTO)
        stored, body = read_file(db, a, row.id)
    response = file_response(stored, body)
    assert response.status_code == 307
    fetched = httpx.get(response.headers["location"], timeout=10)
    assert fetched.status_code == 200 and hashlib.sha256(fetched.content).hexdigest() == stored.sha256
    tampered = response.headers["location"].replace(str(row.id), str(uuid.uuid4()))
    assert httpx.get(tampered, timeout=10).status_code == 403  # the signature covers the key


def test_production_refuses_a_local_folder_unless_declared_shared(s3: S3Server) -> None:
    with pytest.raises(RuntimeError, match="FILES_URL=s3://"):
        check_file_store_settings(Settings(environment="production"))
    check_file_store_settings(Settings(environment="production", files_shared_volume=True))
    check_file_store_settings(_settings(s3, environment="production"))
    check_file_store_settings(Settings(environment="development"))
    with pytest.raises(ValueError, match="FILES_URL"):
        check_file_store_settings(Settings(files_url="ftp://x/y"))


def test_files_migrate_copies_verifies_and_resumes(s3: S3Server, tmp_path: object) -> None:
    from pathlib import Path

    from smartcommune.platform.files.migrate import migrate_files

    root = Path(str(tmp_path)) / "files"
    local = LocalFileStore(root)
    blobs = {("commune_a", uuid.uuid4()): os.urandom(3000), ("commune_b", uuid.uuid4()): os.urandom(5000)}
    for (schema, file_id), data in blobs.items():
        local.put(schema, file_id, data)
    target = _store(s3, prefix=f"migrated-{uuid.uuid4().hex[:6]}")

    first = migrate_files(local, target)
    assert (first.copied, first.skipped, first.failed) == (2, 0, [])
    for (schema, file_id), data in blobs.items():
        assert target.get(schema, file_id) == data
    again = migrate_files(local, target)  # resumable: what is already there with the same bytes is skipped
    assert (again.copied, again.skipped) == (0, 2)
    # A corrupted copy (different bytes) is detected and copied again.
    (schema, file_id), _ = next(iter(blobs.items()))
    target.put(schema, file_id, b"x" * 3000)
    fixed = migrate_files(local, target)
    assert fixed.copied == 1 and target.get(schema, file_id) == blobs[(schema, file_id)]
    print(json.dumps({"copied": first.copied}))
