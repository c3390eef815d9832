"""The camera tests' simulators (MJPEG, ONVIF) listen on 127.0.0.1, which a real commune can never put on
its camera allow-list (netguard.site_network_refusal). Tests that need a commune to reach them patch that
one rule to accept exactly 127.0.0.1/32 — every other refusal stays in force."""

from __future__ import annotations

import ipaddress

import pytest

from smartcommune.platform import netguard
from smartcommune.platform.cameras import service

LOOPBACK_TEST_NET = ipaddress.ip_network("127.0.0.1/32")


def allow_loopback_test_network(monkeypatch: pytest.MonkeyPatch) -> None:
    real = netguard.site_network_refusal

    def refusal(net: netguard.IPNetwork) -> str | None:
        return None if net == LOOPBACK_TEST_NET else real(net)

    monkeypatch.setattr(service, "site_network_refusal", refusal)
