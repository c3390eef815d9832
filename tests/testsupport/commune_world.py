"""The real app over TestClient with accounts of every commune role in both test communes.

For feature suites outside tests/platform/api (their conftest fixtures are not visible elsewhere).
"""

from __future__ import annotations

import io
import itertools
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
from fastapi.testclient import TestClient
from PIL import Image

from smartcommune.tenants.context import TenantInfo

_seq = itertools.count(1)


def unique(prefix: str) -> str:
    return f"{prefix}-{next(_seq)}{uuid.uuid4().hex[:6]}"


@dataclass
class Person:
    subject: str
    username: str
    token: str

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@dataclass
class World:
    client: TestClient
    a: TenantInfo
    b: TenantInfo
    people: dict[tuple[int, str], Person] = field(default_factory=dict)

    def person(self, tenant: TenantInfo, role: str) -> Person:
        key = (tenant.commune_code, role)
        if key not in self.people:
            self.people[key] = new_person(tenant, role)
        return self.people[key]

    def call(
        self, method: str, path: str, tenant: TenantInfo | None, who: Person | None = None, **kw: Any
    ) -> httpx.Response:
        headers = dict(who.auth if who else {})
        if tenant is not None:
            headers["Host"] = f"{tenant.slug}.localhost"
        headers.update(kw.pop("headers", {}) or {})
        return self.client.request(method, path, headers=headers, **kw)


def new_person(tenant: TenantInfo, role: str) -> Person:
    """A fresh account of `tenant` holding `role` (residents hold no assignment: it is implicit)."""
    from smartcommune.platform.identity.accounts import create_account, issue_token_for
    from smartcommune.tenants.authz import service as authz
    from smartcommune.tenants.database import app_engine
    from smartcommune.tenants.principal import COMMUNE_REALM, PROVIDER_REALM, Principal

    seeder = Principal(subject="tests", realm=PROVIDER_REALM, realm_roles=("provider_admin",), username="tests")
    username = unique(f"{role.replace('_', '')}.{tenant.commune_code}")
    account = create_account(
        app_engine(), realm=COMMUNE_REALM, username=username, commune_code=tenant.commune_code, display_name=username
    )
    if role != "resident":
        authz.assign_role(app_engine(), seeder, tenant.commune_code, f"user:{account}", role)
    return Person(str(account), username, issue_token_for(account))


@contextmanager
def commune_world(communes: tuple[TenantInfo, TenantInfo]) -> Iterator[World]:
    from smartcommune.main import create_app
    from smartcommune.platform.http.tenancy import get_resolver, reset_resolver
    from smartcommune.platform.identity.tokens import reset_validators
    from smartcommune.tenants.authz.authorizer import reset_enforcer

    reset_enforcer()
    reset_resolver()
    reset_validators()
    app = create_app()
    get_resolver().start_listener()
    a, b = communes
    with TestClient(app) as client:
        yield World(client=client, a=a, b=b)
    reset_enforcer()
    reset_resolver()
    reset_validators()


def png(size: tuple[int, int] = (8, 8), *, exif_gps: bool = False) -> bytes:
    image = Image.new("RGB", size, (30, 120, 200))
    out = io.BytesIO()
    if exif_gps:
        exif = Image.Exif()
        exif[0x010F] = "CameraMaker"  # Make
        image.save(out, format="JPEG", exif=exif)
    else:
        image.save(out, format="PNG")
    return out.getvalue()


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
