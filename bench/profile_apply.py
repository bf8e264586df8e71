"""Where `clemency apply` spends its time: a phase profile (prints numbers; not a test).

    python -m bench.profile_apply [--rows 3000000] [--csv] [--json FILE]

Runs `apply_act(..., csv=False)` (the DuckDB engine) on a synthetic registry with DuckDB's profiler on for
every query the run issues, and attributes each query's operator time to a phase:

- **read**: Parquet/CSV scans of the registry file (READ_PARQUET, READ_CSV);
- **type/validate**: the projections, filters and groupings that type and check the registry: in the
  streaming pass, the operators of the decision query below its article-lookup join (the registry
  view) and the narrow grouping scan for repeated keys;
- **lookup**: the distinct articles and the join with the Criminal Code lookup;
- **decide**: the projections that evaluate the clauses (the decision query above the lookup join);
- **sort (registry order)**: the ORDER BY _row that keeps the decisions in registry order;
- **materialise (tables)**: writing intermediate tables (CREATE TABLE AS, INSERT);
- **encode+write**: COPY TO FILE (Parquet encoding and the writes; the raw write time is given apart);
- **findings**: checking the undecided rows;
- **summary/other**: everything else (counts, the summary's groupings).

Operator times are DuckDB's own (summed over its threads, so they can exceed wall time on 2 cores);
wall times are per apply step. The plain scan of the same registry is measured in the same run.
"""

from __future__ import annotations

import argparse
import json
import shutil
import time
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"

READS = {"READ_PARQUET", "READ_CSV", "READ_CSV_AUTO", "PARQUET_SCAN", "TABLE_FUNCTION"}
WRITES = {"COPY_TO_FILE", "BATCH_COPY_TO_FILE"}
MATERIALISE = {"CREATE_TABLE_AS", "BATCH_CREATE_TABLE_AS", "INSERT", "BATCH_INSERT"}


def _walk(op, out: dict, step: str, below_lookup: bool = False) -> None:
    kind = op.get("type") or op.get("name") or "?"
    timing = float(op.get("timing") or op.get("operator_timing") or 0.0)
    name = str(op.get("name", ""))
    join = kind in ("HASH_JOIN", "PERFECT_HASH_JOIN")
    if kind in READS or "READ_" in name.upper() or "PARQUET_SCAN" in name.upper():
        phase = "read"
    elif kind in WRITES:
        phase = "encode+write"
    elif kind in MATERIALISE:
        phase = "materialise (tables)"
    elif kind in ("ORDER_BY",) and step.startswith("deciding"):
        phase = "sort (registry order)"
    elif step.startswith("reading"):
        phase = "type/validate"
    elif step.startswith("resolving"):
        phase = "lookup"
    elif step.startswith("deciding") and below_lookup:
        phase = "type/validate"
    elif step.startswith("deciding") and join:
        phase = "lookup"
    elif step.startswith("deciding"):
        phase = "decide"
    elif step.startswith("checking"):
        phase = "findings"
    else:
        phase = "summary/other"
    out[phase] += timing
    out[f"op:{kind}"] += timing
    children = op.get("children", [])
    for i, child in enumerate(children):
        # the lookup join's probe side (its first child) is the registry view: typing and checks
        _walk(child, out, step, below_lookup or (join and step.startswith("deciding") and i == 0))


class Profiled:
    """A DuckDB connection whose every `execute` is profiled and attributed to the current apply step."""

    def __init__(self, con, sink: dict):
        self._con, self._sink = con, sink
        con.execute("SET enable_profiling = 'no_output'")
        con.execute("SET profiling_mode = 'detailed'")
        self.step = "start"

    def execute(self, *args, **kwargs):
        res = self._con.execute(*args, **kwargs)
        try:
            info = json.loads(self._con.get_profiling_information(format="json"))
        except Exception:  # noqa: BLE001 - a query without a profile (SET, PRAGMA)
            return res
        acc = self._sink.setdefault(self.step, defaultdict(float))
        for op in info.get("operator", info.get("children", [])):
            _walk(op, acc, self.step)
        io = info.get("io", {})
        acc["io:write_s"] += float(io.get("total_write_time", 0.0))
        acc["io:read_s"] += float(io.get("total_read_time", 0.0))
        return res

    def __getattr__(self, name):
        return getattr(self._con, name)


def profile(rows: int, csv: bool) -> dict:
    import clemency.apply as apply_mod
    from bench.__main__ import registry
    from bench.run_one import scan
    reg = registry(rows)
    sink: dict = {}
    walls: dict[str, float] = {}
    holder: dict = {}
    real_connect = apply_mod.connect

    def connect(*a, **k):
        holder["con"] = Profiled(real_connect(*a, **k), sink)
        return holder["con"]

    last = {"step": "start", "t": time.perf_counter()}

    def step(name: str) -> None:
        now = time.perf_counter()
        walls[last["step"]] = walls.get(last["step"], 0.0) + now - last["t"]
        last.update(step=name, t=now)
        if "con" in holder:
            holder["con"].step = name

    out = OUT / f"profile-{rows}"
    shutil.rmtree(out, ignore_errors=True)
    apply_mod.connect = connect
    try:
        t = time.perf_counter()
        res = apply_mod.apply_act("az-2025", reg, out, csv=csv, progress=step)
        total = time.perf_counter() - t
    finally:
        apply_mod.connect = real_connect
    step("end")
    plain = scan(str(reg), str(OUT / f"profile-scan-{rows}"))
    phases: dict[str, float] = defaultdict(float)
    ops: dict[str, float] = defaultdict(float)
    for acc in sink.values():
        for k, v in acc.items():
            if k.startswith("op:"):
                ops[k[3:]] += v
            else:
                phases[k] += v
    return {"rows": rows, "csv": csv, "apply_s": round(total, 2), "plain_scan_s": round(plain["seconds"], 2),
            "ratio_to_plain_scan": round(total / plain["seconds"], 2),
            "rows_per_s": round(rows / total), "manifest_timings_s": res.manifest.get("timings_s"),
            "wall_by_step_s": {("compiling the act" if k == "start" else k): round(v, 2) for k, v in walls.items()},
            "duckdb_operator_s_by_phase": {k: round(v, 2) for k, v in sorted(phases.items(), key=lambda x: -x[1])},
            "duckdb_operator_s_by_step": {step: {k: round(v, 2) for k, v in sorted(acc.items(), key=lambda x: -x[1])
                                                 if not k.startswith("io:") and v >= 0.05}
                                          for step, acc in sink.items()},
            "duckdb_operator_s_by_type": {k: round(v, 2) for k, v in
                                          sorted(ops.items(), key=lambda x: -x[1]) if v >= 0.05}}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.profile_apply", description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=3_000_000)
    ap.add_argument("--csv", action="store_true", help="also write decisions.csv")
    ap.add_argument("--json", default=None)
    args = ap.parse_args(argv)
    res = profile(args.rows, args.csv)
    text = json.dumps(res, indent=2)
    print(text)
    if args.json:
        Path(args.json).write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
