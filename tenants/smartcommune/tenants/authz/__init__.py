"""Authorization: casbin RBAC with domains, shared permission rules, per-commune role assignments.

The HTTP layer calls `is_allowed(principal, commune_code, obj, act)`; role management goes through
`service`; `seed_shared_policy` writes the catalogue of `policy`.
"""

from smartcommune.tenants.authz.adapter import PolicyAdapter
from smartcommune.tenants.authz.authorizer import (
    current_enforcer,
    get_enforcer,
    is_allowed,
    reset_enforcer,
    roles_in,
)
from smartcommune.tenants.authz.enforcer import CommuneEnforcer
from smartcommune.tenants.authz.model import ANY, MODEL_TEXT, READ, WRITE
from smartcommune.tenants.authz.policy import (
    BUILTIN_ROLES,
    CATALOGUE,
    COMMUNE_OBJECTS,
    COMMUNE_ROLES,
    OBJECTS,
    PROVIDER_OBJECTS,
    PROVIDER_ROLES,
    catalogue_allows,
)
from smartcommune.tenants.authz.store import CHANNEL, seed_shared_policy
from smartcommune.tenants.authz.watcher import PolicyWatcher

__all__ = [
    "ANY",
    "BUILTIN_ROLES",
    "CATALOGUE",
    "CHANNEL",
    "COMMUNE_OBJECTS",
    "COMMUNE_ROLES",
    "MODEL_TEXT",
    "OBJECTS",
    "PROVIDER_OBJECTS",
    "PROVIDER_ROLES",
    "READ",
    "WRITE",
    "CommuneEnforcer",
    "PolicyAdapter",
    "PolicyWatcher",
    "catalogue_allows",
    "current_enforcer",
    "get_enforcer",
    "is_allowed",
    "reset_enforcer",
    "roles_in",
    "seed_shared_policy",
]
