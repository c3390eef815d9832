"""Bank-transfer notification adapters, each faithful to its provider's documented webhook.

- SePay (docs.sepay.vn, "Tích hợp WebHooks"): JSON body {id, gateway, transactionDate, accountNumber, code,
  content, transferType "in"|"out", transferAmount, accumulated, subAccount, referenceCode, description};
  authenticated by the header `Authorization: Apikey <API key>`; answer 200 with {"success": true}.
- payOS (payos.vn/docs, "Webhook"): JSON body {code, desc, success, data: {orderCode, amount, description,
  accountNumber, reference, transactionDateTime, currency, paymentLinkId, code, desc, counterAccount…},
  signature}; `signature` = hex HMAC-SHA256 with the checksum key over `data` as `key=value` pairs sorted
  by key and joined with `&` (null → empty string, nested values as JSON).

Both compare secrets in constant time (`hmac.compare_digest`).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from smartcommune.tenants.errors import AppError, InvalidInput

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


class WebhookRejected(AppError):
    status = 401
    code = "webhook_signature_invalid"


def _rejected() -> WebhookRejected:
    return WebhookRejected("Chữ ký webhook không hợp lệ.", "Invalid webhook signature.")


@dataclass(frozen=True)
class BankTransfer:
    source: str
    event_id: str
    incoming: bool
    amount_vnd: int
    memo: str
    account_number: str
    bank_reference: str | None
    at: datetime | None


def _when(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d %H:%M:%S").replace(tzinfo=VN_TZ)
    except ValueError:
        return None


def _bad(what: str) -> InvalidInput:
    return InvalidInput(f"Dữ liệu webhook thiếu hoặc sai: {what}.", f"Webhook payload missing or bad: {what}.")


# -- SePay ----------------------------------------------------------------------------------------
def sepay_verify(authorization: str | None, api_key: str) -> None:
    if not api_key:
        raise _rejected()
    scheme, _, presented = (authorization or "").partition(" ")
    if scheme.lower() != "apikey" or not hmac.compare_digest(presented.strip().encode(), api_key.encode()):
        raise _rejected()


def sepay_parse(body: dict[str, Any]) -> BankTransfer:
    try:
        event_id = str(int(body["id"]))
        amount = int(body["transferAmount"])
    except (KeyError, TypeError, ValueError) as e:
        raise _bad("id, transferAmount") from e
    if amount < 0:
        raise _bad("transferAmount")
    memo = " ".join(str(body.get(k) or "") for k in ("code", "content", "description")).strip()
    return BankTransfer(
        source="sepay",
        event_id=event_id,
        incoming=body.get("transferType") == "in",
        amount_vnd=amount,
        memo=memo[:500],
        account_number=str(body.get("accountNumber") or ""),
        bank_reference=(str(body["referenceCode"]) if body.get("referenceCode") else None),
        at=_when(body.get("transactionDate")),
    )


# -- payOS ----------------------------------------------------------------------------------------
def _payos_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return str(value)


def payos_signature_data(data: dict[str, Any]) -> str:
    return "&".join(f"{k}={_payos_value(data[k])}" for k in sorted(data))


def payos_sign(data: dict[str, Any], checksum_key: str) -> str:
    return hmac.new(checksum_key.encode(), payos_signature_data(data).encode(), hashlib.sha256).hexdigest()


def payos_verify(body: dict[str, Any], checksum_key: str) -> None:
    data, signature = body.get("data"), body.get("signature")
    if not checksum_key or not isinstance(data, dict) or not isinstance(signature, str):
        raise _rejected()
    if not hmac.compare_digest(payos_sign(data, checksum_key), signature.lower()):
        raise _rejected()


def payos_parse(body: dict[str, Any]) -> BankTransfer:
    data = body["data"]
    try:
        amount = int(data["amount"])
        event_id = str(data.get("reference") or f"{data['orderCode']}:{data.get('paymentLinkId', '')}")
    except (KeyError, TypeError, ValueError) as e:
        raise _bad("data.amount, data.reference") from e
    return BankTransfer(
        source="payos",
        event_id=event_id,
        incoming=str(data.get("code", body.get("code"))) == "00" and amount > 0,
        amount_vnd=amount,
        memo=str(data.get("description") or "")[:500],
        account_number=str(data.get("accountNumber") or ""),
        bank_reference=str(data.get("reference")) if data.get("reference") else None,
        at=_when(data.get("transactionDateTime")),
    )
