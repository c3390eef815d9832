"""Issue 16, the holes that are not the input policy: PATCH null on NOT NULL columns, the schema/column
length (assignee), CSV bare CR, the last admin, the ledger of a missing household, period 0000-01."""

from __future__ import annotations

from typing import Any


def _code(response: Any) -> str:
    return response.json()["error"]["code"]


def test_patch_null_on_a_not_null_column_is_422_naming_the_field(api: Any, kit: Any) -> None:
    admin = api.actor(api.a, "commune_admin")
    village = kit.add_village(api.a)
    response = api.call("PATCH", f"/api/v1/villages/{village.id}", tenant=api.a, actor=admin, json={"name": None})
    assert response.status_code == 422, response.text
    assert any(
        d["field"] == "body.name" and d["type"] == "null_not_allowed" for d in response.json()["error"]["details"]
    )
    cleared = api.call("PATCH", f"/api/v1/villages/{village.id}", tenant=api.a, actor=admin, json={"population": None})
    assert cleared.status_code == 200 and cleared.json()["population"] is None, "null still clears a nullable column"


def test_patch_zones_or_masks_null_is_422_not_500(api: Any) -> None:
    admin = api.actor(api.a, "commune_admin")
    for field in ("zones", "masks"):
        response = api.call("PATCH", "/api/v1/cameras/1", tenant=api.a, actor=admin, json={field: None})
        assert response.status_code == 422, response.text
        assert _code(response) == "invalid_input"


def test_assignee_longer_than_the_inbox_recipient_is_422(api: Any) -> None:
    admin = api.actor(api.a, "commune_admin")
    response = api.call(
        "POST", "/api/v1/triage/reports/1/assign", tenant=api.a, actor=admin, json={"assignee": "a" * 65}
    )
    assert response.status_code == 422, response.text


def test_csv_with_a_bare_carriage_return_reports_the_row(api: Any, kit: Any) -> None:
    admin = api.actor(api.a, "commune_admin")
    village = kit.add_village(api.a)
    csv = (
        f"village_code,house_number,head_name\n{village.code},12,Nguyễn Văn\rA\n{village.code},13,Trần Thị B\n"
    ).encode()
    response = api.call(
        "POST",
        "/api/v1/households/import",
        tenant=api.a,
        actor=admin,
        files={"file": ("ho.csv", csv, "text/csv")},
    )
    assert response.status_code in (200, 201), response.text
    body = response.json()
    assert body["created"] == 1 and body["rejected"] == 1, body
    assert body["errors"][0]["row"] == 2 and body["errors"][0]["code"] == "csv_malformed_row"


def test_an_admin_cannot_revoke_their_own_admin_role(api: Any, kit: Any) -> None:
    first = kit.make_commune_user(api.a, "commune_admin")
    response = api.call(
        "DELETE",
        "/api/v1/role-assignments",
        tenant=api.a,
        actor=first,
        params={"user_id": str(first.account_id), "role": "commune_admin"},
    )
    assert response.status_code == 409, response.text
    assert _code(response) == "own_admin_role"
    other = api.actor(api.a, "commune_admin")
    response = api.call(
        "DELETE",
        "/api/v1/role-assignments",
        tenant=api.a,
        actor=other,
        params={"user_id": str(first.account_id), "role": "commune_admin"},
    )
    assert response.status_code == 204, response.text


def test_the_last_admin_of_a_commune_cannot_be_removed(api: Any, kit: Any) -> None:
    from testsupport.fresh import fresh_commune

    tenant = fresh_commune()
    kit.add_village(tenant)
    admins = [kit.make_commune_user(tenant, "commune_admin") for _ in range(2)]
    holders = kit.scalar(
        "SELECT count(*) FROM control.casbin_rule WHERE ptype='g' AND v1='commune_admin' AND v2=:d",
        d=str(tenant.commune_code),
    )
    assert holders == 2
    ok = api.call(
        "DELETE",
        "/api/v1/role-assignments",
        tenant=tenant,
        actor=admins[0],
        params={"user_id": str(admins[1].account_id), "role": "commune_admin"},
    )
    assert ok.status_code == 204, ok.text
    # admins[0] is now the last one: nobody in the commune can remove that role
    last = api.call(
        "DELETE",
        "/api/v1/role-assignments",
        tenant=tenant,
        actor=admins[0],
        params={"user_id": str(admins[0].account_id), "role": "commune_admin"},
    )
    assert last.status_code == 409, last.text


def test_ledger_of_a_missing_household_is_404(api: Any) -> None:
    admin = api.actor(api.a, "commune_admin")
    response = api.call("GET", "/api/v1/fees/households/987654321/ledger", tenant=api.a, actor=admin)
    assert response.status_code == 404, response.text


def test_invoice_period_0000_01_is_refused(api: Any) -> None:
    admin = api.actor(api.a, "commune_admin")
    response = api.call(
        "POST",
        "/api/v1/fees/invoices/bulk",
        tenant=api.a,
        actor=admin,
        json={"fee_type_id": 1, "period": "0000-01", "lines": [{"household_id": 1, "amount_vnd": 1000}]},
    )
    assert response.status_code == 422, response.text
    assert any("period" in d["field"] for d in response.json()["error"]["details"])
