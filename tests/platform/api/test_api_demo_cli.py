"""`smartcommune demo`, run twice in a real subprocess against a throwaway database: the communes come from a
provisioning run (template applied, first admin issued), the sample life is there (the demo resident heads a
household, has an unpaid invoice and two unread messages), a second run adds nothing, the logins are printed
and the printed password opens the printed accounts."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from testsupport.databases import create_database, drop_database

from smartcommune.platform.identity.passwords import verify_secret
from smartcommune.provisioning.cli.demo import DEMO_PASSWORD

REPO = Path(__file__).resolve().parents[3]
CLI = [sys.executable, "-m", "smartcommune.main"]


@pytest.fixture
def demo_db() -> Iterator[tuple[dict[str, str], str]]:
    url = create_database()
    env = {**os.environ, "DATABASE_URL": url, "ENVIRONMENT": "test", "COLUMNS": "200", "LOG_LEVEL": "WARNING"}
    try:
        yield env, url
    finally:
        drop_database(url)


def _demo(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, "demo"], env=env, cwd=REPO, capture_output=True, text=True, timeout=120)


def _snapshot(url: str) -> dict[str, object]:
    with psycopg.connect(url) as conn:

        def rows(sql: str) -> list[tuple[object, ...]]:
            return conn.execute(sql).fetchall()

        return {
            "tenants": rows("SELECT slug, commune_code, status FROM control.tenants ORDER BY slug"),
            "accounts": rows("SELECT realm, username, commune_code FROM control.identity_accounts ORDER BY username"),
            "assignments": rows("SELECT v0, v1, v2 FROM control.casbin_rule WHERE ptype = 'g' ORDER BY v2, v1, v0"),
            "villages": rows(
                "SELECT 'cam-lo', code, name FROM c_19597.villages UNION ALL "
                "SELECT 'hau-loc', code, name FROM c_16012.villages ORDER BY 1, 2"
            ),
            "runs": rows("SELECT commune_code, template, status FROM control.provisioning_runs ORDER BY 1"),
            "life": [
                rows(f"SELECT '{table}', count(*) FROM c_{code}.{table}")[0]
                for code in (19597, 16012)
                for table in LIFE_TABLES
            ],
        }


LIFE_TABLES = (
    "report_categories",
    "fee_types",
    "procedures",
    "surveys",
    "contacts",
    "library_documents",
    "households",
    "residents",
    "invoices",
    "receipts",
    "reports",
    "report_photos",
    "applications",
    "announcements",
    "announcement_deliveries",
    "inbox_items",
    "listings",
    "farms",
    "lots",
    "devices",
    "criteria",
    "bank_accounts",
)


def test_demo_twice_is_idempotent_and_prints_logins(demo_db: tuple[dict[str, str], str]) -> None:
    env, url = demo_db
    first = _demo(env)
    assert first.returncode == 0, first.stdout + first.stderr
    after_first = _snapshot(url)
    second = _demo(env)
    assert second.returncode == 0, second.stdout + second.stderr
    assert _snapshot(url) == after_first

    for output in (first.stdout, second.stdout):
        for login in (
            "provider-admin",
            "provider-operator",
            "cam-lo.admin",
            "cam-lo.canbo",
            "cam-lo.truongthon",
            "hau-loc.admin",
            "hau-loc.canbo",
            "hau-loc.truongthon",
            "0912000001",
            "0912000002",
        ):
            assert login in output, (login, output)
        assert DEMO_PASSWORD in output

    assert [t[:2] for t in after_first["tenants"]] == [("cam-lo", 19597), ("hau-loc", 16012)]  # type: ignore[index]
    roles = {(role, dom) for _sub, role, dom in after_first["assignments"]}  # type: ignore[attr-defined]
    assert roles == {
        (role, code) for role in ("commune_admin", "commune_official", "village_head") for code in ("19597", "16012")
    }
    assert len(after_first["assignments"]) == 6  # type: ignore[arg-type]
    assert len(after_first["villages"]) == 12  # type: ignore[arg-type]  (the template's six per commune)
    assert ("cam-lo", "T01", "Thôn An Bình") in after_first["villages"]  # type: ignore[operator]
    assert after_first["runs"] == [(16012, "base", "succeeded"), (19597, "base", "succeeded")]
    life = dict(after_first["life"][: len(LIFE_TABLES)])  # type: ignore[index]
    assert all(life[table] > 0 for table in LIFE_TABLES), life
    _the_demo_resident_lives_there(url)
    with psycopg.connect(url) as conn:
        hashes = conn.execute(
            "SELECT username, password_hash FROM control.identity_accounts WHERE username IS NOT NULL"
        ).fetchall()
    assert len(hashes) == 8
    assert all(verify_secret(stored, DEMO_PASSWORD) for _username, stored in hashes)


def _the_demo_resident_lives_there(url: str) -> None:
    with psycopg.connect(url) as conn:
        (subject,) = conn.execute(
            "SELECT id::text FROM control.identity_accounts WHERE commune_code = 19597 AND phone = '+84912000001'"
        ).fetchone()  # type: ignore[misc]
        resident = conn.execute(
            "SELECT r.full_name, h.head_name, v.name, r.status FROM c_19597.residents r "
            "JOIN c_19597.households h ON h.id = r.household_id JOIN c_19597.villages v ON v.id = h.village_id "
            "WHERE r.account_subject = %s",
            (subject,),
        ).fetchone()
        assert resident == ("Nguyễn Thị Lan", "Nguyễn Thị Lan", "Thôn An Bình", "verified")
        statuses = [
            s for (s,) in conn.execute("SELECT status FROM c_19597.invoices WHERE payer_subject = %s", (subject,))
        ]
        assert "open" in statuses and "paid" in statuses, statuses
        unread = [
            t
            for (t,) in conn.execute(
                "SELECT title FROM c_19597.inbox_items WHERE recipient = %s AND read_at IS NULL ORDER BY id", (subject,)
            )
        ]
        assert unread == ["Họp thôn An Bình tối thứ Sáu", "Lịch tiêm phòng cho trẻ em"]
        report_states = {s for (s,) in conn.execute("SELECT status FROM c_19597.reports")}
        assert {"new", "accepted", "in_progress", "resolved", "closed", "rejected"} <= report_states
        assert conn.execute("SELECT count(*) FROM c_19597.report_photos").fetchone() == (6,)
