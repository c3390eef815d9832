"""Server-rendered HTML for people in a browser: one tiny layout (no script, no external asset) and the
not-found page that a wrong address under an app (`/app/...`, `/t/{slug}/app/...`) answers instead of JSON.

Strings: Vietnamese first, English second (`?lang=en` or a browser that asks for English first).
"""

from __future__ import annotations

from html import escape

from starlette.requests import Request

LANGS = ("vi", "en")

BASE_STYLE = (
    ":root{--c:#0b6b3a}*{box-sizing:border-box}"
    "body{font:16px/1.45 system-ui,sans-serif;margin:0;color:#1b1b1b;background:#fafafa}"
    "main{max-width:40rem;margin:0 auto;padding:1rem}"
    "a{color:var(--c)}h1{font-size:1.4rem;margin:.2rem 0 .6rem}"
    ".m{color:#555;font-size:.9rem}"
)


def lang_of(request: Request) -> str:
    """`?lang=en|vi` wins; else the browser's first language if it is English; else Vietnamese."""
    wanted = request.query_params.get("lang")
    if wanted in LANGS:
        return wanted
    first = request.headers.get("accept-language", "").split(",")[0].strip().lower()
    return "en" if first.startswith("en") else "vi"


def wants_html(request: Request) -> bool:
    return "text/html" in request.headers.get("accept", "")


_NOT_FOUND = {
    "vi": ("Không tìm thấy trang", "Địa chỉ {path} không có trong ứng dụng.", "Về trang chính của ứng dụng"),
    "en": ("Page not found", "The address {path} is not part of the app.", "Back to the app's home page"),
}
_APPS = ("resident", "admin", "provider")


def not_found_page(request: Request) -> str:
    """For a path under `/app/<app>/...` (the tenant prefix, if any, is in `root_path`)."""
    lang = lang_of(request)
    title, text, back = _NOT_FOUND[lang]
    parts = request.scope["path"].split("/")
    app = parts[2] if len(parts) > 2 and parts[2] in _APPS else None
    # Inside the /app mount Starlette adds the mount to root_path while `path` keeps it: the commune's prefix
    # (`/t/{slug}` or nothing) is root_path without that.
    root = request.scope.get("root_path", "").removesuffix("/app")
    path = root + request.scope["path"]
    home = f"{root}/app/{app}/" if app else f"{root}/"
    return (
        f"<!doctype html><html lang='{lang}'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width,initial-scale=1'>"
        f"<title>{escape(title)}</title><style>{BASE_STYLE}</style></head><body><main>"
        f"<h1>{escape(title)}</h1><p>{escape(text.format(path=path))}</p>"
        f"<p><a href='{escape(home, quote=True)}'>{escape(back)}</a></p>"
        "<p class='m'>404</p></main></body></html>"
    )
