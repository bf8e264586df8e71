"""Head-to-head with GoRules ZEN (`zen-engine`), the business-rules engine a team might pick instead.

    python -m bench.zen [--rows 1000000] [--probe 20000] [--processes 2] [--json FILE]

1. The 2025 act under its default readings is compiled as for every Clemency engine and turned into a
   ZEN decision graph (JDM) by bench/zen_jdm.py (generated from the plan, not written by hand).
2. Clemency decides the synthetic registry (`apply_act(..., csv=False)`, DuckDB engine), timed end to end.
3. ZEN's inputs are the same typed rows Clemency's decision query sees (the registry imported and checked,
   the article lookup joined: crime category, negligence and article sets resolved), one JSON object per
   row with dates as YYYYMMDD integers. Preparing them is timed apart from ZEN's evaluation.
4. ZEN's ways of evaluating many records are tried on a probe of `--probe` rows (a cached ZenDecision
   with dict or JSON contexts, `ZenEngine.evaluate_batch`, `async_evaluate` gathered in chunks); the
   fastest then decides every row, in `--processes` worker processes (one ZenDecision each).
5. Every row's relief, clause and reasons are compared; mismatches are counted by class (never shown
   with registry contents).

Skipped, with a message, when zen-engine is not installed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import shutil
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
INSTALL = "pip install zen-engine"


def available() -> str | None:
    """None when zen-engine can be imported, else why not (in plain words)."""
    try:
        import zen  # noqa: F401
    except ImportError:
        return f"zen-engine is not installed ({INSTALL}); the ZEN comparison is skipped"
    return None


def plan_and_graph(readings=None):
    from bench.zen_jdm import build_graph
    from clemency.act.load import load_act
    from clemency.compile.plan import compile_act
    plan = compile_act(load_act("az-2025"), readings)
    return plan, build_graph(plan)


def prepare_inputs(plan, registry: Path) -> tuple[list[str], list[bytes]]:
    """(case ids, one JSON object per row) from the rows Clemency's decision query reads."""
    import duckdb

    from bench.zen_jdm import input_fields
    from clemency.engines.lookup import register_lookup
    from clemency.engines.sqlgen import SqlGen
    from clemency.law import CriminalCode
    from clemency.registry.load import load_registry
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    load_registry(registry, con)
    register_lookup(con, plan, CriminalCode.load())
    columns = [r[0] for r in con.execute("DESCRIBE registry").fetchall()]
    source = SqlGen("duckdb").source_query(plan, "registry", "_lookup", columns)
    types = dict(con.execute(f"SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM {source})").fetchall())

    def value(f):
        if types[f] == "DATE":
            return f'year("{f}") * 10000 + month("{f}") * 100 + day("{f}")'
        return f'"{f}"'
    # one JSON text per row, built by DuckDB (null fields left out, as a JSON caller would send them)
    obj = ", ".join(f"'{f}', {value(f)}" for f in input_fields(plan))
    rows = con.execute(f"SELECT case_id, CAST(json_object({obj}) AS VARCHAR) FROM {source} ORDER BY case_id"
                       ).fetchall()
    con.close()
    return [r[0] for r in rows], [r[1].encode() for r in rows]


# ---- ways of evaluating many records ------------------------------------------------------------------
# Each returns (wall seconds, results, ZEN's own reported evaluation time in seconds summed over the rows).

_UNITS = {"ns": 1e-9, "µs": 1e-6, "us": 1e-6, "ms": 1e-3, "s": 1.0}


def _perf(text: str) -> float:
    """ZEN's `performance` field ("221.4µs", "2.3ms") in seconds."""
    for unit in ("ns", "µs", "us", "ms", "s"):
        if text.endswith(unit):
            return float(text[: -len(unit)]) * _UNITS[unit]
    return 0.0


def _results(responses) -> tuple[list[dict], float]:
    return [r["result"] for r in responses], sum(_perf(r.get("performance", "")) for r in responses)


def way_engine_key(graph, docs):
    """ZenEngine with a static loader (the graph loaded and cached once), evaluate(key, JSON) per row."""
    import zen
    engine = zen.ZenEngine({"loader": {"type": "static", "content": {"act": graph}}})
    engine.evaluate("act", docs[0])
    t = time.perf_counter()
    out = [engine.evaluate("act", x) for x in docs]
    return (time.perf_counter() - t, *_results(out))

def way_decision_dict(graph, docs):
    import zen
    d = zen.ZenEngine().create_decision(json.dumps(graph))
    dicts = [json.loads(x) for x in docs]
    t = time.perf_counter()
    out = [d.evaluate(x) for x in dicts]
    return (time.perf_counter() - t, *_results(out))


def way_decision_json(graph, docs):
    import zen
    d = zen.ZenEngine().create_decision(json.dumps(graph))
    t = time.perf_counter()
    out = [d.evaluate(x) for x in docs]
    return (time.perf_counter() - t, *_results(out))


def way_batch(graph, docs, chunk=10_000):
    import zen
    engine = zen.ZenEngine({"loader": {"type": "static", "content": {"act": graph}}})
    engine.evaluate("act", docs[0])   # load and cache the graph
    t = time.perf_counter()
    out = []
    for i in range(0, len(docs), chunk):
        res = engine.evaluate_batch([{"key": "act", "context": x} for x in docs[i:i + chunk]])
        out += [r["data"] if r.get("success") else {"result": {"error": True}} for r in res]
    return (time.perf_counter() - t, *_results(out))


def way_async(graph, docs, chunk=1_000):
    import zen
    d = zen.ZenEngine().create_decision(json.dumps(graph))

    async def run():
        out = []
        for i in range(0, len(docs), chunk):
            out += await asyncio.gather(*(d.async_evaluate(x) for x in docs[i:i + chunk]))
        return out
    t = time.perf_counter()
    out = asyncio.run(run())
    return (time.perf_counter() - t, *_results(out))


WAYS = {"ZenEngine.evaluate(key) with a static loader": way_engine_key,
        "ZenDecision.evaluate(dict)": way_decision_dict, "ZenDecision.evaluate(JSON bytes)": way_decision_json,
        "ZenEngine.evaluate_batch": way_batch, "ZenDecision.async_evaluate (gathered)": way_async}


def _worker(args):
    name, graph, docs = args
    seconds, out, internal = WAYS[name](graph, docs)
    return seconds, internal, [(r.get("relief"), r.get("clause"), r.get("reasons")) for r in out]


CHUNK = 25_000


def evaluate_all(name: str, graph, docs: list[bytes], processes: int, progress=None):
    """Every row with the chosen way, split over `processes` processes: (wall seconds, ZEN's own
    evaluation time summed over all rows, results in order)."""
    if processes <= 1:
        t = time.perf_counter()
        _, internal, out = _worker((name, graph, docs))
        return time.perf_counter() - t, internal, out
    parts = [(name, graph, docs[i:i + CHUNK]) for i in range(0, len(docs), CHUNK)]
    t = time.perf_counter()
    done = []
    # spawn, not fork: a process that has already run zen-engine holds its runtime's threads, and a forked
    # child can deadlock on a lock one of them held
    with mp.get_context("spawn").Pool(processes) as pool:
        for part in pool.imap(_worker, parts):   # in order; progress written as chunks finish
            done.append(part)
            if progress:
                progress(sum(len(rs) for _, _, rs in done), time.perf_counter() - t,
                         [r for _, _, rs in done for r in rs])
    wall = time.perf_counter() - t
    return wall, sum(i for _, i, _ in done), [r for _, _, rs in done for r in rs]


# ---- Clemency's side ------------------------------------------------------------------------------------

def clemency_run(registry: Path, out: Path) -> tuple[float, dict, dict[str, tuple]]:
    import duckdb

    from clemency.apply import apply_act
    shutil.rmtree(out, ignore_errors=True)
    t = time.perf_counter()
    res = apply_act("az-2025", registry, out, engine="duckdb", csv=False)
    seconds = time.perf_counter() - t
    rows = duckdb.connect().execute(
        f"SELECT case_id, relief, clause, reasons FROM read_parquet('{out / 'decisions.parquet'}')").fetchall()
    return seconds, res.manifest, {r[0]: tuple(r[1:]) for r in rows}


def earlier_run(out: Path) -> tuple[float, dict, dict[str, tuple]]:
    """An earlier Clemency run of this benchmark (its time from its manifest)."""
    import duckdb
    manifest = json.loads((out / "manifest.json").read_text())
    rows = duckdb.connect().execute(
        f"SELECT case_id, relief, clause, reasons FROM read_parquet('{out / 'decisions.parquet'}')").fetchall()
    return manifest["timings_s"]["total_s"], manifest, {r[0]: tuple(r[1:]) for r in rows}


def compare(ids: list[str], ours: dict[str, tuple], theirs: list[tuple], order: list[str]) -> dict:
    """Counts of agreement and of each class of mismatch (no registry contents)."""
    classes: Counter = Counter()
    same = missing = 0
    for cid, z in zip(ids, theirs):
        o = ours.get(cid)
        if o is None:
            missing += 1
            continue
        if tuple(o) == tuple(z):
            same += 1
            continue
        if (o[0], o[1]) != (z[0], z[1]):
            classes[f"relief/clause: ours {o[0]}/{o[1] or '-'}, zen {z[0]}/{z[1] or '-'}"] += 1
        else:
            diff = [order[k] for k, (a, b) in enumerate(zip(o[2] or "", z[2] or "")) if a != b]
            classes[f"reasons only, clauses {','.join(diff[:4]) or '?'}"] += 1
    return {"rows": len(ids), "identical": same, "not_in_clemency_output": missing,
            "relief_and_clause_equal": same + sum(n for k, n in classes.items() if k.startswith("reasons")),
            "mismatch_classes": dict(classes.most_common())}


def run(rows: int, probe: int, processes: int, way: str | None = None, reuse: bool = False) -> dict:
    from bench.__main__ import registry
    reason = available()
    if reason:
        return {"skipped": reason}
    import zen  # noqa: F401
    load = os.getloadavg()
    OUT.mkdir(parents=True, exist_ok=True)
    reg = registry(rows)
    plan, graph = plan_and_graph()
    (OUT / "az-2025-default.jdm.json").write_text(json.dumps(graph, indent=1))
    print(f"  ZEN graph: {len(graph['nodes'][1]['content']['expressions'])} expressions, "
          f"{len(graph['nodes'][2]['content']['rules'])} table rules", flush=True)

    if reuse and (OUT / f"zen-clemency-{rows}" / "manifest.json").exists():
        c_seconds, manifest, ours = earlier_run(OUT / f"zen-clemency-{rows}")
    else:
        c_seconds, manifest, ours = clemency_run(reg, OUT / f"zen-clemency-{rows}")
    print(f"  Clemency (DuckDB) apply: {c_seconds:.1f} s, {rows / c_seconds:,.0f} rows/s", flush=True)

    t = time.perf_counter()
    ids, docs = prepare_inputs(plan, reg)
    prep = time.perf_counter() - t
    print(f"  ZEN inputs prepared by DuckDB: {prep:.1f} s", flush=True)

    probes = {}
    sample = docs[:probe]
    for name, fn in WAYS.items():
        if way:
            break
        seconds, _, internal = fn(graph, sample)
        probes[name] = {"seconds": round(seconds, 3), "rows_per_s": round(len(sample) / seconds),
                        "zen_reported_s": round(internal, 3)}
        print(f"  probe {name:<40} {len(sample) / seconds:>10,.0f} rows/s", flush=True)
    best = way or max(probes, key=lambda k: probes[k]["rows_per_s"])
    log = OUT / f"zen-progress-{rows}.jsonl"
    log.write_text("")

    state = {"done": 0, "equal": 0, "identical": 0, "classes": Counter()}

    def progress(n, seconds, results):
        k = state["done"]
        check = compare(ids[k:n], ours, results[k:n], plan.reason_order)
        state["done"] = n
        state["equal"] += check["relief_and_clause_equal"]
        state["identical"] += check["identical"]
        state["classes"].update(check["mismatch_classes"])
        with log.open("a") as f:
            f.write(json.dumps({"rows_done": n, "seconds": round(seconds, 1), "rows_per_s": round(n / seconds),
                                "relief_and_clause_equal": state["equal"], "identical": state["identical"],
                                "classes": dict(state["classes"]), "load": os.getloadavg()}) + "\n")

    wall, internal, results = evaluate_all(best, graph, docs, processes, progress)
    print(f"  ZEN {best} on {processes} process(es): {wall:.1f} s, {len(docs) / wall:,.0f} rows/s", flush=True)
    check = compare(ids, ours, results, plan.reason_order)
    return {"rows": rows, "load_average_at_start": load, "load_average_at_end": os.getloadavg(),
            "clemency": {"seconds": round(c_seconds, 2), "rows_per_s": round(rows / c_seconds),
                         "phases_s": manifest.get("timings_s")},
            "zen": {"version": _zen_version(), "prepare_inputs_s": round(prep, 2), "probe_rows": len(sample),
                    "probes": probes, "fastest": best, "processes": processes, "evaluate_s": round(wall, 2),
                    "rows_per_s": round(len(docs) / wall), "zen_reported_evaluation_s": round(internal, 2),
                    "rows_per_s_with_preparation": round(len(docs) / (wall + prep))},
            "comparison": check}


def _zen_version() -> str:
    from importlib.metadata import version
    try:
        return version("zen-engine")
    except Exception:  # noqa: BLE001 - a version is informative only
        return "unknown"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.zen", description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--probe", type=int, default=20_000)
    ap.add_argument("--processes", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--json", default=str(OUT / "zen.json"))
    ap.add_argument("--way", choices=list(WAYS), help="skip the probe and use this way")
    ap.add_argument("--reuse", action="store_true", help="take Clemency's side from an earlier run of this bench")
    args = ap.parse_args(argv)
    res = run(args.rows, args.probe, args.processes, args.way, args.reuse)
    if "skipped" in res:
        print(res["skipped"])
        return 0
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(res, indent=2))
    c = res["comparison"]
    print(f"  decisions: {c['relief_and_clause_equal']:,} of {c['rows']:,} rows with the same relief and clause, "
          f"{c['identical']:,} identical with reasons; mismatch classes: {c['mismatch_classes'] or 'none'}")
    print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
