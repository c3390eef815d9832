"""Issue 16: a commune admin could allow-list 127.0.0.0/8 or ::1/128 as the camera site network and make
the platform connect to its own loopback. Site networks are now private ranges only, requested by the
commune and approved by provider staff (audited); an unapproved range is not honoured. Real PostgreSQL,
two communes, the real app."""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Iterator

import pytest
from sqlalchemy import text
from testsupport.commune_world import World, commune_world

from smartcommune.platform import netguard
from smartcommune.platform.cameras import service
from smartcommune.platform.identity.accounts import create_account, issue_token_for
from smartcommune.tenants.authz.policy import COMMUNE_ADMIN, COMMUNE_OFFICIAL, PROVIDER_OPERATOR
from smartcommune.tenants.context import TenantInfo
from smartcommune.tenants.database import app_engine, owner_engine, quote_ident
from smartcommune.tenants.principal import PROVIDER_REALM
from smartcommune.tenants.session import tenant_transaction
from smartcommune.tenants.settings import Settings, get_settings

REQUESTS = "/api/v1/camera-site-network-requests"
PROVIDER = "/api/provider/v1/site-network-requests"


@pytest.fixture(scope="module")
def world(communes: tuple[TenantInfo, TenantInfo]) -> Iterator[World]:
    with commune_world(communes) as w:
        yield w


def _provider_headers() -> dict[str, str]:
    account = create_account(
        app_engine(), realm=PROVIDER_REALM, username=f"snet.{os.urandom(4).hex()}", realm_roles=[PROVIDER_OPERATOR]
    )
    return {"Authorization": f"Bearer {issue_token_for(account)}"}


def _request(world: World, tenant: TenantInfo, cidr: str, role: str = COMMUNE_ADMIN):  # type: ignore[no-untyped-def]
    return world.call("POST", REQUESTS, tenant, world.person(tenant, role), json={"cidr": cidr, "note": "trạm"})


def _allow_list(tenant: TenantInfo) -> list[str]:
    with tenant_transaction(tenant) as db:
        return [str(n) for n in service.allow_list(db)]


@pytest.mark.parametrize(
    ("cidr", "reason"),
    [
        ("127.0.0.0/8", "loopback"),
        ("127.0.0.1/32", "loopback"),
        ("::1/128", "loopback"),
        ("169.254.0.0/16", "link_local"),
        ("169.254.169.254/32", "link_local"),
        ("fe80::/64", "link_local"),
        ("0.0.0.0/8", "unspecified"),
        ("::/128", "unspecified"),
        ("100.100.100.0/24", "metadata"),  # Alibaba Cloud's metadata address inside CGNAT
        ("fd00:ec2::/64", "metadata"),
        ("8.8.8.0/24", "not_private"),
        ("203.0.113.0/24", "not_private"),  # documentation range
    ],
)
def test_a_commune_admin_cannot_allow_list_the_platforms_own_or_public_networks(
    world: World, cidr: str, reason: str
) -> None:
    response = _request(world, world.a, cidr)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "site_network_forbidden" and error["details"]["reason"] == reason
    assert "Không thể dùng" in error["message"]
    assert not any(ipaddress.ip_network(n).overlaps(ipaddress.ip_network(cidr)) for n in _allow_list(world.a))


def test_the_platforms_own_networks_are_refused(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NETGUARD_DENY_CIDRS", "10.244.0.0/16")
    get_settings.cache_clear()
    try:
        response = _request(world, world.a, "10.244.8.0/24")
        assert response.status_code == 422, response.text
        assert response.json()["error"]["details"]["reason"] == "platform_network"
    finally:
        monkeypatch.delenv("NETGUARD_DENY_CIDRS")
        get_settings.cache_clear()


def test_the_old_direct_allow_list_route_is_gone(world: World) -> None:
    admin = world.person(world.a, COMMUNE_ADMIN)
    response = world.call("POST", "/api/v1/camera-site-networks", world.a, admin, json={"cidr": "127.0.0.0/8"})
    assert response.status_code == 405, response.text
    assert "127.0.0.0/8" not in _allow_list(world.a)


def test_a_stored_loopback_network_is_never_honoured(world: World) -> None:
    """A row written before this rule (or by hand) does not open loopback: the allow-list drops it."""
    schema = quote_ident(world.b.schema_name)
    with owner_engine().begin() as conn:
        conn.execute(text(f"INSERT INTO {schema}.site_networks (cidr, note) VALUES ('127.0.0.0/8', 'cũ')"))
    assert "127.0.0.0/8" not in _allow_list(world.b)
    with pytest.raises(netguard.UrlRefused) as e, tenant_transaction(world.b) as db:
        netguard.guard_url("http://127.0.0.1:5432/", service.allow_list(db))
    assert e.value.details["reason"] == "loopback"


def test_an_unapproved_private_range_is_not_honoured_until_the_provider_approves(world: World) -> None:
    admin = world.person(world.a, COMMUNE_ADMIN)
    url = {"name": "Cổng trường", "stream_url": "rtsp://192.168.77.10:554/stream1"}
    response = _request(world, world.a, "192.168.77.0/24")
    assert response.status_code == 201, response.text
    request_id = response.json()["id"]
    assert response.json()["status"] == "pending"
    # Pending: not on the allow-list, a camera there is refused with the reason and what to do.
    assert "192.168.77.0/24" not in _allow_list(world.a)
    refused = world.call("POST", "/api/v1/cameras", world.a, admin, json=url)
    assert refused.status_code == 422 and refused.json()["error"]["details"]["reason"] == "private"
    assert "nhà cung cấp" in refused.json()["error"]["message"]
    # Asking twice is a conflict, not a second request.
    assert _request(world, world.a, "192.168.77.0/24").status_code == 409
    # The other commune does not see the request; the provider does.
    other = world.call("GET", REQUESTS, world.b, world.person(world.b, COMMUNE_ADMIN)).json()
    assert request_id not in [r["id"] for r in other]
    provider = _provider_headers()
    listed = world.call("GET", PROVIDER, None, headers=provider, params={"status": "pending"}).json()
    (mine,) = [r for r in listed["items"] if r["id"] == request_id]
    assert mine["commune_code"] == world.a.commune_code and mine["cidr"] == "192.168.77.0/24"
    # Commune staff cannot approve their own request (provider API: wrong realm).
    denied = world.call("POST", f"{PROVIDER}/{request_id}/approve", None, admin)
    assert denied.status_code == 401
    approved = world.call("POST", f"{PROVIDER}/{request_id}/approve", None, headers=provider, json={"note": "ok"})
    assert approved.status_code == 200 and approved.json()["status"] == "approved", approved.text
    assert "192.168.77.0/24" in _allow_list(world.a) and "192.168.77.0/24" not in _allow_list(world.b)
    again = world.call("POST", f"{PROVIDER}/{request_id}/approve", None, headers=provider)
    assert again.status_code == 409
    created = world.call("POST", "/api/v1/cameras", world.a, admin, json=url)
    assert created.status_code == 201, created.text
    # Audited in the commune: the request and the provider's decision.
    schema = quote_ident(world.a.schema_name)
    with owner_engine().connect() as conn:
        actions = set(
            conn.execute(
                text(f"SELECT action FROM {schema}.audit_log WHERE object_type = 'site_network_request'")
            ).scalars()
        )
    assert {"request", "approve"} <= actions
    mine_now = world.call("GET", REQUESTS, world.a, admin).json()
    assert [r["status"] for r in mine_now if r["id"] == request_id] == ["approved"]


def test_the_provider_refuses_and_officials_cannot_request(world: World) -> None:
    assert _request(world, world.a, "10.66.0.0/24", role=COMMUNE_OFFICIAL).status_code == 403
    request_id = _request(world, world.a, "10.66.0.0/24").json()["id"]
    provider = _provider_headers()
    refused = world.call(
        "POST", f"{PROVIDER}/{request_id}/refuse", None, headers=provider, json={"note": "không phải mạng của xã"}
    )
    assert refused.status_code == 200 and refused.json()["status"] == "refused"
    assert "10.66.0.0/24" not in _allow_list(world.a)
    assert world.call("POST", f"{PROVIDER}/999999999/approve", None, headers=provider).status_code == 404


def test_dev_camera_urls_open_exactly_one_host_and_port_and_never_in_production(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DEV_CAMERA_URLS", "127.0.0.1:18554")
    get_settings.cache_clear()
    try:
        assert netguard.guard_url("http://127.0.0.1:18554/stream.mjpg").address == "127.0.0.1"
        with pytest.raises(netguard.UrlRefused):
            netguard.guard_url("http://127.0.0.1:5432/")
        with pytest.raises(ValueError, match="DEV_CAMERA_URLS"):
            Settings(environment="production", dev_camera_urls="127.0.0.1:18554")
    finally:
        monkeypatch.delenv("DEV_CAMERA_URLS")
        get_settings.cache_clear()


def test_refusal_messages_name_the_reason_in_vietnamese() -> None:
    with pytest.raises(netguard.UrlRefused) as doc:
        netguard.guard_url("rtsp://203.0.113.5:554/stream1")
    assert doc.value.details["reason"] == "reserved" and "tài liệu" in doc.value.message_vi
    assert "(reserved)" not in doc.value.message_vi
    with pytest.raises(netguard.UrlRefused) as lo:
        netguard.guard_url("http://127.0.0.1:5432/")
    assert lo.value.details["reason"] == "loopback" and "không bao giờ" in lo.value.message_vi
