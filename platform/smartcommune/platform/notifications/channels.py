"""Delivery channels. Each real one is an HTTP adapter to a named external API; each has a logging twin
for development, the default.

- SMS: eSMS.vn brandname API, `SendMultipleMessage_V4_post_json` (customer-care messages, SmsType 2).
- Zalo: Zalo Notification Service (ZNS) template messages, `POST /message/template` with `access_token`.
- Web push: RFC 8030 push services with VAPID (RFC 8292) and aes128gcm payloads (RFC 8291), via pywebpush.
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

import httpx
import requests
import structlog
from pywebpush import WebPushException, webpush

from smartcommune.platform.notifications.settings import ChannelSettings, get_channel_settings

log = structlog.get_logger(__name__)


class ChannelError(Exception):
    """A send that did not work. `permanent`: retrying cannot help (bad number, expired subscription)."""

    def __init__(self, reason: str, *, permanent: bool = False, gone: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason[:500]
        self.permanent = permanent or gone
        self.gone = gone


@dataclass(frozen=True)
class TextMessage:
    phone: str  # E.164
    title: str
    body: str
    reference: str  # idempotency / tracking key: "<schema>:<delivery id>"
    commune_name: str = ""
    callback_url: str = ""  # where the provider reports delivery (eSMS `CallbackUrl`); empty: none


@dataclass(frozen=True)
class PushTarget:
    endpoint: str
    p256dh: str
    auth: str


class TextChannel(Protocol):
    name: str

    def send(self, message: TextMessage) -> str | None:
        """Send; return the provider's message id. Raise ChannelError on failure."""
        ...


class PushSender(Protocol):
    def send(self, target: PushTarget, payload: dict[str, Any], *, urgency: str, topic: str | None) -> None: ...


def unaccent(text: str) -> str:
    """SMS text without Vietnamese diacritics: UCS-2 would halve the length of every SMS segment."""
    text = text.replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")


def sms_text(message: TextMessage, limit: int = 300) -> str:
    prefix = f"{message.commune_name}: " if message.commune_name else ""
    text = unaccent(f"{prefix}{message.title}. {message.body}").replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 3] + "..."


def local_phone(e164: str) -> str:
    """+84912345678 → 0912345678 (eSMS takes national numbers)."""
    return "0" + e164[3:] if e164.startswith("+84") else e164


# -- logging twins --------------------------------------------------------------------------------------
class LoggingTextChannel:
    """Development: writes what would be sent. Refused in production, like the OTP logging channel."""

    development_only: ClassVar[bool] = True

    def __init__(self, name: str) -> None:
        self.name = name

    def send(self, message: TextMessage) -> str | None:
        log.info(f"{self.name}.logged_not_sent", phone=message.phone, text=sms_text(message), ref=message.reference)
        return None


class LoggingPushSender:
    development_only: ClassVar[bool] = True

    def send(self, target: PushTarget, payload: dict[str, Any], *, urgency: str, topic: str | None) -> None:
        log.info("push.logged_not_sent", endpoint=target.endpoint[:80], title=payload.get("title"), urgency=urgency)


# -- eSMS.vn ------------------------------------------------------------------------------------------
# Result codes of eSMS: 100 accepted; 99 unknown error; 101 wrong ApiKey/SecretKey; 102 account locked;
# 103 balance too low; 104 brandname not registered; 118 invalid SMS type; 119 brandname not allowed.
_ESMS_PERMANENT = {"101", "102", "104", "118", "119"}


class EsmsSmsChannel:
    name = "sms"

    def __init__(self, settings: ChannelSettings, client: httpx.Client | None = None) -> None:
        self.settings = settings
        self.client = client or httpx.Client(timeout=settings.http_timeout_s)

    def request_body(self, message: TextMessage) -> dict[str, Any]:
        return {
            "ApiKey": self.settings.esms_api_key,
            "SecretKey": self.settings.esms_secret_key,
            "Phone": local_phone(message.phone),
            "Content": sms_text(message),
            "Brandname": self.settings.esms_brandname,
            "SmsType": "2",
            "IsUnicode": "0",
            "Sandbox": "1" if self.settings.esms_sandbox else "0",
            "RequestId": message.reference,
        } | ({"CallbackUrl": message.callback_url} if message.callback_url else {})

    def send(self, message: TextMessage) -> str | None:
        try:
            response = self.client.post(self.settings.esms_url, json=self.request_body(message))
        except httpx.HTTPError as e:
            raise ChannelError(f"esms_unreachable: {type(e).__name__}") from e
        if response.status_code >= 500:
            raise ChannelError(f"esms_http_{response.status_code}")
        try:
            body = response.json()
        except ValueError as e:
            raise ChannelError(f"esms_bad_response: HTTP {response.status_code}") from e
        code = str(body.get("CodeResult", ""))
        if code != "100":
            raise ChannelError(
                f"esms_{code or 'unknown'}: {body.get('ErrorMessage', '')}".strip(), permanent=code in _ESMS_PERMANENT
            )
        return str(body.get("SMSID") or "") or None


# -- Zalo ZNS -----------------------------------------------------------------------------------------
# ZNS errors that retrying cannot fix: -108 invalid phone, -118 no Zalo account, -124 invalid token,
# -131/-133 template problems, -139 user refused ZNS messages.
_ZNS_PERMANENT = {-108, -118, -124, -131, -133, -139}


class ZaloZnsChannel:
    name = "zalo"

    def __init__(self, settings: ChannelSettings, client: httpx.Client | None = None) -> None:
        self.settings = settings
        self.client = client or httpx.Client(timeout=settings.http_timeout_s)

    def request_body(self, message: TextMessage) -> dict[str, Any]:
        return {
            "phone": message.phone.removeprefix("+"),  # ZNS wants 84xxxxxxxxx
            "template_id": self.settings.zalo_template_id,
            "template_data": {
                "commune": message.commune_name[:30],
                "title": message.title[:100],
                "content": message.body[:400],
            },
            "tracking_id": message.reference,
        }

    def send(self, message: TextMessage) -> str | None:
        try:
            response = self.client.post(
                self.settings.zalo_zns_url,
                headers={"access_token": self.settings.zalo_access_token},
                json=self.request_body(message),
            )
        except httpx.HTTPError as e:
            raise ChannelError(f"zns_unreachable: {type(e).__name__}") from e
        if response.status_code >= 500:
            raise ChannelError(f"zns_http_{response.status_code}")
        try:
            body = response.json()
        except ValueError as e:
            raise ChannelError(f"zns_bad_response: HTTP {response.status_code}") from e
        error = int(body.get("error", -1))
        if error != 0:
            raise ChannelError(f"zns_{error}: {body.get('message', '')}", permanent=error in _ZNS_PERMANENT)
        data = body.get("data") or {}
        return str(data.get("msg_id") or "") or None


# -- Web push -----------------------------------------------------------------------------------------
class VapidPushSender:
    """Encrypts the payload for the subscription (aes128gcm) and signs a VAPID JWT for the push service."""

    def __init__(self, settings: ChannelSettings, session: requests.Session | None = None) -> None:
        self.settings = settings
        self.session = session or requests.Session()

    def send(self, target: PushTarget, payload: dict[str, Any], *, urgency: str, topic: str | None) -> None:
        headers = {"Urgency": urgency}
        if topic:
            headers["Topic"] = topic
        try:
            webpush(
                subscription_info={"endpoint": target.endpoint, "keys": {"p256dh": target.p256dh, "auth": target.auth}},
                data=json.dumps(payload, ensure_ascii=False),
                vapid_private_key=self.settings.vapid_private_key,
                vapid_claims={"sub": self.settings.vapid_subject},
                ttl=self.settings.push_ttl_s,
                headers=headers,
                timeout=self.settings.http_timeout_s,
                requests_session=self.session,
            )
        except WebPushException as e:
            status = e.response.status_code if e.response is not None else None
            if status in (404, 410):
                raise ChannelError(f"push_subscription_gone: HTTP {status}", gone=True) from e
            raise ChannelError(f"push_http_{status}", permanent=status in (400, 403, 413)) from e
        except requests.RequestException as e:
            raise ChannelError(f"push_unreachable: {type(e).__name__}") from e


# -- selection ----------------------------------------------------------------------------------------
@dataclass
class Channels:
    sms: TextChannel
    zalo: TextChannel
    push: PushSender


_override: Channels | None = None


def set_channels(channels: Channels | None) -> None:
    """Install channels for this process (the composition root, tests); None restores configuration."""
    global _override
    _override = channels


def get_channels() -> Channels:
    if _override is not None:
        return _override
    s = get_channel_settings()
    sms: TextChannel = EsmsSmsChannel(s) if s.sms_provider == "esms" else LoggingTextChannel("sms")
    zalo: TextChannel = ZaloZnsChannel(s) if s.zalo_provider == "zns" else LoggingTextChannel("zalo")
    push: PushSender = VapidPushSender(s) if s.vapid_private_key else LoggingPushSender()
    return Channels(sms=sms, zalo=zalo, push=push)


def refused_in_production(channel: object) -> bool:
    """A logging adapter would silently drop real residents' messages: in production it is a failure."""
    return bool(getattr(channel, "development_only", False)) and get_channel_settings().environment == "production"
