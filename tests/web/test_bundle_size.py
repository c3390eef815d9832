"""The resident app's initial JavaScript stays within 150 KB gzipped (low-end phones on slow networks)."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

BUDGET = 150 * 1024


def initial_assets(dist: Path, app: str) -> list[Path]:
    """What the browser fetches before first render: entry scripts, modulepreloads and stylesheets."""
    html = (dist / app / "index.html").read_text(encoding="utf-8")
    refs = re.findall(r'<(?:script[^>]*\bsrc|link[^>]*\bhref)="([^"]+\.(?:js|css))"', html)
    return [(dist / app / ref).resolve() for ref in refs]


def gzipped(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), compresslevel=9))


def test_resident_initial_js_within_budget(web_dist: Path) -> None:
    assets = initial_assets(web_dist, "resident")
    scripts = [a for a in assets if a.suffix == ".js"]
    assert scripts, "no script found in resident/index.html"
    js = sum(gzipped(a) for a in scripts)
    css = sum(gzipped(a) for a in assets if a.suffix == ".css")
    print(f"resident initial JS: {js / 1024:.1f} KB gzipped in {len(scripts)} files; CSS {css / 1024:.1f} KB")
    assert js <= BUDGET, f"resident initial JS is {js / 1024:.1f} KB gzipped, over the 150 KB budget: {scripts}"


def test_every_app_is_built_with_relative_urls(web_dist: Path) -> None:
    # Relative URLs let one build serve /app/… and /t/{slug}/app/… (and a commune's own host name).
    for app in ("provider", "admin", "resident"):
        assets = initial_assets(web_dist, app)
        assert assets and all(a.exists() for a in assets), app
        assert 'src="/' not in (web_dist / app / "index.html").read_text(encoding="utf-8")
    assert (web_dist / "resident" / "sw.js").exists()
    assert (web_dist / "resident" / "manifest.webmanifest").exists()
