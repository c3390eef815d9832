"""Production and traceability on real PostgreSQL in both communes: the farmOS-style log, the pre-harvest
interval refusing an early harvest (409 `pre_harvest_interval`), lots with GS1 Digital Link URIs and QR
codes that decode back (zxing-cpp), the public trace page on the commune host, and EPCIS 2.0 JSON-LD."""

from __future__ import annotations

import io
import itertools
import os
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
import zxingcpp
from fastapi.testclient import TestClient
from PIL import Image

from smartcommune.main import create_app
from smartcommune.platform.fees import vietqr
from smartcommune.platform.http.tenancy import reset_resolver
from smartcommune.platform.production import gs1, service
from smartcommune.platform.production.schemas import CertificationIn, FarmIn, LogIn, PlotIn
from smartcommune.platform.residents.models import Household
from smartcommune.platform.villages.models import Village
from smartcommune.tenants.context import TenantInfo
from smartcommune.tenants.errors import Conflict, InvalidInput, NotFound
from smartcommune.tenants.session import tenant_transaction
from smartcommune.tenants.settings import get_settings

WHO = {"actor": "can.bo.nong.nghiep", "actor_kind": "commune"}
GTIN = "8934563138165"  # a GTIN-13 with a correct check digit
_n = itertools.count(1)


@pytest.fixture(scope="module")
def client(communes: tuple[TenantInfo, TenantInfo]) -> Iterator[TestClient]:
    saved = os.environ.get("ENVIRONMENT")
    os.environ["ENVIRONMENT"] = "test"
    get_settings.cache_clear()
    reset_resolver()
    try:
        with TestClient(create_app()) as c:
            yield c
    finally:
        if saved is None:
            os.environ.pop("ENVIRONMENT", None)
        else:
            os.environ["ENVIRONMENT"] = saved
        get_settings.cache_clear()
        reset_resolver()


def household(t: TenantInfo) -> int:
    with tenant_transaction(t) as db:
        village = Village(code=f"SX{next(_n)}", name="Thôn Sản Xuất")
        db.add(village)
        db.flush()
        h = Household(village_id=village.id, house_number=f"SX-{next(_n)}", latitude=16.8, longitude=107.0)
        db.add(h)
        db.flush()
        return h.id


def chili_lot(t: TenantInfo, *, gtin: str | None = GTIN) -> dict[str, Any]:
    """A chili farm: seeding, a pesticide with a 7-day interval, an early harvest refused, a harvest after the
    interval, then packing into a new lot."""
    owner = household(t)
    start = datetime(2026, 9, 1, 7, 0, tzinfo=UTC)
    with tenant_transaction(t) as db:
        farm = service.create_farm(
            db,
            FarmIn(
                name="Vườn ớt <b>Cam Lộ</b>",
                producer_name="Hộ ông Nguyễn Văn An",
                owner_household_id=owner,
                kind="crop",
                commodity="Ớt",
                area_m2=2500,
                latitude=16.79,
                longitude=107.05,
                gtin=gtin,
            ),
            **WHO,
        )
        assert farm.name == "Vườn ớt Cam Lộ"
        plot = service.add_plot(db, farm.id, PlotIn(name="Thửa 1", crop="Ớt chỉ thiên", area_m2=1200), **WHO)
        service.add_certification(
            db,
            farm.id,
            CertificationIn(
                scheme="vietgap", certificate_no="VG-123", valid_from=date(2026, 1, 1), valid_to=date(2099, 1, 1)
            ),
            **WHO,
        )
        service.add_certification(
            db,
            farm.id,
            CertificationIn(
                scheme="ocop", stars=4, certificate_no="OCOP-4", valid_from=date(2025, 1, 1), valid_to=date(2099, 1, 1)
            ),
            **WHO,
        )
        service.add_log(db, t, farm.id, LogIn(log_type="seeding", plot_id=plot.id, at=start), **WHO)
        spray = start + timedelta(days=60)
        pesticide = LogIn(
            log_type="input",
            plot_id=plot.id,
            at=spray,
            material="Abamectin 3.6EC",
            input_kind="pesticide",
            amount=Decimal("0.5"),
            amount_unit="LTR",
            phi_days=7,
        )
        service.add_log(db, t, farm.id, pesticide, **WHO)
        service.add_log(db, t, farm.id, LogIn(log_type="observation", at=spray, notes="Lá xanh tốt"), **WHO)
        farm_id, plot_id = farm.id, plot.id
    early = LogIn(log_type="harvest", plot_id=plot_id, at=spray + timedelta(days=3), quantity=Decimal(120), unit="KGM")
    with pytest.raises(Conflict) as refused, tenant_transaction(t) as db:
        service.add_log(db, t, farm_id, early, **WHO)
    assert refused.value.code == "pre_harvest_interval"
    assert refused.value.details["harvest_allowed_from"].startswith("2026-11-07")
    with tenant_transaction(t) as db:
        harvest = early.model_copy(update={"at": spray + timedelta(days=8)})
        log, lot = service.add_log(db, t, farm_id, harvest, **WHO)
        assert lot is not None and log.lot_id == lot.id and lot.quantity == 120
        assert lot.gtin == (gs1.gtin14(gtin) if gtin else None)
        packing = LogIn(
            log_type="packing",
            at=spray + timedelta(days=9),
            source_lot_id=lot.id,
            product_name="Ớt bột Cam Lộ hộp 100 g",
            quantity=Decimal(1000),
            unit="H87",
        )
        _, packed = service.add_log(db, t, farm_id, packing, **WHO)
        assert packed is not None and packed.source_lot_id == lot.id
        return {
            "farm": farm_id,
            "lot": service.lot_out(t, lot).model_dump(),
            "packed": service.lot_out(t, packed).model_dump(),
        }


def test_gtin_check_digits() -> None:
    for good in ("09506000134352", "4006381333931", GTIN, "96385074", "036000291452"):
        assert gs1.is_valid_gtin(good), good
    for bad in ("09506000134353", "4006381333932", "12345", "abcdefghijklm", "８９３４５６３１３８１６５"):
        assert not gs1.is_valid_gtin(bad), bad
    assert gs1.gtin14("4006381333931") == "04006381333931"


def test_a_bad_gtin_is_refused(communes: tuple[TenantInfo, TenantInfo]) -> None:
    a, _ = communes
    with pytest.raises(InvalidInput) as e, tenant_transaction(a) as db:
        service.create_farm(db, FarmIn(name="X", producer_name="Y", commodity="Gà", gtin="8934563138166"), **WHO)
    assert e.value.code == "gtin_invalid"


@pytest.mark.parametrize("which", [0, 1])
def test_harvest_waits_for_the_interval_and_lots_get_gs1_uris(
    communes: tuple[TenantInfo, TenantInfo], which: int
) -> None:
    t, other = communes[which], communes[1 - which]
    made = chili_lot(t)
    lot, packed = made["lot"], made["packed"]
    host = re.escape(f"{t.slug}.{get_settings().base_domain}")
    assert re.fullmatch(
        rf"https?://{host}(:\d+)?/01/{gs1.gtin14(GTIN)}/10/{t.commune_code}-\d{{6}}-\d{{5,}}", lot["uri"]
    ), lot["uri"]
    assert re.fullmatch(rf"{t.commune_code}-\d{{6}}-\d{{5,7}}", lot["code"]) and gs1.is_valid_lot(lot["code"])
    # The QR codes carry the URI and decode back with an independent reader.
    image = Image.open(io.BytesIO(vietqr.qr_png(packed["uri"])))
    assert [r.text for r in zxingcpp.read_barcodes(image)] == [packed["uri"]]
    assert vietqr.qr_svg(lot["uri"]).startswith(b"<svg")
    # The other commune does not know these lots.
    with tenant_transaction(other) as db, pytest.raises(NotFound):
        service.resolve_lot(db, lot["code"], GTIN)


def test_without_a_gtin_the_uri_is_commune_scoped(communes: tuple[TenantInfo, TenantInfo]) -> None:
    a, _ = communes
    lot = chili_lot(a, gtin=None)["lot"]
    assert lot["uri"].endswith(f"/trace/{lot['code']}") and "/01/" not in lot["uri"]
    with tenant_transaction(a) as db:
        assert service.resolve_lot(db, lot["code"], None).id == lot["id"]
        with pytest.raises(NotFound):  # a lot without a GTIN is not reachable under a made-up GTIN
            service.resolve_lot(db, lot["code"], GTIN)


EPCIS_EVENT_KEYS = {"type", "eventTime", "eventTimeZoneOffset", "bizStep", "disposition", "readPoint", "bizLocation"}


def test_epcis_document_has_the_epcis_2_shape(communes: tuple[TenantInfo, TenantInfo]) -> None:
    a, _ = communes
    made = chili_lot(a)
    with tenant_transaction(a) as db:
        doc = service.epcis_document(db, a, service.get_lot(db, made["packed"]["id"]))
    assert doc["@context"][0] == "https://ref.gs1.org/standards/epcis/epcis-context.jsonld"
    assert doc["type"] == "EPCISDocument" and doc["schemaVersion"] == "2.0"
    assert datetime.fromisoformat(doc["creationDate"]).tzinfo is not None
    events = doc["epcisBody"]["eventList"]
    assert [e["type"] for e in events] == ["ObjectEvent", "TransformationEvent"]
    for e in events:
        assert set(e) >= EPCIS_EVENT_KEYS, e
        assert re.fullmatch(r"[+-]\d\d:\d\d", e["eventTimeZoneOffset"])
        assert datetime.fromisoformat(e["eventTime"]).utcoffset() == timedelta(hours=7)
        assert e["readPoint"]["id"].startswith("http") and e["bizLocation"]["id"].startswith("http")
        assert e["eventID"].startswith("urn:uuid:")
    harvest, packing = events
    assert harvest["action"] == "ADD" and harvest["bizStep"] == "commissioning" and harvest["epcList"] == []
    assert harvest["quantityList"] == [{"epcClass": made["lot"]["uri"], "quantity": 120.0, "uom": "KGM"}]
    assert [i["material"] for i in harvest["ilmd"]["sc:inputs"] if i["type"] == "input"] == ["Abamectin 3.6EC"]
    assert packing["bizStep"] == "packing"
    assert packing["inputQuantityList"][0]["epcClass"] == made["lot"]["uri"]
    assert packing["outputQuantityList"] == [{"epcClass": made["packed"]["uri"], "quantity": 1000.0, "uom": "H87"}]
    # Deterministic event ids: a second export names the same events.
    with tenant_transaction(a) as db:
        again = service.epcis_document(db, a, service.get_lot(db, made["packed"]["id"]))
    assert [e["eventID"] for e in again["epcisBody"]["eventList"]] == [e["eventID"] for e in events]


def test_public_trace_page_on_the_commune_host(client: TestClient, communes: tuple[TenantInfo, TenantInfo]) -> None:
    a, b = communes
    made = chili_lot(a)
    packed = made["packed"]
    path = "/" + packed["uri"].split("/", 3)[3]
    host = f"{a.slug}.{get_settings().base_domain}"
    page = client.get(path, headers={"host": host, "accept": "text/html"})
    assert page.status_code == 200, page.text
    assert page.headers["content-type"].startswith("text/html")
    html = page.text
    assert "<html lang='vi'>" in html and "Ớt bột Cam Lộ hộp 100 g" in html and "Hộ ông Nguyễn Văn An" in html
    assert "VietGAP" in html and "OCOP 4 sao" in html and "Abamectin 3.6EC" in html and "cách ly 7 ngày" in html
    assert "<script" not in html and len(page.content) < 12_000
    # In the commune's frame (issue 15): its name, menu and colour; English on request.
    assert "<a class='brand' href='/'>" in html and "href='/listings'" in html and "--c:#" in html
    en = client.get(path, params={"lang": "en"}, headers={"host": host, "accept": "text/html"}).text
    assert "<html lang='en'>" in en and "Production log" in en and "pre-harvest interval 7 days" in en
    data = client.get(path, params={"format": "json"}, headers={"host": host}).json()
    assert data["uri"] == packed["uri"] and data["lot"]["code"] == packed["code"]
    assert [s["type"] for s in data["timeline"]] == ["seeding", "input", "observation", "harvest", "packing"]
    assert {c["scheme"] for c in data["certifications"] if c["valid"]} == {"vietgap", "ocop"}
    assert "owner_household_id" not in page.text and str(made["farm"]) not in data["producer"].values()
    # Through the /t/{slug} prefix too; another GTIN, another commune's host, or no commune: 404.
    assert client.get(f"/t/{a.slug}{path}").status_code == 200
    wrong = path.replace(gs1.gtin14(GTIN), "09506000134352")
    assert client.get(wrong, headers={"host": host}).status_code == 404
    assert client.get(path, headers={"host": f"{b.slug}.{get_settings().base_domain}"}).status_code == 404
    assert client.get(path).status_code == 404


def test_a_log_or_harvest_in_the_future_is_refused(communes: tuple[TenantInfo, TenantInfo]) -> None:
    """Issue 15: a harvest dated in the future bypassed the pre-harvest interval (the interval had 'elapsed' by
    then) and the trace page showed the future production date. A small clock tolerance is allowed."""
    a, _ = communes
    with tenant_transaction(a) as db:
        farm = service.create_farm(db, FarmIn(name="Vườn tương lai", producer_name="Hộ bà Lan", commodity="Ớt"), **WHO)
        now = datetime.now(UTC)
        spray = LogIn(
            log_type="input",
            at=now - timedelta(hours=1),
            material="Abamectin 3.6EC",
            input_kind="pesticide",
            amount=Decimal("0.5"),
            amount_unit="LTR",
            phi_days=7,
        )
        service.add_log(db, a, farm.id, spray, **WHO)
        farm_id = farm.id
    future = LogIn(log_type="harvest", at=now + timedelta(days=8), quantity=Decimal(50), unit="KGM")
    with pytest.raises(InvalidInput) as refused, tenant_transaction(a) as db:
        service.add_log(db, a, farm_id, future, **WHO)
    assert refused.value.code == "log_date_in_future" and refused.value.status == 422
    assert "tương lai" in refused.value.message_vi
    with pytest.raises(InvalidInput), tenant_transaction(a) as db:
        service.add_log(db, a, farm_id, LogIn(log_type="observation", at=now + timedelta(hours=1)), **WHO)
    # A phone clock a minute ahead is fine; the interval still refuses a harvest today.
    with tenant_transaction(a) as db:
        service.add_log(db, a, farm_id, LogIn(log_type="observation", at=now + timedelta(minutes=1)), **WHO)
    with pytest.raises(Conflict), tenant_transaction(a) as db:
        service.add_log(db, a, farm_id, LogIn(log_type="harvest", quantity=Decimal(50), unit="KGM"), **WHO)


def test_trace_page_shows_units_and_decimal_commas_and_the_input_kind(
    client: TestClient, communes: tuple[TenantInfo, TenantInfo]
) -> None:
    """Issue 15: the trace page showed "120 KGM", "0.500 LTR" and "Bón phân / phun thuốc / cho ăn" for a
    pesticide: show "120 kg", "0,5 l" and "Thuốc BVTV" (English: "0.5 l", "Pesticide")."""
    a, _ = communes
    made = chili_lot(a)
    path = "/" + made["packed"]["uri"].split("/", 3)[3]
    host = f"{a.slug}.{get_settings().base_domain}"
    html = client.get(path, headers={"host": host, "accept": "text/html"}).text
    assert "KGM" not in html and "LTR" not in html and "H87" not in html and "0.500" not in html
    assert "0,5 l" in html and "120 kg" in html and "1000 cái" in html
    assert "Thuốc BVTV" in html and "phun thuốc / cho ăn" not in html
    en = client.get(path, params={"lang": "en"}, headers={"host": host, "accept": "text/html"}).text
    assert "0.5 l" in en and "120 kg" in en and "Pesticide" in en and "KGM" not in en
    data = client.get(path, params={"format": "json"}, headers={"host": host}).json()
    spray = next(s for s in data["timeline"] if s["type"] == "input")
    assert spray["name"] == "Thuốc BVTV" and spray["amount"] == "0,5 l" and spray["input_kind"] == "pesticide"
    assert data["lot"]["unit"] == "H87" and data["lot"]["quantity_text"] == "1000 cái"
