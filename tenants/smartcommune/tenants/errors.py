"""The one error base class. Services raise it; the HTTP layer turns it into a JSON 4xx/5xx."""

from __future__ import annotations

from typing import Any, ClassVar


class AppError(Exception):
    """An error a user can act on: HTTP status, machine-readable code, Vietnamese and English text."""

    status: ClassVar[int] = 400
    code: ClassVar[str] = "bad_request"

    def __init__(self, message_vi: str, message_en: str, *, code: str | None = None, **details: Any) -> None:
        super().__init__(message_en)
        if code is not None:
            self.code = code  # type: ignore[misc]
        self.message_vi = message_vi
        self.message_en = message_en
        self.details = details

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message_vi, "message_en": self.message_en}
        if self.details:
            body["details"] = self.details
        return body


class InvalidInput(AppError):
    status = 422
    code = "invalid_input"


class NotFound(AppError):
    status = 404
    code = "not_found"


class Conflict(AppError):
    status = 409
    code = "conflict"


class Unauthenticated(AppError):
    status = 401
    code = "unauthenticated"


class Forbidden(AppError):
    status = 403
    code = "forbidden"


class CommuneSuspended(AppError):
    status = 423
    code = "commune_suspended"


class RateLimited(AppError):
    status = 429
    code = "rate_limited"


class PayloadTooLarge(AppError):
    status = 413
    code = "payload_too_large"


class UnsupportedMediaType(AppError):
    status = 415
    code = "unsupported_media_type"
