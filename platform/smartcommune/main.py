"""Composition root: create_app(), the Celery app, the CLI. The only module that sees every layer."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import Response

from smartcommune.platform.access.router import router as access_router
from smartcommune.platform.audit.router import router as audit_router
from smartcommune.platform.commune.router import router as commune_router
from smartcommune.platform.http.errors import install_error_handlers
from smartcommune.platform.http.tenancy import TenantResolutionMiddleware, get_resolver
from smartcommune.platform.identity.router import router as identity_router
from smartcommune.platform.inbox.router import router as inbox_router
from smartcommune.platform.observability.health import router as health_router
from smartcommune.platform.observability.logging import configure_logging
from smartcommune.platform.observability.metrics import (
    MetricsMiddleware,
    RequestContextMiddleware,
    metrics_response,
)
from smartcommune.platform.villages.router import router as villages_router
from smartcommune.platform.worker.celery_app import make_celery
from smartcommune.provisioning.communes.router import router as provider_communes_router
from smartcommune.tenants.settings import get_settings

API_TITLE = "Smart Commune — Nền tảng xã thông minh"


def create_app() -> FastAPI:
    settings = get_settings()
    configure_logging()
    app = FastAPI(
        title=API_TITLE,
        version="0.1.0",
        description=(
            "API cho cán bộ xã, người dân và nhà cung cấp dịch vụ. / API for communes, residents and the provider."
        ),
    )
    install_error_handlers(app)
    for router in (
        health_router,
        identity_router,
        commune_router,
        access_router,
        inbox_router,
        villages_router,
        audit_router,
        provider_communes_router,
    ):
        app.include_router(router)

    @app.get("/metrics", include_in_schema=False)
    def metrics() -> Response:
        return metrics_response()

    # Outermost first: request id → metrics → tenant resolution.
    app.add_middleware(TenantResolutionMiddleware)
    app.add_middleware(MetricsMiddleware)
    app.add_middleware(RequestContextMiddleware)
    if settings.environment != "test":
        get_resolver().start_listener()
    return app


celery_app = make_celery(get_settings())
app = celery_app  # `celery -A smartcommune.main worker`


def cli() -> None:
    from smartcommune.provisioning.cli.app import build_cli

    build_cli(create_app=create_app, celery_app=celery_app)()


if __name__ == "__main__":
    cli()
