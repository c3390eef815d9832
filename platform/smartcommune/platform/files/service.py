"""Accept an upload: size limit (413), type by content not by name (415), images re-encoded without EXIF."""

from __future__ import annotations

import hashlib
import io
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy.orm import Session

from smartcommune.platform.files.models import StoredFile
from smartcommune.platform.files.storage import FileStore, get_file_store
from smartcommune.tenants.context import TenantInfo
from smartcommune.tenants.errors import InvalidInput, NotFound, PayloadTooLarge, UnsupportedMediaType

IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})
DOCUMENT_TYPES = frozenset({"application/pdf"})
_MAGIC = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"%PDF-", "application/pdf"),
)
MAX_PIXELS = 40_000_000


@dataclass(frozen=True)
class UploadRules:
    allowed_types: frozenset[str]
    max_bytes: int


PHOTO = UploadRules(IMAGE_TYPES, 8 * 1024 * 1024)
DOCUMENT = UploadRules(IMAGE_TYPES | DOCUMENT_TYPES, 20 * 1024 * 1024)


def sniff_type(data: bytes) -> str | None:
    for magic, content_type in _MAGIC:
        if data.startswith(magic):
            return content_type
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def _strip_metadata(data: bytes, content_type: str) -> bytes:
    """Re-encode so EXIF (GPS position of a resident's home, camera serial) never leaves the server."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.width * image.height > MAX_PIXELS:
                raise PayloadTooLarge("Ảnh quá lớn.", "Image has too many pixels.", code="image_too_large")
            oriented = ImageOps.exif_transpose(image)
            out = io.BytesIO()
            fmt = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}[content_type]
            if fmt == "JPEG" and oriented.mode not in ("RGB", "L"):
                oriented = oriented.convert("RGB")
            oriented.save(out, format=fmt, quality=85) if fmt != "PNG" else oriented.save(out, format=fmt)
            return out.getvalue()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise UnsupportedMediaType("Ảnh bị hỏng.", "The image cannot be read.", code="corrupt_image") from exc


def store_upload(
    db: Session, tenant: TenantInfo, *, filename: str, data: bytes, purpose: str, actor: str, rules: UploadRules
) -> StoredFile:
    if len(data) > rules.max_bytes:
        raise PayloadTooLarge(
            f"Tệp vượt quá {rules.max_bytes // (1024 * 1024)} MB.",
            f"File larger than {rules.max_bytes // (1024 * 1024)} MB.",
            code="file_too_large",
            max_bytes=rules.max_bytes,
        )
    if not data:
        raise InvalidInput("Tệp rỗng.", "Empty file.", code="empty_file")
    content_type = sniff_type(data)
    if content_type is None or content_type not in rules.allowed_types:
        raise UnsupportedMediaType(
            "Loại tệp không được hỗ trợ.",
            "Unsupported file type.",
            code="unsupported_media_type",
            allowed=sorted(rules.allowed_types),
        )
    if content_type in IMAGE_TYPES:
        data = _strip_metadata(data, content_type)
    row = StoredFile(
        id=uuid.uuid4(),
        name=(filename or "file")[-255:],
        content_type=content_type,
        size_bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        purpose=purpose,
        created_by=actor,
    )
    # Bytes first, row second: a rolled-back request leaves at worst an unreferenced blob, never a row
    # without bytes.
    get_file_store().put(tenant.schema_name, row.id, data, content_type=content_type)
    db.add(row)
    db.flush()
    return row


@dataclass(frozen=True)
class FileBody:
    """The bytes of a stored file, not yet read: the response streams them chunk by chunk from the store."""

    store: FileStore
    schema: str
    file_id: uuid.UUID

    def chunks(self, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        return self.store.stream(self.schema, self.file_id, start=start, end=end)

    def read(self) -> bytes:
        return b"".join(self.chunks())


def read_file(db: Session, tenant: TenantInfo, file_id: uuid.UUID) -> tuple[StoredFile, FileBody]:
    row = db.get(StoredFile, file_id)
    if row is None:
        raise NotFound("Không tìm thấy tệp.", "File not found.", code="file_not_found")
    return row, FileBody(get_file_store(), tenant.schema_name, row.id)
