"""The commune's public pages (server-rendered, no script) over slow 3G: bytes, first paint and load, cold.

The platform runs as in tests/web/test_e2e.py (a throwaway database with the demo communes, `smartcommune
serve`); a seed gives Xã Cam Lộ what its public pages show (office contacts, a commune-wide announcement, an
accepted report with a location, a listing, a contact, a lot). web/e2e/slow3g-public.mjs then opens each page
in Debian's Chromium at 360 px with CDP throttling to "slow-3g-400k" (400 kbit/s, 400 ms round trip) and the
HTTP cache disabled: every byte goes over the link. Medians of `--rounds` loads per page.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/public_pages.py
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from types import ModuleType
from typing import Any

_HERE = Path(__file__).resolve().parent
REPO = _HERE.parent
WEB = REPO / "web"
CHROMIUM = Path("/usr/bin/chromium")
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]


def _load(name: str, path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


_common = _load("_bench_common", _HERE / "_common.py")
_platform = _load("_web_platform_process", REPO / "tests" / "web" / "platform_process.py")
finish, machine = _common.finish, _common.machine

PAGES = (
    "/t/cam-lo/",
    "/t/cam-lo/announcements",
    "/t/cam-lo/reports",
    "/t/cam-lo/reports/map",
    "/t/cam-lo/listings",
    "/t/cam-lo/library",
    "/t/cam-lo/contacts",
    "/t/cam-lo/?lang=en",
)

SEED = """
from datetime import UTC, datetime, timedelta
from smartcommune.platform.announcements.models import Announcement
from smartcommune.platform.commune.models import CommuneSettings
from smartcommune.platform.directory.models import Contact
from smartcommune.platform.listings import service as listings
from smartcommune.platform.listings.schemas import ListingIn
from smartcommune.platform.reports.models import Report, ReportCategory
from smartcommune.tenants.database import owner_engine
from smartcommune.tenants.registry import get_commune, info_from_row
from smartcommune.tenants.session import tenant_transaction

now = datetime.now(UTC)
with tenant_transaction(info_from_row(get_commune(owner_engine(), 19597))) as db:
    db.merge(CommuneSettings(id=1, primary_color="#7a1f5c", contact_phone="0233 3861 234",
                             address="Khu phố 3, xã Cam Lộ, Quảng Trị", office_hours="Thứ Hai – Thứ Sáu: 7:30–17:00"))
    for i in range(5):
        db.add(Announcement(title=f"Thông báo số {i + 1} của xã", body="Nội dung thông báo. " * 20, status="published",
                            publish_at=now - timedelta(hours=i + 1), published_at=now - timedelta(hours=i + 1),
                            created_by="bench"))
    category = ReportCategory(code="den-duong", name="Đèn đường", sla_hours=48, responsible_role="commune_official")
    db.add(category)
    db.flush()
    for i in range(40):
        db.add(Report(category_id=category.id, description=f"Phản ánh số {i}: " + "mô tả " * 30,
                      status=("accepted", "in_progress", "resolved")[i % 3], source="app",
                      lat=16.79 + (i % 7) / 200, lng=106.99 + (i // 7) / 200, sla_due_at=now + timedelta(days=1)))
    for i in range(8):
        listings.create(db, ListingIn(kind=("tourism", "service", "product")[i % 3], category="homestay",
                                      title=f"Dịch vụ số {i + 1}", description="Mô tả dịch vụ. " * 10, price_vnd=450000,
                                      price_unit="/đêm", contact_name="Chị Hoa", contact_phone="0912345678"),
                        actor="bench", actor_kind="commune")
    for i in range(10):
        db.add(Contact(kind=("hotline", "official")[i % 2], name=f"Liên hệ {i + 1}", position="Cán bộ",
                       phone="0233 3861 115"))
"""


def measure(base_url: str, rounds: int) -> dict[str, Any]:
    node = shutil.which("node")
    if node is None:
        raise SystemExit("node is not installed (Node.js 20+)")
    env = {**os.environ, "BASE_URL": base_url, "ROUNDS": str(rounds), "PAGES": ",".join(PAGES)}
    result = subprocess.run(
        [node, str(WEB / "e2e" / "slow3g-public.mjs")], cwd=WEB, env=env, capture_output=True, text=True, timeout=900
    )
    print(result.stdout.rstrip().rpartition("\n")[0])
    if result.returncode != 0:
        raise SystemExit(f"slow3g-public.mjs failed:\n{result.stdout}\n{result.stderr}")
    figures: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return figures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    if not CHROMIUM.exists():
        raise SystemExit("/usr/bin/chromium is missing: `make chromium` (Debian's package)")
    info = {**machine(), "load_avg_1m": round(os.getloadavg()[0], 2)}
    print("machine:", info)
    with tempfile.TemporaryDirectory(prefix="bench-public-") as tmp:
        logs = Path(tmp) / "logs"
        logs.mkdir()
        dist = Path(tmp) / "dist"
        (dist / "resident").mkdir(parents=True)  # the public pages need no build of web/
        (dist / "resident" / "index.html").write_text("<!doctype html><title>app</title>")
        with _platform.running_platform(dist, logs, seed_script=SEED) as platform:
            raw = measure(platform.base_url, args.rounds)
    pages: dict[str, dict[str, Any]] = {}
    for path, runs in raw["pages"].items():
        assert all(r["status"] == 200 for r in runs), (path, runs)
        pages[path] = {
            "transferred_bytes": int(statistics.median(r["transferred_bytes"] for r in runs)),
            "html_bytes": int(statistics.median(r["html_bytes"] for r in runs)),
            "requests": int(statistics.median(r["requests"] for r in runs)),
            "fcp_ms": round(statistics.median(r["fcp_ms"] for r in runs if r["fcp_ms"] is not None)),
            "load_ms": round(statistics.median(r["load_ms"] for r in runs)),
        }
    profile = raw["profile"]
    figures = {
        "pages": pages,
        "network_profile": profile["name"],
        "network_down_kbps": profile["down_kbps"],
        "network_rtt_ms": profile["rtt_ms"],
        "rounds": args.rounds,
        "viewport_px": 360,
        "max_load_ms": max(p["load_ms"] for p in pages.values()),
        "max_transferred_bytes": max(p["transferred_bytes"] for p in pages.values()),
        "machine": info,
    }
    print(f"{profile['name']} ({profile['down_kbps']} kbit/s, {profile['rtt_ms']} ms RTT), median of {args.rounds}:")
    for path, p in pages.items():
        print(
            f"  {path}: {p['transferred_bytes'] / 1024:.1f} KB in {p['requests']} request(s), "
            f"FCP {p['fcp_ms']} ms, load {p['load_ms']} ms"
        )
    finish("public_pages", figures, write=not args.no_write)


if __name__ == "__main__":
    main()
