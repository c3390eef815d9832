"""The provider API with bad input (a clear 4xx with a code, nothing stored changes) and a commune's life:
create → suspend (423) → resume (200) → suspend → delete (404; schema and role gone)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from smartcommune.platform.identity.accounts import issue_token_for
from smartcommune.tenants.official_list import lookup_commune

BASE = "/api/provider/v1/communes"


def _fleet(api: Any, kit: Any) -> dict[str, Any]:
    """Everything a failed provider call must leave alone: the registry as listed, schemas and roles."""
    admin = api.actor(None, "provider_admin")
    listed = api.call("GET", BASE, actor=admin, params={"limit": 500})
    assert listed.status_code == 200
    body = listed.json()
    return {
        "total": body["total"],
        "items": sorted((c["slug"], c["commune_code"], c["status"], c["updated_at"]) for c in body["items"]),
        "schemas": kit.scalar(
            "SELECT string_agg(nspname, ',' ORDER BY nspname) FROM pg_namespace WHERE nspname LIKE 'c\\_%'"
        ),
        "roles": kit.scalar(
            "SELECT count(*) FROM pg_roles WHERE rolname LIKE current_database() || '\\_c\\_%'",
        ),
        "domains": kit.scalar("SELECT count(*) FROM control.tenant_domains"),
    }


def _province_of(code: int) -> int:
    official = lookup_commune(code)
    assert official is not None
    return official.province_code


def _bad_inputs(api: Any, kit: Any) -> dict[str, tuple[str, str, dict[str, Any], int, str]]:
    fresh = kit.unused_commune_codes(1)[0]
    wrong_province = _province_of(fresh) % 90 + 1
    assert wrong_province != _province_of(fresh)
    return {
        "unknown_code": ("POST", BASE, {"json": {"commune_code": 99_999_999}}, 422, "unknown_commune_code"),
        "province_mismatch": (
            "POST",
            BASE,
            {"json": {"commune_code": fresh, "province_code": wrong_province}},
            422,
            "province_mismatch",
        ),
        "duplicate_slug": ("POST", BASE, {"json": {"commune_code": fresh, "slug": api.a.slug}}, 409, "slug_taken"),
        "malformed_slug": ("POST", BASE, {"json": {"commune_code": fresh, "slug": "Xa_Cam Lo!"}}, 422, "invalid_slug"),
        "slug_with_double_hyphen": (
            "POST",
            BASE,
            {"json": {"commune_code": fresh, "slug": "cam--lo"}},
            422,
            "invalid_slug",
        ),
        "slug_too_short": ("POST", BASE, {"json": {"commune_code": fresh, "slug": "x"}}, 422, "invalid_slug"),
        "already_onboarded": ("POST", BASE, {"json": {"commune_code": api.a.commune_code}}, 409, "commune_exists"),
        "code_not_a_number": ("POST", BASE, {"json": {"commune_code": "mot"}}, 422, "invalid_input"),
        "delete_active": (
            "DELETE",
            f"{BASE}/{api.a.slug}",
            {"params": {"confirm": api.a.slug}},
            409,
            "commune_not_suspended",
        ),
        "suspend_unknown": ("POST", f"{BASE}/{kit.no_such_commune}/suspend", {"json": {}}, 404, "commune_not_found"),
        "show_unknown": ("GET", f"{BASE}/{kit.no_such_commune}", {}, 404, "commune_not_found"),
        "bad_status_filter": ("GET", BASE, {"params": {"status": "deleted"}}, 422, "invalid_input"),
    }


CASES = [
    "unknown_code",
    "province_mismatch",
    "duplicate_slug",
    "malformed_slug",
    "slug_with_double_hyphen",
    "slug_too_short",
    "already_onboarded",
    "code_not_a_number",
    "delete_active",
    "suspend_unknown",
    "show_unknown",
    "bad_status_filter",
]


@pytest.mark.parametrize("case", CASES)
def test_bad_input_gets_a_coded_4xx_and_changes_nothing(api: Any, kit: Any, case: str) -> None:
    method, path, kw, status, code = _bad_inputs(api, kit)[case]
    before = _fleet(api, kit)
    response = api.call(method, path, actor=api.actor(None, "provider_admin"), **kw)
    assert response.status_code == status, response.text
    assert kit.error_code(response) == code
    error = response.json()["error"]
    assert error["message"] and error["message_en"]
    assert _fleet(api, kit) == before


def test_a_commune_lifecycle_through_the_provider_api(api: Any, kit: Any) -> None:
    admin = api.actor(None, "provider_admin")
    code = kit.unused_commune_codes(1)[0]
    slug = kit.unique("xa").lower()[:40]

    created = api.call("POST", BASE, actor=admin, json={"commune_code": code, "slug": slug})
    assert created.status_code == 201, created.text
    row = created.json()
    assert (row["slug"], row["commune_code"], row["status"]) == (slug, code, "active")
    assert row["province_code"] == _province_of(code)
    schema, role = row["schema_name"], kit.scalar("SELECT role_name FROM control.tenants WHERE slug = :s", s=slug)
    assert kit.scalar("SELECT count(*) FROM pg_namespace WHERE nspname = :n", n=schema) == 1
    assert kit.scalar("SELECT count(*) FROM pg_roles WHERE rolname = :r", r=role) == 1

    def status_on_host() -> tuple[int, str | None]:
        response = api.call("GET", "/api/v1/commune", tenant=slug)
        return response.status_code, kit.error_code(response)

    def villages_as_staff() -> tuple[int, str | None]:
        response = api.call("GET", "/api/v1/villages", tenant=slug, via="prefix", actor=admin)
        return response.status_code, kit.error_code(response)

    assert status_on_host() == (200, None)
    assert villages_as_staff() == (200, None)

    # Second create of the same commune: refused, nothing changes.
    before = _fleet(api, kit)
    again = api.call("POST", BASE, actor=admin, json={"commune_code": code})
    assert (again.status_code, kit.error_code(again)) == (409, "commune_exists")
    # An active commune cannot be deleted.
    refused = api.call("DELETE", f"{BASE}/{slug}", actor=admin, params={"confirm": slug})
    assert (refused.status_code, kit.error_code(refused)) == (409, "commune_not_suspended")
    assert _fleet(api, kit) == before

    # Suspend: the API process itself sees it (its resolver's LISTEN drops the cached entry).
    suspended = api.call("POST", f"{BASE}/{slug}/suspend", actor=admin, json={"reason": "chưa thanh toán"})
    assert suspended.status_code == 200, suspended.text
    assert suspended.json()["status"] == "suspended"
    assert kit.wait_for(lambda: status_on_host() == (423, "commune_suspended"))
    assert villages_as_staff() == (423, "commune_suspended")
    listed = api.call("GET", BASE, actor=admin, params={"status": "suspended", "q": slug}).json()
    assert [c["slug"] for c in listed["items"]] == [slug]

    resumed = api.call("POST", f"{BASE}/{slug}/resume", actor=admin)
    assert resumed.status_code == 200 and resumed.json()["status"] == "active"
    assert kit.wait_for(lambda: status_on_host() == (200, None))
    assert villages_as_staff() == (200, None)

    assert api.call("POST", f"{BASE}/{slug}/suspend", actor=admin, json={}).status_code == 200
    assert kit.wait_for(lambda: status_on_host() == (423, "commune_suspended"))

    # Delete needs the slug typed again.
    before = _fleet(api, kit)
    for wrong in ("", api.a.slug, slug.upper()):
        mismatch = api.call("DELETE", f"{BASE}/{slug}", actor=admin, params={"confirm": wrong})
        assert (mismatch.status_code, kit.error_code(mismatch)) == (422, "confirmation_mismatch")
    assert _fleet(api, kit) == before

    deleted = api.call("DELETE", f"{BASE}/{slug}", actor=admin, params={"confirm": slug})
    assert deleted.status_code == 204, deleted.text
    assert kit.wait_for(lambda: status_on_host() == (404, "commune_not_found"))
    assert villages_as_staff() == (404, "commune_not_found")
    gone = api.call("GET", f"{BASE}/{slug}", actor=admin)
    assert (gone.status_code, kit.error_code(gone)) == (404, "commune_not_found")
    assert kit.scalar("SELECT count(*) FROM pg_namespace WHERE nspname = :n", n=schema) == 0
    assert kit.scalar("SELECT count(*) FROM pg_roles WHERE rolname = :r", r=role) == 0
    assert kit.scalar("SELECT count(*) FROM control.tenants WHERE commune_code = :c", c=code) == 0
    # The other communes are untouched.
    for tenant in (api.a, api.b):
        assert api.call("GET", "/api/v1/commune", tenant=tenant).status_code == 200


def test_a_deleted_and_recreated_commune_does_not_honour_old_assignments(api: Any, kit: Any) -> None:
    """Tokens are stateless and live a while: once a commune is deleted, its old admin's token must not
    carry the old role into a new commune created with the same code."""
    staff = api.actor(None, "provider_admin")
    code = kit.unused_commune_codes(1)[0]
    slug = kit.unique("xa").lower()[:40]
    assert api.call("POST", BASE, actor=staff, json={"commune_code": code, "slug": slug}).status_code == 201
    made = api.call(
        "POST",
        "/api/v1/users",
        tenant=slug,
        actor=staff,
        json={"username": kit.unique("quantri"), "password": kit.password, "role": "commune_admin"},
    )
    assert made.status_code == 201, made.text
    old_token = issue_token_for(made.json()["id"])
    old_admin = {"Authorization": f"Bearer {old_token}"}
    village = {"code": kit.unique("T"), "name": "Thôn Cũ"}
    first = api.call("POST", "/api/v1/villages", tenant=slug, headers=old_admin, json=village)
    assert first.status_code == 201, first.text

    assert api.call("POST", f"{BASE}/{slug}/suspend", actor=staff, json={}).status_code == 200
    assert api.call("DELETE", f"{BASE}/{slug}", actor=staff, params={"confirm": slug}).status_code == 204
    assert kit.scalar("SELECT count(*) FROM control.casbin_rule WHERE v2 = :d OR v1 = :d", d=str(code)) == 0
    assert api.call("POST", BASE, actor=staff, json={"commune_code": code, "slug": slug}).status_code == 201
    kit.wait_for(lambda: api.call("GET", "/api/v1/commune", tenant=slug).status_code == 200)

    again = api.call("POST", "/api/v1/villages", tenant=slug, headers=old_admin, json=village)
    assert again.status_code in (401, 403), again.text
    roles = api.call("GET", "/api/v1/me", tenant=slug, headers=old_admin)
    assert roles.status_code in (200, 401)
    if roles.status_code == 200:
        assert roles.json()["roles"] == ["resident"]


def test_concurrent_creation_of_one_commune_gets_one_201_and_409s(api: Any, kit: Any) -> None:
    staff = api.actor(None, "provider_admin")
    code = kit.unused_commune_codes(1)[0]
    barrier = threading.Barrier(4)

    def create(_: int) -> tuple[int, str | None]:
        barrier.wait()
        response = api.call("POST", BASE, actor=staff, json={"commune_code": code})
        return response.status_code, kit.error_code(response)

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = sorted(pool.map(create, range(4)), key=lambda r: r[0])
    assert results[0] == (201, None), results
    assert all(r[0] == 409 and r[1] in ("commune_exists", "slug_taken") for r in results[1:]), results
    assert kit.scalar("SELECT count(*) FROM control.tenants WHERE commune_code = :c", c=code) == 1


def test_concurrent_creations_asking_for_one_slug_get_one_201_and_409s(api: Any, kit: Any) -> None:
    staff = api.actor(None, "provider_admin")
    codes = kit.unused_commune_codes(4)
    slug = kit.unique("xa").lower()[:40]
    barrier = threading.Barrier(len(codes))

    def create(code: int) -> tuple[int, str | None]:
        barrier.wait()
        response = api.call("POST", BASE, actor=staff, json={"commune_code": code, "slug": slug})
        return response.status_code, kit.error_code(response)

    with ThreadPoolExecutor(max_workers=len(codes)) as pool:
        results = sorted(pool.map(create, codes), key=lambda r: r[0])
    assert results == [(201, None)] + [(409, "slug_taken")] * (len(codes) - 1), results
    assert kit.scalar("SELECT count(*) FROM control.tenants WHERE slug = :s", s=slug) == 1
    taken = kit.scalar("SELECT count(*) FROM control.tenants WHERE commune_code = ANY(:c)", c=codes)
    assert taken == 1
    assert kit.scalar("SELECT count(*) FROM pg_namespace WHERE nspname = ANY(:n)", n=[f"c_{c}" for c in codes]) == 1
