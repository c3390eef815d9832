"""The public trace page: server-rendered, no script, no external asset, a few kB for a phone.

`body(data, lang)` is the page's content; the public site (`smartcommune.platform.public_site.trace`) puts it
in the commune's frame (name, colour, logo, menu, language switch); `render(data)` is the bare page.
"""

from __future__ import annotations

from datetime import datetime
from html import escape
from typing import Any

from smartcommune.platform.production import units
from smartcommune.platform.production.epcis import VN
from smartcommune.platform.public_site.strings import tr

_STYLE = (
    "body{font:16px/1.45 system-ui,sans-serif;margin:0 auto;max-width:36rem;padding:1rem;color:#1b1b1b}"
    "h1{font-size:1.4rem;margin:.2rem 0}h2{font-size:1.1rem;margin:1.2rem 0 .4rem}"
    ".m{color:#555;font-size:.9rem}ol{padding-left:1.2rem}li{margin:.35rem 0}"
    ".ok{color:#0a6b2d}.no{color:#a33}"
)


def _when(value: str) -> str:
    return datetime.fromisoformat(value).astimezone(VN).strftime("%d/%m/%Y")


def body(data: dict[str, Any], lang: str = "vi") -> str:
    lot, producer = data["lot"], data["producer"]
    e = escape

    def t(key: str, **params: object) -> str:
        return e(tr(lang, key, **params))

    valid = f"<span class='ok'>{t('trace.valid')}</span>"
    expired = f"<span class='no'>{t('trace.expired')}</span>"
    certs = (
        "".join(
            "<li>"
            + t("trace.certLine", name=c["name"], no=c["certificate_no"], start=c["valid_from"], end=c["valid_to"])
            + " "
            + (valid if c["valid"] else expired)
            + "</li>"
            for c in data["certifications"]
        )
        or f"<li>{t('trace.noCerts')}</li>"
    )
    no_log = f"<li>{t('trace.noLog')}</li>"
    steps = []
    for s in data["timeline"]:
        extra = []
        if s.get("material"):
            amount = units.quantity(s["amount_value"], s.get("amount_unit"), lang) if s.get("amount_value") else ""
            extra.append(f"{e(s['material'])} {e(amount)}".strip())
            if s.get("phi_days") is not None:
                extra.append(t("trace.phi", days=int(s["phi_days"])))
        if s.get("quantity"):
            made = s["quantity"]
            if s.get("quantity_value"):
                made = units.quantity(s["quantity_value"], s.get("unit"), lang)
            extra.append(t("trace.made", lot=s["lot"], quantity=made))
        if s.get("notes"):
            extra.append(e(s["notes"]))
        detail = f" — {'; '.join(extra)}" if extra else ""
        name = units.step_name(s["type"], s.get("input_kind"), lang)
        steps.append(f"<li><b>{_when(s['at'])}</b> {e(name)}{detail}</li>")
    return (
        f"<p class='m'>{t('trace.title')} · {e(producer['commune'])}</p>"
        f"<h1>{e(lot['product'])}</h1>"
        f"<p>{t('trace.lot', code=lot['code'])} · {e(units.quantity(lot['quantity'], lot['unit'], lang))} · "
        f"{t('trace.produced', date=_when(lot['produced_at']))}"
        + (f"<br><span class='m'>GTIN {e(lot['gtin'])}</span>" if lot.get("gtin") else "")
        + "</p>"
        f"<h2>{t('trace.producer')}</h2>"
        f"<p>{e(producer['name'])}<br>{e(producer['farm'])} · {e(producer['commodity'])}</p>"
        f"<h2>{t('trace.certs')}</h2><ul>{certs}</ul>"
        f"<h2>{t('trace.log')}</h2><ol>{''.join(steps) or no_log}</ol>"
    )


def render(data: dict[str, Any], lang: str = "vi") -> str:
    title = f"{tr(lang, 'trace.title')} — {data['lot']['product']}"
    return (
        f"<!doctype html><html lang='{lang}'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width,initial-scale=1'>"
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head><body>"
        f"{body(data, lang)}</body></html>"
    )
