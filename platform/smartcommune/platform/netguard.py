"""SSRF guard for user-supplied stream URLs (cameras): one implementation for platform and provisioning.

Rules:
- Only `rtsp`, `rtsps`, `http`, `https`; a host is required; credentials never ride in the URL (the caller
  stores them apart, encrypted).
- The host is resolved once; EVERY resolved address must pass, and the caller connects to the returned
  pinned address (never re-resolves: no DNS rebinding between check and connect).
- Refused: loopback, link-local, private (RFC 1918), CGNAT (100.64/10), multicast, unspecified, reserved,
  documentation/benchmark ranges, IPv6 ULA, IPv4-mapped/compatible, NAT64, 6to4 and Teredo forms of those,
  and the platform's own networks (`NETGUARD_DENY_CIDRS`, refused even when allow-listed) — unless
  the commune's site network allow-list covers the address. Cloud metadata addresses, multicast and
  unspecified are refused even then.
- Redirects are never followed (the HTTP preflight refuses a 3xx; see `cameras.probe`).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import SplitResult, quote, urlsplit, urlunsplit

from smartcommune.tenants.errors import InvalidInput
from smartcommune.tenants.settings import get_settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

ALLOWED_SCHEMES = frozenset({"rtsp", "rtsps", "http", "https"})
DEFAULT_PORTS = {"rtsp": 554, "rtsps": 322, "http": 80, "https": 443}
# Never reachable, whatever the allow-list says.
METADATA = frozenset(
    {
        ipaddress.ip_address("169.254.169.254"),  # AWS, GCP, Azure, OpenStack
        ipaddress.ip_address("169.254.170.2"),  # ECS task metadata
        ipaddress.ip_address("100.100.100.200"),  # Alibaba Cloud
        ipaddress.ip_address("fd00:ec2::254"),  # AWS IPv6
    }
)
_DENIED_NETS: tuple[IPNetwork, ...] = tuple(
    ipaddress.ip_network(n)
    for n in (
        "0.0.0.0/8",
        "10.0.0.0/8",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "172.16.0.0/12",
        "192.0.0.0/24",
        "192.0.2.0/24",
        "192.88.99.0/24",
        "192.168.0.0/16",
        "198.18.0.0/15",
        "198.51.100.0/24",
        "203.0.113.0/24",
        "224.0.0.0/4",
        "240.0.0.0/4",
        "255.255.255.255/32",
        "::/128",
        "::1/128",
        "64:ff9b::/96",
        "64:ff9b:1::/48",
        "100::/64",
        "2001::/23",
        "2001:db8::/32",
        "2002::/16",
        "fc00::/7",
        "fe80::/10",
        "fec0::/10",
        "ff00::/8",
    )
)


class UrlRefused(InvalidInput):
    code = "camera_url_refused"


@dataclass(frozen=True)
class GuardedTarget:
    """A checked URL and the one address to connect to."""

    scheme: str
    host: str
    port: int
    address: str  # the pinned, checked IP
    path_and_query: str

    @property
    def host_header(self) -> str:
        default = DEFAULT_PORTS[self.scheme]
        return self.host if self.port == default else f"{self.host}:{self.port}"

    def connect_url(self, username: str | None = None, password: str | None = None) -> str:
        """The URL to hand to the client library: pinned IP, credentials only here (never log it)."""
        ip = ipaddress.ip_address(self.address)
        host = f"[{ip}]" if ip.version == 6 else str(ip)
        userinfo = ""
        if username:
            userinfo = quote(username, safe="")
            if password:
                userinfo += ":" + quote(password, safe="")
            userinfo += "@"
        return f"{self.scheme}://{userinfo}{host}:{self.port}{self.path_and_query}"

    @property
    def redacted(self) -> str:
        """Safe for logs and API responses."""
        return f"{self.scheme}://{self.host_header}{self.path_and_query}"


def _refuse(vi: str, en: str, reason: str) -> UrlRefused:
    return UrlRefused(vi, en, reason=reason)


def parse_networks(cidrs: Iterable[str]) -> list[IPNetwork]:
    out: list[IPNetwork] = []
    for cidr in cidrs:
        try:
            out.append(ipaddress.ip_network(cidr.strip(), strict=False))
        except ValueError as e:
            raise InvalidInput(f"Dải mạng không hợp lệ: {cidr}", f"Invalid network: {cidr}", code="invalid_cidr") from e
    return out


def _embedded_v4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 form carries (mapped, compatible, NAT64, 6to4, Teredo), if any."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    packed = ip.packed
    if packed[:12] == bytes(12) and ip not in (ipaddress.IPv6Address("::"), ipaddress.IPv6Address("::1")):
        return ipaddress.IPv4Address(packed[12:])  # IPv4-compatible ::a.b.c.d
    if ip in ipaddress.ip_network("64:ff9b::/96"):
        return ipaddress.IPv4Address(packed[12:])
    return None


def _platform_networks() -> list[IPNetwork]:
    raw = get_settings().netguard_deny_cidrs
    return parse_networks(c for c in raw.split(",") if c.strip())


def check_address(ip: IPAddress, allow: Sequence[IPNetwork]) -> str | None:
    """None when `ip` may be reached; else the reason it may not."""
    candidates: list[IPAddress] = [ip]
    if isinstance(ip, ipaddress.IPv6Address) and (v4 := _embedded_v4(ip)) is not None:
        candidates.append(v4)
    for addr in candidates:
        if addr in METADATA:
            return "metadata"
        if addr.is_multicast:
            return "multicast"
        if addr.is_unspecified:
            return "unspecified"
    own = _platform_networks()
    for addr in candidates:
        if any(addr in net for net in own if net.version == addr.version):
            return "platform_network"
    allowed = any(ip in net for net in allow if net.version == ip.version) or (
        len(candidates) > 1 and any(candidates[1] in net for net in allow if net.version == 4)
    )
    if allowed:
        return None
    for addr in reversed(candidates):  # the embedded IPv4 first: it names the real destination
        if addr.is_loopback:
            return "loopback"
        if addr.is_link_local:
            return "link_local"
        if any(addr in net for net in _DENIED_NETS if net.version == addr.version):
            return "private"
        if addr.is_private or addr.is_reserved or not addr.is_global:
            return "private"
    return None


def _resolve(host: str, port: int) -> list[IPAddress]:
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as e:
        raise _refuse(
            f"Không phân giải được tên máy '{host}'.", f"Host '{host}' does not resolve.", "unresolvable"
        ) from e
    seen: dict[str, IPAddress] = {}
    for info in infos:
        addr = str(info[4][0]).split("%", 1)[0]
        seen.setdefault(addr, ipaddress.ip_address(addr))
    return list(seen.values())


def split_url(url: str) -> tuple[SplitResult, str | None, str | None]:
    """Parse a stream URL; returns it without credentials plus any credentials it carried."""
    try:
        parts = urlsplit(url.strip())
        _ = parts.port
    except ValueError as e:
        raise _refuse("Địa chỉ luồng không hợp lệ.", "Invalid stream URL.", "malformed") from e
    if parts.scheme.lower() not in ALLOWED_SCHEMES:
        raise _refuse(
            "Chỉ chấp nhận địa chỉ rtsp, rtsps, http hoặc https.",
            "Only rtsp, rtsps, http and https URLs are accepted.",
            "scheme",
        )
    if not parts.hostname:
        raise _refuse("Địa chỉ luồng thiếu tên máy.", "The stream URL has no host.", "no_host")
    netloc = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    if parts.port is not None:
        netloc += f":{parts.port}"
    clean = SplitResult(parts.scheme.lower(), netloc, parts.path, parts.query, "")
    return clean, parts.username, parts.password


def strip_credentials(url: str) -> tuple[str, str | None, str | None]:
    clean, user, password = split_url(url)
    return urlunsplit(clean), user, password


def guard_url(url: str, allow: Sequence[IPNetwork] = ()) -> GuardedTarget:
    """Check a stream URL against the rules above; the returned target pins the address to connect to."""
    parts, _, _ = split_url(url)
    host = parts.hostname or ""
    scheme = parts.scheme
    port = parts.port or DEFAULT_PORTS[scheme]
    addresses = _resolve(host, port)
    if not addresses:
        raise _refuse(f"Không phân giải được tên máy '{host}'.", f"Host '{host}' does not resolve.", "unresolvable")
    for ip in addresses:
        reason = check_address(ip, allow)
        if reason is not None:
            raise _refuse(
                "Địa chỉ camera trỏ tới mạng không được phép "
                f"({reason}). Hãy khai báo mạng nội bộ của xã nếu camera nằm trong đó.",
                f"The camera address points to a network that is not allowed ({reason}). "
                "Allow-list the commune's site network if the camera lives there.",
                reason,
            )
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return GuardedTarget(scheme=scheme, host=host, port=port, address=str(addresses[0]), path_and_query=path)
