"""SSRF guard for user-supplied stream URLs (cameras): one implementation for platform and provisioning.

Rules:
- Only `rtsp`, `rtsps`, `http`, `https`; a host is required; credentials never ride in the URL (the caller
  stores them apart, encrypted).
- The host is resolved once; EVERY resolved address must pass, and the caller connects to the returned
  pinned address (never re-resolves: no DNS rebinding between check and connect).
- Refused: loopback, link-local, private (RFC 1918), CGNAT (100.64/10), multicast, unspecified, reserved,
  documentation/benchmark ranges, IPv6 ULA, IPv4-mapped/compatible, NAT64, 6to4 and Teredo forms of those,
  and the platform's own networks (`NETGUARD_DENY_CIDRS`, refused even when allow-listed) — unless
  the allow-list covers the address. Cloud metadata addresses, multicast, unspecified and the
  platform's own networks are refused even then.
- A site network (the allow-list) may only be a private range (RFC 1918, CGNAT, IPv6 ULA) that contains
  none of the addresses refused even when allow-listed (`site_network_refusal`), and only the provider
  approves one for a commune (smartcommune.provisioning.site_networks).
- Development only: `DEV_CAMERA_URLS` names exact `host:port` pairs (the `make run` MJPEG simulator on
  127.0.0.1) that are reachable whatever the rules say; refused at start-up in production.
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


# Ranges a site network may lie in (the commune's own private cameras network).
SITE_PRIVATE: tuple[IPNetwork, ...] = tuple(
    ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7")
)
_NEVER_NETS: tuple[IPNetwork, ...] = tuple(
    ipaddress.ip_network(n)
    for n in ("0.0.0.0/8", "127.0.0.0/8", "169.254.0.0/16", "::/128", "::1/128", "fe80::/10", "fec0::/10")
)
# Why an address is refused, said to a commune official (Vietnamese first).
REASON_TEXT: dict[str, tuple[str, str]] = {
    "metadata": ("địa chỉ dịch vụ nội bộ của máy chủ đám mây", "a cloud metadata address"),
    "multicast": ("địa chỉ đa hướng (multicast)", "a multicast address"),
    "unspecified": ("địa chỉ không xác định (0.0.0.0 hoặc ::)", "the unspecified address"),
    "platform_network": ("mạng riêng của nền tảng", "the platform's own network"),
    "loopback": ("chính máy chủ của nền tảng (loopback)", "the platform's own machine (loopback)"),
    "link_local": ("địa chỉ nội bộ liên kết (link-local)", "a link-local address"),
    "reserved": (
        "dải địa chỉ dành cho tài liệu, thử nghiệm hoặc dự phòng, không có camera thật",
        "a range reserved for documentation, testing or future use (no real camera lives there)",
    ),
    "not_private": (
        "không phải dải mạng nội bộ (chỉ 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 100.64.0.0/10 hoặc fc00::/7)",
        "not a private range (only 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 100.64.0.0/10 or fc00::/7)",
    ),
    "private": (
        "mạng nội bộ chưa được nhà cung cấp duyệt cho xã",
        "a private network the provider has not approved for this commune",
    ),
}
_PRIVATE_V4 = SITE_PRIVATE[:4]


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


def dev_camera_hosts() -> frozenset[str]:
    """`DEV_CAMERA_URLS` as lower-case `host:port` pairs; always empty in production."""
    settings = get_settings()
    if settings.environment == "production":
        return frozenset()
    out: set[str] = set()
    for item in settings.dev_camera_urls.split(","):
        item = item.strip().lower()
        if not item:
            continue
        if "://" in item:
            parts = urlsplit(item)
            item = f"{parts.hostname}:{parts.port or DEFAULT_PORTS.get(parts.scheme, 80)}"
        out.add(item)
    return frozenset(out)


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
    if allowed:  # a commune's allow-list never holds loopback or link-local (site_network_refusal)
        return None
    for addr in reversed(candidates):  # the embedded IPv4 first: it names the real destination
        if addr.is_loopback:
            return "loopback"
        if addr.is_link_local:
            return "link_local"
        if any(addr in net for net in _NEVER_NETS if net.version == addr.version):
            return "unspecified"
        if isinstance(addr, ipaddress.IPv4Address) and any(addr in net for net in _PRIVATE_V4):
            return "private"
        if isinstance(addr, ipaddress.IPv6Address) and addr in SITE_PRIVATE[4]:
            return "private"
        if any(addr in net for net in _DENIED_NETS if net.version == addr.version):
            return "reserved"
        if addr.is_private or addr.is_reserved or not addr.is_global:
            return "reserved"
    return None


_NEVER_REASONS: tuple[tuple[IPNetwork, str], ...] = tuple(
    (ipaddress.ip_network(n), r)
    for n, r in (
        ("127.0.0.0/8", "loopback"),
        ("::1/128", "loopback"),
        ("169.254.0.0/16", "link_local"),
        ("fe80::/10", "link_local"),
        ("fec0::/10", "link_local"),
        ("0.0.0.0/8", "unspecified"),
        ("::/128", "unspecified"),
    )
)


def _overlaps(a: IPNetwork, b: IPNetwork) -> bool:
    return a.version == b.version and a.overlaps(b)  # type: ignore[arg-type]


def site_network_refusal(net: IPNetwork) -> str | None:
    """None when `net` may be approved as a commune's camera site network; else the reason it may not.

    Only inside a private range (SITE_PRIVATE), overlapping none of loopback, link-local, unspecified, the
    cloud metadata addresses and the platform's own networks."""
    for never, reason in _NEVER_REASONS:
        if _overlaps(net, never):
            return reason
    if any(m.version == net.version and m in net for m in METADATA):
        return "metadata"
    if any(_overlaps(net, own) for own in _platform_networks()):
        return "platform_network"
    if not any(p.version == net.version and net.subnet_of(p) for p in SITE_PRIVATE):  # type: ignore[arg-type]
        return "not_private"
    return None


def reason_message(reason: str) -> tuple[str, str]:
    vi, en = REASON_TEXT.get(reason, ("mạng không được phép", "a network that is not allowed"))
    return vi, en


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
    dev = f"{host.lower()}:{port}" in dev_camera_hosts()
    for ip in addresses:
        reason = None if dev else check_address(ip, allow)
        if reason is not None:
            vi, en = reason_message(reason)
            if reason == "private":
                raise _refuse(
                    f"Không thể dùng địa chỉ camera này: đây là {vi}. Hãy gửi yêu cầu duyệt mạng nội bộ "
                    "của xã (thẻ «Mạng nội bộ camera» trong Trung tâm điều hành); khi nhà cung cấp duyệt xong, "
                    "thêm lại camera.",
                    f"This camera address cannot be used: it is {en}. Request approval of the commune's site "
                    "network (tab 'Camera site networks' in the Operations centre); once the provider approves it, "
                    "add the camera again.",
                    reason,
                )
            raise _refuse(
                f"Không thể dùng địa chỉ camera này: đây là {vi}. Nền tảng không bao giờ kết nối tới đó.",
                f"This camera address cannot be used: it is {en}. The platform never connects there.",
                reason,
            )
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return GuardedTarget(scheme=scheme, host=host, port=port, address=str(addresses[0]), path_and_query=path)
