"""Small helpers shared by the pure-ASGI middlewares."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from smartcommune.tenants.context import TenantInfo, current_tenant

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def tenant_of(scope: Scope) -> TenantInfo | None:
    """The commune a request was resolved to.

    Read from `request.state.tenant` (scope["state"]["tenant"]) when the tenant resolver put it there, else
    from the `current_tenant` context variable (a variable set inside a thread-pool dependency does not
    propagate back out to the middleware, the request state does).
    """
    state = scope.get("state")
    if isinstance(state, MutableMapping):
        tenant = state.get("tenant")
        if isinstance(tenant, TenantInfo):
            return tenant
    return current_tenant.get()


def route_template(scope: Scope) -> str:
    """The matched route's path template (`/villages/{village_id}`), never the raw path (unbounded)."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    if isinstance(path, str) and path:
        return path
    return "<unmatched>"


def status_class(status: int) -> str:
    return f"{status // 100}xx"
