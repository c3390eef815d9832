from __future__ import annotations

from urllib.parse import quote

from fastapi import UploadFile
from fastapi.responses import RedirectResponse, Response, StreamingResponse

from smartcommune.platform.files.models import StoredFile
from smartcommune.platform.files.service import FileBody
from smartcommune.platform.files.storage import S3FileStore
from smartcommune.tenants.errors import PayloadTooLarge
from smartcommune.tenants.settings import get_settings


def file_response(row: StoredFile, body: FileBody | bytes) -> Response:
    """Serve stored bytes with the sniffed type; never let a browser guess another type.

    Called only after the route's authorization: the bytes stream from the store (a missing object is
    a 404 before the first byte), or, with `FILES_DOWNLOAD=presign` on S3, the client is sent to a
    URL that works for `FILES_PRESIGN_TTL_S` seconds.
    """
    headers = {
        "Content-Disposition": f"inline; filename*=UTF-8''{quote(row.name)}",
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, max-age=3600",
    }
    if isinstance(body, bytes):
        return Response(content=body, media_type=row.content_type, headers=headers)
    settings = get_settings()
    if settings.files_download == "presign" and isinstance(body.store, S3FileStore):
        url = body.store.presigned_url(
            body.schema, body.file_id, expires_s=settings.files_presign_ttl_s, filename=row.name
        )
        return RedirectResponse(url, status_code=307, headers={"Cache-Control": "no-store"})
    chunks = body.chunks()  # opens the object now: a missing one raises here, as a clean 404
    headers["Content-Length"] = str(row.size_bytes)
    return StreamingResponse(chunks, media_type=row.content_type, headers=headers)


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
