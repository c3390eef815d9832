"""Request → commune through the real app: `<slug>.localhost`, the `/t/{slug}` prefix, a custom domain,
unknown communes, and a warm resolver cache that sends no catalog query per request."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import text

from smartcommune.platform.http.tenancy import get_resolver
from smartcommune.tenants.database import owner_engine


def _profile(response: Any) -> tuple[str, int]:
    assert response.status_code == 200, response.text
    body = response.json()
    return body["slug"], body["commune_code"]


def test_host_and_prefix_resolve_each_commune(api: Any) -> None:
    for tenant in (api.a, api.b):
        expected = (tenant.slug, tenant.commune_code)
        assert _profile(api.call("GET", "/api/v1/commune", tenant=tenant, via="host")) == expected
        assert _profile(api.call("GET", "/api/v1/commune", tenant=tenant, via="prefix")) == expected
        # Host names are case-insensitive and may carry a port.
        upper = {"Host": f"{tenant.slug.upper()}.LOCALHOST:8000"}
        assert _profile(api.call("GET", "/api/v1/commune", headers=upper)) == expected


def test_the_prefix_wins_over_the_host(api: Any) -> None:
    """`/t/{slug}` names the commune explicitly: the PWA may be served from another commune's host."""
    response = api.call("GET", f"/t/{api.b.slug}/api/v1/commune", headers=api.host(api.a))
    assert _profile(response) == (api.b.slug, api.b.commune_code)


def test_a_custom_domain_resolves_to_its_commune(api: Any, kit: Any) -> None:
    hostname = f"{kit.unique('xa').lower()}.gov.example.vn"
    with owner_engine().begin() as conn:
        conn.execute(
            text("INSERT INTO control.tenant_domains (hostname, tenant_id) VALUES (:h, :t)"),
            {"h": hostname, "t": api.b.id},
        )
    response = api.call("GET", "/api/v1/commune", headers={"Host": hostname})
    assert _profile(response) == (api.b.slug, api.b.commune_code)
    # The custom domain is commune B's host in every respect: A's token is refused there, B's works.
    foreign = api.call("GET", "/api/v1/villages", headers={"Host": hostname, **api.actor(api.a, "commune_admin").auth})
    assert (foreign.status_code, kit.error_code(foreign)) == (401, "token_commune_mismatch")
    own = api.call("GET", "/api/v1/villages", headers={"Host": hostname, **api.actor(api.b, "commune_admin").auth})
    assert own.status_code == 200
    # An unregistered domain is no commune.
    stranger = api.call("GET", "/api/v1/commune", headers={"Host": f"{uuid.uuid4().hex}.example.org"})
    assert (stranger.status_code, kit.error_code(stranger)) == (404, "commune_not_found")


@pytest.mark.parametrize(
    "where",
    ["host", "prefix", "nested_host", "reserved_label", "bare_base_domain"],
)
def test_unknown_communes_answer_404(api: Any, kit: Any, where: str) -> None:
    ghost = "khong-co-xa-" + uuid.uuid4().hex[:6]
    admin = api.actor(api.a, "commune_admin")
    calls = {
        "host": {"headers": {"Host": f"{ghost}.localhost"}},
        "prefix": {"path_prefix": f"/t/{ghost}"},
        "nested_host": {"headers": {"Host": f"{api.a.slug}.{ghost}.localhost"}},
        "reserved_label": {"headers": {"Host": "www.localhost"}},
        "bare_base_domain": {"headers": {"Host": "localhost"}},
    }[where]
    prefix = calls.get("path_prefix", "")
    headers = calls.get("headers", {})
    for path, auth in (("/api/v1/commune", {}), ("/api/v1/villages", admin.auth), ("/api/v1/me", admin.auth)):
        response = api.client.get(prefix + path, headers={**headers, **auth})
        assert response.status_code == 404, response.text
        assert kit.error_code(response) == "commune_not_found"


def test_a_warm_cache_sends_no_catalog_query_per_request(api: Any) -> None:
    resolver = get_resolver()
    admin_a = api.actor(api.a, "commune_admin")
    official_b = api.actor(api.b, "commune_official")
    resolver.invalidate()
    # Warm: one lookup per commune and way of naming it.
    for tenant, actor in ((api.a, admin_a), (api.b, official_b)):
        for via in ("host", "prefix"):
            assert api.call("GET", "/api/v1/villages", tenant=tenant, via=via, actor=actor).status_code == 200
    warm = resolver.catalog_queries
    assert warm >= 2  # the cold lookups did query the catalog
    for i in range(50):
        tenant, actor = ((api.a, admin_a), (api.b, official_b))[i % 2]
        via = ("host", "prefix")[(i // 2) % 2]
        response = api.call("GET", "/api/v1/villages", tenant=tenant, via=via, actor=actor)
        assert response.status_code == 200
        assert api.call("GET", "/api/v1/commune", tenant=tenant, via=via).status_code == 200
    assert resolver.catalog_queries == warm
