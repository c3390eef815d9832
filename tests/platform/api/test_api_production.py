"""Production over HTTP with real tokens: an early harvest answers 409 `pre_harvest_interval` and stores
nothing; the lot's QR (PNG) decodes back to its GS1 Digital Link URI; EPCIS is served as JSON-LD; the
criteria targets an admin sets come back computed; a resident reads but cannot write."""

from __future__ import annotations

import io
from typing import Any

import zxingcpp
from PIL import Image


def test_production_flow_over_http(api: Any, kit: Any) -> None:
    a = api.a
    official = api.actor(a, "commune_official")
    resident = api.actor(a, "resident")
    farm = api.call(
        "POST",
        "/api/v1/production/farms",
        tenant=a,
        actor=official,
        json={
            "name": kit.unique("Vườn ớt"),
            "producer_name": "Hộ bà Lê Thị Bình",
            "commodity": "Ớt",
            "gtin": "4006381333931",
        },
    )
    assert farm.status_code == 201, farm.text
    farm_id = farm.json()["id"]
    assert farm.json()["gtin"] == "04006381333931"
    logs = f"/api/v1/production/farms/{farm_id}/logs"
    spray = {
        "log_type": "input",
        "at": "2026-11-01T08:00:00+07:00",
        "material": "Mancozeb 80WP",
        "input_kind": "pesticide",
        "amount": "1.5",
        "amount_unit": "KGM",
        "phi_days": 10,
    }
    assert api.call("POST", logs, tenant=a, actor=official, json=spray).status_code == 201
    early = {"log_type": "harvest", "at": "2026-11-05T08:00:00+07:00", "quantity": "80", "unit": "KGM"}
    before = kit.audit_count(a)
    refused = api.call("POST", logs, tenant=a, actor=official, json=early)
    assert refused.status_code == 409 and kit.error_code(refused) == "pre_harvest_interval"
    assert "11/11/2026" in refused.json()["error"]["message"]
    assert kit.audit_count(a) == before
    assert api.call("POST", logs, tenant=a, actor=resident, json=early).status_code == 403
    ok = api.call("POST", logs, tenant=a, actor=official, json=early | {"at": "2026-11-12T08:00:00+07:00"})
    assert ok.status_code == 201, ok.text
    lot = ok.json()["lot"]
    assert "/01/04006381333931/10/" in lot["uri"]
    png = api.call("GET", f"/api/v1/production/lots/{lot['id']}/qr.png", tenant=a, actor=resident)
    assert png.status_code == 200 and png.headers["content-type"] == "image/png"
    assert [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(png.content)))] == [lot["uri"]]
    epcis = api.call("GET", f"/api/v1/production/lots/{lot['id']}/epcis", tenant=a, actor=official)
    assert epcis.headers["content-type"].startswith("application/ld+json")
    assert epcis.json()["epcisBody"]["eventList"][0]["type"] == "ObjectEvent"
    assert api.call("GET", f"/api/v1/production/lots/{lot['id']}/qr.gif", tenant=a, actor=official).status_code == 404


def test_criteria_targets_over_http(api: Any) -> None:
    a = api.a
    admin = api.actor(a, "commune_admin")
    body = [
        {
            "code": "registered_residents",
            "name_vi": "Người dân có tài khoản",
            "name_en": "Accounts",
            "target_percent": 60,
        }
    ]
    assert api.call("PUT", "/api/v1/insight/criteria", tenant=a, actor=admin, json=body).status_code == 204
    got = api.call("GET", "/api/v1/insight/criteria", tenant=a, actor=admin).json()
    row = next(r for r in got if r["code"] == "registered_residents")
    assert row["target_percent"] == 60 and row["denominator"] >= 0
    bad = [body[0] | {"target_percent": 101}]
    assert api.call("PUT", "/api/v1/insight/criteria", tenant=a, actor=admin, json=bad).status_code == 422
    layer = api.call("GET", "/api/v1/insight/map/farms", tenant=a, actor=admin).json()
    assert layer["type"] == "FeatureCollection"


def test_criterion_parameters_over_http(api: Any, kit: Any) -> None:
    a = api.a
    admin = api.actor(a, "commune_admin")
    spec = api.call("GET", "/api/v1/insight/criteria/parameters", tenant=a, actor=admin).json()
    assert spec["online_services"]["min_age"]["default"] == 15 and spec["online_services"]["max_age"]["default"] == 60
    body = {"code": "online-services", "name_vi": "DVC trực tuyến", "name_en": "Online", "target_percent": 70}
    ok = api.call("PUT", "/api/v1/insight/criteria", tenant=a, actor=admin, json=[body | {"params": {"max_age": 62}}])
    assert ok.status_code == 204, ok.text
    got = api.call("GET", "/api/v1/insight/criteria", tenant=a, actor=admin).json()
    row = next(r for r in got if r["code"] == "online-services")
    assert row["evidence"]["params"] == {"min_age": 15, "max_age": 62, "window_days": 365}
    before = kit.audit_count(a)
    bad = api.call("PUT", "/api/v1/insight/criteria", tenant=a, actor=admin, json=[body | {"params": {"max_age": 500}}])
    assert bad.status_code == 422 and kit.error_code(bad) == "criterion_params_invalid"
    assert kit.audit_count(a) == before
