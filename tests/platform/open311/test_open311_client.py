"""A small GeoReport v2 client, written from the specification, against the real app in both communes.

It speaks only what the spec says: `<endpoint>/<resource>.<format>`, form-encoded POSTs with `api_key`,
XML parsed with xml.etree, JSON lists; errors as `<errors><error><code/><description/></error></errors>`.
"""

from __future__ import annotations

import json
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import pytest
from testsupport.commune_world import World, new_person, unique

from smartcommune.tenants.context import TenantInfo

SERVICE_FIELDS = {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"}
REQUEST_FIELDS = {
    "service_request_id", "status", "status_notes", "service_name", "service_code", "description",
    "agency_responsible", "service_notice", "requested_datetime", "updated_datetime", "expected_datetime",
    "address", "address_id", "zipcode", "lat", "long", "media_url",
}  # fmt: skip
POST_FIELDS = {"service_request_id", "service_notice", "account_id"}


class Open311Failure(Exception):
    def __init__(self, status: int, errors: list[dict[str, str]]) -> None:
        super().__init__(f"{status}: {errors}")
        self.status = status
        self.errors = errors


@dataclass
class GeoReportClient:
    http: Any  # anything with .request(method, url, content=, headers=)
    endpoint: str  # e.g. "/open311/v2"
    jurisdiction_id: str | None
    fmt: str = "xml"
    headers: dict[str, str] | None = None

    def _url(self, resource: str, **params: str) -> str:
        query = {k: v for k, v in params.items() if v is not None}
        if self.jurisdiction_id is not None:
            query["jurisdiction_id"] = self.jurisdiction_id
        return f"{self.endpoint}/{resource}.{self.fmt}" + (f"?{urlencode(query)}" if query else "")

    def _parse(self, response: Any, root: str, item: str | None) -> Any:
        if self.fmt == "json":
            body = json.loads(response.content)
            if response.status_code >= 400:
                raise Open311Failure(response.status_code, [{k: str(v) for k, v in e.items()} for e in body])
            return body
        tree = ET.fromstring(response.content)  # noqa: S314 (our own server's answer, in a test)
        if response.status_code >= 400:
            assert tree.tag == "errors"
            errors = [{c.tag: c.text or "" for c in e} for e in tree.findall("error")]
            raise Open311Failure(response.status_code, errors)
        assert tree.tag == root, tree.tag
        if item is None:
            return tree
        return [{c.tag: c.text for c in entry} for entry in tree.findall(item)]

    def _get(self, resource: str, root: str, item: str | None, **params: str) -> Any:
        response = self.http.request("GET", self._url(resource, **params), headers=self.headers)
        return self._parse(response, root, item)

    def services(self) -> Any:
        return self._get("services", "services", "service")

    def service_definition(self, code: str) -> Any:
        return self._get(f"services/{code}", "service_definition", None)

    def requests(self, **filters: str) -> Any:
        return self._get("requests", "service_requests", "request", **filters)

    def request(self, request_id: str) -> Any:
        return self._get(f"requests/{request_id}", "service_requests", "request")

    def token(self, token: str) -> Any:
        return self._get(f"tokens/{token}", "service_requests", "request")

    def post_request(self, api_key: str, **fields: str) -> Any:
        form = {"api_key": api_key, **fields}
        if self.jurisdiction_id is not None:
            form["jurisdiction_id"] = self.jurisdiction_id
        headers = {"Content-Type": "application/x-www-form-urlencoded", **(self.headers or {})}
        response = self.http.request(
            "POST", f"{self.endpoint}/requests.{self.fmt}", content=urlencode(form), headers=headers
        )
        assert response.status_code in (200, 201) or response.status_code >= 400
        return self._parse(response, "service_requests", "request")


def _setup(world: World, tenant: TenantInfo) -> tuple[str, dict[str, Any]]:
    admin = world.person(tenant, "commune_admin")
    body = {"code": unique("rac-thai"), "name": "Rác thải", "description": "Rác thải sinh hoạt", "sla_hours": 24}
    category = world.call("POST", "/api/v1/report-categories", tenant, admin, json=body).json()
    issued = world.call("POST", "/api/v1/open311/keys", tenant, admin, json={"name": "Ứng dụng Open311"})
    assert issued.status_code == 201
    assert issued.json()["api_key"] not in world.call("GET", "/api/v1/open311/keys", tenant, admin).text
    return issued.json()["api_key"], category


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_a_spec_client_round_trip(world: World, fmt: str) -> None:
    a, b = world.a, world.b
    key_a, category = _setup(world, a)
    key_b, _ = _setup(world, b)
    client = GeoReportClient(world.client, "/open311/v2", str(a.commune_code), fmt)

    services = client.services()
    mine = next(s for s in services if s["service_code"] == category["code"])
    assert set(mine) == SERVICE_FIELDS
    assert mine["service_name"] == "Rác thải" and str(mine["metadata"]).lower() == "false"
    assert str(mine["type"]) == "realtime"
    definition = client.service_definition(category["code"])
    if fmt == "xml":
        assert definition.findtext("service_code") == category["code"] and definition.find("attributes") is not None
    else:
        assert definition == {"service_code": category["code"], "attributes": []}

    created = client.post_request(
        key_a,
        service_code=category["code"],
        lat="16.7987",
        long="107.0032",
        description="Bãi rác tự phát <b>cạnh</b> chợ",
        email="dan@example.vn",
        first_name="Hoa",
        last_name="Trần",
    )
    assert len(created) == 1 and set(created[0]) == POST_FIELDS
    request_id = str(created[0]["service_request_id"])
    # Public once the commune has accepted it (the default of `reports_public_after`).
    with pytest.raises(Open311Failure) as err:
        client.request(request_id)
    assert err.value.status == 404
    official = world.person(a, "commune_official")
    accept = {"to": "accepted", "note": "Đã tiếp nhận"}
    transition = f"/api/v1/triage/reports/{request_id}/transition"
    assert world.call("POST", transition, a, official, json=accept).status_code == 200

    [fetched] = client.request(request_id)
    assert set(fetched) == REQUEST_FIELDS
    assert fetched["status"] == "open" and fetched["service_code"] == category["code"]
    assert fetched["description"] == "Bãi rác tự phát cạnh chợ"
    assert float(fetched["lat"]) == pytest.approx(16.7987) and float(fetched["long"]) == pytest.approx(107.0032)
    assert fetched["agency_responsible"] == a.name
    assert "dan@example.vn" not in json.dumps(fetched, ensure_ascii=False)  # contact details stay private
    assert str(fetched["requested_datetime"]).endswith("Z")

    # Filters: ids (override everything else), service_code, status, dates.
    listed = client.requests(service_code=category["code"])
    assert request_id in {str(r["service_request_id"]) for r in listed}
    assert {str(r["service_request_id"]) for r in client.requests(service_request_id=f"{request_id},999999999")} == {
        request_id
    }
    assert request_id not in {str(r["service_request_id"]) for r in client.requests(status="closed")}
    assert request_id in {str(r["service_request_id"]) for r in client.requests(status="open,closed")}
    assert client.requests(start_date="2000-01-01T00:00:00Z", end_date="2000-01-02T00:00:00Z") == []
    path = f"/api/v1/triage/reports/{request_id}/transition"
    assert world.call("POST", path, a, official, json={"to": "resolved", "note": "Đã dọn"}).status_code == 200
    [closed] = client.request(request_id)
    assert closed["status"] == "closed" and closed["status_notes"] == "Đã dọn"
    assert request_id in {str(r["service_request_id"]) for r in client.requests(status="closed")}

    # A report filed in the app can be found through its token.
    resident = new_person(a, "resident")
    data = {"category_id": str(category["id"]), "description": "Rác", "address_code": "CL-01-12"}
    report = world.call("POST", "/api/v1/reports", a, resident, data=data).json()
    [pair] = client.token(report["token"])
    assert str(pair["service_request_id"]) == str(report["id"]) and pair["token"] == report["token"]

    # The other commune's jurisdiction knows nothing of it, and A's key is no good there.
    other = GeoReportClient(world.client, "/open311/v2", str(b.commune_code), fmt)
    # (ids are per commune, so the other commune is checked by content, not by id)
    assert "Bãi rác tự phát" not in json.dumps(other.requests(), ensure_ascii=False)
    assert category["code"] not in {s["service_code"] for s in other.services()}
    with pytest.raises(Open311Failure) as err:
        other.request("987654321012")
    assert err.value.status == 404 and err.value.errors[0]["code"] == "404"
    with pytest.raises(Open311Failure) as err:
        other.post_request(key_a, service_code=category["code"], lat="1", long="2")
    assert err.value.status == 403
    assert other.post_request(key_b, service_code=_setup(world, b)[1]["code"], address_string="Thôn 1")


def test_standard_errors(world: World) -> None:
    a = world.a
    key, category = _setup(world, a)
    client = GeoReportClient(world.client, "/open311/v2", str(a.commune_code), "xml")
    cases: list[tuple[Any, int]] = [
        (lambda: client.post_request("sc311_wrong", service_code=category["code"], lat="1", long="2"), 403),
        (lambda: client.post_request("", service_code=category["code"], lat="1", long="2"), 403),
        (lambda: client.post_request(key, lat="1", long="2"), 400),
        (lambda: client.post_request(key, service_code="khong-co", lat="1", long="2"), 400),
        (lambda: client.post_request(key, service_code=category["code"]), 400),
        (lambda: client.post_request(key, service_code=category["code"], lat="north", long="2"), 400),
        (lambda: client.service_definition("khong-co"), 404),
        (lambda: client.request("123456789012"), 404),
        (lambda: client.token("not-a-token"), 404),
        (lambda: client.requests(status="pending"), 400),
        (lambda: client.requests(start_date="yesterday"), 400),
        (lambda: GeoReportClient(world.client, "/open311/v2", "99999999").services(), 404),
        (lambda: GeoReportClient(world.client, "/open311/v2", None).services(), 400),
    ]
    for call, status in cases:
        with pytest.raises(Open311Failure) as err:
            call()
        assert err.value.status == status, err.value
        assert err.value.errors[0]["code"] == str(status) and err.value.errors[0]["description"]
    # Unsupported format, and a JSON body instead of a form.
    response = world.client.get(f"/open311/v2/services.yaml?jurisdiction_id={a.commune_code}")
    assert response.status_code == 404 and response.json()[0]["code"] == 404
    response = world.client.post(
        "/open311/v2/requests.json", json={"api_key": key, "jurisdiction_id": str(a.commune_code)}
    )
    assert response.status_code == 400 and "form-encoded" in response.json()[0]["description"]


def test_commune_host_and_prefix(world: World) -> None:
    a, b = world.a, world.b
    key, category = _setup(world, a)
    on_host = GeoReportClient(world.client, "/open311/v2", None, "json", headers={"Host": f"{a.slug}.localhost"})
    assert category["code"] in {s["service_code"] for s in on_host.services()}
    prefixed = GeoReportClient(world.client, f"/t/{a.slug}/open311/v2", None, "json")
    [created] = prefixed.post_request(key, service_code=category["code"], address_id="CL-7")
    official = world.person(a, "commune_official")
    accept = f"/api/v1/triage/reports/{created['service_request_id']}/transition"
    assert world.call("POST", accept, a, official, json={"to": "accepted"}).status_code == 200
    assert prefixed.request(str(created["service_request_id"]))[0]["address_id"] == "CL-7"
    mismatch = GeoReportClient(
        world.client, "/open311/v2", str(b.commune_code), "json", headers={"Host": f"{a.slug}.localhost"}
    )
    with pytest.raises(Open311Failure) as err:
        mismatch.services()
    assert err.value.status == 404
    # Hidden by moderation: gone from Open311 too.
    admin = world.person(a, "commune_admin")
    rid = created["service_request_id"]
    body = {"hidden": True, "reason": "Spam"}
    assert world.call("POST", f"/api/v1/triage/reports/{rid}/moderation", a, admin, json=body).status_code == 200
    with pytest.raises(Open311Failure):
        prefixed.request(str(rid))
    # A revoked key stops working.
    keys = world.call("GET", "/api/v1/open311/keys", a, admin).json()
    key_id = next(k["id"] for k in keys if key.startswith(k["prefix"]))
    assert world.call("DELETE", f"/api/v1/open311/keys/{key_id}", a, admin).status_code == 204
    with pytest.raises(Open311Failure) as err:
        prefixed.post_request(key, service_code=category["code"], address_id="CL-7")
    assert err.value.status == 403


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_discovery_names_the_endpoint(world: World, fmt: str) -> None:
    """Issue 15: `discovery.json` answered 404. A spec client starts there to find the endpoint."""
    a = world.a
    for path in (f"/open311/v2/discovery.{fmt}", f"/open311/v2/discovery.{fmt}?jurisdiction_id={a.commune_code}"):
        response = world.client.get(path)
        assert response.status_code == 200, response.text
        if fmt == "json":
            doc = response.json()
            [endpoint] = doc["endpoints"]
            formats = endpoint["formats"]
        else:
            tree = ET.fromstring(response.content)  # noqa: S314 (our own server's answer, in a test)
            assert tree.tag == "discovery"
            doc = {c.tag: c.text for c in tree if c.tag != "endpoints"}
            [node] = tree.findall("endpoints/endpoint")
            endpoint = {c.tag: c.text for c in node if c.tag != "formats"}
            formats = [f.text for f in node.findall("formats/format")]
        assert doc["changeset"].endswith("Z") and doc["contact"] and doc["key_service"]
        assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
        assert endpoint["type"] == "production" and set(formats) == {"text/xml", "application/json"}
        assert endpoint["url"].endswith("/open311/v2")
    here = world.client.get(f"/t/{a.slug}/open311/v2/discovery.json").json()
    # The contact names the commune (its display name, which another suite may have set, e.g. "UBND xã …").
    assert here["endpoints"][0]["url"].endswith(f"/t/{a.slug}/open311/v2")
    assert a.name.casefold() in here["contact"].casefold()
    # The endpoint it names answers.
    services = world.client.get(f"/t/{a.slug}/open311/v2/services.json")
    assert services.status_code == 200


def test_control_characters_stored_in_a_name_leave_the_xml_well_formed(world: World) -> None:
    """A category named with raw control characters (written around the API, which refuses them) made the
    whole service list unreadable for every client."""
    from smartcommune.platform.reports.models import ReportCategory
    from smartcommune.tenants.session import tenant_transaction

    a = world.a
    with tenant_transaction(a) as db:
        db.add(
            ReportCategory(
                code=f"ctl{uuid.uuid4().hex[:6]}",
                name="Đèn\x01 đường\x1b hỏng\x0c",
                description="mô tả\x02 có STX",
                sla_hours=24,
                responsible_role="commune_official",
            )
        )
    response = world.client.get(f"/open311/v2/services.xml?jurisdiction_id={a.commune_code}")
    assert response.status_code == 200
    tree = ET.fromstring(response.content)  # noqa: S314 (our own server's answer, in a test)
    names = [s.findtext("service_name") or "" for s in tree.findall("service")]
    assert "Đèn đường hỏng" in names
    assert not any(ch in response.text for ch in "\x01\x02\x0c\x1b")
