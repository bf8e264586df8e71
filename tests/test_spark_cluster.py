"""The Spark engine on a real Spark standalone cluster: a master and two workers started on this machine
from pyspark's own distribution, reached through CLEMENCY_SPARK_MASTER. A generated registry is decided
there and must get the same decisions as on DuckDB, field by field; the executors must have run on the
workers (not in the driver). The cluster is stopped at the end.
"""

from __future__ import annotations

import time

import duckdb
import pytest

from clemency.apply import apply_act
from clemency.errors import ClemencyError, EngineUnavailable
from clemency.registry.synth import synth

COMPARED = ["relief", "clause", "basis", "reduction_months", "new_sentence_end", "eligible_from",
            "eligible_until", "upcoming_relief", "upcoming_clause", "upcoming_from", "reasons", "excluded_by",
            "crime_category", "notes"]

pytestmark = pytest.mark.spark


def _spark_missing() -> str | None:
    from clemency.engines.spark import check_available
    try:
        check_available()
    except EngineUnavailable as exc:
        return str(exc)
    return None


@pytest.fixture(scope="module")
def cluster():
    reason = _spark_missing()
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


def _rows(path) -> list[dict]:
    """Every decision, by case_id (unique per row), each compared field as text."""
    cols = ", ".join(f'CAST("{c}" AS VARCHAR) AS "{c}"' for c in ["case_id", *COMPARED])
    rel = duckdb.connect().execute(f"SELECT {cols} FROM read_parquet('{path}') ORDER BY case_id")
    names = [d[0] for d in rel.description]
    return [dict(zip(names, r)) for r in rel.fetchall()]


def test_cluster_decides_like_duckdb(cluster, tmp_path, monkeypatch):
    reg = tmp_path / "registry.parquet"
    synth(6_000, reg, 11)
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

    assert got.manifest["rows"] == ref.manifest["rows"]
    assert got.manifest["engine"] == "spark"
    a, b = _rows(tmp_path / "duckdb" / "decisions.parquet"), _rows(tmp_path / "spark" / "decisions.parquet")
    assert len(a) == ref.manifest["rows"]["decided"] > 5_000
    assert len(a) == len(b)
    bad = [(x["case_id"], f) for x, y in zip(a, b) for f in ["case_id", *COMPARED] if x[f] != y[f]]
    assert not bad, f"{len(bad)} differing fields (case, field), first: {bad[:5]}"
    # the comparison is not vacuous: several reliefs, term reductions and upcoming reliefs occur
    assert len({r["relief"] for r in a}) >= 4
    assert any(r["new_sentence_end"] for r in a) and any(r["upcoming_from"] for r in a)


def test_unreachable_master_is_a_plain_error(monkeypatch, tmp_path):
    """A master that does not answer is reported at once, in plain words, not after minutes of retries."""
    if _spark_missing():
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
