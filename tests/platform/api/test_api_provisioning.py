"""Provider API of provisioning (smartcommune.provisioning): one call onboards a commune with cameras and
devices; rollouts from a manifest report bad rows and run the good ones; progress by polling and SSE;
cancel and resume. Runs are executed in this process (the same engine the Celery task runs)."""

from __future__ import annotations

import csv
import io
import os
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from testsupport.loopback_cameras import allow_loopback_test_network
from testsupport.streams import MjpegServer, SilentServer

from smartcommune.provisioning.runs import service
from smartcommune.tenants import registry
from smartcommune.tenants.database import owner_engine
from smartcommune.tenants.settings import get_settings

BASE = "/api/provider/v1/provisioning"
STRIPE_KEYS = ("STRIPE_API_KEY", "STRIPE_API_BASE", "STRIPE_WEBHOOK_SECRET")


@pytest.fixture(autouse=True)
def _loopback_simulators(monkeypatch: pytest.MonkeyPatch) -> None:
    """The simulators listen on 127.0.0.1 (tests/testsupport/loopback_cameras.py)."""
    allow_loopback_test_network(monkeypatch)


@pytest.fixture(autouse=True)
def _no_stripe() -> Iterator[None]:
    """Stripe not configured here (another suite may configure a fake one for the whole session)."""
    saved = {k: os.environ.pop(k) for k in STRIPE_KEYS if k in os.environ}
    get_settings.cache_clear()
    try:
        yield
    finally:
        os.environ.update(saved)
        get_settings.cache_clear()


NEW_COMMUNE = 18859  # Phường Đồng Thuận, Quảng Trị


def _execute(run_id: str) -> None:
    outcome = service.execute(owner_engine(), uuid.UUID(run_id), sleep=lambda s: None)
    assert outcome.status in ("succeeded", "failed"), outcome


def test_onboard_one_commune_with_cameras_and_devices(api: Any, kit: Any) -> None:
    admin = api.actor(None, "provider_admin")
    with MjpegServer(fps=10) as live, SilentServer() as silent:
        body = {
            "commune_code": NEW_COMMUNE,
            "slug": "dong-thuan",
            "template": "hydroponics",
            "admin": {"name": "Hoàng Văn Em", "phone": "0987654321", "email": "em@dongthuan.gov.vn"},
            "site_networks": ["127.0.0.1/32"],
            "cameras": [
                {"name": "Cổng nhà màng", "stream_url": live.url, "username": "cam", "password": "MatKhauCam#1"},
                {"name": "Camera treo", "stream_url": silent.url},
                {"name": "Camera lạ", "stream_url": "http://169.254.169.254/latest/meta-data"},
            ],
            "devices": [
                {"uid": "tuoi-01", "serial": "BT-0001", "name": "Bộ tưới khu A", "profile": "bo-tuoi"},
                {"uid": "nha-mang-01", "serial": "NM-0001", "name": "Nhà màng số 1", "profile": "nha-mang"},
            ],
        }
        created = api.call("POST", f"{BASE}/communes", json=body, actor=admin)
        assert created.status_code == 202, created.text
        run = created.json()
        assert run["status"] == "pending" and [s["name"] for s in run["steps"]][:2] == ["validate", "register"]
        # The stored spec never holds a camera password in clear.
        spec = service.get_run(owner_engine(), uuid.UUID(run["id"]))[0].spec
        assert "MatKhauCam#1" not in str(spec)
        started = time.monotonic()
        _execute(run["id"])
        elapsed = time.monotonic() - started
    detail = api.call("GET", f"{BASE}/runs/{run['id']}", actor=admin).json()
    assert detail["status"] == "succeeded", detail
    steps = {s["name"]: s for s in detail["steps"]}
    cams = {c["name"]: c for c in steps["cameras"]["output"]["cameras"]}
    assert cams["Cổng nhà màng"]["status"] == "online"
    assert (cams["Cổng nhà màng"]["width"], cams["Cổng nhà màng"]["height"]) == (320, 240)
    assert cams["Camera treo"]["status"] != "online" and cams["Camera treo"]["ms"] <= 2500
    assert cams["Camera lạ"]["status"] == "refused"
    assert elapsed < 60
    assert "credentials_csv" not in steps["devices"]["output"]
    assert steps["identity"]["output"]["provider"] == "embedded"
    # The installers' CSV: once.
    got = api.call("POST", f"{BASE}/runs/{run['id']}/device-credentials", actor=admin)
    assert got.status_code == 200 and got.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(got.text)))
    assert {r["uid"] for r in rows} == {"tuoi-01", "nha-mang-01"}
    assert all(r["mqtt_password"] and r["topic_root"].startswith(f"t/{NEW_COMMUNE}/d/") for r in rows)
    again = api.call("POST", f"{BASE}/runs/{run['id']}/device-credentials", actor=admin)
    assert again.status_code == 404 and kit.error_code(again) == "credentials_gone"
    _first_admin_handover(api, kit, admin, run["id"])
    tenant = registry.get_commune(owner_engine(), NEW_COMMUNE)
    assert tenant.status == "active" and tenant.template == "hydroponics"
    listed = api.call("GET", f"{BASE}/runs", params={"commune_code": NEW_COMMUNE}, actor=admin).json()
    assert listed["total"] == 1
    # The operator may watch, a commune admin may not even see the provider API.
    operator = api.actor(None, "provider_operator")
    assert api.call("GET", f"{BASE}/runs/{run['id']}", actor=operator).status_code == 200


def _first_admin_handover(api: Any, kit: Any, admin: Any, run_id: str) -> None:
    """The one-time password: shown once, sent by SMS, and the first login must choose a new password."""
    detail = api.call("GET", f"{BASE}/runs/{run_id}", actor=admin).json()
    identity = next(s for s in detail["steps"] if s["name"] == "identity")["output"]
    assert identity["handover_available"] is True and "one_time_password" not in identity
    assert identity["sms_sent"] is True
    got = api.call("POST", f"{BASE}/runs/{run_id}/admin-handover", actor=admin)
    assert got.status_code == 200, got.text
    handover = got.json()
    assert handover["slug"] == "dong-thuan" and handover["username"] == "dong-thuan.admin"
    password = handover["password"]
    assert len(password) >= 12
    again = api.call("POST", f"{BASE}/runs/{run_id}/admin-handover", actor=admin)
    assert again.status_code == 404 and kit.error_code(again) == "handover_gone"
    after = api.call("GET", f"{BASE}/runs/{run_id}", actor=admin).json()
    assert next(s for s in after["steps"] if s["name"] == "identity")["output"]["handover_available"] is False

    token = "/auth/realms/communes/protocol/openid-connect/token"
    form = {"grant_type": "password", "username": handover["username"], "password": password}
    wrong = api.call("POST", token, data={**form, "password": "sai-mat-khau"})
    assert wrong.status_code == 401 and kit.error_code(wrong) == "invalid_credentials"
    first = api.call("POST", token, data=form)
    assert first.status_code == 403 and kit.error_code(first) == "password_change_required"
    same = api.call("POST", token, data={**form, "new_password": password})
    assert same.status_code == 422 and kit.error_code(same) == "password_unchanged"
    changed = api.call("POST", token, data={**form, "new_password": "mat-khau-moi-cua-xa"})
    assert changed.status_code == 200, changed.text
    assert api.call("POST", token, data=form).status_code == 401  # the one-time password is spent
    normal = api.call("POST", token, data={**form, "password": "mat-khau-moi-cua-xa"})
    assert normal.status_code == 200 and normal.json()["access_token"]


def test_manifest_rollout_progress_sse_cancel_and_resume(api: Any) -> None:
    admin = api.actor(None, "provider_admin")
    manifest = (
        "code,slug,template,admin_name,admin_phone,admin_email\n"
        "18871,dong-son,base,Nguyễn Thị Hoa,0911000001,hoa@dongson.gov.vn\n"
        "99999,khong-co,base,Ai Đó,0911000002,\n"
        "19009,ba-don,ward-urban,Trần Văn Hải,0911000003,khong-phai-email\n"
        "18904,dan-hoa,coastal,Lê Văn Nam,0911000004,\n"
        "18871,lap-lai,base,Lặp Lại,0911000005,\n"
    )
    started = api.call("POST", f"{BASE}/rollouts", json={"manifest": manifest, "manifest_format": "csv"}, actor=admin)
    assert started.status_code == 201, started.text
    body = started.json()
    assert body["runs"] == 2
    rejected = {r["row"]: r["reason"] for r in body["rejected"]}
    assert set(rejected) == {3, 4, 6}
    assert "99999" in rejected[3] and "email" in rejected[4] and "row 2" in rejected[6]
    rollout_id = body["rollout_id"]
    progress = api.call("GET", f"{BASE}/rollouts/{rollout_id}", actor=admin).json()
    assert progress["counts"]["pending"] == 2 and not progress["done"]
    # Cancel, then resume: the runs go back to pending and then succeed.
    cancelled = api.call("POST", f"{BASE}/rollouts/{rollout_id}/cancel", actor=admin).json()
    assert cancelled["counts"]["cancelled"] == 2 and cancelled["done"]
    resumed = api.call("POST", f"{BASE}/rollouts/{rollout_id}/resume", actor=admin).json()
    assert resumed["counts"]["pending"] == 2
    runs = api.call("GET", f"{BASE}/runs", params={"rollout_id": rollout_id}, actor=admin).json()["items"]
    for run in runs:
        _execute(run["id"])
    progress = api.call("GET", f"{BASE}/rollouts/{rollout_id}", actor=admin).json()
    assert progress["counts"]["succeeded"] == 2 and progress["done"]
    assert [r["row"] for r in progress["rejected"]] == [3, 4, 6]
    with api.client.stream(
        "GET", f"{BASE}/rollouts/{rollout_id}/events", headers=admin.auth, params={"interval": 0.2}
    ) as stream:
        assert stream.headers["content-type"].startswith("text/event-stream")
        text = "".join(stream.iter_text())
    assert "event: progress" in text and "event: done" in text and '"succeeded": 2' in text
    # A second rollout of the same manifest finds both done and starts nothing.
    second = api.call(
        "POST", f"{BASE}/rollouts", json={"manifest": manifest, "manifest_format": "csv"}, actor=admin
    ).json()
    assert second["runs"] == 0 and {c for c, _ in second["skipped"]} == {18871, 18904}
    templates = api.call("GET", f"{BASE}/templates", actor=admin).json()
    assert {t["name"] for t in templates} >= {"base", "agri-specialty", "hydroponics", "ward-urban", "coastal"}
