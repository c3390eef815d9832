"""What a template writes beyond villages, categories, procedures and fees: enabled modules, survey templates,
announcement channels, camera profiles, product categories, production-log types and automation rules, each
tracked with the same upgrade rules (add new, update uncustomised, keep customised, never duplicate, never
delete), shown in the dry-run plan, and the enabled modules served read-only by GET /api/v1/commune."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, func, select, update
from testsupport.fresh import fresh_commune

from smartcommune.main import create_app
from smartcommune.platform.configuration.models import (
    AnnouncementChannel,
    AutomationRule,
    CameraProfile,
    CommuneModule,
    ProductCategory,
    ProductionLogType,
    SurveyTemplate,
)
from smartcommune.platform.http.tenancy import reset_resolver
from smartcommune.provisioning.templates import apply as templates
from smartcommune.provisioning.templates.spec import TemplateError, parse_file, resolve, shipped
from smartcommune.tenants.context import TenantInfo
from smartcommune.tenants.session import tenant_transaction
from smartcommune.tenants.settings import get_settings

NEW_KINDS = (
    "modules",
    "survey_templates",
    "announcement_channels",
    "camera_profiles",
    "product_categories",
    "production_log_types",
    "automation_rules",
)


def _hydroponics_v2() -> dict[str, str]:
    """hydroponics with a changed rule threshold, a renamed product category and a new channel."""
    from importlib import resources

    data = resources.files("smartcommune.provisioning.templates").joinpath("data")
    hydro = (data / "hydroponics.yaml").read_text(encoding="utf-8").replace("version: 1", "version: 2")
    hydro = hydro.replace("below: 30", "below: 25")
    hydro += '\nannouncement_channels:\n  - {code: lich-tuoi, name: "Lịch tưới", channels: [app, zalo]}\n'
    agri = (data / "agri-specialty.yaml").read_text(encoding="utf-8").replace('name: "Ớt"}', 'name: "Ớt chỉ thiên"}')
    agri = agri.replace("version: 1", "version: 2")
    return {"hydroponics.yaml": hydro, "agri-specialty.yaml": agri}


def test_every_new_kind_is_written_tracked_and_planned(communes: tuple[TenantInfo, TenantInfo]) -> None:
    tenant, other = fresh_commune(), fresh_commune()
    v1 = shipped("hydroponics")
    with tenant_transaction(tenant) as db:
        dry = templates.apply(db, v1, dry_run=True)
        planned = {i.kind for i in dry.items if i.action == "add"}
        assert set(NEW_KINDS) <= planned
        assert any(line.strip().startswith("add        automation_rules/tuoi-khi-kho") for line in dry.lines())
        assert db.scalar(select(func.count()).select_from(CommuneModule)) == 0  # a dry run writes nothing
    with tenant_transaction(tenant) as db:
        templates.apply(db, v1)
    with tenant_transaction(tenant) as db:
        assert {m for m, on in db.execute(select(CommuneModule.code, CommuneModule.enabled)) if on} == set(v1.modules)
        survey = db.scalar(select(SurveyTemplate).where(SurveyTemplate.code == "hai-long-dich-vu"))
        assert survey is not None
        # Questions in the survey builder's shape, ready to start a survey from.
        assert [q["kind"] for q in survey.questions] == ["rating", "single_choice", "long_text"]
        assert survey.questions[1]["config"] == {"choices": ["Đúng hẹn", "Trễ hẹn"]}
        urgent = db.scalar(select(AnnouncementChannel).where(AnnouncementChannel.code == "khan-cap"))
        assert urgent is not None and urgent.urgent and urgent.channels == ["app", "sms", "loudspeaker"]
        assert db.scalar(select(CameraProfile.sensitivity).where(CameraProfile.code == "tru-so")) == 40
        assert set(db.scalars(select(ProductCategory.code))) == {"ot", "ga-co", "duoc-lieu"}
        log_types = {c: t for c, t in db.execute(select(ProductionLogType.code, ProductionLogType.log_type))}
        assert log_types["thu-hoach"] == "harvest" and log_types["bon-phan"] == "input"
        rule = db.scalar(select(AutomationRule).where(AutomationRule.code == "tuoi-khi-kho"))
        assert rule is not None
        assert (rule.profile, rule.field, rule.op, rule.threshold, rule.clear_threshold, rule.duration_s) == (
            "bo-tuoi",
            "soil_moisture",
            "below",
            30.0,
            35.0,  # hysteresis 5
            600,
        )
        assert rule.command == "irrigate" and rule.params == {"minutes": 15}
        again = templates.apply(db, v1)
        assert not again.changes  # re-applying changes nothing (floats, arrays and JSON hash alike)
        # The commune customises: a quieter loudspeaker channel, module `fees` off, its own product category.
        db.execute(update(AnnouncementChannel).where(AnnouncementChannel.code == "thong-bao-chung").values(name="Loa"))
        db.execute(update(CommuneModule).where(CommuneModule.code == "fees").values(enabled=False))
        db.execute(delete(ProductionLogType).where(ProductionLogType.code == "tiem-phong"))
        db.add(ProductCategory(code="mat-ong", name="Mật ong"))
    with tenant_transaction(other) as db:  # the other commune got nothing
        for model in (CommuneModule, SurveyTemplate, AnnouncementChannel, AutomationRule):
            assert db.scalar(select(func.count()).select_from(model)) == 0

    v2 = resolve("hydroponics", _hydroponics_v2())
    assert v2.version > v1.version
    with tenant_transaction(tenant) as db:
        actions = {(i.kind, i.key): i.action for i in templates.apply(db, v2, dry_run=True).items}
        assert actions[("automation_rules", "tuoi-khi-kho")] == "update"
        assert actions[("product_categories", "ot")] == "update"
        assert actions[("announcement_channels", "lich-tuoi")] == "add"
        assert actions[("announcement_channels", "thong-bao-chung")] == "customised"
        assert actions[("modules", "fees")] == "customised"
        assert actions[("production_log_types", "tiem-phong")] == "customised"  # removed by the commune
        templates.apply(db, v2)
    with tenant_transaction(tenant) as db:
        assert db.scalar(select(AutomationRule.threshold).where(AutomationRule.code == "tuoi-khi-kho")) == 25.0
        assert db.scalar(select(ProductCategory.name).where(ProductCategory.code == "ot")) == "Ớt chỉ thiên"
        assert db.scalar(select(AnnouncementChannel.name).where(AnnouncementChannel.code == "thong-bao-chung")) == "Loa"
        assert db.scalar(select(CommuneModule.enabled).where(CommuneModule.code == "fees")) is False
        assert db.scalar(select(ProductionLogType.id).where(ProductionLogType.code == "tiem-phong")) is None
        assert db.scalar(select(ProductCategory.name).where(ProductCategory.code == "mat-ong")) == "Mật ong"
        assert db.scalar(select(func.count()).select_from(AnnouncementChannel)) == 4  # 3 + lich-tuoi, no copies
        assert not templates.apply(db, v2).changes


def test_template_errors_for_the_new_kinds() -> None:
    with pytest.raises(TemplateError) as caught:
        parse_file("x.yaml", "name: x\nversion: 1\ntitle: t\nmodules: [villages, phi-thuyen]\n")
    assert any(p.startswith("x.yaml: modules[1]: Input should be 'villages'") for p in caught.value.details["problems"])
    rule = (
        "automation_rules:\n  - {code: r1, name: R, profile: tram-khi-tuong, field: humidity, below: 1, above: 2,"
        " for_minutes: 1, hysteresis: 0, command: x}\n"
    )
    with pytest.raises(TemplateError) as caught:
        parse_file("base.yaml", "name: base\nversion: 1\ntitle: t\n" + rule)
    assert any("automation_rules[0] (r1)" in p and "below / above" in p for p in caught.value.details["problems"])
    overlay = "name: coastal\nversion: 1\nextends: base\ntitle: t\n" + rule.replace(
        " above: 2,", ""
    )  # the weather station profile has that field but no command `x`
    with pytest.raises(TemplateError) as caught:
        resolve("coastal", {"coastal.yaml": overlay})
    assert "automation_rules[0] (r1).command: profile 'tram-khi-tuong' has no command 'x'" in caught.value.message_en


@pytest.fixture
def client(communes: tuple[TenantInfo, TenantInfo]) -> Iterator[TestClient]:
    previous = os.environ.get("ENVIRONMENT")
    os.environ["ENVIRONMENT"] = "test"
    get_settings.cache_clear()
    reset_resolver()
    try:
        with TestClient(create_app()) as c:
            yield c
    finally:
        if previous is None:
            os.environ.pop("ENVIRONMENT", None)
        else:
            os.environ["ENVIRONMENT"] = previous
        get_settings.cache_clear()
        reset_resolver()


def test_commune_profile_lists_enabled_modules(client: TestClient, communes: tuple[TenantInfo, TenantInfo]) -> None:
    ward, untouched = fresh_commune(), fresh_commune()
    with tenant_transaction(ward) as db:
        templates.apply(db, shipped("ward-urban"))
        db.execute(update(CommuneModule).where(CommuneModule.code == "surveys").values(enabled=False))
    body = client.get(f"/t/{ward.slug}/api/v1/commune").json()
    assert body["commune_code"] == ward.commune_code
    assert "devices" not in body["modules"] and "surveys" not in body["modules"]
    assert {"villages", "reports", "fees", "cameras"} <= set(body["modules"])
    # A commune no template configured keeps every module (as before modules existed).
    other = client.get(f"/t/{untouched.slug}/api/v1/commune").json()
    assert {"devices", "surveys", "production"} <= set(other["modules"])
