"""One JSON error shape for every failure: {"error": {"code", "message" (vi), "message_en", "details"}}."""

from __future__ import annotations

from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from smartcommune.platform.http.html import not_found_page, wants_html
from smartcommune.tenants.errors import AppError

log = structlog.get_logger(__name__)

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
