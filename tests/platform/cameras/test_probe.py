"""Probing real streams: an HTTP MJPEG server the test runs, and addresses that never answer."""

from __future__ import annotations

import logging
import time

import pytest
from testsupport.streams import MjpegServer, SilentServer, closed_port

from smartcommune.platform.cameras.probe import probe_url
from smartcommune.platform.netguard import parse_networks

LOCAL = parse_networks(["127.0.0.1/32"])


def test_reachable_camera_answers_within_3s_with_resolution_fps_codec_and_snapshot() -> None:
    with MjpegServer(fps=15, width=640, height=360) as server:
        t0 = time.monotonic()
        result = probe_url(server.url, allow=LOCAL)
        elapsed = time.monotonic() - t0
    assert result.ok, result
    assert elapsed < 3.0
    assert (result.width, result.height) == (640, 360)
    assert result.codec == "mjpg"
    assert result.fps is not None and 5 <= result.fps <= 30
    jpeg = result.snapshot_jpeg()
    assert jpeg is not None and jpeg[:3] == b"\xff\xd8\xff"


def test_camera_that_accepts_and_never_answers_fails_within_2s() -> None:
    with SilentServer() as silent:
        t0 = time.monotonic()
        result = probe_url(silent.url, allow=LOCAL)
        elapsed = time.monotonic() - t0
    assert not result.ok
    assert result.reason == "timeout"
    assert elapsed < 2.0


def test_rtsp_camera_that_never_answers_fails_within_2s() -> None:
    with SilentServer() as silent:
        t0 = time.monotonic()
        result = probe_url(f"rtsp://127.0.0.1:{silent.port}/live", allow=LOCAL)
        elapsed = time.monotonic() - t0
    assert not result.ok
    assert elapsed < 2.0


def test_closed_port_fails_fast() -> None:
    t0 = time.monotonic()
    result = probe_url(f"http://127.0.0.1:{closed_port()}/x.mjpg", allow=LOCAL)
    assert not result.ok and result.reason == "connect_failed"
    assert time.monotonic() - t0 < 1.0


def test_redirect_is_refused_not_followed() -> None:
    with MjpegServer() as target, MjpegServer(redirect_to=target.url) as redirector:
        result = probe_url(redirector.url, allow=LOCAL)
        assert not result.ok and result.reason == "redirect"
        assert target.requests == 0


def test_refused_address_is_a_failed_probe_without_any_connection() -> None:
    with MjpegServer() as server:
        result = probe_url(server.url)  # not allow-listed
        assert not result.ok and result.reason == "refused" and result.detail == "loopback"
        assert server.requests == 0


def test_credentials_work_and_never_reach_the_logs(
    caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    password = "Bi-Mat-9f3c2a!"
    caplog.set_level(logging.DEBUG)
    with MjpegServer(auth=("admin", password)) as server:
        wrong = probe_url(server.url, username="admin", password="sai", allow=LOCAL)
        right = probe_url(server.url, username="admin", password=password, allow=LOCAL)
        # Credentials typed into the URL are used too, and still never logged.
        inline = probe_url(server.url.replace("http://", f"http://admin:{password}@"), allow=LOCAL)
    assert not wrong.ok and wrong.reason == "unauthorized"
    assert right.ok, right
    assert not inline.ok  # probe_url does not lift URL credentials: the registry stores them apart
    out, err = capfd.readouterr()
    logged = caplog.text + out + err
    assert "camera_probe" in caplog.text or "camera_probe" in out + err
    assert password not in logged
