"""A module the commune has not enabled (its template left it out) has no routes there: 404 `module_disabled`,
while the same routes keep working in a commune that has it, and the commune profile lists what is on."""

from __future__ import annotations

from typing import Any

from testsupport.fresh import fresh_commune

from smartcommune.platform.configuration.models import MODULES, CommuneModule
from smartcommune.tenants.session import tenant_transaction


def test_a_disabled_module_answers_404_in_that_commune_only(api: Any, kit: Any) -> None:
    urban = fresh_commune()
    with tenant_transaction(urban) as db:
        db.add_all(CommuneModule(code=m, enabled=m not in {"cameras", "production"}) for m in MODULES)
    admin = kit.make_commune_user(urban, "commune_admin")

    for path, module in (
        ("/api/v1/cameras", "cameras"),
        ("/api/v1/camera-events", "cameras"),
        ("/api/v1/production/farms", "production"),
    ):
        refused = api.call("GET", path, tenant=urban, actor=admin)
        assert refused.status_code == 404, (path, refused.text)
        assert refused.json()["error"]["code"] == "module_disabled", (path, refused.text)
        assert refused.json()["error"]["details"]["module"] == module
        # Commune A never configured modules: it has them all.
        assert api.call("GET", path, tenant=api.a, actor=api.actor(api.a, "commune_admin")).status_code == 200
    # Writes are refused the same way, and nothing is stored.
    created = api.call("POST", "/api/v1/cameras", tenant=urban, actor=admin, json={"name": "Cổng UBND"})
    assert created.status_code == 404 and created.json()["error"]["code"] == "module_disabled"
    # Enabled modules and the non-optional ones answer.
    assert api.call("GET", "/api/v1/devices", tenant=urban, actor=admin).status_code == 200
    assert api.call("GET", "/api/v1/villages", tenant=urban, actor=admin).status_code == 200
    profile = api.call("GET", "/api/v1/commune", tenant=urban, actor=admin).json()
    assert "cameras" not in profile["modules"] and "devices" in profile["modules"]

    # Turning the module on again brings the routes back.
    with tenant_transaction(urban) as db:
        db.query(CommuneModule).filter(CommuneModule.code == "cameras").update({"enabled": True})
    assert api.call("GET", "/api/v1/cameras", tenant=urban, actor=admin).status_code == 200
