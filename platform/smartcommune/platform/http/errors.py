"""One JSON error shape for every failure: {"error": {"code", "message" (vi), "message_en", "details"}}."""

from __future__ import annotations

from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from smartcommune.platform.http.html import not_found_page, wants_html
from smartcommune.tenants.errors import AppError

log = structlog.get_logger(__name__)


class ErrorDetail(BaseModel):
    code: str = Field(description="machine-readable code, e.g. `not_found`, `invalid_characters`")
    message: str = Field(description="Vietnamese message for the user")
    message_en: str
    details: Any = None
    request_id: str | None = None


class ErrorBody(BaseModel):
    """The one error shape of every 4xx/5xx answer."""

    error: ErrorDetail


_DOCUMENTED = {
    400: "Yêu cầu không hợp lệ / bad request",
    401: "Chưa đăng nhập hoặc mã truy cập không hợp lệ / unauthenticated",
    403: "Không có quyền / forbidden",
    404: "Không tìm thấy (cũng là câu trả lời cho dữ liệu của xã khác) / not found",
    405: "Phương thức không được hỗ trợ / method not allowed",
    409: "Xung đột / conflict",
    413: "Nội dung quá lớn / payload too large",
    415: "Kiểu nội dung không hỗ trợ / unsupported media type",
    422: "Dữ liệu không hợp lệ / invalid input (field named in details)",
    423: "Xã đang tạm ngừng / commune suspended",
    429: "Quá nhiều yêu cầu / rate limited (Retry-After)",
    500: "Lỗi hệ thống / internal error",
    503: "Cơ sở dữ liệu tạm thời không truy cập được / database unavailable (Retry-After)",
}
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    # "content" as well as "model": a route answering CSV or plain text still answers its errors in JSON
    status: {"model": ErrorBody, "description": text, "content": {"application/json": {}}}
    for status, text in _DOCUMENTED.items()
}


class Open311Error(BaseModel):
    code: int
    description: str


OPEN311_ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    # GeoReport v2 answers its own errors as a list of {code, description}; the platform's layers (input
    # policy, authentication) answer in the platform's shape.
    status: {"model": ErrorBody | list[Open311Error], "description": text, "content": {"application/json": {}}}
    for status, text in _DOCUMENTED.items()
}
"""`responses=` for every router (create_app passes it to include_router): every error answer is documented."""

_HTTP_CODES = {
    404: ("not_found", "Không tìm thấy.", "Not found."),
    405: ("method_not_allowed", "Phương thức không được hỗ trợ.", "Method not allowed."),
    413: ("payload_too_large", "Nội dung gửi lên quá lớn.", "The request body is too large."),
}


def error_body(code: str, message_vi: str, message_en: str, details: Any = None) -> dict[str, Any]:
    body: dict[str, Any] = {"code": code, "message": message_vi, "message_en": message_en}
    if details is not None:
        body["details"] = details
    return {"error": body}


async def _app_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AppError)
    headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
    retry_after = exc.details.get("retry_after")
    if exc.status in (429, 503) and isinstance(retry_after, int):
        headers = {"Retry-After": str(retry_after)}
    return JSONResponse({"error": exc.to_dict()}, status_code=exc.status, headers=headers)


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    details = [
        {
            "field": ".".join(str(p) for p in err.get("loc", ())),
            "problem": err.get("msg"),
            "type": err.get("type"),
        }
        for err in exc.errors()
    ]
    return JSONResponse(
        error_body("invalid_input", "Dữ liệu gửi lên không hợp lệ.", "The request is invalid.", details),
        status_code=422,
    )


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 404 and request.scope["path"].startswith("/app/") and wants_html(request):
        # A person's browser on a wrong app address: a page, not the API's JSON.
        return HTMLResponse(not_found_page(request), status_code=404)
    code, vi, en = _HTTP_CODES.get(exc.status_code, ("http_error", "Yêu cầu không thành công.", str(exc.detail)))
    return JSONResponse(error_body(code, vi, en), status_code=exc.status_code, headers=exc.headers)


async def _unhandled(_request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled_error", error=type(exc).__name__)
    return JSONResponse(
        error_body("internal_error", "Lỗi hệ thống, vui lòng thử lại sau.", "Internal error, please retry later."),
        status_code=500,
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(AppError, _app_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unhandled)
