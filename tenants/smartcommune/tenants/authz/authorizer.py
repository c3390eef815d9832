"""The one authorization check the HTTP layer calls, and the process-wide enforcer behind it."""

from __future__ import annotations

import logging
import threading

from smartcommune.tenants.authz.adapter import PolicyAdapter
from smartcommune.tenants.authz.enforcer import CommuneEnforcer
from smartcommune.tenants.authz.model import ANY
from smartcommune.tenants.authz.policy import IMPLICIT_ROLE, PROVIDER_ROLES
from smartcommune.tenants.authz.store import seed_shared_policy
from smartcommune.tenants.authz.watcher import PolicyWatcher
from smartcommune.tenants.database import app_engine, listen_dsn
from smartcommune.tenants.principal import COMMUNE_REALM, Principal

log = logging.getLogger(__name__)

_lock = threading.Lock()
_enforcer: CommuneEnforcer | None = None
_watcher: PolicyWatcher | None = None


def is_allowed(
    principal: Principal,
    commune_code: int | None,
    obj: str,
    act: str,
    *,
    enforcer: CommuneEnforcer | None = None,
) -> bool:
    """May `principal` do `act` on `obj` in commune `commune_code` (None: a provider-level route)?

    - Provider staff: their provider roles come from the token's realm roles and are checked against the
      shared rules (domain `*`), whatever the commune.
    - Commune users: only inside a commune whose organization they belong to; there they hold their
      assigned roles (`g, user:<sub>, <role>, <code>`) plus the implicit `resident` role. A token of
      commune A never gets anything in commune B, whatever rows exist.
    """
    e = enforcer if enforcer is not None else get_enforcer()
    if principal.is_provider_staff:
        return any(e.enforce(role, ANY, obj, act) for role in principal.realm_roles if role in PROVIDER_ROLES)
    if principal.realm != COMMUNE_REALM or commune_code is None or not principal.member_of(commune_code):
        return False
    domain = str(commune_code)
    return e.enforce(principal.casbin_subject, domain, obj, act) or e.enforce(IMPLICIT_ROLE, domain, obj, act)


def roles_in(principal: Principal, commune_code: int | None, *, enforcer: CommuneEnforcer | None = None) -> list[str]:
    """The roles `is_allowed` evaluates for this principal there (for display, e.g. `/me`).

    Provider staff: their provider realm roles. Commune members: their assigned roles in that commune
    (with inherited ones) and `resident`. Anyone else: none.
    """
    if principal.is_provider_staff:
        return [role for role in principal.realm_roles if role in PROVIDER_ROLES]
    if principal.realm != COMMUNE_REALM or commune_code is None or not principal.member_of(commune_code):
        return []
    e = enforcer if enforcer is not None else get_enforcer()
    assigned = e.roles_in(principal.casbin_subject, str(commune_code))
    return sorted(set(assigned)) + ([IMPLICIT_ROLE] if IMPLICIT_ROLE not in assigned else [])


def get_enforcer() -> CommuneEnforcer:
    """The process-wide enforcer on the app engine, with its watcher started on first use.

    First use also writes the shared catalogue (idempotent: nothing is written or notified when the
    database already has it), so a new release's catalogue reaches the fleet without a manual step.
    """
    global _enforcer, _watcher
    if _enforcer is not None:
        return _enforcer
    with _lock:
        if _enforcer is None:
            engine = app_engine()
            seed_shared_policy(engine)
            enforcer = CommuneEnforcer(PolicyAdapter(engine), load=False)
            watcher = PolicyWatcher(listen_dsn(), enforcer)
            if not watcher.start(wait_s=10.0):
                log.warning("policy watcher not ready after 10 s; loading the policy directly")
                enforcer.load_policy()
            _enforcer, _watcher = enforcer, watcher
    return _enforcer


def current_enforcer() -> CommuneEnforcer | None:
    """The process-wide enforcer if it exists (local writes apply to it at once)."""
    return _enforcer


def reset_enforcer() -> None:
    """Stop the watcher and forget the enforcer (tests switch databases)."""
    global _enforcer, _watcher
    with _lock:
        if _watcher is not None:
            _watcher.stop()
        _enforcer, _watcher = None, None
