"""The Spark engine: the same compiled plan lowered to Spark SQL (`SqlGen("spark")`), for registries too
big for one machine.

`clemency apply --engine spark` hands the registry file to Spark itself: read, checked, looked up,
decided and written there (clemency/engines/spark_apply.py). This module holds the session and the
`Engine` interface for callers that already hold a loaded `registry` table in DuckDB (a few records, the
web): that table and `_lookup` are exported to Parquet, read by Spark, decided by one Spark SQL query,
written as a directory of Parquet parts, and merged by DuckDB into the single `decisions.parquet` with the
DuckDB engine's column names and types, in registry order. One SparkSession serves the whole process.

Settings: `CLEMENCY_SPARK_MASTER` (default `local[*]`; e.g. `spark://host:7077` for a standalone cluster),
`CLEMENCY_SPARK_DRIVER_MEMORY` (default `2g`), `CLEMENCY_SPARK_EXECUTOR_MEMORY` (default `1g`, per executor on
a cluster), `CLEMENCY_SPARK_SHUFFLE_PARTITIONS` (default 2 x cores),
`CLEMENCY_SPARK_JAVA_OPTIONS` (JVM options of the local driver; `-XX:TieredStopAtLevel=1 -XX:+UseSerialGC`
starts several times faster for small registries), `CLEMENCY_SPARK_CONF` (further Spark settings,
`spark.key=value` separated by `;`, e.g. `spark.cores.max=16;spark.driver.host=10.0.0.5`),
or the `master=` / `conf=` arguments of `SparkEngine`. On a cluster the temporary directory
(`CLEMENCY_SPARK_TMP`) must be a path every executor can read and write (docs/scaling.md). A `spark://`
master that does not answer is reported at once instead of after Spark's registration retries.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import socket
import tempfile
import threading
from pathlib import Path

from clemency.compile.plan import Plan
from clemency.engines.base import Engine
from clemency.engines.duckdb import DuckDBEngine
from clemency.engines.sqlgen import SqlGen
from clemency.errors import EngineUnavailable, UsageError

INSTALL_PYSPARK = "pip install 'clemency[spark]'"
INSTALL_JAVA = "apt-get install openjdk-17-jre-headless (or any Java 17/21 runtime, with JAVA_HOME set)"

_session = None
_session_key = None
_lock = threading.Lock()


def _sql_path(path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def check_available() -> None:
    """Raise EngineUnavailable, saying what to install, when pyspark or Java is missing."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        raise EngineUnavailable("the Spark engine needs pyspark, which is not installed",
                                hint=INSTALL_PYSPARK) from None
    java_home = os.environ.get("JAVA_HOME")
    if not (java_home and Path(java_home, "bin", "java").exists()) and shutil.which("java") is None:
        raise EngineUnavailable("the Spark engine needs Java, which was not found (no `java` on PATH, no JAVA_HOME)",
                                hint=INSTALL_JAVA)


def default_conf() -> dict[str, str]:
    cores = os.cpu_count() or 2
    return {
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.shuffle.partitions": os.environ.get("CLEMENCY_SPARK_SHUFFLE_PARTITIONS", str(2 * cores)),
        "spark.driver.memory": os.environ.get("CLEMENCY_SPARK_DRIVER_MEMORY", "2g"),
        "spark.sql.parquet.compression.codec": "zstd",
        "spark.sql.sources.partitionOverwriteMode": "static",
        "spark.sql.adaptive.enabled": "true",
        # the checks and the decision are wide projections: constraint inference over them takes minutes
        "spark.sql.constraintPropagation.enabled": "false",
        "spark.driver.extraJavaOptions": os.environ.get("CLEMENCY_SPARK_JAVA_OPTIONS", ""),
        "spark.executor.memory": os.environ.get("CLEMENCY_SPARK_EXECUTOR_MEMORY", "1g"),
        **extra_conf(os.environ.get("CLEMENCY_SPARK_CONF", "")),
    }


def extra_conf(text: str) -> dict[str, str]:
    """`spark.a=1;spark.b=x` as settings; anything else is bad usage, said in plain words."""
    out = {}
    for item in filter(None, (part.strip() for part in text.split(";"))):
        key, sep, value = item.partition("=")
        if not sep or not key.strip().startswith("spark.") or not value.strip():
            raise UsageError(f"CLEMENCY_SPARK_CONF: {item!r} is not a Spark setting; "
                             "expected spark.key=value, several separated by ';'")
        out[key.strip()] = value.strip()
    return out


def check_master(master: str, timeout: float = 5.0) -> None:
    """For `spark://host:port[,host2:port2]` masters: raise EngineUnavailable unless one of them accepts a
    connection (Spark itself would retry for minutes before giving up)."""
    if not master.startswith("spark://"):
        return
    hosts = master[len("spark://"):].split(",")
    for hp in hosts:
        host, _, port = hp.strip().rpartition(":")
        try:
            with socket.create_connection((host.strip("[]"), int(port)), timeout=timeout):
                return
        except (OSError, ValueError):
            continue
    raise EngineUnavailable(f"no Spark master answers at {master} (CLEMENCY_SPARK_MASTER)",
                            hint="start the cluster's master and workers, or unset CLEMENCY_SPARK_MASTER "
                                 "to run Spark in local mode")


def get_session(master: str | None = None, conf: dict[str, str] | None = None):
    """The process's SparkSession, started on first use (local mode unless a master is given)."""
    global _session, _session_key
    check_available()
    master = (master or os.environ.get("CLEMENCY_SPARK_MASTER") or "local[*]").strip()
    settings = {**default_conf(), **(conf or {})}
    with _lock:
        if _session is not None and _session_key == master:
            with contextlib.suppress(Exception):  # a dead gateway: start again
                if not _session.sparkContext._jsc.sc().isStopped():
                    return _session
        from pyspark.sql import SparkSession
        if _session is not None:
            _session.stop()
        check_master(master)
        builder = SparkSession.builder.master(master).appName("clemency")
        for k, v in settings.items():
            builder = builder.config(k, v)
        try:
            _session = builder.getOrCreate()
        except Exception as exc:  # a JVM that does not start: say what to install
            raise EngineUnavailable(f"Spark could not start ({type(exc).__name__}: {str(exc).splitlines()[0]})",
                                    hint=INSTALL_JAVA) from exc
        _session.sparkContext.setLogLevel("ERROR")
        _session_key = master
        return _session


def stop_session() -> None:
    global _session, _session_key
    with _lock:
        if _session is not None:
            _session.stop()
        _session, _session_key = None, None


class SparkEngine(Engine):
    name = "spark"

    def __init__(self, master: str | None = None, conf: dict[str, str] | None = None):
        self.sql = SqlGen("spark")
        self.master, self.conf = master, conf
        check_available()

    def query(self, plan: Plan, on: dt.date, columns: list[str], passthrough: list[str],
              registry: str = "registry", lookup: str = "_lookup") -> str:
        source = self.sql.source_query(plan, registry, lookup, columns)
        return self.sql.decision_query(plan, source, on, passthrough)

    def _write(self, con, plan: Plan, on: dt.date, columns: list[str], passthrough: list[str], out_path: Path,
               metadata: dict[str, str]) -> bool:
        """Decide every row of the `registry` table of `con` (with `_lookup`) into one Parquet file."""
        from pyspark.sql.functions import broadcast
        spark = get_session(self.master, self.conf)
        tmp = Path(tempfile.mkdtemp(prefix="clemency-spark-", dir=os.environ.get("CLEMENCY_SPARK_TMP")))
        try:
            reg, look, parts = tmp / "registry.parquet", tmp / "lookup.parquet", tmp / "decisions"
            con.execute(f"COPY (SELECT {', '.join(_q(c) for c in columns)} FROM registry) TO {_sql_path(reg)} "
                        "(FORMAT PARQUET, COMPRESSION ZSTD, ROW_GROUP_SIZE 122880)")
            con.execute(f"COPY _lookup TO {_sql_path(look)} (FORMAT PARQUET)")
            spark.read.parquet(str(reg)).createOrReplaceTempView("registry")
            # the lookup is small (one row per distinct articles value): broadcast it, never shuffle the registry
            broadcast(spark.read.parquet(str(look))).createOrReplaceTempView("_lookup")
            spark.sql(self.query(plan, on, columns, passthrough)).write.mode("overwrite").parquet(str(parts))
            self._merge(con, plan, on, columns, passthrough, parts, out_path)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        return False

    def _merge(self, con, plan, on, columns, passthrough, parts: Path, out_path) -> None:
        """One Parquet file in registry order, each column cast to the type the DuckDB engine writes."""
        shape = DuckDBEngine().decide_relation(con, plan, on, columns, passthrough).limit(0)
        cast = ", ".join(f"CAST({_q(n)} AS {t}) AS {_q(n)}" for n, t in zip(shape.columns, shape.types))
        order = " ORDER BY _row" if "_row" in shape.columns else ""
        con.execute(f"COPY (SELECT {cast} FROM read_parquet({_sql_path(parts / '*.parquet')}){order}) "
                    f"TO {_sql_path(out_path)} (FORMAT PARQUET, COMPRESSION ZSTD)")


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
