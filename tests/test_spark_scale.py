"""The Spark engine end to end at scale, in local mode: a 200,000-row registry with bad rows of every kind,
read by Spark in at least 64 partitions, checked, decided and written by Spark. Every row is accounted for
(rows in = decided + rejected), and the decisions and the findings are those of the DuckDB engine, field by
field and word for word."""

from __future__ import annotations

import duckdb
import pyarrow.parquet as pq
import pytest
from decisions_compare import bad_registry, differences, finding_differences, spark_missing

from clemency.apply import apply_act
from clemency.errors import ClemencyError

pytestmark = pytest.mark.spark

ROWS = 200_000
PARTITIONS = 64


@pytest.fixture(scope="module")
def registry(tmp_path_factory):
    reason = spark_missing()
    if reason:
        pytest.skip(f"Spark engine unavailable: {reason}")
    path = tmp_path_factory.mktemp("spark-scale") / "registry.parquet"
    bad_registry(path, ROWS, 20251219, row_group=ROWS // (2 * PARTITIONS))
    return path


@pytest.fixture(scope="module")
def spark(registry):
    from clemency.engines.spark import get_session, stop_session
    stop_session()
    split = max(1, registry.stat().st_size // PARTITIONS)
    session = get_session(conf={"spark.sql.files.maxPartitionBytes": str(split),
                                "spark.sql.files.openCostInBytes": "1",
                                "spark.sql.shuffle.partitions": "8",
                                "spark.driver.extraJavaOptions": "-XX:+UseSerialGC"})
    yield session
    stop_session()


def test_spark_decides_like_duckdb_at_scale(registry, spark, tmp_path):
    assert spark.read.parquet(str(registry)).rdd.getNumPartitions() >= PARTITIONS
    ref = apply_act("az-2025", registry, tmp_path / "duckdb", engine="duckdb", csv=False)
    got = apply_act("az-2025", registry, tmp_path / "spark", engine="spark", csv=False)
    rows = got.manifest["rows"]
    assert rows["in"] == ROWS == rows["decided"] + rows["rejected"]
    assert rows == ref.manifest["rows"]
    assert got.manifest["renamed_columns"] == ref.manifest["renamed_columns"] == {"my col": "my_col",
                                                                                  "notes": "input_notes"}
    n, bad = differences(registry, tmp_path / "duckdb" / "decisions.parquet", tmp_path / "spark" / "decisions.parquet")
    assert n == rows["decided"] > 0.9 * ROWS
    assert not bad, "duckdb vs spark differ:\n" + "\n".join(bad)
    nf, only = finding_differences(tmp_path / "duckdb" / "findings.csv", tmp_path / "spark" / "findings.csv")
    assert nf == rows["findings"]
    assert not only, "findings that only one engine reports:\n" + "\n".join(only)
    # the comparison is not vacuous: findings of many kinds, several reliefs
    kinds = duckdb.sql(f"SELECT DISTINCT field FROM read_csv('{tmp_path / 'spark' / 'findings.csv'}')").fetchall()
    assert {k[0] for k in kinds} >= {"birth_date", "sex", "articles", "term_months", "case_id", "institution",
                                     "war_participant", "disability_percent", "status", "offense_date"}
    reliefs = pq.read_table(tmp_path / "spark" / "decisions.parquet", columns=["relief"])["relief"].unique()
    assert len(reliefs) >= 4
    # the run's metadata is on the file, as the DuckDB engine writes it
    meta = pq.read_metadata(tmp_path / "spark" / "decisions.parquet").metadata
    assert meta[b"clemency.run_id"].decode() == got.manifest["run_id"]
    assert meta[b"clemency.act"] == b"az-2025"


def test_a_file_spark_cannot_read_is_a_plain_error(tmp_path):
    """A damaged Parquet registry stops the run with a plain message that quotes nothing from the file, and
    the output folder is not created."""
    reason = spark_missing()
    if reason:
        pytest.skip(f"Spark engine unavailable: {reason}")
    reg = tmp_path / "registry.parquet"
    reg.write_bytes(b"PAR1" + b"person_id,=HYPERLINK(secret)" * 50 + b"PAR1")
    with pytest.raises(ClemencyError) as err:
        apply_act("az-2025", reg, tmp_path / "out", engine="spark", csv=False)
    text = str(err.value)
    assert "Spark stopped" in text and "secret" not in text and "Traceback" not in text and "Error" not in text
    assert str(tmp_path) not in text
    assert not (tmp_path / "out").exists()
