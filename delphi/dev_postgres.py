"""A throwaway PostgreSQL cluster for the test suite and the benchmarks, never the app.

``initdb`` makes a cluster in a temporary folder and ``pg_ctl`` starts it on a free
loopback port with durability switched off (fsync, synchronous commit and full-page writes:
the data is thrown away); it is stopped and removed however the caller ends. Both programs
refuse to run as root, so as root they run as the ``postgres`` user.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on just now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _as_postgres(command: list[str]) -> None:
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    subprocess.run(prefix + command, check=True, stdout=subprocess.DEVNULL)  # noqa: S603


@contextlib.contextmanager
def throwaway_postgres(prefix: str = "delphi-pg-") -> Iterator[str]:
    """Yield the SQLAlchemy URL of a new cluster's ``postgres`` database; remove it after.

    Raises
    ------
    FileNotFoundError
        PostgreSQL's programs are not installed (``pg_config`` is not on the path).
    """
    if shutil.which("pg_config") is None:
        raise FileNotFoundError("PostgreSQL's programs were not found (no pg_config on the "
                                "path). Install them with: apt-get install -y postgresql")
    bindir = subprocess.check_output(["pg_config", "--bindir"], text=True).strip()  # noqa: S607
    base = tempfile.mkdtemp(prefix=prefix)
    if os.geteuid() == 0:
        shutil.chown(base, "postgres", "postgres")
    data, port = os.path.join(base, "data"), free_port()
    try:
        _as_postgres([f"{bindir}/initdb", "-D", data, "-U", "postgres", "-A", "trust",
                      "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"])
        _as_postgres([f"{bindir}/pg_ctl", "-D", data, "-l", f"{base}/server.log", "-w", "-o",
                      f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off "
                      "-c synchronous_commit=off -c full_page_writes=off", "start"])
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        if os.path.exists(os.path.join(data, "postmaster.pid")):
            _as_postgres([f"{bindir}/pg_ctl", "-D", data, "-m", "immediate", "-w", "stop"])
        shutil.rmtree(base, ignore_errors=True)
