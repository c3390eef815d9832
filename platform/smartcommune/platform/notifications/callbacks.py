"""Delivery-report callbacks of the text channels, each faithful to its provider's documented shape.

- eSMS.vn ("Callback Url"): eSMS calls the `CallbackUrl` given with each send by HTTP GET with the query
  `SMSID, SendFailed, SendStatus, SendSuccess, TotalPrice, TotalReceiver, TotalSent, RequestId, TypeId,
  telcoid, phonenumber` (SendStatus 5 = sent successfully, 4 = rejected; with one receiver SendSuccess 1 /
  SendFailed 1 say how it ended). eSMS signs nothing, so the URL we register carries a shared secret
  (`token`), compared in constant time; it is never logged (the access log records the path only).
- Zalo ZNS (OA webhook, event `user_received_message`): JSON body {app_id, sender: {id}, recipient: {id},
  event_name, message: {msg_id, delivery_time}, timestamp}; header
  `X-ZEvent-Signature: mac=<hex sha256(app_id + raw body + timestamp + OA secret key)>`.
  The event only ever reports receipt, so a Zalo report moves a delivery to `delivered`; ZNS refusals
  (no Zalo account, blocked OA, bad template) come back synchronously from the send and fail it there.
Other OA events reaching the same webhook are acknowledged and ignored.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any

from smartcommune.tenants.errors import AppError, InvalidInput


class CallbackRejected(AppError):
    status = 401
    code = "callback_signature_invalid"


def _rejected() -> CallbackRejected:
    return CallbackRejected("Xác thực callback không hợp lệ.", "Invalid callback authentication.")


@dataclass(frozen=True)
class ProviderReport:
    provider: str  # esms | zalo
    message_id: str
    status: str  # delivered | failed | pending
    reason: str | None
    payload: dict[str, Any]


# -- eSMS.vn ------------------------------------------------------------------------------------------
def esms_verify(token: str | None, secret: str) -> None:
    if not secret or not token or not hmac.compare_digest(token.encode(), secret.encode()):
        raise _rejected()


def _int(value: Any) -> int:
    try:
        return int(float(str(value)))
    except (TypeError, ValueError):
        return 0


def esms_parse(query: dict[str, str]) -> ProviderReport:
    message_id = (query.get("SMSID") or "").strip()
    if not message_id:
        raise InvalidInput("Thiếu SMSID.", "SMSID is missing.", code="invalid_callback", field="SMSID")
    send_status = str(query.get("SendStatus", "")).strip()
    success, failed = _int(query.get("SendSuccess")), _int(query.get("SendFailed"))
    status, reason = "pending", None
    if send_status == "4":
        status, reason = "failed", "esms_rejected"
    elif send_status == "5":
        if failed > 0 and success == 0:
            status, reason = "failed", "esms_send_failed"
        elif success > 0:
            status = "delivered"
    payload = {k: query[k] for k in sorted(query) if k != "token"}
    return ProviderReport("esms", message_id, status, reason, payload)


# -- Zalo ZNS -----------------------------------------------------------------------------------------
def zalo_mac(app_id: str, raw_body: bytes, timestamp: str, oa_secret: str) -> str:
    return hashlib.sha256(app_id.encode() + raw_body + timestamp.encode() + oa_secret.encode()).hexdigest()


def zalo_verify(signature_header: str | None, raw_body: bytes, body: dict[str, Any], oa_secret: str) -> None:
    if not oa_secret or not signature_header:
        raise _rejected()
    presented = signature_header.strip()
    presented = presented.split("=", 1)[1] if presented.lower().startswith("mac=") else presented
    expected = zalo_mac(str(body.get("app_id", "")), raw_body, str(body.get("timestamp", "")), oa_secret)
    if not hmac.compare_digest(presented.lower().encode(), expected.encode()):
        raise _rejected()


def zalo_body(raw_body: bytes) -> dict[str, Any]:
    try:
        body = json.loads(raw_body)
    except ValueError as e:
        raise InvalidInput("Nội dung không phải JSON.", "The body is not JSON.", code="invalid_json") from e
    if not isinstance(body, dict):
        raise InvalidInput("Nội dung phải là đối tượng JSON.", "The body must be a JSON object.", code="invalid_json")
    return body


def zalo_parse(body: dict[str, Any]) -> ProviderReport | None:
    """The delivery event, or None for other OA events (acknowledged and ignored)."""
    if body.get("event_name") != "user_received_message":
        return None
    message = body.get("message") if isinstance(body.get("message"), dict) else {}
    message_id = str((message or {}).get("msg_id") or "").strip()
    if not message_id:
        raise InvalidInput("Thiếu msg_id.", "msg_id is missing.", code="invalid_callback", field="message.msg_id")
    return ProviderReport("zalo", message_id, "delivered", None, body)
