"""The `make run` watchdog: a process in a session of its own that outlives `smartcommune run` when that is
stopped in any way (Ctrl-C, SIGTERM, its process group killed with SIGKILL). When the parent is gone it
ends the parent's remaining descendants (worker, broker, ingester, simulators) and stops the embedded
PostgreSQL of the run (fast shutdown of the postmaster in `--pgdata`), so nothing is left behind.

`python -m smartcommune.provisioning.devtools.watchdog --parent PID [--pgdata DIR]`
"""

from __future__ import annotations

import argparse
import os
import signal
import time
from pathlib import Path

import psutil

POLL_S = 0.2


def postmaster_pid(pgdata: Path) -> int | None:
    try:
        return int((pgdata / "postmaster.pid").read_text().splitlines()[0])
    except (OSError, ValueError, IndexError):
        return None


def stop_postgres(pgdata: Path, timeout_s: float = 15.0) -> None:
    pid = postmaster_pid(pgdata)
    if pid is None:
        return
    try:
        proc = psutil.Process(pid)
        proc.send_signal(signal.SIGINT)  # fast shutdown: sessions end, the server stops cleanly
        proc.wait(timeout_s)
    except psutil.TimeoutExpired:
        proc.kill()
    except psutil.NoSuchProcess:
        return


def end(processes: list[psutil.Process], timeout_s: float = 5.0) -> None:
    alive = []
    for p in processes:
        try:
            p.terminate()
            alive.append(p)
        except psutil.NoSuchProcess:
            continue
    _, still = psutil.wait_procs(alive, timeout=timeout_s)
    for p in still:
        try:
            p.kill()
        except psutil.NoSuchProcess:
            continue


def watch(parent_pid: int, pgdata: Path | None) -> None:
    try:
        parent = psutil.Process(parent_pid)
    except psutil.NoSuchProcess:
        parent = None
    me = os.getpid()
    family: dict[int, psutil.Process] = {}
    while parent is not None and parent.is_running() and parent.status() != psutil.STATUS_ZOMBIE:
        try:
            for child in parent.children(recursive=True):
                if child.pid != me:
                    family.setdefault(child.pid, child)
        except psutil.NoSuchProcess:
            break
        time.sleep(POLL_S)
    # psutil.Process.is_running() also checks the creation time: a reused pid is not ours.
    end([p for p in family.values() if p.is_running()])
    if pgdata is not None:
        stop_postgres(pgdata)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--parent", type=int, required=True)
    parser.add_argument("--pgdata", type=Path)
    args = parser.parse_args(argv)
    for sig in (signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, signal.SIG_IGN)  # a Ctrl-C reaches the parent; this one stays to clean up
    watch(args.parent, args.pgdata)


if __name__ == "__main__":
    main()
