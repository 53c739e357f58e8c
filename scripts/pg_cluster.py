"""A throwaway PostgreSQL cluster in a temporary folder, for the tests and the replica benchmark.

`initdb` refuses to run as root (CI runs as root), so as root the cluster belongs to the
`postgres` system user and every server command runs through `runuser -u postgres --`. The
server listens on 127.0.0.1 and a free port, trusts local connections, and is stopped and its
folder removed by `stop()`. Debian's `postgresql` package provides the binaries (`make test`
installs it where missing). Run directly, it starts a cluster, prints its URL and waits.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

USER = "whyrec"
DATABASE = "postgres"


class ClusterError(RuntimeError):
    """PostgreSQL could not be started (binaries missing, initdb or the server failed)."""


def server_bin_dir() -> Path:
    """The folder holding initdb and pg_ctl (the newest Debian version, or pg_config's)."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0,
    )
    if found:
        return Path(found[-1]).parent
    pg_config = shutil.which("pg_config")
    if pg_config:
        out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False)
        folder = Path(out.stdout.strip())
        if (folder / "initdb").exists():
            return folder
    if shutil.which("initdb"):
        return Path(shutil.which("initdb") or "").parent
    raise ClusterError(
        "PostgreSQL server binaries (initdb, pg_ctl) not found: install Debian's postgresql "
        "(`apt-get install -y postgresql`; `make test` does it)"
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PgCluster:
    """initdb + pg_ctl start in a temporary folder; `url` once started; a context manager."""

    def __init__(self, settings: dict[str, str] | None = None) -> None:
        self.bin = server_bin_dir()
        self.settings = {"max_connections": "200", **(settings or {})}
        self.root = Path(tempfile.mkdtemp(prefix="whyrec-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self.as_postgres = os.geteuid() == 0
        if self.as_postgres:
            import pwd

            try:
                entry = pwd.getpwnam("postgres")
            except KeyError:
                raise ClusterError("running as root needs the `postgres` system user") from None
            os.chown(self.root, entry.pw_uid, entry.pw_gid)

    @property
    def url(self) -> str:
        """The connection URL (trust authentication, loopback only)."""
        return f"postgresql://{USER}@127.0.0.1:{self.port}/{DATABASE}"

    def _run(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        command = [str(self.bin / args[0]), *args[1:]]
        if self.as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(
            command, capture_output=True, text=True, timeout=timeout, check=False, cwd=self.root
        )

    def start(self) -> PgCluster:
        """Create the cluster and start the server; ClusterError (with its log) on failure."""
        init = self._run(
            "initdb", "-D", str(self.data), "-U", USER, "--auth=trust", "-E", "UTF8", "--no-sync"
        )
        if init.returncode != 0:
            self.stop()
            raise ClusterError(f"initdb failed: {init.stderr.strip()[-800:]}")
        options = " ".join(
            [
                f"-p {self.port}",
                "-c listen_addresses=127.0.0.1",
                f"-c unix_socket_directories={self.root}",
                *(f"-c {k}={v}" for k, v in self.settings.items()),
            ]
        )
        log = self.root / "server.log"
        started = self._run(
            "pg_ctl", "-D", str(self.data), "-o", options, "-l", str(log), "-w", "start"
        )
        if started.returncode != 0:
            text = log.read_text(errors="replace")[-1500:] if log.exists() else started.stderr
            self.stop()
            raise ClusterError(f"PostgreSQL did not start: {text.strip()}")
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise ClusterError("PostgreSQL started but does not accept connections")

    def stop(self) -> None:
        """Stop the server (immediately) and remove the folder."""
        if (self.data / "postmaster.pid").exists():
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop", timeout=30)
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> PgCluster:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


if __name__ == "__main__":
    with PgCluster() as cluster:
        print(cluster.url, flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
