"""Villages CRUD through the real app: validation, conflicts, and another commune's village is not found."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

PATH = "/api/v1/villages"


def test_create_read_update_list(api: Any, kit: Any) -> None:
    admin = api.actor(api.a, "commune_admin")
    code = kit.unique("T")
    created = api.call(
        "POST", PATH, tenant=api.a, actor=admin, json={"code": code, "name": "Thôn Đông", "kind": "thon"}
    )
    assert created.status_code == 201, created.text
    village = created.json()
    assert (village["code"], village["name"], village["kind"], village["population"]) == (
        code,
        "Thôn Đông",
        "thon",
        None,
    )
    fetched = api.call("GET", f"{PATH}/{village['id']}", tenant=api.a, via="prefix", actor=admin)
    assert fetched.json() == village
    patched = api.call(
        "PATCH", f"{PATH}/{village['id']}", tenant=api.a, actor=admin, json={"population": 1520, "kind": "ban"}
    )
    assert patched.status_code == 200
    assert (patched.json()["population"], patched.json()["kind"], patched.json()["name"]) == (1520, "ban", "Thôn Đông")
    listed = api.call("GET", PATH, tenant=api.a, actor=api.actor(api.a, "resident")).json()
    assert [v for v in listed if v["id"] == village["id"]] == [patched.json()]
    codes = [v["code"] for v in listed]
    assert codes == sorted(codes)
    # Not in commune B's list.
    assert code not in {
        v["code"] for v in api.call("GET", PATH, tenant=api.b, actor=api.actor(api.b, "resident")).json()
    }


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"code": "T 01!", "name": "Thôn"}, {"body.code"}),
        ({"code": "T01", "name": ""}, {"body.name"}),
        ({"code": "T01", "name": "Thôn", "population": -5}, {"body.population"}),
        ({"code": "T01", "name": "Thôn", "kind": "lang"}, {"body.kind"}),
        ({"name": "Thôn"}, {"body.code"}),
        ({"code": "x" * 41, "name": "y" * 201}, {"body.code", "body.name"}),
    ],
    ids=["code_chars", "empty_name", "negative_population", "unknown_kind", "missing_code", "too_long"],
)
def test_invalid_villages_get_invalid_input_with_fields(
    api: Any, kit: Any, body: dict[str, Any], fields: set[str]
) -> None:
    admin = api.actor(api.a, "commune_admin")
    before = kit.commune_state(api.a)
    response = api.call("POST", PATH, tenant=api.a, actor=admin, json=body)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "invalid_input"
    assert {d["field"] for d in error["details"]} == fields
    assert all(d["problem"] and d["type"] for d in error["details"])
    assert kit.commune_state(api.a) == before


def test_invalid_patch_and_malformed_json(api: Any, kit: Any) -> None:
    admin = api.actor(api.a, "commune_admin")
    village = kit.add_village(api.a)
    before = kit.commune_state(api.a)
    bad = api.call("PATCH", f"{PATH}/{village.id}", tenant=api.a, actor=admin, json={"population": "nhiều"})
    assert bad.status_code == 422 and kit.error_code(bad) == "invalid_input"
    assert [d["field"] for d in bad.json()["error"]["details"]] == ["body.population"]
    not_json = api.call(
        "POST", PATH, tenant=api.a, actor=admin, content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert not_json.status_code == 422 and kit.error_code(not_json) == "invalid_input"
    bad_id = api.call("GET", f"{PATH}/mot", tenant=api.a, actor=admin)
    assert bad_id.status_code == 422 and kit.error_code(bad_id) == "invalid_input"
    assert kit.commune_state(api.a) == before


def test_duplicate_code_is_a_409_and_loses_nothing(api: Any, kit: Any) -> None:
    admin = api.actor(api.a, "commune_admin")
    code = kit.unique("T")
    first = api.call("POST", PATH, tenant=api.a, actor=admin, json={"code": code, "name": "Thôn Một"})
    assert first.status_code == 201
    before = kit.commune_state(api.a)
    again = api.call("POST", PATH, tenant=api.a, actor=admin, json={"code": code, "name": "Thôn Hai"})
    assert again.status_code == 409, again.text
    assert kit.error_code(again) == "village_code_taken"
    assert kit.commune_state(api.a) == before
    # Codes are per commune: commune B may use the same code.
    other = api.call(
        "POST", PATH, tenant=api.b, actor=api.actor(api.b, "commune_admin"), json={"code": code, "name": "Thôn Một"}
    )
    assert other.status_code == 201


def test_another_communes_village_is_not_found(api: Any, kit: Any) -> None:
    """Ids are per commune schema, so take one of B's that A does not have, then ask A for it."""
    a_ids = {v["id"] for v in api.call("GET", PATH, tenant=api.a, actor=api.actor(api.a, "commune_admin")).json()}
    b_village = kit.add_village(api.b, name=kit.unique("Thôn B"))
    while b_village.id in a_ids:
        b_village = kit.add_village(api.b, name=kit.unique("Thôn B"))
    admin_a = api.actor(api.a, "commune_admin")
    before_b = kit.commune_state(api.b)
    for via in ("host", "prefix"):
        got = api.call("GET", f"{PATH}/{b_village.id}", tenant=api.a, via=via, actor=admin_a)
        assert (got.status_code, kit.error_code(got)) == (404, "village_not_found")
        changed = api.call(
            "PATCH", f"{PATH}/{b_village.id}", tenant=api.a, via=via, actor=admin_a, json={"name": "Chiếm"}
        )
        assert (changed.status_code, kit.error_code(changed)) == (404, "village_not_found")
        assert b_village.name not in got.text + changed.text
    assert kit.commune_state(api.b) == before_b
    # Control: B's own admin does see it.
    own = api.call("GET", f"{PATH}/{b_village.id}", tenant=api.b, actor=api.actor(api.b, "commune_admin"))
    assert own.status_code == 200 and own.json()["name"] == b_village.name


def test_concurrent_duplicate_codes_get_one_201_and_409s(api: Any, kit: Any) -> None:
    """The uniqueness check and the insert race; the loser must still get the coded 409, not a 500."""
    admin = api.actor(api.a, "commune_admin")
    for _ in range(3):
        code = kit.unique("T")
        barrier = threading.Barrier(6)

        def create(name: str, code: str = code, barrier: threading.Barrier = barrier) -> tuple[int, str | None]:
            barrier.wait()
            response = api.call("POST", PATH, tenant=api.a, actor=admin, json={"code": code, "name": name})
            return response.status_code, kit.error_code(response)

        with ThreadPoolExecutor(max_workers=6) as pool:
            results = list(pool.map(create, [f"Thôn {i}" for i in range(6)]))
        assert sorted(results, key=lambda r: r[0]) == [(201, None)] + [(409, "village_code_taken")] * 5, results
