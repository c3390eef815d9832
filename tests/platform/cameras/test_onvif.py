"""ONVIF against a simulated device this test starts: a WS-Discovery responder on UDP (unicast on 127.0.0.1;
production probes the multicast group) and a SOAP device service on HTTP that checks the WS-Security
password digest. Real PostgreSQL, two communes."""

from __future__ import annotations

import base64
import hashlib
import re
import socket
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from sqlalchemy import select, text
from testsupport.commune_world import World, commune_world
from testsupport.loopback_cameras import allow_loopback_test_network

from smartcommune.platform.cameras import onvif, service
from smartcommune.platform.cameras.models import Camera
from smartcommune.platform.cameras.schemas import CameraIn, CameraPatch, SiteNetworkIn
from smartcommune.platform.netguard import UrlRefused
from smartcommune.tenants.authz.policy import COMMUNE_ADMIN, VILLAGE_HEAD
from smartcommune.tenants.context import TenantInfo
from smartcommune.tenants.database import owner_engine, quote_ident
from smartcommune.tenants.session import tenant_transaction

ACTOR = {"actor": "onvif-tests", "actor_kind": "provider"}
USER, PASSWORD = "admin", "Mật-khẩu#1"

DEVICE_INFO = """<?xml version="1.0" encoding="UTF-8"?>
<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:tds="http://www.onvif.org/ver10/device/wsdl">
<s:Body><tds:GetDeviceInformationResponse>
<tds:Manufacturer>Hikvision</tds:Manufacturer><tds:Model>DS-2CD2143G2-I</tds:Model>
<tds:FirmwareVersion>V5.7.3 build 220112</tds:FirmwareVersion><tds:SerialNumber>SN123</tds:SerialNumber>
<tds:HardwareId>88</tds:HardwareId>
</tds:GetDeviceInformationResponse></s:Body></s:Envelope>"""

FAULT = """<?xml version="1.0"?><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>
<s:Fault><s:Code><s:Value>s:Sender</s:Value></s:Code></s:Fault></s:Body></s:Envelope>"""


class SimulatedOnvifDevice:
    """UDP WS-Discovery responder + HTTP device service on 127.0.0.1 (ephemeral ports)."""

    def __init__(self, *, redirect: bool = False, extra_xaddrs: tuple[str, ...] = ()) -> None:
        self.requests: list[str] = []
        self.extra_xaddrs = extra_xaddrs
        device = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode()
                device.requests.append(body)
                if redirect:
                    self.send_response(302)
                    self.send_header("Location", "http://169.254.169.254/latest/meta-data/")
                    self.end_headers()
                    return
                ok = "GetDeviceInformation" in body and device.digest_ok(body)
                data = (DEVICE_INFO if ok else FAULT).encode()
                self.send_response(200 if ok else 400)
                self.send_header("Content-Type", "application/soap+xml")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, fmt: str, *args: Any) -> None:
                return

        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind(("127.0.0.1", 0))
        self.udp.settimeout(0.2)
        self._stop = threading.Event()
        self.endpoint = f"urn:uuid:{uuid.uuid4()}"

    @property
    def xaddr(self) -> str:
        return f"http://127.0.0.1:{self.http.server_address[1]}/onvif/device_service"

    @property
    def udp_port(self) -> int:
        return int(self.udp.getsockname()[1])

    @staticmethod
    def digest_ok(body: str) -> bool:
        found = {k: re.search(rf"<wsse:{k}[^>]*>([^<]*)</wsse:{k}>", body) for k in ("Username", "Password", "Nonce")}
        created = re.search(r"<wsu:Created>([^<]*)</wsu:Created>", body)
        if not all(found.values()) or created is None:
            return False
        nonce = base64.b64decode(found["Nonce"].group(1))  # type: ignore[union-attr]
        expected = base64.b64encode(
            hashlib.sha1(nonce + created.group(1).encode() + PASSWORD.encode()).digest()  # noqa: S324
        ).decode()
        return found["Username"].group(1) == USER and found["Password"].group(1) == expected  # type: ignore[union-attr]

    def _answer_probes(self) -> None:
        while not self._stop.is_set():
            try:
                data, addr = self.udp.recvfrom(65535)
            except TimeoutError:
                continue
            except OSError:
                return
            if b"Probe" not in data or b"NetworkVideoTransmitter" not in data:
                continue
            relates = re.search(rb"<a:MessageID>([^<]*)</a:MessageID>", data)
            answer = f"""<?xml version="1.0" encoding="UTF-8"?>
<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"
 xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing"
 xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery">
<s:Header><a:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/ProbeMatches</a:Action>
<a:RelatesTo>{relates.group(1).decode() if relates else ""}</a:RelatesTo></s:Header>
<s:Body><d:ProbeMatches><d:ProbeMatch>
<a:EndpointReference><a:Address>{self.endpoint}</a:Address></a:EndpointReference>
<d:Types>dn:NetworkVideoTransmitter</d:Types>
<d:Scopes>onvif://www.onvif.org/type/video_encoder onvif://www.onvif.org/name/Cong%20UBND
 onvif://www.onvif.org/hardware/DS-2CD2143G2-I</d:Scopes>
<d:XAddrs>{" ".join((self.xaddr, *self.extra_xaddrs))}</d:XAddrs><d:MetadataVersion>1</d:MetadataVersion>
</d:ProbeMatch></d:ProbeMatches></s:Body></s:Envelope>"""
            self.udp.sendto(answer.encode(), addr)

    def __enter__(self) -> SimulatedOnvifDevice:
        threading.Thread(target=self.http.serve_forever, daemon=True).start()
        threading.Thread(target=self._answer_probes, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self.http.shutdown()
        self.http.server_close()
        self.udp.close()


@pytest.fixture(autouse=True)
def _loopback_simulators(monkeypatch: pytest.MonkeyPatch) -> None:
    """The simulators listen on 127.0.0.1 (tests/testsupport/loopback_cameras.py)."""
    allow_loopback_test_network(monkeypatch)


@pytest.fixture
def device() -> Iterator[SimulatedOnvifDevice]:
    with SimulatedOnvifDevice() as d:
        yield d


def _allow_local(tenant: TenantInfo) -> None:
    with tenant_transaction(tenant) as db:
        if "127.0.0.1/32" not in [n.cidr for n in service.list_site_networks(db)]:
            service.add_site_network(db, SiteNetworkIn(cidr="127.0.0.1/32", note="máy kiểm thử"), **ACTOR)


def test_ws_discovery_probe_finds_the_device_and_its_service_address(device: SimulatedOnvifDevice) -> None:
    found = onvif.discover(timeout_s=0.8, target=("127.0.0.1", device.udp_port), bind=("127.0.0.1", 0))
    assert len(found) == 1
    (cam,) = found
    assert cam.endpoint == device.endpoint
    assert cam.xaddrs == (device.xaddr,)
    assert cam.scope("name") == "Cong UBND"
    assert cam.scope("hardware") == "DS-2CD2143G2-I"
    assert cam.source == "127.0.0.1"


def test_probe_message_is_a_ws_discovery_probe_for_video_transmitters() -> None:
    text = onvif.PROBE.format(message_id=uuid.uuid4())
    assert "discovery/Probe</a:Action>" in text and "dn:NetworkVideoTransmitter" in text
    assert onvif.MULTICAST == ("239.255.255.250", 3702)
    assert onvif.parse_probe_matches(b"<not xml") == []
    assert onvif.parse_probe_matches(b'<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>') == []  # defusedxml refuses


def test_get_device_information_fills_model_manufacturer_and_firmware(
    communes: tuple[TenantInfo, TenantInfo], device: SimulatedOnvifDevice
) -> None:
    cam_lo, _ = communes
    _allow_local(cam_lo)
    (found,) = onvif.discover(timeout_s=0.8, target=("127.0.0.1", device.udp_port), bind=("127.0.0.1", 0))
    with tenant_transaction(cam_lo) as db:
        camera = service.create(
            db,
            CameraIn(name="Cổng UBND", stream_url="http://127.0.0.1:9/stream.mjpg", username=USER, password=PASSWORD),
            **ACTOR,
        )
        camera = service.identify_onvif(
            db, camera.id, xaddr=found.xaddrs[0], actor="onvif-tests", actor_kind="provider"
        )
        assert (camera.manufacturer, camera.model, camera.firmware) == (
            "Hikvision",
            "DS-2CD2143G2-I",
            "V5.7.3 build 220112",
        )
        assert camera.onvif_xaddr == device.xaddr
        camera_id = camera.id
    with tenant_transaction(cam_lo) as db:
        stored = db.scalars(select(Camera).where(Camera.id == camera_id)).one()
        assert stored.model == "DS-2CD2143G2-I"
        service.update(db, camera_id, CameraPatch(motion_enabled=False), **ACTOR)
    # The password travelled only as a digest.
    assert all(PASSWORD not in body for body in device.requests)


def test_wrong_credentials_and_redirects_fail_with_a_clear_error(
    communes: tuple[TenantInfo, TenantInfo], device: SimulatedOnvifDevice
) -> None:
    cam_lo, _ = communes
    _allow_local(cam_lo)
    with pytest.raises(onvif.OnvifError) as e:
        onvif.device_information(device.xaddr, USER, "sai", allow=service.parse_networks(["127.0.0.1/32"]))
    assert e.value.status == 422 and "400" in e.value.message_en
    with SimulatedOnvifDevice(redirect=True) as redirecting:
        with pytest.raises(onvif.OnvifError) as e:
            onvif.device_information(redirecting.xaddr, allow=service.parse_networks(["127.0.0.1/32"]))
        assert "302" in e.value.message_en  # not followed (it pointed at the metadata service)


def test_a_commune_without_the_site_network_cannot_reach_the_device(
    communes: tuple[TenantInfo, TenantInfo], device: SimulatedOnvifDevice
) -> None:
    with pytest.raises(UrlRefused):
        onvif.device_information(device.xaddr, USER, PASSWORD)  # loopback is on the deny list by default
    assert device.requests == []


# -- the API: discovery and device information, as a commune admin ----------------------------------------
@pytest.fixture(scope="module")
def world(communes: tuple[TenantInfo, TenantInfo]) -> Iterator[World]:
    with commune_world(communes) as w:
        yield w


def _discover(world: World, tenant: TenantInfo, role: str, port: int, address: str = "127.0.0.1") -> Any:
    body = {"address": address, "port": port, "timeout_ms": 600}
    return world.call("POST", "/api/v1/cameras/onvif/discover", tenant, world.person(tenant, role), json=body)


def _audit_actions(tenant: TenantInfo) -> list[str]:
    with owner_engine().connect() as conn:
        schema = quote_ident(tenant.schema_name)
        return list(conn.execute(text(f"SELECT action FROM {schema}.audit_log ORDER BY id")).scalars())


def test_api_discovers_a_camera_and_refreshes_its_device_information(
    world: World, device: SimulatedOnvifDevice
) -> None:
    cam_lo = world.a
    _allow_local(cam_lo)
    admin = world.person(cam_lo, COMMUNE_ADMIN)
    response = _discover(world, cam_lo, COMMUNE_ADMIN, device.udp_port)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["refused"] == 0
    (found,) = body["found"]
    assert found["xaddrs"] == [device.xaddr] and found["camera_id"] is None
    assert (found["name"], found["hardware"], found["source"]) == ("Cong UBND", "DS-2CD2143G2-I", "127.0.0.1")

    camera = {"name": "Cổng UBND", "stream_url": "http://127.0.0.1:9/stream.mjpg", "username": USER}
    created = world.call("POST", "/api/v1/cameras", cam_lo, admin, json={**camera, "password": PASSWORD})
    assert created.status_code == 201, created.text
    camera_id = created.json()["id"]
    path = f"/api/v1/cameras/{camera_id}/onvif/device-information"
    response = world.call("POST", path, cam_lo, admin, json={"xaddr": found["xaddrs"][0]})
    assert response.status_code == 200, response.text
    out = response.json()
    assert (out["manufacturer"], out["model"], out["firmware"], out["serial_number"]) == (
        "Hikvision",
        "DS-2CD2143G2-I",
        "V5.7.3 build 220112",
        "SN123",
    )
    assert out["onvif_refreshed_at"] is not None
    # Stored: a later read shows it, and the next refresh needs no address (the recorded one is used).
    assert world.call("GET", f"/api/v1/cameras/{camera_id}", cam_lo, admin).json()["serial_number"] == "SN123"
    assert world.call("POST", path, cam_lo, admin).status_code == 200
    rediscovered = _discover(world, cam_lo, COMMUNE_ADMIN, device.udp_port).json()
    assert rediscovered["found"][0]["camera_id"] == camera_id
    assert {"onvif_discover", "onvif_identify"} <= set(_audit_actions(cam_lo))
    assert all(PASSWORD not in body for body in device.requests)


def test_api_discovery_drops_addresses_outside_the_site_network(world: World) -> None:
    """The device names its own service URL and two it must not make us call: the metadata service and a
    private address the commune never allow-listed. Only the first is returned; the others are counted."""
    cam_lo = world.a
    _allow_local(cam_lo)
    extra = ("http://169.254.169.254/latest/meta-data/", "http://10.20.30.40/onvif/device_service")
    with SimulatedOnvifDevice(extra_xaddrs=extra) as sneaky:
        body = _discover(world, cam_lo, COMMUNE_ADMIN, sneaky.udp_port).json()
        assert body["refused"] == 2
        assert body["found"][0]["xaddrs"] == [sneaky.xaddr]
        # A unicast probe to an address outside the allow-list is refused before anything is sent.
        refused = _discover(world, cam_lo, COMMUNE_ADMIN, sneaky.udp_port, address="127.0.0.2")
        assert refused.status_code == 422 and refused.json()["error"]["code"] == "camera_url_refused"


def test_api_onvif_is_per_commune_and_for_admins(world: World, device: SimulatedOnvifDevice) -> None:
    cam_lo, hau_loc = world.a, world.b
    _allow_local(cam_lo)
    with tenant_transaction(cam_lo) as db:
        camera_id = service.create(db, CameraIn(name="Chợ", stream_url="http://127.0.0.1:9/x.mjpg"), **ACTOR).id
    # Hậu Lộc never allow-listed this machine: no discovery there, and Cam Lộ's camera does not exist there.
    response = _discover(world, hau_loc, COMMUNE_ADMIN, device.udp_port)
    assert response.status_code == 422
    assert response.json()["error"]["code"] in ("no_site_network", "camera_url_refused")
    path = f"/api/v1/cameras/{camera_id}/onvif/device-information"
    other = world.call("POST", path, hau_loc, world.person(hau_loc, COMMUNE_ADMIN), json={"xaddr": device.xaddr})
    assert other.status_code == 404
    assert device.requests == []
    # A village head may look at cameras, not scan the network.
    assert _discover(world, cam_lo, VILLAGE_HEAD, device.udp_port).status_code == 403
    # Wrong credentials on the camera: a clear 422, nothing stored.
    admin = world.person(cam_lo, COMMUNE_ADMIN)
    response = world.call("POST", path, cam_lo, admin, json={"xaddr": device.xaddr})
    assert response.status_code == 422 and response.json()["error"]["code"] == "onvif_failed"
    assert world.call("GET", f"/api/v1/cameras/{camera_id}", cam_lo, admin).json()["manufacturer"] is None
