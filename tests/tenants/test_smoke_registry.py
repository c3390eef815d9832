from sqlalchemy import text

from smartcommune.tenants.context import TenantInfo
from smartcommune.tenants.session import tenant_transaction


def test_each_commune_sees_only_its_own_rows(communes: tuple[TenantInfo, TenantInfo]) -> None:
    a, b = communes
    with tenant_transaction(a) as s:
        s.execute(text("INSERT INTO villages (code, name, kind) VALUES ('T1', 'Thôn 1', 'thon')"))
    with tenant_transaction(b) as s:
        assert s.execute(text("SELECT count(*) FROM villages")).scalar_one() == 0
        assert s.execute(text("SELECT current_user")).scalar_one() == b.role_name
