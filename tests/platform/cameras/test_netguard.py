"""The SSRF guard on camera URLs: schemes, every refused range (and its IPv6 disguises), the allow-list."""

from __future__ import annotations

import ipaddress
import urllib.request

import pytest
from testsupport.streams import MjpegServer

from smartcommune.platform.netguard import UrlRefused, guard_url, parse_networks


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("file:///etc/passwd", "scheme"),
        ("gopher://example.com/", "scheme"),
        ("ftp://8.8.8.8/x", "scheme"),
        ("rtsp:///nohost", "no_host"),
        ("http://127.0.0.1:8000/", "loopback"),
        ("http://localhost/", "loopback"),
        ("http://[::1]/", "loopback"),
        ("http://169.254.169.254/latest/meta-data/", "metadata"),
        ("http://[fd00:ec2::254]/", "metadata"),
        ("http://169.254.10.1/", "link_local"),
        ("http://[fe80::1]/", "link_local"),
        ("rtsp://10.1.2.3/stream", "private"),
        ("rtsp://172.16.5.4/stream", "private"),
        ("rtsp://192.168.1.10:554/h264", "private"),
        ("rtsp://100.64.0.7/cgnat", "private"),
        ("rtsp://[fd12:3456::1]/ula", "private"),
        ("http://[::ffff:127.0.0.1]/", "loopback"),
        ("http://[::ffff:169.254.169.254]/", "metadata"),
        ("http://[64:ff9b::a00:1]/", "private"),
        ("http://[2002:c0a8:0101::1]/", "private"),
        ("http://224.0.0.1/", "multicast"),
        ("http://[ff02::1]/", "multicast"),
        ("http://0.0.0.0/", "unspecified"),
        ("http://[::]/", "unspecified"),
        ("http://2130706433/", "loopback"),  # decimal form of 127.0.0.1, as resolvers read it
    ],
)
def test_refused(url: str, reason: str) -> None:
    with pytest.raises(UrlRefused) as info:
        guard_url(url)
    assert info.value.details["reason"] == reason
    assert info.value.code == "camera_url_refused"
    assert info.value.message_vi  # Vietnamese first


def test_public_address_is_pinned_and_credentials_stay_out_of_the_target() -> None:
    target = guard_url("rtsp://user:secret@8.8.8.8:8554/live?ch=1")
    assert target.address == "8.8.8.8"
    assert target.port == 8554
    assert "secret" not in target.redacted
    assert target.connect_url("user", "p@ss:w/rd") == "rtsp://user:p%40ss%3Aw%2Frd@8.8.8.8:8554/live?ch=1"


def test_allow_list_opens_the_site_network_but_never_metadata_or_multicast() -> None:
    allow = parse_networks(["127.0.0.0/8", "169.254.0.0/16", "10.0.0.0/8", "fd00::/8", "224.0.0.0/4"])
    assert guard_url("rtsp://10.1.2.3/s", allow).address == "10.1.2.3"
    assert ipaddress.IPv6Address(guard_url("http://[::ffff:127.0.0.1]:81/", allow).address).ipv4_mapped is not None
    for url in ("http://169.254.169.254/", "http://[fd00:ec2::254]/", "http://224.0.0.1/"):
        with pytest.raises(UrlRefused):
            guard_url(url, allow)
    # Outside the allow-list stays refused.
    with pytest.raises(UrlRefused):
        guard_url("rtsp://192.168.1.1/", allow)


def test_platform_networks_are_refused_even_when_allow_listed(monkeypatch: pytest.MonkeyPatch) -> None:
    from smartcommune.tenants.settings import get_settings

    monkeypatch.setattr(get_settings(), "netguard_deny_cidrs", "10.20.0.0/16")
    with pytest.raises(UrlRefused) as info:
        guard_url("rtsp://10.20.1.1/", parse_networks(["10.0.0.0/8"]))
    assert info.value.details["reason"] == "platform_network"


def test_allow_listed_local_test_server_is_reachable_through_the_pinned_address() -> None:
    with MjpegServer() as server:
        with pytest.raises(UrlRefused):
            guard_url(server.url)
        target = guard_url(server.url.replace("127.0.0.1", "localhost"), parse_networks(["127.0.0.1/32", "::1/128"]))
        assert ipaddress.ip_address(target.address).is_loopback
        snap = target.connect_url().replace("/stream.mjpg", "/snapshot.jpg")
        with urllib.request.urlopen(snap, timeout=3) as response:  # noqa: S310 - the guarded, pinned URL
            assert response.read(3) == b"\xff\xd8\xff"
