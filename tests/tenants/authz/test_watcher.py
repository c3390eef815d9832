"""Two enforcers with their own watchers stand for two processes: a write through one reaches the other."""

from collections.abc import Iterator

import pytest

from smartcommune.tenants.authz import CommuneEnforcer, PolicyAdapter, PolicyWatcher, is_allowed, store
from smartcommune.tenants.authz import service as svc
from smartcommune.tenants.authz.model import g_rule
from smartcommune.tenants.authz.store import add_rules, remove_rules
from smartcommune.tenants.authz.watcher import libpq_dsn
from smartcommune.tenants.context import TenantInfo
from smartcommune.tenants.database import app_engine


@pytest.fixture
def pair(enforcer: CommuneEnforcer) -> Iterator[tuple[CommuneEnforcer, CommuneEnforcer]]:
    engine = app_engine()
    enforcers, watchers = [], []
    for _ in range(2):
        e = CommuneEnforcer(PolicyAdapter(engine), load=False)
        w = PolicyWatcher(libpq_dsn(engine), e)
        assert w.start(wait_s=30)
        enforcers.append(e)
        watchers.append(w)
    yield enforcers[0], enforcers[1]
    for w in watchers:
        w.stop()


def test_write_through_one_enforcer_reaches_the_other(pair, communes: tuple[TenantInfo, TenantInfo], kit) -> None:
    one, two = pair
    a, _ = communes
    user = kit.commune_user(a.commune_code)
    assert not two.enforce(user.casbin_subject, a.domain, "users", "write")
    one.add_grouping_policy(user.casbin_subject, "commune_admin", a.domain)  # casbin API, auto-saved
    assert one.enforce(user.casbin_subject, a.domain, "users", "write")
    assert kit.wait_until(lambda: two.enforce(user.casbin_subject, a.domain, "users", "write"))
    one.remove_grouping_policy(user.casbin_subject, "commune_admin", a.domain)
    assert kit.wait_until(lambda: not two.enforce(user.casbin_subject, a.domain, "users", "write"))
    one.add_policy("kiem_soat", a.domain, "audit", "read")
    assert kit.wait_until(lambda: two.enforce("kiem_soat", a.domain, "audit", "read"))
    assert not two.enforce("kiem_soat", communes[1].domain, "audit", "read")


def test_service_writes_and_bulk_writes_reach_every_process(pair, communes, kit) -> None:
    one, two = pair
    a, b = communes
    provider = kit.provider("provider_admin")
    user = kit.commune_user(b.commune_code)
    svc.assign_role(app_engine(), provider, b.commune_code, user.subject, "village_head")
    for e in pair:
        assert kit.wait_until(lambda e=e: is_allowed(user, b.commune_code, "announcements", "write", enforcer=e))
    # A bulk write too big for one notice: every listener reloads in full.
    reloads = two.reloads
    bulk = [g_rule(f"user:bulk{i:04d}", "commune_official", a.domain) for i in range(500)]
    assert len(add_rules(app_engine(), bulk)) == 500
    assert kit.wait_until(lambda: two.enforce("user:bulk0499", a.domain, "fees", "write"))
    assert two.reloads > reloads
    remove_rules(app_engine(), bulk)
    assert kit.wait_until(lambda: not one.enforce("user:bulk0000", a.domain, "fees", "write"))
    assert kit.wait_until(lambda: not two.enforce("user:bulk0000", a.domain, "fees", "write"))


def test_rolled_back_writes_are_never_seen(pair, communes, kit) -> None:
    _, two = pair
    a, _ = communes
    engine = app_engine()
    with pytest.raises(RuntimeError), engine.begin() as conn:
        store.notify(conn, added=store.insert_rules(conn, [g_rule("user:ghost", "commune_admin", a.domain)]))
        raise RuntimeError("abort")
    marker = kit.commune_user(a.commune_code)
    add_rules(engine, [g_rule(marker.casbin_subject, "commune_admin", a.domain)])
    assert kit.wait_until(lambda: two.enforce(marker.casbin_subject, a.domain, "users", "write"))
    assert not two.enforce("user:ghost", a.domain, "users", "write")
