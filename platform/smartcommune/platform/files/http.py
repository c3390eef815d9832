from __future__ import annotations

from urllib.parse import quote

from fastapi.responses import Response

from smartcommune.platform.files.models import StoredFile


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
