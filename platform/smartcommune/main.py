"""Composition root: create_app(), the Celery app, the CLI. The only module that sees every layer."""

from __future__ import annotations

import os
from pathlib import Path

from celery.signals import worker_ready
from fastapi import FastAPI
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import Scope

from smartcommune.platform.access.router import router as access_router
from smartcommune.platform.announcements.router import callbacks_router as delivery_callbacks_router
from smartcommune.platform.announcements.router import router as announcements_router
from smartcommune.platform.audit.router import router as audit_router
from smartcommune.platform.cameras.router import router as cameras_router
from smartcommune.platform.cameras.tasks import beat_schedule as camera_beat_schedule
from smartcommune.platform.commune.router import router as commune_router
from smartcommune.platform.devices.router import router as devices_router
from smartcommune.platform.directory.router import router as directory_router
from smartcommune.platform.fees.router import router as fees_router
from smartcommune.platform.files.storage import check_file_store_settings
from smartcommune.platform.http.errors import ERROR_RESPONSES, OPEN311_ERROR_RESPONSES, install_error_handlers
from smartcommune.platform.http.limits import BodyLimitMiddleware
from smartcommune.platform.http.policy import install_input_policy
from smartcommune.platform.http.tenancy import TenantResolutionMiddleware, get_resolver
from smartcommune.platform.identity.router import router as identity_router
from smartcommune.platform.inbox.router import router as inbox_router
from smartcommune.platform.insight.router import router as insight_router
from smartcommune.platform.insight.tasks import BEAT as CRITERIA_BEAT
from smartcommune.platform.listings.router import router as listings_router
from smartcommune.platform.observability.health import router as health_router
from smartcommune.platform.observability.logging import configure_logging
from smartcommune.platform.observability.metrics import (
    MetricsMiddleware,
    RequestContextMiddleware,
    metrics_response,
)
from smartcommune.platform.open311.router import keys_router as open311_keys_router
from smartcommune.platform.open311.router import router as open311_router
from smartcommune.platform.operations.router import router as operations_router
from smartcommune.platform.payments.router import router as payments_router
from smartcommune.platform.procedures.router import router as procedures_router
from smartcommune.platform.production.router import public_router as trace_router
from smartcommune.platform.production.router import router as production_router
from smartcommune.platform.public_site.router import router as public_site_router
from smartcommune.platform.reports.router import router as reports_router
from smartcommune.platform.residents.router import router as residents_router
from smartcommune.platform.surveys.router import router as surveys_router
from smartcommune.platform.villages.router import router as villages_router
from smartcommune.platform.worker.celery_app import make_celery
from smartcommune.provisioning.billing.router import router as provider_billing_router
from smartcommune.provisioning.billing.router import webhook_router as stripe_webhook_router
from smartcommune.provisioning.communes.router import router as provider_communes_router
from smartcommune.provisioning.fleet.router import router as provider_fleet_router
from smartcommune.provisioning.fleet.tasks import BEAT as FLEET_BEAT
from smartcommune.provisioning.insight.router import router as provider_insight_router
from smartcommune.provisioning.runs.router import router as provisioning_router
from smartcommune.provisioning.runs.tasks import BEAT as PROVISIONING_BEAT
from smartcommune.provisioning.site_networks.router import router as provider_site_networks_router
from smartcommune.tenants.settings import get_settings

API_TITLE = "Smart Commune — Nền tảng xã thông minh"
# The built front ends (`make web-build`): /app/{provider,admin,resident}/, also under /t/{slug}/app/….
WEB_DIST = Path(os.environ.get("WEB_DIST_DIR") or Path(__file__).resolve().parents[2] / "web" / "dist")


class _WebFiles(StaticFiles):
    """web/dist at /app. Under /t/{slug} the tenant middleware strips the prefix from `path` but adds it to
    `root_path`, which Starlette's own sub-path logic does not expect: take the file path from `path`."""

    def get_path(self, scope: Scope) -> str:
        return os.path.normpath(os.path.join(*scope["path"].removeprefix("/app").split("/")))


def create_app() -> FastAPI:
    settings = get_settings()
    configure_logging()
    check_file_store_settings(settings)
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
        cameras_router,
        devices_router,
        operations_router,
        provider_communes_router,
        provisioning_router,
        reports_router,
        open311_router,
        open311_keys_router,
        procedures_router,
        directory_router,
        fees_router,
        payments_router,
        provider_billing_router,
        stripe_webhook_router,
        residents_router,
        announcements_router,
        delivery_callbacks_router,
        surveys_router,
        production_router,
        trace_router,
        insight_router,
        listings_router,
        provider_insight_router,
        provider_fleet_router,
        provider_site_networks_router,
        public_site_router,  # last: its pages are at the commune's root (`/`, `/reports`, …)
    ):
        install_input_policy(router)  # text and integer policy on every route, before any dependency runs
        errors = OPEN311_ERROR_RESPONSES if router is open311_router else ERROR_RESPONSES
        app.include_router(router, responses=errors)  # every error answer documented (the fuzzer checks them)

    @app.get("/metrics", include_in_schema=False)
    def metrics() -> Response:
        return metrics_response()

    if WEB_DIST.is_dir():
        # Gzipped: the resident app's first load goes over slow 3G (~70 % fewer bytes for the JS).
        app.mount("/app", GZipMiddleware(_WebFiles(directory=WEB_DIST, html=True), minimum_size=512), name="web")

    # Outermost first: request id (and the answer to anything that escapes) → metrics → body limit →
    # tenant resolution (refuses control characters in the path before any lookup).
    app.add_middleware(TenantResolutionMiddleware)
    app.add_middleware(BodyLimitMiddleware)
    app.add_middleware(MetricsMiddleware)
    app.add_middleware(RequestContextMiddleware)
    if settings.environment != "test":
        get_resolver().start_listener()
    return app


# Task modules and schedules are handed in here, so reading them never finalizes Celery's configuration
# at import time (that would resolve the broker URL and start the embedded database on `--help`).
celery_app = make_celery(
    get_settings(),
    extra_task_modules=(
        "smartcommune.provisioning.billing.tasks",
        "smartcommune.provisioning.runs.tasks",
        "smartcommune.provisioning.fleet.tasks",
        "smartcommune.platform.cameras.tasks",
        "smartcommune.platform.insight.tasks",  # daily criteria snapshot keeps each month's last value
    ),
    extra_beat={
        "billing-daily": {"task": "smartcommune.provisioning.billing.tasks.daily_billing", "schedule": 86400.0},
        **PROVISIONING_BEAT,
        **FLEET_BEAT,
        **camera_beat_schedule(),
        **CRITERIA_BEAT,
    },
)
app = celery_app  # `celery -A smartcommune.main worker`


@worker_ready.connect
def _measure_fleet_at_start(sender: object = None, **_: object) -> None:
    """Fleet health is measured when the platform starts, not only after the first beat interval (the console
    showed "not measured" until someone clicked re-measure)."""
    from smartcommune.provisioning.fleet.tasks import SNAPSHOT

    celery_app.send_task(SNAPSHOT)


def cli() -> None:
    from smartcommune.provisioning.cli.app import build_cli

    build_cli(create_app=create_app, celery_app=celery_app)()


if __name__ == "__main__":
    cli()
