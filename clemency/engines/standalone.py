"""A Spark standalone cluster on this machine, started from pyspark's own distribution: one master and N
workers (`spark-class org.apache.spark.deploy.master.Master` and `...deploy.worker.Worker spark://HOST:PORT`).

For tests and benchmarks of the Spark engine on a real cluster manager (executors in their own JVMs, not
local mode). A real multi-machine cluster is started by its operators; point Clemency at it with
`CLEMENCY_SPARK_MASTER=spark://host:7077` (docs/scaling.md).

    with LocalCluster(workers=2, cores=1, memory="1g") as cluster:
        os.environ["CLEMENCY_SPARK_MASTER"] = cluster.url
        ...

Every process it starts is stopped by `stop()` (or on leaving the `with` block), by process id.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

from clemency.errors import EngineUnavailable


def spark_home() -> Path:
    try:
        import pyspark
    except ImportError:
        raise EngineUnavailable("a Spark cluster needs pyspark, which is not installed",
                                hint="pip install 'clemency[spark]'") from None
    return Path(pyspark.__file__).resolve().parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LocalCluster:
    """A master and `workers` workers on 127.0.0.1, each worker offering `cores` cores and `memory`."""

    def __init__(self, workers: int = 2, cores: int = 1, memory: str = "1g", start_timeout: float = 180.0):
        self.workers, self.cores, self.memory, self.start_timeout = workers, cores, memory, start_timeout
        self.port = self.ui_port = 0
        self.dir: Path | None = None
        self.procs: list[subprocess.Popen] = []
        self._logs: list = []

    @property
    def url(self) -> str:
        return f"spark://127.0.0.1:{self.port}"

    def _spawn(self, name: str, args: list[str]) -> None:
        home = spark_home()
        env = {**os.environ, "SPARK_HOME": str(home), "SPARK_LOCAL_IP": "127.0.0.1", "SPARK_NO_DAEMONIZE": "1",
               "SPARK_LOG_DIR": str(self.dir), "SPARK_WORKER_DIR": str(self.dir / "work")}
        log = open(self.dir / f"{name}.log", "wb")  # noqa: SIM115 - closed in stop()
        self._logs.append(log)
        self.procs.append(subprocess.Popen([str(home / "bin" / "spark-class"), *args], env=env, stdout=log,
                                           stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                           start_new_session=True))

    def start(self) -> LocalCluster:
        self.dir = Path(tempfile.mkdtemp(prefix="clemency-cluster-"))
        self.port, self.ui_port = free_port(), free_port()
        self._spawn("master", ["org.apache.spark.deploy.master.Master", "--host", "127.0.0.1",
                               "--port", str(self.port), "--webui-port", str(self.ui_port)])
        for i in range(self.workers):
            self._spawn(f"worker{i + 1}", ["org.apache.spark.deploy.worker.Worker", self.url, "--host", "127.0.0.1",
                                           "--cores", str(self.cores), "--memory", self.memory,
                                           "--webui-port", "0", "--work-dir", str(self.dir / f"work{i + 1}")])
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if any(p.poll() is not None for p in self.procs):
                self.stop()
                raise EngineUnavailable("a process of the local Spark cluster stopped while starting")
            if self.state().get("aliveworkers", 0) >= self.workers:
                return self
            time.sleep(1)
        self.stop()
        raise EngineUnavailable(f"the local Spark cluster did not have {self.workers} workers after "
                                f"{self.start_timeout:.0f} s")

    def state(self) -> dict:
        """The master's status page as JSON (workers, applications), or {} while it does not answer."""
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.ui_port}/json/", timeout=5) as r:
                return json.loads(r.read())
        except (OSError, ValueError):
            return {}

    def applications(self) -> list[dict]:
        s = self.state()
        return s.get("activeapps", []) + s.get("completedapps", [])

    def executor_dirs(self, app_id: str) -> list[Path]:
        """The folders in which the workers ran this application's executors (one per executor)."""
        return sorted(p for p in (self.dir or Path()).glob(f"work*/{app_id}/*") if p.is_dir())

    def stop(self) -> None:
        """Stop the workers and their executors, then the master (SIGTERM, then SIGKILL after 20 s), by the
        process groups this object started."""
        for p in reversed(self.procs):   # each in its own process group: a worker's executors with it
            with contextlib.suppress(ProcessLookupError):
                os.killpg(p.pid, signal.SIGTERM)
        for p in reversed(self.procs):
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(p.pid, signal.SIGKILL)
                p.wait()
        self.procs.clear()
        for log in self._logs:
            log.close()
        self._logs.clear()
        if self.dir is not None:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None

    def __enter__(self) -> LocalCluster:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
