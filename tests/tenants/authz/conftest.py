"""Fixtures for authorization tests: the shared catalogue seeded, the process enforcer fresh per module."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator

import pytest

from smartcommune.tenants.authz import CommuneEnforcer, get_enforcer, reset_enforcer, seed_shared_policy
from smartcommune.tenants.authz.authorizer import current_enforcer
from smartcommune.tenants.authz.model import g_rule
from smartcommune.tenants.authz.store import add_rules
from smartcommune.tenants.context import TenantInfo
from smartcommune.tenants.database import app_engine, owner_engine
from smartcommune.tenants.principal import COMMUNE_REALM, PROVIDER_REALM, Principal


@pytest.fixture(scope="module")
def enforcer(communes: tuple[TenantInfo, TenantInfo]) -> Iterator[CommuneEnforcer]:
    """The process-wide enforcer (with its watcher) on the test database."""
    seed_shared_policy(owner_engine())
    reset_enforcer()
    yield get_enforcer()
    reset_enforcer()


def commune_user(*codes: int, subject: str | None = None) -> Principal:
    return Principal(
        subject=subject or uuid.uuid4().hex,
        realm=COMMUNE_REALM,
        organizations=tuple(str(c) for c in codes),
    )


def provider(*roles: str) -> Principal:
    return Principal(subject=uuid.uuid4().hex, realm=PROVIDER_REALM, realm_roles=roles)


def grant(principal: Principal, code: int, role: str) -> None:
    """Write an assignment straight to the table (as provisioning would) and apply it locally."""
    added = add_rules(app_engine(), [g_rule(principal.casbin_subject, role, str(code))])
    live = current_enforcer()
    if live is not None:
        live.apply_changes(added)


def wait_until(condition: Callable[[], bool], timeout_s: float = 10.0) -> bool:
    """Poll until `condition()` holds; the bound only keeps a broken watcher from hanging the suite."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


class Kit:
    """The helpers above as one fixture (test modules cannot import conftest under importlib mode)."""

    commune_user = staticmethod(commune_user)
    provider = staticmethod(provider)
    grant = staticmethod(grant)
    wait_until = staticmethod(wait_until)


@pytest.fixture(scope="session")
def kit() -> type[Kit]:
    return Kit
