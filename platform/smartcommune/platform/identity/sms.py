"""Delivery of one-time codes: a pluggable SMS channel."""

from __future__ import annotations

from typing import ClassVar, Protocol

import structlog

from smartcommune.tenants.errors import AppError
from smartcommune.tenants.settings import get_settings

log = structlog.get_logger(__name__)


class SmsUnavailable(AppError):
    status = 503
    code = "sms_unavailable"


class SmsChannel(Protocol):
    def send(self, phone: str, message: str) -> None: ...


class LoggingSmsChannel:
    """Writes the message, code included, to the log. Development only."""

    development_only: ClassVar[bool] = True

    def send(self, phone: str, message: str) -> None:
        log.warning("sms.logged_not_sent", phone=phone, message=message)


_channel: SmsChannel | None = None


def set_sms_channel(channel: SmsChannel | None) -> None:
    """Install the process's SMS channel (the composition root calls this); None restores the default."""
    global _channel
    _channel = channel


def get_sms_channel() -> SmsChannel:
    channel: SmsChannel = _channel or LoggingSmsChannel()
    # Logging a valid login code in production would hand accounts to whoever reads the logs.
    if getattr(channel, "development_only", False) and get_settings().environment == "production":
        raise SmsUnavailable("Chưa cấu hình kênh gửi SMS.", "No SMS channel is configured.", code="sms_unavailable")
    return channel
