"""A private PostgreSQL cluster configured for a fleet of commune schemas, for the benchmarks.

The machine's own server runs Debian's defaults (shared_buffers 128 MB, max_wal_size 1 GB). A fleet of
3,321 communes is 1.25 M relations and a 4–5 GB catalog: creating schemas then pays for catalog pages
evicted from 128 MB of buffers and for checkpoints every gigabyte of WAL, each followed by full-page
images of the catalog's index pages. These are the settings the production server gets (docs/scaling.md,
terraform/modules/postgres): buffers sized to hold the catalog, checkpoints spaced by time, not by WAL.

Usage:
    python bench/_fleet_postgres.py start   # prints the DATABASE_URL to export
    python bench/_fleet_postgres.py stop
The cluster lives in .data/fleet-postgres (port 5433) and is owned by the `postgres` user when run as root.
"""

from __future__ import annotations

import argparse
import os
import pwd
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / ".data" / "fleet-postgres"
PORT = 5433
FLEET_SETTINGS = {
    "shared_buffers": "6GB",  # a quarter of this machine's 24 GiB: holds the whole catalog of 3,321 communes
    "max_wal_size": "16GB",
    "min_wal_size": "2GB",
    "checkpoint_timeout": "30min",
    "wal_buffers": "64MB",
    "wal_compression": "lz4",
    "max_connections": "200",
    "max_files_per_process": "4000",
}


def _bin(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    if not versions:
        raise SystemExit("PostgreSQL server binaries not found (initdb, pg_ctl)")
    return str(versions[0] / name)


def _as_owner(cmd: list[str]) -> None:
    if os.geteuid() == 0:
        cmd = ["su", "postgres", "-c", " ".join(cmd)]
    subprocess.run(cmd, check=True)


def start() -> str:
    if not (DATA / "PG_VERSION").exists():
        DATA.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            pw = pwd.getpwnam("postgres")
            os.chown(DATA, pw.pw_uid, pw.pw_gid)
        _as_owner([_bin("initdb"), "-D", str(DATA), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C.UTF-8"])
        settings = {"port": str(PORT), "listen_addresses": "'127.0.0.1'", "unix_socket_directories": f"'{DATA}'"}
        lines = [f"{k} = {v}" for k, v in {**settings, **FLEET_SETTINGS}.items()]
        with (DATA / "postgresql.conf").open("a") as conf:
            conf.write("\n# bench/_fleet_postgres.py\n" + "\n".join(lines) + "\n")
    if subprocess.run([_bin("pg_isready"), "-h", "127.0.0.1", "-p", str(PORT)], capture_output=True).returncode != 0:
        _as_owner([_bin("pg_ctl"), "-D", str(DATA), "-l", str(DATA / "server.log"), "-w", "start"])
    url = f"postgresql://postgres@127.0.0.1:{PORT}/postgres"
    print(f"export DATABASE_URL={url}")
    return url


def stop() -> None:
    if (DATA / "postmaster.pid").exists():
        _as_owner([_bin("pg_ctl"), "-D", str(DATA), "-w", "stop"])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("action", choices=["start", "stop"])
    args = parser.parse_args()
    start() if args.action == "start" else stop()


if __name__ == "__main__":
    main()
