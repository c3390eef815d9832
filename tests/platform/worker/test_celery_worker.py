"""A real Celery worker process, on each broker the machine has: tasks reach the right commune, and the
outbox sends only what was committed.

Brokers: kombu's SQLAlchemy transport on the test database (always), Redis and RabbitMQ when they answer
(skipped otherwise). Each run uses its own queue namespace so concurrent runs sharing a broker never
consume each other's messages.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from celery import Celery
from celery.result import AsyncResult
from sqlalchemy import text

from smartcommune.platform.worker.celery_app import QUEUES, make_celery, queue_name
from smartcommune.platform.worker.outbox import enqueue_after_commit, pending_jobs
from smartcommune.tenants.context import TenantInfo
from smartcommune.tenants.database import owner_engine
from smartcommune.tenants.session import tenant_session, tenant_transaction
from smartcommune.tenants.settings import Settings

REPO = Path(__file__).resolve().parents[3]
CELERY = Path(sys.executable).parent / "celery"
TASK = "smartcommune.platform.worker.tasks.commune_stats"
RESULT_TIMEOUT_S = 60.0
# kombu's SQLAlchemy transport declares a relationship with lazy="noload" (deprecated in SQLAlchemy 2.1).
pytestmark = pytest.mark.filterwarnings("ignore:The ``noload`` loader strategy:DeprecationWarning")


def _answers(url: str, default_port: int) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or default_port), timeout=1):
            return True
    except OSError:
        return False


def _broker_url(kind: str) -> str:
    """The broker URL for `kind` ("" = the SQLAlchemy transport on the test database); skip if absent."""
    if kind == "sqla":
        return ""
    if kind == "redis":
        url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
        port = 6379
    else:
        url = os.environ.get("RABBITMQ_URL") or "amqp://guest:guest@127.0.0.1:5672//"
        port = 5672
    if not _answers(url, port):
        pytest.skip(f"no {kind} server answers at {urlsplit(url).hostname}:{urlsplit(url).port or port}")
    return url


@dataclass
class Worker:
    kind: str
    app: Celery
    proc: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-6000:]

    def wait(self, result: AsyncResult, timeout: float = RESULT_TIMEOUT_S) -> Any:
        """The task's return value; fails fast if the worker died, and after `timeout` seconds at most."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if result.ready():
                return result.get(timeout=5)
            if self.proc.poll() is not None:
                pytest.fail(f"worker exited with {self.proc.returncode}:\n{self.output()}")
            time.sleep(0.2)
        pytest.fail(f"no result for {result.id} within {timeout:g}s:\n{self.output()}")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


def _delete_queues(app: Celery, names: list[str]) -> None:
    """Leave nothing behind on a shared Redis or RabbitMQ."""
    try:
        with app.connection_for_write() as conn:
            channel = conn.default_channel
            for name in names:
                channel.queue_delete(name)
                if conn.transport.driver_type == "amqp":
                    channel.exchange_delete(name)
    except Exception as exc:  # best effort: the broker may be gone
        print(f"queue clean-up failed: {exc!r}")


@pytest.fixture(scope="module", params=["sqla", "redis", "rabbitmq"])
def worker(
    request: pytest.FixtureRequest,
    database_url: str,
    communes: tuple[TenantInfo, TenantInfo],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Worker]:
    kind: str = request.param
    url = _broker_url(kind)
    namespace = f"sctest{uuid.uuid4().hex[:10]}"
    app = make_celery(Settings(broker_url=url), namespace=namespace)
    queues = [queue_name(q, namespace) for q in QUEUES]
    log = tmp_path_factory.mktemp(f"worker-{kind}") / "worker.log"
    env = {**os.environ, "DATABASE_URL": database_url, "BROKER_URL": url, "LOG_JSON": "true"}
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [
                str(CELERY), "-A", "smartcommune.platform.worker.celery_app:app", "worker",
                "--pool=solo", "-Q", ",".join(queues), "-n", f"{namespace}@%h",
                "--without-mingle", "--without-gossip", "--without-heartbeat",
            ],
            cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True,
        )  # fmt: skip
    handle = Worker(kind, app, proc, log)
    try:
        yield handle
    finally:
        _stop(proc)
        if kind != "sqla":
            _delete_queues(app, queues)
        app.close()


def _village_count(tenant: TenantInfo) -> int:
    with tenant_transaction(tenant) as session:
        return int(session.execute(text("SELECT count(*) FROM villages")).scalar_one())


def _add_villages(session: Any, n: int) -> None:
    for _ in range(n):
        code = f"W{uuid.uuid4().hex[:12]}"
        session.execute(
            text("INSERT INTO villages (code, name, kind) VALUES (:c, :n, 'thon')"),
            {"c": code, "n": f"Thôn {code}"},
        )


def test_commune_stats_runs_in_the_worker_against_each_commune(
    worker: Worker, communes: tuple[TenantInfo, TenantInfo]
) -> None:
    a, b = communes
    before = {t.commune_code: _village_count(t) for t in communes}
    added = {a.commune_code: 2, b.commune_code: 5}
    for tenant in communes:
        with tenant_transaction(tenant) as session:
            _add_villages(session, added[tenant.commune_code])
    sent = {t.commune_code: worker.app.send_task(TASK, args=[t.commune_code]) for t in communes}
    stats = {code: worker.wait(result) for code, result in sent.items()}
    for tenant in communes:
        code = tenant.commune_code
        assert stats[code]["commune_code"] == code
        assert stats[code]["villages"] == before[code] + added[code]
        assert stats[code]["audit_log"] >= 0
    # Different rows per commune: the worker bound each task to its own commune's schema and role.
    assert stats[b.commune_code]["villages"] - stats[a.commune_code]["villages"] == (
        before[b.commune_code] - before[a.commune_code] + 3
    )
    assert all(str(r.worker or "").startswith("sctest") for r in sent.values()), "ran elsewhere"


def test_outbox_sends_only_after_commit(worker: Worker, communes: tuple[TenantInfo, TenantInfo]) -> None:
    a, _ = communes
    session = tenant_session(a)
    try:
        _add_villages(session, 1)
        dropped = enqueue_after_commit(session, TASK, a.commune_code)
        assert [job.task_id for job in pending_jobs(session)] == [dropped]
        session.rollback()
        assert pending_jobs(session) == []

        baseline = int(session.execute(text("SELECT count(*) FROM villages")).scalar_one())
        _add_villages(session, 1)
        committed = enqueue_after_commit(session, TASK, a.commune_code)
        session.commit()
        assert pending_jobs(session) == []
    finally:
        session.close()

    stats = worker.wait(worker.app.AsyncResult(committed))
    assert stats["villages"] == baseline + 1, "the worker sees the row committed with the job"
    # The rolled-back job was never sent: the queue is FIFO, so it would have run before the committed one.
    assert worker.app.AsyncResult(dropped).state == "PENDING"
    if worker.kind == "sqla":
        with owner_engine().connect() as conn:
            count = "SELECT count(*) FROM kombu_message WHERE payload LIKE :p"
            assert conn.execute(text(count), {"p": f"%{dropped}%"}).scalar_one() == 0
            assert conn.execute(text(count), {"p": f"%{committed}%"}).scalar_one() == 1


def test_outbox_drops_only_jobs_of_a_rolled_back_savepoint(communes: tuple[TenantInfo, TenantInfo]) -> None:
    """Session bookkeeping only (nothing is sent: the outer transaction rolls back at the end)."""
    a, _ = communes
    session = tenant_session(a)
    try:
        session.execute(text("SELECT 1"))
        kept = enqueue_after_commit(session, TASK, a.commune_code)
        savepoint = session.begin_nested()
        enqueue_after_commit(session, TASK, a.commune_code)
        savepoint.rollback()
        assert [job.task_id for job in pending_jobs(session)] == [kept]
        released = session.begin_nested()
        also_kept = enqueue_after_commit(session, TASK, a.commune_code)
        released.commit()
        assert [job.task_id for job in pending_jobs(session)] == [kept, also_kept]
        session.rollback()
        assert pending_jobs(session) == []
    finally:
        session.close()
