"""Templates: shipped files validate and compose; errors name file, field path, problem; upgrades keep
what the commune customised and never duplicate or delete."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, update
from testsupport.fresh import fresh_commune

from smartcommune.platform.fees.models import FeeType
from smartcommune.platform.reports.models import ReportCategory
from smartcommune.platform.villages.models import Village
from smartcommune.provisioning.templates import apply as templates
from smartcommune.provisioning.templates.spec import (
    TemplateError,
    national_catalogue,
    parse_file,
    resolve,
    shipped,
    template_names,
)
from smartcommune.tenants.context import TenantInfo
from smartcommune.tenants.session import tenant_transaction

BASE_V2 = """
name: base
version: 2
title: "Xã cơ bản"
villages: {pattern: "Thôn {n}", count: 7, kind: thon}
roles:
  - {name: commune_admin, title: "Quản trị xã"}
  - {name: commune_official, title: "Cán bộ xã"}
  - {name: village_head, title: "Trưởng thôn"}
report_categories:
  - {code: ha-tang, name: "Hư hỏng đường", group: "Hạ tầng", sla_hours: 48, responsible_role: commune_official}
  - {code: chieu-sang, name: "Đèn đường hỏng", group: "Hạ tầng", sla_hours: 24, responsible_role: commune_official}
  - {code: ngap-ung, name: "Ngập úng", group: "Thiên tai", sla_hours: 6, responsible_role: commune_admin}
procedures: [HT-KHAISINH, HT-KETHON]
fee_types:
  - {code: hoc-phi, name: "Học phí mầm non", category: tuition, default_amount_vnd: 200000, due_days: 15}
criteria:
  - {code: online-services, name: "Dịch vụ công trực tuyến", target: 80}
"""


def test_every_shipped_template_composes() -> None:
    names = template_names()
    assert {"base", "agri-specialty", "hydroponics", "ward-urban", "coastal"} <= set(names)
    for name in names:
        t = shipped(name)
        assert t.chain[0] == "base" and t.chain[-1] == name
        assert {c.code for c in t.criteria} >= {"online-services", "cashless-payments", "address-coded"}
    targets = {c.code: c.target for c in shipped("base").criteria}  # percentages
    assert targets == {"online-services": 70, "cashless-payments": 50, "address-coded": 100}
    assert "devices" not in shipped("ward-urban").modules
    assert not shipped("ward-urban").device_profiles
    assert len(shipped("ward-urban").procedures) > len(shipped("base").procedures)
    assert {p.code for p in shipped("hydroponics").device_profiles} >= {"nha-mang", "bo-tuoi", "cam-bien-dat"}
    assert shipped("agri-specialty").traceability
    # The national catalogue is shipped once; templates select from it.
    assert all(p.code in national_catalogue() for p in shipped("ward-urban").procedures)


def test_errors_name_file_field_path_and_problem() -> None:
    bad = BASE_V2.replace("sla_hours: 24", "sla_hours: -3")
    with pytest.raises(TemplateError) as caught:
        parse_file("base.yaml", bad)
    problems = caught.value.details["problems"]
    assert any(p.startswith("base.yaml: report_categories[1] (chieu-sang).sla_hours:") for p in problems), problems
    with pytest.raises(TemplateError) as caught:
        parse_file("x.yaml", "name: x\nversion: 1\ntitle: t\nunknown_key: 1\n")
    assert "x.yaml: unknown_key: Extra inputs are not permitted" in caught.value.details["problems"]
    with pytest.raises(TemplateError) as caught:
        resolve("base", {"base.yaml": BASE_V2.replace("HT-KETHON", "KHONG-CO")})
    assert "'KHONG-CO' is not in the national catalogue" in caught.value.message_en
    with pytest.raises(TemplateError) as caught:
        resolve("base", {"base.yaml": BASE_V2.replace("responsible_role: commune_admin", "responsible_role: resident")})
    assert "ngap-ung" in caught.value.message_en and "responsible_role" in caught.value.message_en
    with pytest.raises(TemplateError) as caught:
        parse_file("base.yaml", "name: [unclosed")
    assert "base.yaml" in caught.value.message_en and "line" in caught.value.message_en


def test_apply_then_upgrade_keeps_customisations(communes: tuple[TenantInfo, TenantInfo]) -> None:
    tenant = fresh_commune()  # the assertions count villages: a commune no other test has written to
    v1 = shipped("base")
    with tenant_transaction(tenant) as db:
        dry = templates.apply(db, v1, dry_run=True)
        assert dry.counts()["add"] == len(dry.items)
        assert db.scalar(select(func.count()).select_from(Village)) == 0  # a dry run writes nothing
    with tenant_transaction(tenant) as db:
        first = templates.apply(db, v1)
    with tenant_transaction(tenant) as db:
        again = templates.apply(db, v1)
        assert not again.changes and set(again.counts()) == {"unchanged"}
        # The commune customises one category and renames a village.
        db.execute(update(ReportCategory).where(ReportCategory.code == "ha-tang").values(sla_hours=12))
        db.execute(update(Village).where(Village.code == "T01").values(name="Thôn An Bình"))
    v2 = resolve("base", {"base.yaml": BASE_V2})
    with tenant_transaction(tenant) as db:
        plan = templates.apply(db, v2, dry_run=True)
        actions = {(i.kind, i.key): i.action for i in plan.items}
        assert actions[("report_categories", "ha-tang")] == "customised"
        assert actions[("report_categories", "chieu-sang")] == "update"
        assert actions[("report_categories", "ngap-ung")] == "add"
        assert actions[("villages", "T01")] == "customised"
        assert actions[("villages", "T07")] == "add"
        assert actions[("fee_types", "hoc-phi")] == "update"
        assert any("update" in line for line in plan.lines())
    with tenant_transaction(tenant) as db:
        templates.apply(db, v2)
    with tenant_transaction(tenant) as db:
        cats = {c.code: c for c in db.scalars(select(ReportCategory))}
        assert cats["ha-tang"].sla_hours == 12  # customised: kept
        assert cats["chieu-sang"].sla_hours == 24 and cats["chieu-sang"].name == "Đèn đường hỏng"
        assert "ngap-ung" in cats
        assert "an-ninh" in cats  # dropped by v2, never deleted
        assert db.scalar(select(Village.name).where(Village.code == "T01")) == "Thôn An Bình"
        assert db.scalar(select(func.count()).select_from(Village)) == 7  # no duplicates
        assert db.scalar(select(FeeType.default_amount_vnd).where(FeeType.code == "hoc-phi")) == 200000
        assert not templates.apply(db, v2).changes
    assert first.counts()["add"] > 30
