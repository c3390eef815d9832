"""A real Celery worker process (SQLAlchemy transport on the test database) is SIGKILLed in the middle of
a run; a new worker, prompted by the stalled-run sweep (what beat sends every minute), resumes the run
at the step that did not finish. Nothing before it runs twice. Killed right after `register`, the commune
exists but is held (suspended for provisioning): nobody can use it half-configured until `activate`."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from testsupport.fresh import unused_commune_codes

from smartcommune.platform.worker.celery_app import make_celery
from smartcommune.provisioning.runs import service
from smartcommune.provisioning.runs.schemas import AdminContact, RunSpec
from smartcommune.provisioning.runs.steps import PROVISIONING_REASON, STEPS
from smartcommune.provisioning.runs.tasks import EXECUTE, PAUSE_ENV
from smartcommune.tenants import registry
from smartcommune.tenants.database import owner_engine
from smartcommune.tenants.settings import Settings

REPO = Path(__file__).resolve().parents[3]
CELERY = Path(sys.executable).parent / "celery"
COMMUNE = 19066  # Phường Bắc Gianh, Quảng Trị
pytestmark = [
    pytest.mark.filterwarnings("ignore:The ``noload`` loader strategy:DeprecationWarning"),
    pytest.mark.usefixtures("no_stripe"),
]


def _worker(database_url: str, log: Path, extra_env: dict[str, str]) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DATABASE_URL": database_url, "BROKER_URL": "", "LOG_JSON": "true", **extra_env}
    with log.open("ab") as out:
        return subprocess.Popen(
            [
                str(CELERY), "-A", "smartcommune.main:celery_app", "worker", "--pool=solo", "-Q", "provisioning",
                "--without-mingle", "--without-gossip", "--without-heartbeat",
            ],
            cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True,
        )  # fmt: skip


def _steps(run_id):  # type: ignore[no-untyped-def]
    return {s.name: s for s in service.get_run(owner_engine(), run_id)[1]}


def _wait(predicate, timeout: float, what: str, log: Path) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    pytest.fail(f"{what} within {timeout:g}s:\n{log.read_text(errors='replace')[-4000:]}")


@pytest.mark.parametrize("killed_after", ["register", "template"])
def test_sigkilled_worker_run_resumes_at_the_unfinished_step(
    database_url: str, tmp_path: Path, killed_after: str
) -> None:
    engine = owner_engine()
    app = make_celery(Settings(broker_url=""), set_default=False)
    log = tmp_path / "worker.log"
    commune = COMMUNE if killed_after == "template" else unused_commune_codes(1)[0]
    run_id = service.create_run(engine, RunSpec(commune_code=commune, admin=AdminContact(name="Phạm Thị Dung")))
    done_before = [name for name, _ in STEPS][: [name for name, _ in STEPS].index(killed_after) + 1]
    first = _worker(database_url, log, {PAUSE_ENV: f"{killed_after}:120"})
    try:
        app.send_task(EXECUTE, args=[str(run_id)])
        _wait(lambda: _steps(run_id)[killed_after].status == "succeeded", 90, f"{killed_after} step done", log)
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)
    steps = _steps(run_id)
    assert service.get_run(engine, run_id)[0].status == "running"
    assert [n for n, s in steps.items() if s.status == "succeeded"] == done_before
    held = registry.get_commune(engine, commune)
    assert (held.status, held.suspended_reason) == ("suspended", PROVISIONING_REASON)
    finished = steps[killed_after].finished_at

    second = _worker(database_url, log, {})
    try:
        app.send_task("smartcommune.provisioning.runs.tasks.resume_stalled", kwargs={"older_than_s": 0})
        _wait(lambda: service.get_run(engine, run_id)[0].status == "succeeded", 90, "run resumed and done", log)
    finally:
        os.killpg(second.pid, signal.SIGTERM)
        second.wait(timeout=30)
    run, rows = service.get_run(engine, run_id)
    steps = {s.name: s for s in rows}
    assert run.attempts == 2
    for name in done_before:
        assert steps[name].attempts == 1, name
    assert steps[killed_after].finished_at == finished
    assert steps["identity"].attempts == 1 and steps["activate"].status == "succeeded"
    assert registry.get_commune(engine, commune).status == "active"
    app.close()
