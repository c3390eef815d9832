"""A project-owned Mosquitto for `make run`: its own port on 127.0.0.1, anonymous clients refused, a password
file and an ACL file written from the devices' credentials (`control.device_index`, Mosquitto's own hash
format) plus the ingester's service identity. The machine's own Mosquitto (often anonymous) is not used.

`reload()` rewrites both files and sends SIGHUP, which makes Mosquitto read them again: a device added or
re-keyed in the admin console can connect without a restart.
"""

from __future__ import annotations

import getpass
import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from smartcommune.platform.devices import credentials as creds
from smartcommune.platform.devices.service import broker_identities
from smartcommune.tenants.database import app_engine

INGEST_USERNAME = "svc.ingest"


def mosquitto_binary() -> str | None:
    return shutil.which("mosquitto") or next(
        (p for p in ("/usr/sbin/mosquitto", "/usr/local/sbin/mosquitto") if os.access(p, os.X_OK)), None
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class DevBroker:
    root: Path
    port: int = field(default_factory=free_port)
    ingest_password: str = field(default_factory=lambda: secrets.token_urlsafe(18))
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"mqtt://127.0.0.1:{self.port}"

    def write_files(self) -> int:
        """The password and ACL files from the control index; returns how many devices they admit."""
        self.root.mkdir(parents=True, exist_ok=True)
        with app_engine().connect() as conn:
            devices = broker_identities(conn)
        service = creds.BrokerIdentity(INGEST_USERNAME, creds.hash_secret(self.ingest_password), service=True)
        passwd, acl = creds.mosquitto_files([service, *devices])
        for name, text in (("passwd", passwd), ("acl", acl)):
            path = self.root / name
            path.write_text(text)
            path.chmod(0o600)
        (self.root / "mosquitto.conf").write_text(
            f"listener {self.port} 127.0.0.1\n"
            "allow_anonymous false\n"
            f"user {getpass.getuser()}\n"
            f"password_file {self.root / 'passwd'}\n"
            f"acl_file {self.root / 'acl'}\n"
            "persistence false\n"
            "log_dest stderr\n"
            "log_type error\nlog_type warning\n"
        )
        return len(devices)

    def start(self, *, timeout_s: float = 5.0) -> DevBroker:
        binary = mosquitto_binary()
        if binary is None:
            raise FileNotFoundError("mosquitto is not installed")
        self.write_files()
        self.proc = subprocess.Popen([binary, "-c", str(self.root / "mosquitto.conf")], stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"mosquitto exited with {self.proc.returncode}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("mosquitto did not start")

    def reload(self) -> int:
        count = self.write_files()
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGHUP)
        return count

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def __enter__(self) -> DevBroker:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
