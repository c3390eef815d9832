"""The frame of every public page: the commune's colour, logo and name, the menu, the language switch.

No script, no web font, no external asset: one inline stylesheet of about 2 kB, so a page is a single
request of a few kB over slow 3G. Links keep the language (`?lang=en`); Vietnamese is the default.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from html import escape
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from starlette.requests import Request

from smartcommune.platform.commune.schemas import CommuneBranding
from smartcommune.platform.http.html import lang_of
from smartcommune.platform.public_site.strings import tr

VN = ZoneInfo("Asia/Ho_Chi_Minh")
DEFAULT_COLOR = "#0b6b3a"  # the apps' own green (contrast with white 6.9:1)

_STYLE = (
    "*{box-sizing:border-box}body{font:16px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:0;"
    "color:#1b1b1b;background:#fff}a{color:var(--c)}img{max-width:100%;height:auto}"
    ".skip{position:absolute;left:-9999px}.skip:focus{left:.5rem;top:.5rem;background:#fff;color:#000;padding:.5rem;"
    "z-index:9}header{background:var(--c);color:#fff}header a{color:#fff}"
    ".bar{max-width:48rem;margin:0 auto;padding:.6rem 1rem;display:flex;align-items:center;gap:.7rem}"
    ".bar img{width:44px;height:44px;border-radius:50%;background:#fff;object-fit:contain}"
    ".brand{flex:1;font-weight:700;font-size:1.15rem;text-decoration:none}"
    ".lang{font-size:.95rem;padding:.5rem .2rem}"
    "nav ul{list-style:none;margin:0 auto;padding:0 1rem .4rem;max-width:48rem;display:flex;flex-wrap:wrap;"
    "gap:0 1rem}nav a{display:inline-block;padding:.45rem 0;min-height:44px;line-height:2}"
    "nav a[aria-current]{font-weight:700;text-decoration-thickness:3px}"
    "main{max-width:48rem;margin:0 auto;padding:1rem 1rem 2rem}h1{font-size:1.45rem;margin:.3rem 0 .8rem}"
    "h2{font-size:1.15rem;margin:1.4rem 0 .5rem}h3{font-size:1.05rem;margin:0 0 .3rem}"
    ".card{border:1px solid #d6d6d6;border-radius:8px;padding:.8rem 1rem;margin:.7rem 0}"
    ".m{color:#555;font-size:.92rem}.tag{display:inline-block;border:1px solid currentColor;border-radius:4px;"
    "padding:0 .35rem;font-size:.85rem;margin-right:.3rem}.urgent{color:#a11}.ok{color:#0a6b2d}.no{color:#a11}"
    "ul.plain{list-style:none;padding:0;margin:0}dl{margin:0}dt{font-weight:600}dd{margin:0 0 .5rem}"
    "label{display:block;font-weight:600;margin:.8rem 0 .2rem}"
    "input,select,textarea{font:inherit;width:100%;min-height:44px;padding:.4rem .5rem;border:1px solid #767676;"
    "border-radius:6px}input[type=checkbox]{width:auto;min-height:0;margin-right:.4rem}"
    ".check{display:flex;align-items:center;font-weight:400}"
    "button,.button{font:inherit;font-weight:600;min-height:44px;padding:.5rem 1.2rem;border:0;border-radius:6px;"
    "background:var(--c);color:#fff;margin-top:1rem;cursor:pointer;display:inline-block;text-decoration:none}"
    ".errors{border:2px solid #a11;border-radius:8px;padding:.6rem 1rem;color:#a11}"
    ".notice{border:2px solid var(--c);border-radius:8px;padding:.6rem 1rem}"
    ".grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(14rem,1fr));gap:.7rem}"
    ".grid a.card{display:block;text-decoration:none;font-weight:600;margin:0}"
    "footer{border-top:1px solid #d6d6d6;margin-top:2rem}footer .in{max-width:48rem;margin:0 auto;padding:1rem}"
    "svg{width:100%;height:auto;display:block}.photos{display:flex;gap:.5rem;flex-wrap:wrap}"
    ".photos img{width:9rem;height:9rem;object-fit:cover;border-radius:6px}"
)

# (route, string key, module that must be enabled or None)
MENU: tuple[tuple[str, str, str | None], ...] = (
    ("/", "site.home", None),
    ("/announcements", "site.news", "announcements"),
    ("/reports", "site.reports", "reports"),
    ("/reports/map", "site.map", "reports"),
    ("/listings", "site.listings", "listings"),
    ("/library", "site.library", None),
    ("/contacts", "site.contacts", None),
)


@dataclass
class Site:
    """One request's view of the commune: language, branding, enabled modules, and the path prefix."""

    request: Request
    branding: CommuneBranding
    modules: list[str]
    lang: str = "vi"
    root: str = ""  # "/t/{slug}" when reached through the prefix, "" on the commune's own host
    extra_head: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, request: Request, branding: CommuneBranding, modules: list[str]) -> Site:
        return cls(request, branding, modules, lang_of(request), request.scope.get("root_path", ""))

    def t(self, key: str, **params: object) -> str:
        return tr(self.lang, key, **params)

    def e(self, key: str, **params: object) -> str:
        """The string, HTML-escaped (parameters are escaped with it)."""
        return escape(self.t(key, **params))

    def offers(self, module: str | None) -> bool:
        return module is None or module in self.modules

    def href(self, path: str, **query: Any) -> str:
        """A link inside the public site, keeping the language."""
        params = {k: v for k, v in query.items() if v not in (None, "")}
        if self.lang == "en":
            params["lang"] = "en"
        return escape(f"{self.root}{path}" + (f"?{urlencode(params)}" if params else ""), quote=True)

    def api(self, path: str) -> str:
        return escape(f"{self.root}/api/v1{path}", quote=True)

    def switch_href(self) -> str:
        params = {k: v for k, v in self.request.query_params.items() if k != "lang"}
        if self.lang == "vi":
            params["lang"] = "en"
        query = urlencode(params)
        return escape(
            self.request.scope.get("root_path", "") + self.request.scope["path"] + (f"?{query}" if query else ""),
            quote=True,
        )

    # -- formats -----------------------------------------------------------------------------------
    def date(self, value: datetime | date | str | None) -> str:
        if value is None:
            return ""
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        if isinstance(value, datetime):
            value = value.astimezone(VN).date()
        return value.strftime("%d/%m/%Y")

    def money(self, vnd: int | None) -> str:
        if vnd is None:
            return ""
        digits = f"{vnd:,}"
        return (digits.replace(",", ".") + " đ") if self.lang == "vi" else (digits + " VND")

    @staticmethod
    def phone(raw: str | None) -> str:
        """+84912345678 / 0912345678 → 0912 345 678 (other shapes as given)."""
        if not raw:
            return ""
        digits = "".join(c for c in raw if c.isdigit())
        if digits.startswith("84") and raw.strip().startswith("+"):
            digits = "0" + digits[2:]
        if len(digits) == 10 and digits.startswith("0"):
            return f"{digits[:4]} {digits[4:7]} {digits[7:]}"
        if len(digits) == 11 and digits.startswith("0"):  # a landline: area code, then 4 + 3
            return f"{digits[:4]} {digits[4:8]} {digits[8:]}"
        return raw

    @staticmethod
    def tel(raw: str) -> str:
        return escape("tel:" + "".join(c for c in raw if c.isdigit() or c == "+"), quote=True)

    # -- the frame -------------------------------------------------------------------------------------
    def page(self, title: str, body: str, *, active: str | None = None) -> str:
        b = self.branding
        color = b.primary_color or DEFAULT_COLOR
        name = escape(b.name)
        logo = (
            f"<img src='{self.api(b.logo_url.removeprefix('/api/v1'))}' alt='{self.e('site.logo', name=b.name)}' "
            "width='44' height='44'>"
            if b.logo_url
            else ""
        )
        items = "".join(
            f"<li><a href='{self.href(route)}'"
            + (" aria-current='page'" if route == active else "")
            + f">{self.e(key)}</a></li>"
            for route, key, module in MENU
            if self.offers(module)
        )
        other = "en" if self.lang == "vi" else "vi"
        return (
            f"<!doctype html><html lang='{self.lang}'><head><meta charset='utf-8'>"
            "<meta name='viewport' content='width=device-width,initial-scale=1'>"
            f"<title>{escape(title)} · {name}</title><meta name='theme-color' content='{color}'>"
            f"<style>:root{{--c:{color}}}{_STYLE}</style>{''.join(self.extra_head)}</head><body>"
            f"<a class='skip' href='#main'>{self.e('site.skip')}</a>"
            f"<header><div class='bar'>{logo}<a class='brand' href='{self.href('/')}'>{name}</a>"
            f"<a class='lang' href='{self.switch_href()}' lang='{other}' hreflang='{other}'>{self.e('site.switch')}</a>"
            "</div>"
            f"<nav aria-label='{self.e('site.menu')}'><ul>{items}</ul></nav></header>"
            f"<main id='main'>{body}</main>"
            f"<footer><div class='in m'><p>{self.e('site.footer', name=b.name)}</p>"
            f"<p><a href='{escape(self.root, quote=True)}/app/resident/'>{self.e('site.residentApp')}</a></p>"
            "</div></footer></body></html>"
        )
