"""The public trace page: server-rendered, no script, no external asset, a few kB for a phone."""

from __future__ import annotations

from datetime import datetime
from html import escape
from typing import Any

from smartcommune.platform.production.epcis import VN

_STYLE = (
    "body{font:16px/1.45 system-ui,sans-serif;margin:0 auto;max-width:36rem;padding:1rem;color:#1b1b1b}"
    "h1{font-size:1.4rem;margin:.2rem 0}h2{font-size:1.1rem;margin:1.2rem 0 .4rem}"
    ".m{color:#555;font-size:.9rem}ol{padding-left:1.2rem}li{margin:.35rem 0}"
    ".ok{color:#0a6b2d}.no{color:#a33}"
)


_VALID = "<span class='ok'>còn hiệu lực</span>"
_EXPIRED = "<span class='no'>hết hiệu lực</span>"


def _when(value: str) -> str:
    return datetime.fromisoformat(value).astimezone(VN).strftime("%d/%m/%Y")


def render(data: dict[str, Any]) -> str:
    lot, producer = data["lot"], data["producer"]
    e = escape
    certs = (
        "".join(
            f"<li>{e(c['name'])} — số {e(c['certificate_no'])}, hiệu lực {e(c['valid_from'])} → {e(c['valid_to'])} "
            + (_VALID if c["valid"] else _EXPIRED)
            + "</li>"
            for c in data["certifications"]
        )
        or "<li>Chưa có chứng nhận.</li>"
    )
    steps = []
    for t in data["timeline"]:
        extra = []
        if t.get("material"):
            extra.append(f"{e(t['material'])} {e(t['amount'])}")
            if t.get("phi_days") is not None:
                extra.append(f"cách ly {int(t['phi_days'])} ngày")
        if t.get("quantity"):
            extra.append(f"lô {e(t['lot'])}: {e(t['quantity'])}")
        if t.get("notes"):
            extra.append(e(t["notes"]))
        detail = f" — {'; '.join(extra)}" if extra else ""
        steps.append(f"<li><b>{_when(t['at'])}</b> {e(t['name'])}{detail}</li>")
    return (
        "<!doctype html><html lang='vi'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width,initial-scale=1'>"
        f"<title>Truy xuất nguồn gốc — {e(lot['product'])}</title><style>{_STYLE}</style></head><body>"
        f"<p class='m'>Truy xuất nguồn gốc · {e(producer['commune'])}</p>"
        f"<h1>{e(lot['product'])}</h1>"
        f"<p>Lô <b>{e(lot['code'])}</b> · {e(lot['quantity'])} {e(lot['unit'])} · ngày {_when(lot['produced_at'])}"
        + (f"<br><span class='m'>GTIN {e(lot['gtin'])}</span>" if lot.get("gtin") else "")
        + "</p>"
        f"<h2>Nhà sản xuất</h2><p>{e(producer['name'])}<br>{e(producer['farm'])} · {e(producer['commodity'])}</p>"
        f"<h2>Chứng nhận</h2><ul>{certs}</ul>"
        f"<h2>Nhật ký sản xuất</h2><ol>{''.join(steps) or '<li>Chưa có nhật ký.</li>'}</ol>"
        "</body></html>"
    )
