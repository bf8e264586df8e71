"""A throwaway PostgreSQL cluster for the tests, in a temporary folder on a free loopback port.

`url()` is CLEMENCY_TEST_PG_URL when set; otherwise a cluster is started with Debian's binaries (as the
`postgres` system user when the tests run as root) and stopped at exit. None when no server can be started,
unless CLEMENCY_REQUIRE_PG=1 (CI), which makes that an error."""

from __future__ import annotations

import atexit
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time

_STARTED: dict = {}


def _bindir() -> str | None:
    for cand in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if os.path.exists(os.path.join(cand, "pg_ctl")):
            return cand
    found = shutil.which("pg_ctl")
    return os.path.dirname(os.path.realpath(found)) if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_postgres(cmd: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return cmd
    runuser = shutil.which("runuser")
    return [runuser, "-u", "postgres", "--", *cmd] if runuser else ["su", "postgres", "-s", "/bin/sh", "-c",
                                                                     " ".join(cmd)]


def start() -> str:
    """Start a cluster; its URL (raises RuntimeError with the reason when it cannot)."""
    bindir = _bindir()
    if bindir is None:
        raise RuntimeError("PostgreSQL is not installed (apt-get install postgresql)")
    root = tempfile.mkdtemp(prefix="clemency-pg-")
    os.chmod(root, 0o755)
    data, port = os.path.join(root, "data"), _free_port()
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    run = lambda cmd: subprocess.run(_as_postgres(cmd), capture_output=True, text=True, timeout=120)  # noqa: E731
    r = run([f"{bindir}/initdb", "-D", data, "-U", "clemency", "--auth=trust", "-E", "UTF8", "--no-sync"])
    if r.returncode:
        raise RuntimeError(f"initdb failed: {r.stderr.strip()[-300:]}")
    opts = f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={root} -c fsync=off"
    r = run([f"{bindir}/pg_ctl", "-D", data, "-l", os.path.join(root, "log"), "-o", opts, "-w", "start"])
    if r.returncode:
        raise RuntimeError(f"pg_ctl start failed: {r.stderr.strip()[-300:]}")
    _STARTED.update(bindir=bindir, data=data, root=root)
    atexit.register(stop)
    for _ in range(50):
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.1)
    return f"postgresql+psycopg://clemency@127.0.0.1:{port}/postgres"


def stop() -> None:
    if _STARTED.get("data"):
        subprocess.run(_as_postgres([f"{_STARTED['bindir']}/pg_ctl", "-D", _STARTED["data"], "-m", "immediate",
                                     "stop"]), capture_output=True, timeout=60)
        shutil.rmtree(_STARTED["root"], ignore_errors=True)
        _STARTED.clear()


_URL: list = []


def url() -> str | None:
    if _URL:
        return _URL[0]
    value = os.environ.get("CLEMENCY_TEST_PG_URL")
    reason = None
    if not value:
        try:
            value = start()
        except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
            reason = str(exc)
            value = None
    if value is None and os.environ.get("CLEMENCY_REQUIRE_PG") == "1":
        raise RuntimeError(f"CLEMENCY_REQUIRE_PG=1 but PostgreSQL could not be started: {reason}")
    _URL.append(value)
    _URL.append(reason)
    return value


def skip_reason() -> str:
    return f"PostgreSQL cannot be started here: {_URL[1] if len(_URL) > 1 else 'unknown'}"


def fresh_database(base: str) -> str:
    """A new, empty database on the server of `base`; its URL."""
    import uuid

    import sqlalchemy as sa
    name = "t_" + uuid.uuid4().hex[:12]
    engine = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {name}")
    engine.dispose()
    return base.rsplit("/", 1)[0] + "/" + name
