"""Public pages show only fields meant for the public (issue 16): the trace page published the free-text
notes of every production log behind a lot. A marker is planted in private fields (internal log notes, a
resident's name and phone, a household head) and every public response — trace HTML and JSON, public
reports, map, listings, library, contacts, procedures, Open311, the public site's pages — is searched."""

from __future__ import annotations

import re
import uuid
from decimal import Decimal
from typing import Any

from smartcommune.platform.production import service as production
from smartcommune.platform.production.schemas import FarmIn, LogIn
from smartcommune.platform.residents import service as residents
from smartcommune.platform.residents.schemas import HouseholdIn, ResidentIn
from smartcommune.tenants.session import tenant_transaction

WHO = {"actor": "api-tests", "actor_kind": "provider"}


def test_no_private_field_reaches_a_public_response(api: Any, kit: Any) -> None:
    tenant = api.a
    marker = f"BIMAT{uuid.uuid4().hex[:8]}"
    shown = f"CONGKHAI{uuid.uuid4().hex[:8]}"
    village = kit.add_village(tenant)
    with tenant_transaction(tenant) as db:
        farm = production.create_farm(db, FarmIn(name="Vườn ớt", producer_name="Hộ sản xuất", commodity="Ớt"), **WHO)
        production.add_log(db, tenant, farm.id, LogIn(log_type="seeding", notes=f"{marker} nợ tiền phân"), **WHO)
        production.add_log(db, tenant, farm.id, LogIn(log_type="observation", notes=shown, notes_public=True), **WHO)
        harvest = LogIn(log_type="harvest", quantity=Decimal(20), unit="KGM", notes=f"{marker} giá bán nội bộ")
        _, lot = production.add_log(db, tenant, farm.id, harvest, **WHO)
        assert lot is not None
        uri = production.lot_out(tenant, lot).uri
        house = residents.create_household(
            db, HouseholdIn(village_id=village.id, house_number="7", head_name=f"{marker} chủ hộ"), **WHO
        )
        residents.create_resident(
            db, ResidentIn(full_name=f"{marker} cư dân", phone="0912999111", household_id=house.id), **WHO
        )

    trace_path = "/" + uri.split("/", 3)[3]

    public_paths = [
        trace_path,
        f"{trace_path}?format=json",
        f"{trace_path}?linkType=all",
        "/trace",
        "/api/v1/public/commune/branding",
        "/api/v1/public/report-categories",
        "/api/v1/public/reports",
        "/api/v1/public/reports/map",
        "/api/v1/public/reports/stats",
        "/api/v1/public/procedures",
        "/api/v1/public/procedures/counters",
        "/api/v1/public/contacts",
        "/api/v1/public/library/categories",
        "/api/v1/public/library",
        "/api/v1/public/listings",
        f"/open311/v2/services.json?jurisdiction_id={tenant.commune_code}",
        f"/open311/v2/requests.json?jurisdiction_id={tenant.commune_code}",
        f"/open311/v2/requests.xml?jurisdiction_id={tenant.commune_code}",
        "/",
        "/announcements",
        "/reports",
        "/reports/map",
        "/listings",
        "/library",
        "/contacts",
    ]
    bodies: dict[str, str] = {}
    for path in public_paths:
        for accept in ("text/html", "application/json"):
            response = api.call("GET", path, tenant=tenant, headers={"accept": accept})
            assert response.status_code < 500, (path, response.status_code)
            bodies[f"{path} [{accept}]"] = response.text
            assert marker not in response.text, f"a private field reaches {path} ({accept})"
            assert "0912999111" not in response.text and "0912 999 111" not in response.text, path
    trace_bodies = [text for key, text in bodies.items() if key.startswith(trace_path)]
    assert any(shown in text for text in trace_bodies), "notes marked public are still shown"
    assert any(re.search(r"Gieo|seeding", text) for text in trace_bodies), "the timeline itself is still public"


def test_gs1_resolver_serves_a_linkset_and_head(api: Any, kit: Any) -> None:
    tenant = api.a
    with tenant_transaction(tenant) as db:
        farm = production.create_farm(db, FarmIn(name="Vườn cam", producer_name="Hộ sản xuất", commodity="Cam"), **WHO)
        _, lot = production.add_log(
            db, tenant, farm.id, LogIn(log_type="harvest", quantity=Decimal(5), unit="KGM"), **WHO
        )
        assert lot is not None
        uri = production.lot_out(tenant, lot).uri
    path = "/" + uri.split("/", 3)[3]
    for kwargs in ({"headers": {"accept": "application/linkset+json"}}, {"params": {"linkType": "all"}}):
        response = api.call("GET", path, tenant=tenant, **kwargs)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("application/linkset+json")
        (links,) = response.json()["linkset"]
        assert links["anchor"] == uri and "https://gs1.org/voc/defaultLink" in links
    head = api.call("HEAD", path, tenant=tenant)
    assert head.status_code == 200 and 'rel="linkset"' in head.headers["link"]
