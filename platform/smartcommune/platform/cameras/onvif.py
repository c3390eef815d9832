"""ONVIF: WS-Discovery Probe (find cameras on a site network) and GetDeviceInformation (model, maker, firmware).

- Discovery sends one SOAP-over-UDP `Probe` for `dn:NetworkVideoTransmitter` to the WS-Discovery
  multicast group 239.255.255.250:3702 (or, in tests and for a known camera, unicast to one address) and
  collects `ProbeMatch` answers until the timeout: endpoint reference, XAddrs (device service URLs),
  scopes (name, hardware). Multicast only reaches the local segment: run it where the cameras are (the
  edge agent, or a camera worker on a site network reached over VPN).
- GetDeviceInformation is a SOAP POST to the device service URL. That URL comes from the network, so it
  goes through the SSRF guard (`netguard.guard_url` with the commune's allowed site networks), connects
  to the pinned address, follows no redirect, has hard timeouts, and authenticates with a WS-Security
  UsernameToken (password digest) when credentials are given; credentials are never logged.
- All XML from devices is parsed with defusedxml (no entities, no external references).
"""

from __future__ import annotations

import base64
import hashlib
import os
import socket
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from xml.etree.ElementTree import Element

import httpx
from defusedxml.ElementTree import fromstring

from smartcommune.platform.netguard import IPNetwork, guard_url
from smartcommune.tenants.errors import InvalidInput

MULTICAST = ("239.255.255.250", 3702)
NS = {
    "s": "http://www.w3.org/2003/05/soap-envelope",
    "a": "http://schemas.xmlsoap.org/ws/2004/08/addressing",
    "d": "http://schemas.xmlsoap.org/ws/2005/04/discovery",
    "dn": "http://www.onvif.org/ver10/network/wsdl",
    "tds": "http://www.onvif.org/ver10/device/wsdl",
}
MAX_RESPONSE = 256 * 1024

PROBE = """<?xml version="1.0" encoding="UTF-8"?>
<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"
 xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing"
 xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery"
 xmlns:dn="http://www.onvif.org/ver10/network/wsdl">
 <s:Header>
  <a:Action s:mustUnderstand="1">http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe</a:Action>
  <a:MessageID>urn:uuid:{message_id}</a:MessageID>
  <a:ReplyTo><a:Address>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</a:Address></a:ReplyTo>
  <a:To s:mustUnderstand="1">urn:schemas-xmlsoap-org:ws:2005:04:discovery</a:To>
 </s:Header>
 <s:Body><d:Probe><d:Types>dn:NetworkVideoTransmitter</d:Types></d:Probe></s:Body>
</s:Envelope>"""

GET_DEVICE_INFORMATION = """<?xml version="1.0" encoding="UTF-8"?>
<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"
 xmlns:tds="http://www.onvif.org/ver10/device/wsdl">
 <s:Header>{security}</s:Header>
 <s:Body><tds:GetDeviceInformation/></s:Body>
</s:Envelope>"""

SECURITY = (
    '<wsse:Security s:mustUnderstand="1" xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/'
    'oasis-200401-wss-wssecurity-secext-1.0.xsd" xmlns:wsu="http://docs.oasis-open.org/wss/2004/01/'
    'oasis-200401-wss-wssecurity-utility-1.0.xsd"><wsse:UsernameToken><wsse:Username>{username}</wsse:Username>'
    '<wsse:Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0'
    '#PasswordDigest">{digest}</wsse:Password><wsse:Nonce EncodingType="http://docs.oasis-open.org/wss/2004/01/'
    'oasis-200401-wss-soap-message-security-1.0#Base64Binary">{nonce}</wsse:Nonce><wsu:Created>{created}'
    "</wsu:Created></wsse:UsernameToken></wsse:Security>"
)


class OnvifError(InvalidInput):
    code = "onvif_failed"


@dataclass(frozen=True)
class Discovered:
    endpoint: str
    xaddrs: tuple[str, ...]
    scopes: tuple[str, ...] = ()
    source: str = ""

    def scope(self, kind: str) -> str | None:
        """`onvif://www.onvif.org/name/Cam1` -> scope('name') == 'Cam1'."""
        prefix = f"onvif://www.onvif.org/{kind}/"
        for s in self.scopes:
            if s.startswith(prefix):
                return s[len(prefix) :].replace("%20", " ")
        return None


@dataclass(frozen=True)
class DeviceInformation:
    manufacturer: str | None
    model: str | None
    firmware: str | None
    serial: str | None = None
    hardware_id: str | None = None
    extra: dict[str, str] = field(default_factory=dict)


def _text(node: Element | None) -> str | None:
    if node is None or node.text is None:
        return None
    value = node.text.strip()
    return value[:120] or None


def parse_probe_matches(data: bytes, source: str = "") -> list[Discovered]:
    try:
        root = fromstring(data[:MAX_RESPONSE])
    except Exception:
        return []
    found = []
    for match in root.iterfind(".//d:ProbeMatch", NS):
        endpoint = _text(match.find("a:EndpointReference/a:Address", NS)) or ""
        xaddrs = tuple((_text(match.find("d:XAddrs", NS)) or "").split())
        scopes_text = match.find("d:Scopes", NS)
        scopes = tuple((scopes_text.text or "").split()) if scopes_text is not None else ()
        if xaddrs:
            found.append(Discovered(endpoint, xaddrs, scopes, source))
    return found


def discover(
    timeout_s: float = 2.0,
    target: tuple[str, int] = MULTICAST,
    *,
    bind: tuple[str, int] = ("0.0.0.0", 0),  # noqa: S104 - multicast answers come back to any interface
) -> list[Discovered]:
    """Send one Probe (multicast by default, or unicast to `target`) and collect ProbeMatches for `timeout_s`."""
    message = PROBE.format(message_id=uuid.uuid4()).encode()
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_UDP)
    try:
        try:
            sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 2)
            sock.bind(bind)
            sock.sendto(message, target)
        except OSError as e:  # no route to the site network from here
            raise OnvifError(
                "Không gửi được yêu cầu dò tìm ONVIF tới mạng của xã.",
                f"Could not send the ONVIF discovery probe to the site network ({e.strerror or type(e).__name__}).",
                code="onvif_discovery_failed",
            ) from e
        deadline = time.monotonic() + timeout_s
        seen: dict[str, Discovered] = {}
        while (remaining := deadline - time.monotonic()) > 0:
            sock.settimeout(remaining)
            try:
                data, addr = sock.recvfrom(65535)
            except TimeoutError:
                break
            for item in parse_probe_matches(data, addr[0]):
                seen.setdefault(item.endpoint or item.xaddrs[0], item)
        return list(seen.values())
    finally:
        sock.close()


def _security(username: str, password: str) -> str:
    nonce = os.urandom(16)
    created = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    digest = base64.b64encode(hashlib.sha1(nonce + created.encode() + password.encode()).digest()).decode()  # noqa: S324 - WS-Security UsernameToken digest is SHA-1 by spec
    return SECURITY.format(
        username=username.replace("&", "&amp;").replace("<", "&lt;"),
        digest=digest,
        nonce=base64.b64encode(nonce).decode(),
        created=created,
    )


def device_information(
    xaddr: str,
    username: str | None = None,
    password: str | None = None,
    *,
    allow: Sequence[IPNetwork] = (),
    timeout_s: float = 3.0,
) -> DeviceInformation:
    """GetDeviceInformation from a device service URL, through the SSRF guard (pinned address, no redirect)."""
    target = guard_url(xaddr, allow)
    if target.scheme not in ("http", "https"):
        raise OnvifError("Địa chỉ ONVIF phải là http/https.", "The ONVIF address must be http/https.")
    security = _security(username, password or "") if username else ""
    body = GET_DEVICE_INFORMATION.format(security=security).encode()
    url = f"{target.scheme}://{target.connect_url().split('://', 1)[1]}"
    extensions = {"sni_hostname": target.host} if target.scheme == "https" else {}
    try:
        with httpx.Client(follow_redirects=False, timeout=timeout_s, trust_env=False) as client:
            response = client.post(
                url,
                content=body,
                headers={
                    "Host": target.host_header,
                    "Content-Type": 'application/soap+xml; charset=utf-8; action="'
                    'http://www.onvif.org/ver10/device/wsdl/GetDeviceInformation"',
                },
                extensions=extensions,
            )
    except httpx.HTTPError as e:
        raise OnvifError(
            "Không kết nối được dịch vụ ONVIF của camera.",
            f"Could not reach the camera's ONVIF service ({type(e).__name__}).",
        ) from e
    if response.status_code != 200:
        raise OnvifError(
            f"Camera trả lời ONVIF với mã {response.status_code}.",
            f"The camera answered ONVIF with status {response.status_code}.",
        )
    try:
        root = fromstring(response.content[:MAX_RESPONSE])
    except Exception as e:
        raise OnvifError("Trả lời ONVIF không hợp lệ.", "Malformed ONVIF answer.") from e
    info = root.find(".//tds:GetDeviceInformationResponse", NS)
    if info is None:
        raise OnvifError("Trả lời ONVIF không hợp lệ.", "Malformed ONVIF answer.")
    return DeviceInformation(
        manufacturer=_text(info.find("tds:Manufacturer", NS)),
        model=_text(info.find("tds:Model", NS)),
        firmware=_text(info.find("tds:FirmwareVersion", NS)),
        serial=_text(info.find("tds:SerialNumber", NS)),
        hardware_id=_text(info.find("tds:HardwareId", NS)),
    )
