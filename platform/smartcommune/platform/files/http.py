from __future__ import annotations

from urllib.parse import quote

from fastapi import UploadFile
from fastapi.responses import Response

from smartcommune.platform.files.models import StoredFile
from smartcommune.tenants.errors import PayloadTooLarge


def file_response(row: StoredFile, data: bytes) -> Response:
    """Serve stored bytes with the sniffed type; never let a browser guess another type."""
    return Response(
        content=data,
        media_type=row.content_type,
        headers={
            "Content-Disposition": f"inline; filename*=UTF-8''{quote(row.name)}",
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, max-age=3600",
        },
    )


def read_uploads(uploads: list[UploadFile], max_bytes: int) -> list[tuple[str, bytes]]:
    """Read each part at most one byte past the limit: an oversized upload is refused without buffering it."""
    out: list[tuple[str, bytes]] = []
    for upload in uploads:
        data = upload.file.read(max_bytes + 1)
        if len(data) > max_bytes:
            raise PayloadTooLarge(
                f"Tệp vượt quá {max_bytes // (1024 * 1024)} MB.",
                f"File larger than {max_bytes // (1024 * 1024)} MB.",
                code="file_too_large",
                max_bytes=max_bytes,
            )
        out.append((upload.filename or "file", data))
    return out
