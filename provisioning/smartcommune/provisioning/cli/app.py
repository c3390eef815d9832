"""The `smartcommune` command. `serve` and `worker` get the app factories from the composition root."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

import typer

from smartcommune.provisioning.cli import communes, demo, files, migrate, rollout, users


def build_cli(*, create_app: Callable[[], Any], celery_app: Any) -> typer.Typer:
    cli = typer.Typer(
        help="Smart Commune — nền tảng xã thông minh / smart commune platform",
        no_args_is_help=True,
        pretty_exceptions_show_locals=False,
    )
    cli.add_typer(communes.app, name="communes")
    cli.add_typer(users.app, name="users")
    cli.add_typer(files.app, name="files")
    cli.command("migrate")(migrate.migrate)
    cli.command("demo")(demo.demo)
    cli.command("rollout")(rollout.rollout)

    @cli.command("serve")
    def serve(
        host: str = "127.0.0.1",
        port: int = 8000,
        workers: Annotated[int, typer.Option(help="uvicorn worker processes")] = 1,
    ) -> None:
        """Run the API (control schema is brought to head first)."""
        import uvicorn

        from smartcommune.platform.http.server import uvicorn_options
        from smartcommune.tenants.bootstrap import bootstrap
        from smartcommune.tenants.database import owner_engine

        bootstrap(owner_engine())
        uvicorn.run(
            "smartcommune.main:create_app",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_config=None,
            **uvicorn_options(),  # no Server header; idle, keep-alive and header timeouts
        )

    @cli.command("worker")
    def worker(
        queues: str = "default,provisioning,notifications,cameras",
        concurrency: int = 2,
        pool: str = "prefork",
    ) -> None:
        """Run a Celery worker."""
        celery_app.worker_main(
            ["worker", "-Q", queues, "--concurrency", str(concurrency), "--pool", pool, "--loglevel", "INFO"]
        )

    @cli.command("run")
    def run(host: str = "127.0.0.1", port: int = 8000) -> None:
        """Everything on one machine: embedded PostgreSQL, a worker, demo communes, the API."""
        from smartcommune.provisioning.cli.dev import run_all

        run_all(host=host, port=port)

    @cli.command("camera-worker")
    def camera_worker(
        commune: Annotated[list[int] | None, typer.Option(help="only these commune codes")] = None,
        shard: Annotated[str, typer.Option(help="i/n: this worker watches cameras with id % n == i")] = "0/1",
        fps: float = 5.0,
    ) -> None:
        """Motion detection and camera-wall previews for the cameras of this shard."""
        from smartcommune.platform.cameras.tasks import run_worker

        index, count = (int(x) for x in shard.split("/"))
        run_worker(commune or (), (index, count), fps)

    @cli.command("mqtt-ingest")
    def mqtt_ingest(
        processes: Annotated[
            int, typer.Option(min=1, max=64, help="ingester processes on this host, sharing `$share/<group>/...`")
        ] = 1,
    ) -> None:
        """Telemetry and command results from MQTT into the communes' schemas (MQTT_URL)."""
        from smartcommune.platform.devices.ingest import main

        main(processes)

    return cli
