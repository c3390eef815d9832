"""Contract tests of the external delivery APIs: the exact HTTP request each adapter makes, and how it
reads each kind of answer. The providers (eSMS.vn, Zalo ZNS, browser push services) are external and
cannot run here; the transport is intercepted (respx for httpx, responses for requests)."""

from __future__ import annotations

import base64
import json
import os
from typing import Any

import http_ece
import httpx
import jwt
import pytest
import responses
import respx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from smartcommune.platform.notifications.channels import (
    ChannelError,
    EsmsSmsChannel,
    PushTarget,
    TextMessage,
    VapidPushSender,
    ZaloZnsChannel,
    sms_text,
)
from smartcommune.platform.notifications.settings import ChannelSettings

MESSAGE = TextMessage(
    phone="+84912345678",
    title="Lịch cắt điện",
    body="Thôn Đông cắt điện từ 8h đến 11h ngày 25/11.",
    reference="c_19597:42",
    commune_name="Xã Cam Lộ",
)


def _settings(**kw: Any) -> ChannelSettings:
    base: dict[str, Any] = {
        "esms_api_key": "ESMS-KEY",
        "esms_secret_key": "ESMS-SECRET",
        "esms_brandname": "UBND CAMLO",
        "zalo_access_token": "ZALO-TOKEN",
        "zalo_template_id": "301234",
    }
    return ChannelSettings(**(base | kw))


# -- eSMS.vn ------------------------------------------------------------------------------------------
ESMS_URL = "https://rest.esms.vn/MainService.svc/json/SendMultipleMessage_V4_post_json/"


@respx.mock
def test_esms_contract_exact_request_and_success() -> None:
    route = respx.post(ESMS_URL).mock(
        return_value=httpx.Response(200, json={"CodeResult": "100", "CountRegenerate": 0, "SMSID": "d533459e"})
    )
    provider_id = EsmsSmsChannel(_settings(), httpx.Client()).send(MESSAGE)
    assert provider_id == "d533459e"
    assert route.call_count == 1
    request = route.calls.last.request
    assert request.method == "POST" and str(request.url) == ESMS_URL
    assert request.headers["content-type"] == "application/json"
    assert json.loads(request.content) == {
        "ApiKey": "ESMS-KEY",
        "SecretKey": "ESMS-SECRET",
        "Phone": "0912345678",
        "Content": "Xa Cam Lo: Lich cat dien. Thon Dong cat dien tu 8h den 11h ngay 25/11.",
        "Brandname": "UBND CAMLO",
        "SmsType": "2",
        "IsUnicode": "0",
        "Sandbox": "0",
        "RequestId": "c_19597:42",
    }


@pytest.mark.parametrize(
    ("answer", "permanent"),
    [
        (httpx.Response(200, json={"CodeResult": "104", "ErrorMessage": "Brandname chua dang ky"}), True),
        (httpx.Response(200, json={"CodeResult": "101"}), True),
        (httpx.Response(200, json={"CodeResult": "99", "ErrorMessage": "loi"}), False),
        (httpx.Response(200, json={"CodeResult": "103"}), False),  # balance: top up, then retry
        (httpx.Response(502, text="Bad gateway"), False),
        (httpx.Response(200, text="<html>maintenance</html>"), False),
    ],
)
@respx.mock
def test_esms_contract_errors(answer: httpx.Response, permanent: bool) -> None:
    respx.post(ESMS_URL).mock(return_value=answer)
    with pytest.raises(ChannelError) as caught:
        EsmsSmsChannel(_settings(), httpx.Client()).send(MESSAGE)
    assert caught.value.permanent is permanent


@respx.mock
def test_esms_contract_sandbox_flag_and_unreachable() -> None:
    route = respx.post(ESMS_URL).mock(return_value=httpx.Response(200, json={"CodeResult": "100", "SMSID": "x"}))
    EsmsSmsChannel(_settings(esms_sandbox=True), httpx.Client()).send(MESSAGE)
    assert json.loads(route.calls.last.request.content)["Sandbox"] == "1"
    respx.post(ESMS_URL).mock(side_effect=httpx.ConnectTimeout("timeout"))
    with pytest.raises(ChannelError) as caught:
        EsmsSmsChannel(_settings(), httpx.Client()).send(MESSAGE)
    assert not caught.value.permanent and caught.value.reason.startswith("esms_unreachable")


def test_sms_text_is_unaccented_and_bounded() -> None:
    long = TextMessage(phone="+84912345678", title="Đường", body="ă" * 500, reference="r")
    text = sms_text(long)
    assert text.isascii() and len(text) == 300 and text.startswith("Duong. aaa") and text.endswith("...")


# -- Zalo ZNS -----------------------------------------------------------------------------------------
ZNS_URL = "https://business.openapi.zalo.me/message/template"


@respx.mock
def test_zalo_zns_contract_exact_request_and_success() -> None:
    route = respx.post(ZNS_URL).mock(
        return_value=httpx.Response(
            200,
            json={
                "error": 0,
                "message": "Success",
                "data": {"msg_id": "a6c4d8e1f", "sent_time": "1732161234000", "quota": {"dailyQuota": "500"}},
            },
        )
    )
    assert ZaloZnsChannel(_settings(), httpx.Client()).send(MESSAGE) == "a6c4d8e1f"
    assert route.call_count == 1
    request = route.calls.last.request
    assert request.method == "POST" and str(request.url) == ZNS_URL
    assert request.headers["access_token"] == "ZALO-TOKEN"
    assert request.headers["content-type"] == "application/json"
    assert json.loads(request.content) == {
        "phone": "84912345678",
        "template_id": "301234",
        "template_data": {"commune": "Xã Cam Lộ", "title": "Lịch cắt điện", "content": MESSAGE.body},
        "tracking_id": "c_19597:42",
    }


@pytest.mark.parametrize(("error", "permanent"), [(-124, True), (-118, True), (-139, True), (-32, False)])
@respx.mock
def test_zalo_zns_contract_errors(error: int, permanent: bool) -> None:
    respx.post(ZNS_URL).mock(return_value=httpx.Response(200, json={"error": error, "message": "loi"}))
    with pytest.raises(ChannelError) as caught:
        ZaloZnsChannel(_settings(), httpx.Client()).send(MESSAGE)
    assert caught.value.permanent is permanent
    assert caught.value.reason.startswith(f"zns_{error}")


# -- Web push (VAPID + aes128gcm) ---------------------------------------------------------------------
def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@pytest.fixture
def keys() -> dict[str, Any]:
    """A VAPID key pair (the platform's) and a browser subscription's key pair and auth secret."""
    vapid = ec.generate_private_key(ec.SECP256R1())
    vapid_raw = vapid.private_numbers().private_value.to_bytes(32, "big")
    browser = ec.generate_private_key(ec.SECP256R1())
    browser_pub = browser.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return {
        "vapid_private": _b64(vapid_raw),
        "vapid_public": vapid.public_key(),
        "browser": browser,
        "p256dh": _b64(browser_pub),
        "auth": _b64(os.urandom(16)),
    }


ENDPOINT = "https://fcm.googleapis.com/fcm/send/dXNlci10b2tlbi0xMjM:APA91b"


@responses.activate
def test_web_push_contract_exact_request(keys: dict[str, Any]) -> None:
    responses.add(responses.POST, ENDPOINT, status=201)
    sender = VapidPushSender(_settings(vapid_private_key=keys["vapid_private"], vapid_subject="mailto:a@xa.vn"))
    payload = {"title": "Bão số 3", "body": "Chằng chống nhà cửa", "announcement_id": 7}
    sender.send(PushTarget(ENDPOINT, keys["p256dh"], keys["auth"]), payload, urgency="high", topic="a7")

    assert len(responses.calls) == 1
    request = responses.calls[0].request
    assert request.method == "POST" and request.url == ENDPOINT
    headers = request.headers
    assert headers["Content-Encoding"] == "aes128gcm"
    assert headers["TTL"] == "86400"
    assert headers["Urgency"] == "high"
    assert headers["Topic"] == "a7"
    # VAPID (RFC 8292): "vapid t=<JWT ES256>, k=<public key>"; the JWT is signed by our key for the
    # push service's origin.
    scheme, _, params = headers["Authorization"].partition(" ")
    assert scheme == "vapid"
    fields = dict(part.strip().split("=", 1) for part in params.split(","))
    public_raw = keys["vapid_public"].public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    assert _unb64(fields["k"]) == public_raw
    claims = jwt.decode(fields["t"], keys["vapid_public"], algorithms=["ES256"], audience="https://fcm.googleapis.com")
    assert claims["sub"] == "mailto:a@xa.vn" and claims["exp"] > 0
    # The body decrypts with the browser's private key and auth secret (RFC 8291) to the payload.
    body = request.body if isinstance(request.body, bytes) else bytes(request.body or b"")
    clear = http_ece.decrypt(body, private_key=keys["browser"], auth_secret=_unb64(keys["auth"]), version="aes128gcm")
    assert json.loads(clear) == payload


@pytest.mark.parametrize(("status", "gone", "permanent"), [(410, True, True), (404, True, True), (429, False, False)])
@responses.activate
def test_web_push_contract_errors(keys: dict[str, Any], status: int, gone: bool, permanent: bool) -> None:
    responses.add(responses.POST, ENDPOINT, status=status)
    sender = VapidPushSender(_settings(vapid_private_key=keys["vapid_private"]))
    with pytest.raises(ChannelError) as caught:
        sender.send(PushTarget(ENDPOINT, keys["p256dh"], keys["auth"]), {"title": "x"}, urgency="normal", topic=None)
    assert caught.value.gone is gone and caught.value.permanent is permanent


@respx.mock
def test_esms_contract_callback_url_is_sent_when_the_commune_has_a_delivery_hook() -> None:
    """eSMS reports delivery to the `CallbackUrl` given with each send (by HTTP GET, see the callbacks)."""
    from dataclasses import replace

    route = respx.post(ESMS_URL).mock(return_value=httpx.Response(200, json={"CodeResult": "100", "SMSID": "e1"}))
    hook = "https://cam-lo.xathongminh.vn/t/cam-lo/webhooks/esms/delivery?token=bi-mat"
    EsmsSmsChannel(_settings(), httpx.Client()).send(replace(MESSAGE, callback_url=hook))
    sent = json.loads(route.calls.last.request.content)
    assert sent["CallbackUrl"] == hook and sent["RequestId"] == "c_19597:42"


def test_delivery_report_parsers_follow_the_providers_shapes() -> None:
    """eSMS callback query (SendStatus 5 with SendSuccess/SendFailed; 4 rejected; 7 still waiting) and the
    Zalo OA `user_received_message` event with its `X-ZEvent-Signature` mac."""
    from smartcommune.platform.notifications import callbacks

    base = {"SMSID": "s1", "SendStatus": "5", "SendSuccess": "1", "SendFailed": "0", "token": "x"}
    assert callbacks.esms_parse(base).status == "delivered"
    assert "token" not in callbacks.esms_parse(base).payload
    assert callbacks.esms_parse(base | {"SendSuccess": "0", "SendFailed": "1"}).reason == "esms_send_failed"
    assert callbacks.esms_parse(base | {"SendStatus": "4"}).reason == "esms_rejected"
    assert callbacks.esms_parse(base | {"SendStatus": "7"}).status == "pending"
    with pytest.raises(Exception, match="SMSID"):
        callbacks.esms_parse({"SendStatus": "5"})
    raw = b'{"app_id":"1","event_name":"user_received_message","message":{"msg_id":"m1"},"timestamp":"9"}'
    body = callbacks.zalo_body(raw)
    mac = callbacks.zalo_mac("1", raw, "9", "oa-secret")
    callbacks.zalo_verify(f"mac={mac}", raw, body, "oa-secret")
    with pytest.raises(callbacks.CallbackRejected):
        callbacks.zalo_verify(f"mac={mac}", raw + b" ", body, "oa-secret")
    with pytest.raises(callbacks.CallbackRejected):
        callbacks.zalo_verify(f"mac={mac}", raw, body, "")  # no secret configured: nothing is accepted
    parsed = callbacks.zalo_parse(body)
    assert parsed is not None and (parsed.provider, parsed.message_id, parsed.status) == ("zalo", "m1", "delivered")
