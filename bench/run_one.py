"""One measured run, in its own process so that its peak memory (and Spark's JVM) is its own:

    python -m bench.run_one apply ENGINE REGISTRY OUT_DIR     # apply_act(..., csv=False)
    python -m bench.run_one scan REGISTRY OUT_DIR             # the plain scan (DuckDB reading and rewriting every column)

Prints one JSON object on the last line of stdout: seconds, rows, phases.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from pathlib import Path


def apply(engine: str, registry: str, out: str) -> dict:
    from clemency.apply import apply_act
    shutil.rmtree(out, ignore_errors=True)
    t, cpu = time.perf_counter(), _cpu()
    result = apply_act("az-2025", registry, out, engine=engine, csv=False)
    seconds = time.perf_counter() - t
    return {"seconds": seconds, "cpu_s": _cpu() - cpu, "rows": result.manifest["rows"]["decided"],
            "phases": result.manifest["timings_s"]}


def _cpu() -> float:
    """CPU seconds of this process so far, user and system, all its threads (DuckDB's included; a Spark
    JVM is another process and is not counted). Less sensitive than wall time to other work on the machine."""
    t = os.times()
    return t.user + t.system


def scan(registry: str, out: str) -> dict:
    """A DuckDB query that reads the same input columns and writes the same number of rows to Parquet."""
    import duckdb

    from clemency.registry.schema import FIELDS
    Path(out).mkdir(parents=True, exist_ok=True)
    target = Path(out) / "scan.parquet"
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    src = "read_parquet('" + registry.replace("'", "''") + "')"
    present = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {src}").fetchall()]
    cols = ", ".join(f'"{c}"' for c in present if c in FIELDS)
    t, cpu = time.perf_counter(), _cpu()
    con.execute(f"COPY (SELECT {cols} FROM {src}) TO '{target}' (FORMAT PARQUET, COMPRESSION ZSTD)")
    seconds, cpu = time.perf_counter() - t, _cpu() - cpu
    rows = con.execute(f"SELECT count(*) FROM read_parquet('{target}')").fetchone()[0]
    return {"seconds": seconds, "cpu_s": cpu, "rows": rows, "phases": {}}


def main(argv: list[str]) -> None:
    if argv[0] == "apply":
        res = apply(*argv[1:4])
    elif argv[0] == "scan":
        res = scan(*argv[1:3])
    else:
        raise SystemExit(__doc__)
    if "spark" in argv[:2]:
        from clemency.engines.spark import stop_session
        stop_session()
    print(json.dumps(res))


if __name__ == "__main__":
    main(sys.argv[1:])
