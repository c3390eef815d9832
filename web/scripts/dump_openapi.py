"""Write what web/ takes from the platform, without starting a server (`make web-client` runs it).

    python web/scripts/dump_openapi.py [OUT_DIR]      # default: web/

writes OUT_DIR/openapi.json (create_app().openapi()) and OUT_DIR/src/provider/provinces.json (the 34
provinces of the official 2025 list, for the provider console's filter). No database connection is opened.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

WEB = Path(__file__).resolve().parents[1]
OPENAPI = Path("openapi.json")
PROVINCES = Path("src/provider/provinces.json")


def openapi_document() -> dict[str, object]:
    # "test" keeps create_app() from starting the tenant LISTEN thread (it would connect to the database).
    os.environ.setdefault("ENVIRONMENT", "test")
    from smartcommune.main import create_app

    return create_app().openapi()


def provinces() -> list[dict[str, object]]:
    from smartcommune.tenants.official_list import all_communes

    names = {c.province_code: c.province_name for c in all_communes()}
    return [{"code": code, "name": names[code]} for code in sorted(names)]


def render(document: object) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def write_all(out_dir: Path) -> list[Path]:
    written = []
    for rel, document in ((OPENAPI, openapi_document()), (PROVINCES, provinces())):
        path = out_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render(document), encoding="utf-8")
        written.append(path)
    return written


def main(argv: list[str]) -> int:
    for path in write_all(Path(argv[1]) if len(argv) > 1 else WEB):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
