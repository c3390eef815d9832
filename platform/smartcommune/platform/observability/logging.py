"""Structured logs (structlog): one JSON object per line, with the commune and request id merged in.

The commune comes from `current_tenant` and the request id from `current_request_id`
(smartcommune.tenants.context), read at the moment each line is written, so every line logged while a
request or task is bound to a commune carries it. The standard library's `logging` (uvicorn, SQLAlchemy,
celery, ...) is routed through the same renderer.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog
from structlog.typing import Processor

from smartcommune.tenants.context import current_request_id, current_tenant
from smartcommune.tenants.settings import Settings, get_settings

_HANDLER_NAME = "smartcommune"
# Third-party loggers that install handlers of their own: their records go through the root handler.
_ADOPTED_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access", "celery", "celery.task", "celery.worker")


def add_tenant_context(_logger: Any, _method: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """Merge the current commune (code and slug) and request id into the event, unless already set."""
    tenant = current_tenant.get()
    if tenant is not None:
        event.setdefault("commune", tenant.commune_code)
        event.setdefault("commune_slug", tenant.slug)
    request_id = current_request_id.get()
    if request_id is not None:
        event.setdefault("request_id", request_id)
    return event


def shared_processors() -> list[Processor]:
    """Processors applied both to structlog calls and to records coming from stdlib `logging`."""
    return [
        structlog.contextvars.merge_contextvars,
        add_tenant_context,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.StackInfoRenderer(),
    ]


def _renderer(json: bool) -> Processor:
    if json:
        return structlog.processors.JSONRenderer(ensure_ascii=False)
    return structlog.dev.ConsoleRenderer(colors=False)


def configure_logging(settings: Settings | None = None, *, stream: Any = None) -> None:
    """Configure structlog and the root logger. Idempotent: calling it again replaces the handler.

    `settings.log_json` picks JSON (default) or a readable console format; `settings.log_level` the level.
    `stream` defaults to stderr (tests may pass a StringIO).
    """
    settings = settings or get_settings()
    level = logging.getLevelName(settings.log_level.upper())
    if not isinstance(level, int):
        level = logging.INFO
    shared = shared_processors()
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *shared,
            structlog.stdlib.PositionalArgumentsFormatter(),
            structlog.processors.format_exc_info,
            structlog.processors.UnicodeDecoder(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[*shared, structlog.stdlib.ExtraAdder()],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            _renderer(settings.log_json),
        ],
    )
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == _HANDLER_NAME]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name in _ADOPTED_LOGGERS:
        adopted = logging.getLogger(name)
        adopted.handlers.clear()
        adopted.propagate = True
    # RequestContextMiddleware writes one access line per request (with commune and request id).
    logging.getLogger("uvicorn.access").setLevel(logging.WARNING)


def get_logger(name: str | None = None) -> structlog.stdlib.BoundLogger:
    logger: structlog.stdlib.BoundLogger = structlog.stdlib.get_logger(name)
    return logger
