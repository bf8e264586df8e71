"""The Spark engine on a real Spark standalone cluster: a master and two workers started on this machine
from pyspark's own distribution, reached through CLEMENCY_SPARK_MASTER. A generated registry with bad rows
is read, checked, decided and written there and must get the same decisions and the same findings as on
DuckDB, field by field; the executors must have run on the workers (not in the driver). The cluster is
stopped at the end.
"""

from __future__ import annotations

import time

import pytest
from decisions_compare import bad_registry, differences, finding_differences, spark_missing

from clemency.apply import apply_act
from clemency.errors import ClemencyError

ROWS = 12_000

pytestmark = pytest.mark.spark


@pytest.fixture(scope="module")
def cluster():
    reason = spark_missing()
    if reason:
        pytest.skip(f"Spark engine unavailable: {reason}")
    from clemency.engines.spark import stop_session
    from clemency.engines.standalone import LocalCluster
    stop_session()   # a local-mode session of an earlier test must not serve the cluster runs
    c = LocalCluster(workers=2, cores=1, memory="1g").start()
    try:
        yield c
    finally:
        stop_session()
        c.stop()


def test_cluster_decides_like_duckdb(cluster, tmp_path, monkeypatch):
    reg = tmp_path / "registry.parquet"
    bad_registry(reg, ROWS, 11, row_group=1_000)
    monkeypatch.setenv("CLEMENCY_SPARK_MASTER", cluster.url)
    monkeypatch.setenv("CLEMENCY_SPARK_EXECUTOR_MEMORY", "512m")
    ref = apply_act("az-2025", reg, tmp_path / "duckdb", engine="duckdb", csv=False)
    got = apply_act("az-2025", reg, tmp_path / "spark", engine="spark", csv=False)

    from clemency.engines.spark import get_session
    spark = get_session()
    assert spark.sparkContext.master == cluster.url
    app = spark.sparkContext.applicationId
    # the application was registered with the master and its executors ran on both workers
    assert app in [a["id"] for a in cluster.applications()]
    assert {p.parent.parent.name for p in cluster.executor_dirs(app)} == {"work1", "work2"}

    rows = got.manifest["rows"]
    assert got.manifest["engine"] == "spark"
    assert rows == ref.manifest["rows"] and rows["in"] == ROWS == rows["decided"] + rows["rejected"]
    n, bad = differences(reg, tmp_path / "duckdb" / "decisions.parquet", tmp_path / "spark" / "decisions.parquet")
    assert n == rows["decided"] > 0.9 * ROWS
    assert not bad, "duckdb vs spark on the cluster differ:\n" + "\n".join(bad)
    nf, only = finding_differences(tmp_path / "duckdb" / "findings.csv", tmp_path / "spark" / "findings.csv")
    assert nf == rows["findings"] > 50
    assert not only, "findings that only one engine reports:\n" + "\n".join(only)


def test_unreachable_master_is_a_plain_error(monkeypatch, tmp_path):
    """A master that does not answer is reported at once, in plain words, not after minutes of retries."""
    if spark_missing():
        pytest.skip("Spark engine unavailable")
    from clemency.engines.spark import get_session, stop_session
    from clemency.engines.standalone import free_port
    stop_session()
    url = f"spark://127.0.0.1:{free_port()}"
    t = time.monotonic()
    with pytest.raises(ClemencyError) as err:
        get_session(url)
    assert time.monotonic() - t < 20
    text = str(err.value)
    assert "127.0.0.1" in text and "master" in text and "Traceback" not in text and "Error(" not in text
