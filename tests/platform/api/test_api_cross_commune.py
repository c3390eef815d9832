"""Commune A's tokens against commune B, through the real app: every route answers 401 or 404, never data.

The route list comes from the app itself, so a new route is swept the day it is added (and
`request_for` fails loudly until it knows a plausible request for it).
"""

from __future__ import annotations

import base64
import json
import time
import uuid
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from smartcommune.platform.identity.keys import active_signing_key
from smartcommune.platform.identity.realms import embedded_issuer
from smartcommune.tenants.authz.policy import COMMUNE_ROLES
from smartcommune.tenants.principal import COMMUNE_REALM
from smartcommune.tenants.settings import get_settings

# Routes that need no principal: health, metrics, the embedded issuer's endpoints, the public profile.
PUBLIC = {
    ("GET", "/healthz"),
    ("GET", "/readyz"),
    ("GET", "/metrics"),
    ("GET", "/auth/realms/{realm}/.well-known/openid-configuration"),
    ("GET", "/auth/realms/{realm}/protocol/openid-connect/certs"),
    ("POST", "/auth/realms/{realm}/protocol/openid-connect/token"),
    ("POST", "/auth/realms/communes/otp"),
    ("GET", "/api/v1/commune"),
    ("GET", "/api/v1/public/commune/branding"),
    ("GET", "/api/v1/public/commune/logo"),
    # public reports, procedures, contacts and library of a commune (smartcommune.platform.reports, ...)
    ("GET", "/api/v1/public/report-categories"),
    ("GET", "/api/v1/public/reports"),
    ("GET", "/api/v1/public/reports/map"),
    ("GET", "/api/v1/public/reports/stats"),
    ("GET", "/api/v1/public/reports/{report_id}"),
    ("GET", "/api/v1/public/reports/{report_id}/photos/{photo_id}"),
    ("GET", "/api/v1/public/procedures"),
    ("GET", "/api/v1/public/procedures/counters"),
    ("GET", "/api/v1/public/contacts"),
    ("GET", "/api/v1/public/library/categories"),
    ("GET", "/api/v1/public/library"),
    ("GET", "/api/v1/public/library/{document_id}/file"),
    # Open311 GeoReport v2 (api_key on POST; smartcommune.platform.open311)
    ("GET", "/open311/v2/discovery.{fmt}"),
    # the commune's public pages for visitors (HTML; smartcommune.platform.public_site)
    ("GET", "/"),
    ("GET", "/announcements"),
    ("GET", "/reports"),
    ("GET", "/reports/map"),
    ("GET", "/reports/{report_id}"),
    ("GET", "/listings"),
    ("GET", "/listings/{listing_id}"),
    ("POST", "/listings/{listing_id}"),
    ("GET", "/library"),
    ("GET", "/contacts"),
    ("GET", "/trace"),
    ("GET", "/open311/v2/services.{fmt}"),
    ("GET", "/open311/v2/services/{service_code}.{fmt}"),
    ("POST", "/open311/v2/requests.{fmt}"),
    ("GET", "/open311/v2/requests.{fmt}"),
    ("GET", "/open311/v2/requests/{service_request_id}.{fmt}"),
    ("GET", "/open311/v2/tokens/{token}.{fmt}"),
    # bank-transfer webhooks on a commune's host (signed; smartcommune.platform.payments)
    ("POST", "/webhooks/sepay"),
    ("POST", "/webhooks/payos"),
    # providers' delivery reports on a commune's host (eSMS shared secret, Zalo signature; .announcements)
    ("GET", "/webhooks/esms/delivery"),
    ("POST", "/webhooks/zalo/zns"),
    # Stripe subscription-billing webhook on the platform's own host (smartcommune.provisioning.billing)
    ("POST", "/webhooks/stripe"),
    # public trace pages of lots on a commune's host: GS1 Digital Link and the commune-scoped path
    ("GET", "/01/{gtin}/10/{lot}"),
    ("GET", "/trace/{lot}"),
    ("HEAD", "/01/{gtin}/10/{lot}"),
    ("HEAD", "/trace/{lot}"),
    # the commune's services, tourism and products for visitors, their requests, and Stripe Checkout events
    ("GET", "/api/v1/public/listings"),
    ("GET", "/api/v1/public/listings/{listing_id}"),
    ("GET", "/api/v1/public/listings/{listing_id}/photos/{file_id}"),
    ("POST", "/api/v1/public/listings/{listing_id}/requests"),
    ("POST", "/webhooks/stripe-checkout"),
}


def test_every_route_is_guarded_or_knowingly_public(kit: Any) -> None:
    by_kind: dict[str, set[tuple[str, str]]] = {}
    for spec in kit.routes:
        by_kind.setdefault(spec.kind, set()).add((spec.method, spec.path))
    assert by_kind["public"] == PUBLIC
    assert all(p.startswith("/api/v1/") for _, p in by_kind["commune"])
    assert all(p.startswith("/api/provider/v1/") for _, p in by_kind["provider"])
    # Everything under /api/v1 but the public profile is authorized by (object, action).
    api_v1 = {(s.method, s.path) for s in kit.routes if s.path.startswith("/api/v1/")}
    assert api_v1 - by_kind["commune"] == {r for r in PUBLIC if r[1].startswith("/api/v1/")}
    assert all(p == "/api/v1/commune" or p.startswith("/api/v1/public/") for _, p in api_v1 - by_kind["commune"])
    assert len(by_kind["commune"]) >= 14 and len(by_kind["provider"]) >= 7


@pytest.mark.parametrize("via", ["host", "prefix"])
@pytest.mark.parametrize("direction", ["a_to_b", "b_to_a"])
def test_tokens_of_one_commune_get_nothing_from_the_other(api: Any, kit: Any, via: str, direction: str) -> None:
    home, victim = (api.a, api.b) if direction == "a_to_b" else (api.b, api.a)
    marker = kit.add_village(victim, name=kit.unique("BiMat")).name  # must never leave the victim commune
    guarded = [s for s in kit.routes if s.kind != "public"]
    # Requests name the victim's real objects (its village, role, members, slug); built before the snapshot.
    requests = [(spec, kit.request_for(spec, victim, provider_key=victim.slug)) for spec in guarded]
    before = kit.commune_state(victim)
    answers: list[tuple[str, str, int, str | None]] = []
    for role in COMMUNE_ROLES:
        actor = api.actor(home, role)
        for spec, req in requests:
            response = api.send(req, tenant=victim, via=via, actor=actor)
            answers.append((role, spec.id, response.status_code, kit.error_code(response)))
            assert marker not in response.text, (role, spec.id)
    for spec, req in requests:  # anonymous callers too
        response = api.send(req, tenant=victim, via=via)
        answers.append(("anonymous", spec.id, response.status_code, kit.error_code(response)))
    leaks = [a for a in answers if a[2] not in (401, 404) or a[3] is None]
    assert not leaks, leaks
    # Commune routes refuse the foreign token itself; provider routes do not exist on a commune's host.
    for role, route, status, code in answers:
        if role == "anonymous":
            assert (status, code) in ((401, "token_missing"), (404, "not_found")), (route, status, code)
        elif route.split(" ", 1)[1].startswith("/api/v1/"):
            assert (status, code) == (401, "token_commune_mismatch"), (role, route, status, code)
        else:
            assert (status, code) == (404, "not_found"), (role, route, status, code)
    assert kit.commune_state(victim) == before
    # Control: the very same requests succeed with the victim's own admin, so the refusals above are the
    # foreign token's doing and not a malformed request.
    owner = api.actor(victim, "commune_admin")
    for spec, req in requests:
        if spec.kind == "commune":
            response = api.send(req, tenant=victim, via=via, actor=owner)
            assert response.status_code == req.expect, (spec.id, response.text)


def test_the_same_requests_work_at_home(api: Any, kit: Any) -> None:
    """Control for the sweep above: the commune admin's token does get data on its own host."""
    marker = kit.add_village(api.a, name=kit.unique("BiMat")).name
    admin = api.actor(api.a, "commune_admin")
    for via in ("host", "prefix"):
        response = api.call("GET", "/api/v1/villages", tenant=api.a, via=via, actor=admin)
        assert response.status_code == 200
        assert marker in response.text


# -- tokens that must not pass --------------------------------------------------------------------------
def _claims(api: Any, **overrides: Any) -> dict[str, Any]:
    admin = api.actor(api.a, "commune_admin")
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": embedded_issuer(COMMUNE_REALM),
        "aud": get_settings().oidc_audience,
        "azp": "smartcommune-web",
        "sub": str(admin.account_id),
        "iat": now,
        "exp": now + 300,
        "jti": str(uuid.uuid4()),
        "typ": "Bearer",
        "preferred_username": admin.username,
        "realm_access": {"roles": []},
        "organization": [str(api.a.commune_code)],
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def _sign(claims: dict[str, Any], *, key: Any = None, kid: str | None = None) -> str:
    active = active_signing_key()
    return jwt.encode(claims, key or active.private_key, algorithm="RS256", headers={"kid": kid or active.kid})


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _tampered(api: Any) -> str:
    header, _payload, signature = _sign(_claims(api)).split(".")
    forged = _claims(api, organization=[str(api.b.commune_code)])
    return ".".join([header, _b64(json.dumps(forged).encode()), signature])


def _alg_none(api: Any) -> str:
    header = _b64(json.dumps({"alg": "none", "typ": "JWT", "kid": active_signing_key().kid}).encode())
    return f"{header}.{_b64(json.dumps(_claims(api)).encode())}."


def _unknown_key(api: Any) -> str:
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return _sign(_claims(api), key=stranger, kid="khoa-la-" + uuid.uuid4().hex)


BAD_TOKENS = {
    "wrong_issuer": (lambda api: _sign(_claims(api, iss="https://evil.example/realms/communes")), "token_wrong_issuer"),
    "wrong_audience": (lambda api: _sign(_claims(api, aud="another-app")), "token_wrong_audience"),
    "expired": (
        lambda api: _sign(_claims(api, iat=int(time.time()) - 7200, exp=int(time.time()) - 3600)),
        "token_expired",
    ),
    "tampered": (_tampered, "token_invalid"),
    "alg_none": (_alg_none, "token_invalid"),
    "unknown_key": (_unknown_key, "token_unknown_key"),
    "not_a_jwt": (lambda api: "khong-phai-jwt", "token_invalid"),
    "id_token_type": (lambda api: _sign(_claims(api, typ="ID")), "token_invalid"),
}


def test_a_well_formed_token_passes(api: Any) -> None:
    """Control: the same claims, correctly signed, are accepted, so each refusal below is the token's fault."""
    response = api.call(
        "GET", "/api/v1/villages", tenant=api.a, headers={"Authorization": f"Bearer {_sign(_claims(api))}"}
    )
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("case", sorted(BAD_TOKENS))
def test_bad_tokens_answer_401_with_a_code(api: Any, kit: Any, case: str) -> None:
    make, code = BAD_TOKENS[case]
    token = make(api)
    for via in ("host", "prefix"):
        response = api.call(
            "GET", "/api/v1/villages", tenant=api.a, via=via, headers={"Authorization": f"Bearer {token}"}
        )
        assert response.status_code == 401, response.text
        assert response.headers.get("www-authenticate") == "Bearer"
        assert kit.error_code(response) == code, response.text
        assert "Thôn" not in response.text


def test_a_non_bearer_scheme_is_refused(api: Any, kit: Any) -> None:
    token = api.actor(api.a, "commune_admin").token
    response = api.call("GET", "/api/v1/villages", tenant=api.a, headers={"Authorization": f"Basic {token}"})
    assert response.status_code == 401
    assert kit.error_code(response) == "token_missing"
