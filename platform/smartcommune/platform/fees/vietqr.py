"""Dynamic VietQR (NAPAS 247 "QR chuyển nhanh") per the EMVCo merchant-presented QR specification.

Payload, in order: 00 payload format "01"; 01 point of initiation "12" (dynamic: one invoice, one amount);
38 merchant account information { 00 GUID "A000000727", 01 beneficiary organisation { 00 bank BIN,
01 account number }, 02 service code "QRIBFTTA" (transfer to an account) }; 53 currency "704" (VND);
54 amount; 58 country "VN"; 62 additional data { 08 purpose of transaction = the invoice reference };
63 CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF) over everything before it, including "6304".
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

import segno

NAPAS_GUID = "A000000727"
SERVICE_TO_ACCOUNT = "QRIBFTTA"
CURRENCY_VND = "704"
COUNTRY_VN = "VN"
_BIN = re.compile(r"^\d{6}$")
_ACCOUNT = re.compile(r"^[0-9A-Za-z]{1,19}$")
_REFERENCE = re.compile(r"^[0-9A-Za-z]{1,25}$")


class VietQRError(ValueError):
    """A payload that is malformed, too long or fails its CRC."""


def crc16_ccitt_false(data: bytes) -> int:
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else (crc << 1)
            crc &= 0xFFFF
    return crc


def tlv(tag: str, value: str) -> str:
    if len(tag) != 2 or not tag.isdigit():
        raise VietQRError(f"bad tag {tag!r}")
    if len(value) > 99:
        raise VietQRError(f"field {tag} longer than 99 characters")
    return f"{tag}{len(value):02d}{value}"


def build_payload(*, bank_bin: str, account: str, amount_vnd: int, reference: str) -> str:
    if not _BIN.match(bank_bin):
        raise VietQRError("bank BIN must be 6 digits")
    if not _ACCOUNT.match(account):
        raise VietQRError("account must be 1-19 letters or digits")
    if not _REFERENCE.match(reference):
        raise VietQRError("reference must be 1-25 letters or digits")
    if not 0 < amount_vnd <= 9_999_999_999_999:
        raise VietQRError("amount must be a positive whole number of dong (at most 13 digits)")
    beneficiary = tlv("00", bank_bin) + tlv("01", account)
    merchant = tlv("00", NAPAS_GUID) + tlv("01", beneficiary) + tlv("02", SERVICE_TO_ACCOUNT)
    body = (
        tlv("00", "01")
        + tlv("01", "12")
        + tlv("38", merchant)
        + tlv("53", CURRENCY_VND)
        + tlv("54", str(amount_vnd))
        + tlv("58", COUNTRY_VN)
        + tlv("62", tlv("08", reference))
        + "6304"
    )
    return body + f"{crc16_ccitt_false(body.encode('ascii')):04X}"


def parse_tlv(data: str) -> list[tuple[str, str]]:
    fields: list[tuple[str, str]] = []
    i = 0
    while i < len(data):
        if i + 4 > len(data):
            raise VietQRError(f"truncated field at {i}")
        tag, length = data[i : i + 2], data[i + 2 : i + 4]
        if not (tag.isdigit() and length.isdigit()):
            raise VietQRError(f"bad tag or length at {i}")
        end = i + 4 + int(length)
        if end > len(data):
            raise VietQRError(f"field {tag} runs past the end")
        fields.append((tag, data[i + 4 : end]))
        i = end
    return fields


@dataclass(frozen=True)
class DecodedVietQR:
    payload_format: str
    initiation: str
    guid: str
    bank_bin: str
    account: str
    service: str
    currency: str
    amount_vnd: int | None
    country: str
    reference: str | None
    crc: str


def parse_payload(payload: str) -> DecodedVietQR:
    """Decode and verify a VietQR string as a banking app does: CRC first, then each field."""
    if len(payload) < 8 or payload[-8:-4] != "6304":
        raise VietQRError("missing CRC field 63")
    expected = f"{crc16_ccitt_false(payload[:-4].encode('ascii')):04X}"
    if payload[-4:].upper() != expected:
        raise VietQRError("CRC mismatch")
    top = dict(parse_tlv(payload))
    if list(dict(parse_tlv(payload)))[:2] != ["00", "01"]:
        raise VietQRError("fields 00 and 01 must come first")
    merchant = dict(parse_tlv(top["38"]))
    beneficiary = dict(parse_tlv(merchant["01"]))
    extra = dict(parse_tlv(top.get("62", "")))
    return DecodedVietQR(
        payload_format=top["00"],
        initiation=top["01"],
        guid=merchant["00"],
        bank_bin=beneficiary["00"],
        account=beneficiary["01"],
        service=merchant.get("02", ""),
        currency=top["53"],
        amount_vnd=int(top["54"]) if "54" in top else None,
        country=top["58"],
        reference=extra.get("08"),
        crc=top["63"],
    )


def qr_svg(data: str, *, scale: int = 4) -> bytes:
    out = io.BytesIO()
    segno.make_qr(data, error="m").save(out, kind="svg", scale=scale, border=4, xmldecl=False)
    return out.getvalue()


def qr_png(data: str, *, scale: int = 6) -> bytes:
    out = io.BytesIO()
    segno.make_qr(data, error="m").save(out, kind="png", scale=scale, border=4)
    return out.getvalue()
