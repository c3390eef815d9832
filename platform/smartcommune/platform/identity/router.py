"""Keycloak-shaped routes of the embedded issuer, under /auth/realms/{realm}."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request, Response, status

from smartcommune.platform.identity.grants import otp_grant, password_grant
from smartcommune.platform.identity.issuer import (
    OTP_GRANT_TYPE,
    PASSWORD_GRANT_TYPE,
    IssuedToken,
    discovery_document,
)
from smartcommune.platform.identity.keys import active_signing_key, published_jwks
from smartcommune.platform.identity.otp import request_otp
from smartcommune.platform.identity.realms import DEFAULT_CLIENT_ID, EMBEDDED_PREFIX, check_realm
from smartcommune.platform.identity.schemas import Jwks, OtpRequest, OtpRequested, TokenResponse
from smartcommune.platform.identity.sms import SmsChannel, get_sms_channel
from smartcommune.tenants.errors import InvalidInput
from smartcommune.tenants.principal import COMMUNE_REALM

router = APIRouter(prefix=EMBEDDED_PREFIX, tags=["identity"])

OptionalField = Annotated[str | None, Form()]


def _missing(*names: str) -> InvalidInput:
    fields = ", ".join(names)
    return InvalidInput(
        f"Thiếu trường bắt buộc: {fields}.",
        f"Missing required field(s): {fields}.",
        code="invalid_request",
        fields=list(names),
    )


def _commune_code(raw: str) -> int:
    # ASCII digits only (str.isdigit() takes "²"), at most 9: a commune code is a 5-digit GSO code.
    if not re.fullmatch(r"[0-9]{1,9}", raw.strip()):
        raise InvalidInput("Mã xã không hợp lệ.", "Invalid commune code.", code="invalid_commune_code")
    return int(raw)


@router.get("/{realm}/.well-known/openid-configuration")
def openid_configuration(realm: str) -> dict[str, Any]:
    return discovery_document(check_realm(realm))


@router.get("/{realm}/protocol/openid-connect/certs", response_model=Jwks)
def certs(realm: str, response: Response) -> dict[str, Any]:
    check_realm(realm)
    active_signing_key()  # a fresh install publishes a key before its first token
    response.headers["Cache-Control"] = "public, max-age=60"
    return published_jwks()


@router.post("/{realm}/protocol/openid-connect/token", response_model=TokenResponse)
def token(
    realm: str,
    request: Request,
    response: Response,
    grant_type: Annotated[str, Form()],
    client_id: OptionalField = None,
    username: OptionalField = None,
    password: OptionalField = None,
    commune_code: OptionalField = None,
    phone: OptionalField = None,
    otp: OptionalField = None,
    new_password: OptionalField = None,
) -> dict[str, Any]:
    check_realm(realm)
    client = (client_id or DEFAULT_CLIENT_ID).strip()[:100] or DEFAULT_CLIENT_ID
    issued: IssuedToken
    if grant_type == PASSWORD_GRANT_TYPE:
        if not username or not password:
            raise _missing(*(n for n, v in (("username", username), ("password", password)) if not v))
        # new_password: the first login after a one-time password (answer `password_change_required`)
        address = request.client.host if request.client else None
        issued = password_grant(
            realm, username, password, client_id=client, client_addr=address, new_password=new_password
        )
    elif grant_type == OTP_GRANT_TYPE and realm == COMMUNE_REALM:
        given = {"commune_code": commune_code, "phone": phone, "otp": otp}
        if not all(given.values()):
            raise _missing(*(n for n, v in given.items() if not v))
        assert commune_code and phone and otp
        issued = otp_grant(_commune_code(commune_code), phone, otp, client_id=client)
    else:
        raise InvalidInput(
            "Kiểu cấp quyền không được hỗ trợ.",
            "Unsupported grant type.",
            code="unsupported_grant_type",
            grant_type=grant_type,
        )
    # RFC 6749 §5.1: token responses must not be cached.
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    return issued.as_response()


@router.post(f"/{COMMUNE_REALM}/otp", response_model=OtpRequested, status_code=status.HTTP_202_ACCEPTED)
def request_code(
    body: OtpRequest, request: Request, channel: Annotated[SmsChannel, Depends(get_sms_channel)]
) -> OtpRequested:
    address = request.client.host if request.client else None
    sent = request_otp(body.commune_code, body.phone, channel=channel, client_addr=address)
    return OtpRequested(phone=sent.phone, expires_in=sent.expires_in)
